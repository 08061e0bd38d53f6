import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/parse/index.js';
import { planRun } from '../../src/plan/index.js';

// A placeholder where the command's form is decided (a subcommand, an option that takes code)
// leaves the parse unable to prove more than `write`; the value then decides what runs. The plan
// judges the command again with the values written in, quoted as they are bound.
const runbook = (body: string) => parseRunbook(`# Ops\n\n\`\`\`bash\n${body}\n\`\`\`\n`, { path: 'ops.md' });
const riskOf = (body: string, values: Record<string, string>, allow: ('write' | 'destructive')[] = []) => {
  const plan = planRun(runbook(body), {
    mode: 'unattended',
    allow,
    values: Object.entries(values).map(([name, value]) => ({ name, value, source: 'flag' as const })),
  });
  return plan.steps[0]!;
};

describe('risk judged with the parameter values', () => {
  it.each([
    ['systemctl <verb> nginx', { verb: 'stop' }],
    ['systemctl <verb> nginx', { verb: 'restart' }],
    ['kubectl <verb> pod web-1', { verb: 'delete' }],
    ['kubectl -n prod <verb> deployment/web', { verb: 'delete' }],
    ['git <sub> --hard HEAD~1', { sub: 'reset' }],
    ['<tool> -rf ./cache', { tool: 'rm' }],
    ['docker <verb> web', { verb: 'rm' }],
    ['find . -name "*.log" -<action>', { action: 'delete' }],
  ])('%s with %j is destructive, so --allow write does not run it', (body, values) => {
    const step = riskOf(body, values, ['write']);
    expect(step.risk.level).toBe('destructive');
    expect(step.risk.reason).toMatch(/with the parameter values given/);
    expect(step.decision.action).toBe('block');
  });

  it.each([
    ['kubectl get pods -n <ns>', { ns: 'prod; rm -rf /' }],
    ['kubectl get pods -n "<ns>"', { ns: '$(rm -rf /)' }],
    ["grep -c '<pattern>' /var/log/syslog", { pattern: "x' ; rm -rf / ; '" }],
    ['cat <<EOF\n<v>\nEOF', { v: '$(rm -rf /)`reboot`' }],
  ])('%s with %j stays read: the value is one literal word, whatever it holds', (body, values) => {
    const step = riskOf(body, values);
    expect(step.risk.level).toBe('read');
    expect(step.decision.action).toBe('run');
  });

  it('never lowers the verdict of the parse', () => {
    const step = riskOf('systemctl <verb> nginx', { verb: 'status' }, ['write']);
    expect(step.risk.level).toBe('write');
    expect(step.risk.reason).not.toMatch(/with the parameter values given/);
  });

  it('a value that raises the risk above an author override still raises it', () => {
    const nb = parseRunbook('# Ops\n\n```bash {risk=write}\nsystemctl <verb> nginx\n```\n', { path: 'ops.md' });
    const plan = planRun(nb, { mode: 'unattended', allow: ['write'], values: [{ name: 'verb', value: 'stop', source: 'flag' }] });
    expect(plan.steps[0]!.risk.level).toBe('destructive');
  });
});
