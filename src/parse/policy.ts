import { z } from 'zod';

/**
 * A team's policy file (`runproof.policy.yaml` beside the runbook, or `--policy FILE`): the
 * team's own read-only scripts and forms, extra destructive patterns, and whether unattended
 * read cells must run in the sandbox. Patterns are globs over one simple command's words joined
 * by single spaces (`*` any text, `?` one character): `./scripts/release_check.sh --mode *`.
 */
export const TeamPolicySchema = z.strictObject({
  version: z.literal(1).optional(),
  /** Forms the team declares read-only. */
  read: z.array(z.string().min(1)).default([]),
  /** Forms the team declares write (checked before `read`). */
  write: z.array(z.string().min(1)).default([]),
  /** Extra destructive patterns (checked first). */
  destructive: z.array(z.string().min(1)).default([]),
  /** Unattended read cells: `required` refuses to run without a sandbox, `warn` runs with a warning, `off` runs unsandboxed. */
  sandbox: z.enum(['required', 'warn', 'off']).optional(),
});
export type TeamPolicy = z.infer<typeof TeamPolicySchema>;

/** A policy rule, as named in reasons, `list --explain` and lint: `policy destructive[0] "./scripts/stop*"`. */
export interface PolicyRuleMatch {
  level: 'read' | 'write' | 'destructive';
  rule: string;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (const c of glob) {
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

const compiled = new WeakMap<TeamPolicy, { level: PolicyRuleMatch['level']; rule: string; re: RegExp }[]>();

/** The first policy rule matching a command (its words joined by spaces): destructive, then write, then read. */
export function matchPolicy(policy: TeamPolicy, command: string): PolicyRuleMatch | undefined {
  let rules = compiled.get(policy);
  if (rules === undefined) {
    rules = [];
    for (const level of ['destructive', 'write', 'read'] as const) {
      policy[level].forEach((glob, i) => rules!.push({ level, rule: policyRuleName(level, i, glob), re: globToRegExp(glob) }));
    }
    compiled.set(policy, rules);
  }
  const hit = rules.find((r) => r.re.test(command));
  return hit === undefined ? undefined : { level: hit.level, rule: hit.rule };
}

/** Every rule's name, for "matches nothing" warnings. */
export function policyRuleNames(policy: TeamPolicy): string[] {
  return (['destructive', 'write', 'read'] as const).flatMap((level) => policy[level].map((glob, i) => policyRuleName(level, i, glob)));
}

function policyRuleName(level: string, index: number, glob: string): string {
  return `policy ${level}[${index}] "${glob}"`;
}
