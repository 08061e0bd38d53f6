import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RunproofError } from '../core/index.js';
import { TeamPolicySchema, type TeamPolicy } from '../parse/index.js';

/** The file name looked for beside a runbook. */
export const TEAM_POLICY_FILE = 'runproof.policy.yaml';

export interface LoadedTeamPolicy {
  path: string;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  content: string;
  policy: TeamPolicy;
}

/**
 * The team policy for a runbook: `explicit` (`--policy FILE`, must exist), else `runproof.policy.yaml`
 * beside the runbook when there is one, else undefined. Bad YAML or an unknown key is RP_BAD_POLICY.
 */
export async function loadTeamPolicy(runbookPath: string, explicit?: string): Promise<LoadedTeamPolicy | undefined> {
  const path = explicit ?? join(dirname(runbookPath), TEAM_POLICY_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (explicit === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunproofError('RP_BAD_POLICY', `cannot read the policy file ${path}: ${(error as Error).message}`, { file: path, hint: 'check the --policy path', cause: error });
  }
  const content = bytes.toString('utf8');
  // yaml is loaded only when there is a policy file: `list` and `run` of a runbook without one
  // never pay for it (start-up is module loading).
  const { parse: parseYaml } = await import('yaml');
  let data: unknown;
  try {
    data = parseYaml(content);
  } catch (error) {
    throw new RunproofError('RP_BAD_POLICY', `${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { file: path, hint: 'see docs/CLASSIFIER.md for the policy file format', cause: error });
  }
  const parsed = TeamPolicySchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(top level)';
    throw new RunproofError('RP_BAD_POLICY', `${path}: ${where}: ${issue.message}`, {
      file: path,
      hint: 'keys: version (1), read, write, destructive (lists of command globs), sandbox (required|warn|off)',
    });
  }
  // node:crypto too only when there is a policy file (its load is ~10 ms of a `list` start-up).
  const { createHash } = await import('node:crypto');
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), content, policy: parsed.data };
}
