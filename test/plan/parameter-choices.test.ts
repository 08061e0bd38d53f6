import { describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/errors.js';
import { parseRunbook } from '../../src/parse/index.js';
import { checkParameterValue, planRun } from '../../src/plan/index.js';

// K6: front matter `choices` and `pattern`, checked before any step runs.
const runbook = (front: string, cell = 'deploy --env <env>'): string => `---\nparams:\n${front}\n---\n# T\n\n\`\`\`bash {name=go}\n${cell}\n\`\`\`\n`;

function failure(fn: () => unknown): { code: string; message: string; hint: string } {
  try {
    fn();
  } catch (error) {
    if (isRunproofError(error)) return { code: error.code, message: error.message, hint: error.hint ?? '' };
    throw error;
  }
  return { code: 'no error', message: '', hint: '' };
}
const plan = (text: string, values: Record<string, string>) =>
  planRun(parseRunbook(text, { path: 'c.md' }), { mode: 'unattended', allow: ['destructive'], values: Object.entries(values).map(([name, value]) => ({ name, value, source: 'flag' as const })) });

describe('choices', () => {
  const text = runbook('  env:\n    choices: [staging, production]\n    description: where');
  it('a value among the choices plans', () => {
    expect(plan(text, { env: 'staging' }).steps[0]!.env).toEqual({ RP_PARAM_env: 'staging' });
  });
  it('another value is RP_BAD_PARAMETER naming the choices and the closest', () => {
    const f = failure(() => plan(text, { env: 'prodution' }));
    expect(f.code).toBe('RP_BAD_PARAMETER');
    expect(f.message).toContain('staging, production');
    expect(f.hint).toContain('did you mean production?');
  });
  it('numbers and booleans in choices compare as text', () => {
    const t = runbook('  n:\n    choices: [1, 2, true]', 'echo <n>');
    expect(failure(() => plan(t, { n: '2' })).code).toBe('no error');
    expect(failure(() => plan(t, { n: 'true' })).code).toBe('no error');
    expect(failure(() => plan(t, { n: '3' })).code).toBe('RP_BAD_PARAMETER');
  });
  it('a secret parameter does not echo the value or suggest', () => {
    const f = failure(() => plan(runbook('  api_token:\n    choices: [aaa, bbb]', 'echo <api_token>'), { api_token: 'aab' }));
    expect(f.code).toBe('RP_BAD_PARAMETER');
    expect(f.message).not.toContain('aab');
    expect(f.hint).not.toContain('did you mean');
  });
  it('a default outside the choices fails the run before anything runs', () => {
    expect(failure(() => plan(runbook('  env:\n    choices: [a, b]\n    default: c'), {})).code).toBe('RP_BAD_PARAMETER');
  });
});

describe('pattern', () => {
  const text = runbook('  sha:\n    pattern: "[0-9a-f]{7,40}"', 'git checkout <sha>');
  it('matches the whole value', () => {
    expect(failure(() => plan(text, { sha: 'abc1234' })).code).toBe('no error');
    for (const sha of ['abc', 'abc1234; rm -rf /', 'xabc1234', 'abc1234\n', 'ABC1234']) expect(failure(() => plan(text, { sha })).code, sha).toBe('RP_BAD_PARAMETER');
  });
  it('a bad regex is a front matter error with its line', () => {
    expect(() => parseRunbook(runbook('  sha:\n    pattern: "[0-9"'), { path: 'c.md' })).toThrow(/pattern that is not a regular expression/);
  });
  it('a catastrophic pattern cannot hang the run: it is reported, not waited for', () => {
    const f = failure(() => plan(runbook('  v:\n    pattern: "(a+)+b"', 'echo <v>'), { v: `${'a'.repeat(40)}c` }));
    expect(f.code).toBe('RP_BAD_PARAMETER');
    expect(f.message).toMatch(/could not be checked|does not match/);
  });
  it('a value longer than the cap is refused without running the regex', () => {
    expect(checkParameterValue({ name: 'v', secret: false, pattern: '.*' }, 'x'.repeat(5000))?.code).toBe('RP_BAD_PARAMETER');
  });
  it('a pattern that allows a leading - lets the value begin an argument', () => {
    const t = runbook('  n:\n    pattern: "-?[0-9]+"', 'tail -n <n> /dev/null');
    expect(plan(t, { n: '-5' }).steps[0]!.env).toEqual({ RP_PARAM_n: '-5' });
    expect(failure(() => plan(runbook('  n:\n    description: x', 'tail -n <n> /dev/null'), { n: '-5' })).code).toBe('RP_BAD_PARAMETER');
  });
});

describe('only cells the policy will run need values (unattended)', () => {
  it('a blocked write cell does not require its parameter; a run one does', () => {
    const text = '# T\n\n```bash {name=look}\ncat /etc/hostname\n```\n\n```bash {name=change}\nrm -rf /srv/<target>\n```\n';
    const notebook = parseRunbook(text, { path: 'p.md' });
    const unattended = planRun(notebook, { mode: 'unattended' });
    expect(unattended.steps.find((s) => s.name === 'change')!.decision.action).toBe('block');
    expect(failure(() => planRun(notebook, { mode: 'unattended', allow: ['destructive'] })).code).toBe('RP_MISSING_PARAMETER');
  });
});
