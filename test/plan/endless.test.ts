// Issue K.4: a command that runs until interrupted (tail -f, watch, logs -f) is blocked unattended
// unless the cell has its own timeout; interactively it is asked as any other cell.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/parse/index.js';
import { planRun } from '../../src/plan/index.js';

const runbook = [
  '# Follow',
  '',
  '## Follow without timeout',
  '',
  '```bash {name=follow}',
  'tail -f /var/log/syslog',
  '```',
  '',
  '## Follow with timeout',
  '',
  '```bash {name=bounded timeout=5s}',
  'kubectl logs -f deploy/web',
  '```',
  '',
  '## Watch',
  '',
  '```bash {name=watching}',
  'watch -n 1 uptime',
  '```',
  '',
  '## Plain',
  '',
  '```bash {name=plain}',
  'tail -n 20 /var/log/syslog',
  '```',
].join('\n');

describe('endless commands in the plan', () => {
  const notebook = parseRunbook(runbook, { path: 'follow.md' });
  const step = (plan: ReturnType<typeof planRun>, name: string) => plan.steps.find((s) => s.name === name)!;

  it('unattended, blocks an endless cell without a timeout, naming the follow mode and saying add timeout=', () => {
    const plan = planRun(notebook, { mode: 'unattended', allow: ['write'] });
    const follow = step(plan, 'follow');
    expect(follow.decision).toMatchObject({ action: 'block', by: 'policy' });
    expect(follow.decision.reason).toMatch(/^endless: tail -f runs until interrupted, .*add timeout= \(e\.g\. timeout=30s\)/);
    expect(step(plan, 'watching').decision.action).toBe('block');
    expect(step(plan, 'watching').decision.reason).toMatch(/watch runs until interrupted/);
  });

  it('unattended, runs an endless cell with its own timeout and marks it endless; a plain tail is not endless', () => {
    const plan = planRun(notebook, { mode: 'unattended' });
    const bounded = step(plan, 'bounded');
    expect(bounded.decision.action).toBe('run');
    expect(bounded.timeoutMs).toBe(5000);
    expect(bounded.endless).toMatch(/logs -f/);
    expect(step(plan, 'plain').endless).toBeUndefined();
    expect(step(plan, 'plain').decision.action).toBe('run');
  });

  it('a run-wide --timeout is not the cell\'s own: the cell stays blocked', () => {
    const plan = planRun(notebook, { mode: 'unattended', timeoutMs: 10_000 });
    expect(step(plan, 'follow').decision.action).toBe('block');
  });

  it('interactively, an endless cell is asked, not blocked (the operator stops it with Ctrl-C)', () => {
    const plan = planRun(notebook, { mode: 'interactive' });
    expect(step(plan, 'follow').decision.action).toBe('ask');
    expect(step(plan, 'follow').endless).toMatch(/tail -f/);
  });
});
