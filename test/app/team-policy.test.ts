import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTeamPolicy } from '../../src/app/team-policy.js';
import { runRunbook } from '../../src/app/run-runbook.js';
import { isRunproofError } from '../../src/core/index.js';
import { lintRunbook, parseRunbook } from '../../src/parse/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/policy/', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-policy-'));
  for (const f of ['release.md', 'release_check.sh', 'runproof.policy.yaml']) copyFileSync(join(fixtures, f), join(dir, f));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('team policy file', () => {
  it('is found beside the runbook, validated, hashed', async () => {
    const loaded = await loadTeamPolicy(join(dir, 'release.md'));
    expect(loaded?.policy.read).toEqual(['./release_check.sh --mode *']);
    expect(loaded?.policy.sandbox).toBe('warn');
    expect(loaded?.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'runproof.policy.yaml'))).digest('hex'));
  });
  it('is optional beside the runbook, required when named', async () => {
    rmSync(join(dir, 'runproof.policy.yaml'));
    expect(await loadTeamPolicy(join(dir, 'release.md'))).toBeUndefined();
    const error = await rejects(loadTeamPolicy(join(dir, 'release.md'), join(dir, 'missing.yaml')));
    expect(isRunproofError(error) && error.code).toBe('RP_BAD_POLICY');
  });
  for (const [name, body] of [
    ['bad YAML', 'read: [unclosed'],
    ['unknown key', 'reads:\n  - ls\n'],
    ['bad sandbox', 'sandbox: maybe\n'],
    ['not a list', 'read: ./x.sh\n'],
  ] as const) {
    it(`refuses ${name} with RP_BAD_POLICY`, async () => {
      writeFileSync(join(dir, 'p.yaml'), body);
      const error = await rejects(loadTeamPolicy(join(dir, 'release.md'), join(dir, 'p.yaml')));
      expect(isRunproofError(error) && error.code).toBe('RP_BAD_POLICY');
    });
  }

  it('decides cells by its rules, named by list --explain data', async () => {
    const loaded = (await loadTeamPolicy(join(dir, 'release.md')))!;
    const text = readFileSync(join(dir, 'release.md'), 'utf8');
    const without = parseRunbook(text, { path: 'release.md' });
    expect(without.cells.map((c) => c.risk!.level)).toEqual(['write', 'write']);
    const notebook = parseRunbook(text, { path: 'release.md', policy: loaded.policy });
    const [check, stop] = notebook.cells;
    expect(check!.risk!.level).toBe('read');
    expect(check!.risk!.decidedBy).toBe('policy read[0] "./release_check.sh --mode *"');
    expect(stop!.risk!.level).toBe('destructive');
    expect(stop!.risk!.decidedBy).toBe('policy destructive[0] "./emergency_stop.sh*"');
  });

  it('a read rule covers one command, never what is chained to it', () => {
    const policy = { read: ['./release_check.sh --mode *'], write: [], destructive: [] };
    const notebook = parseRunbook('# x\n\n```bash\n./release_check.sh --mode x; rm -rf /tmp/y\n```\n\n```bash\n./release_check.sh --mode x > /tmp/out\n```\n', { path: 'x.md', policy });
    expect(notebook.cells.map((c) => c.risk!.level)).toEqual(['destructive', 'write']);
  });

  it('lint warns about a rule that matches nothing', () => {
    const policy = { read: ['./release_check.sh --mode *', './never_used.sh'], write: [], destructive: [] };
    const text = readFileSync(join(dir, 'release.md'), 'utf8');
    const unused = lintRunbook(text, { path: 'release.md', policy }).filter((d) => d.code === 'RP_POLICY_RULE_UNUSED');
    expect(unused.map((d) => d.message)).toEqual(['policy read[1] "./never_used.sh" of the team policy matches no command in this runbook']);
  });

  it('goes into the run record with its SHA-256 and content, and makes the team read form run unattended', async () => {
    const result = await runRunbook({ runbookPath: join(dir, 'release.md'), sections: ['check'], mode: 'unattended', cwd: dir, evidenceDir: join(dir, 'evidence') });
    const content = readFileSync(join(dir, 'runproof.policy.yaml'), 'utf8');
    expect(result.record.policy.file).toEqual({ path: join(dir, 'runproof.policy.yaml'), sha256: createHash('sha256').update(content).digest('hex'), content });
    expect(result.record.steps[0]!.status).toBe('passed');
    expect(result.record.steps[0]!.attempts[0]!.stdout.inline).toBe('release check mode=deploy\n');
  });
});
