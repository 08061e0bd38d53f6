import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRunbook, type AskMissing, type MissingAnswer, type MissingParameter } from '../../src/app/index.js';
import type { PlanStep } from '../../src/plan/index.js';
import type { StepDecider } from '../../src/execute/index.js';
import { readJournal } from '../../src/record/index.js';
import { startRoxyServer, type TestServer } from '../helpers/servers.js';

// J5 + M5: an interactive run asks a missing parameter when the first cell that needs it comes,
// in any cell kind, binds it as --set would, judges the step's risk again with it, and journals it.
let dir: string;
let server: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-ask-missing-'));
  server = await startRoxyServer({ ready: true });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const TOKEN = 'tok-Ask-7c1e9a44';

function runbook(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Asked {
  step: string;
  missing: MissingParameter[];
  problem?: string;
  /** Files the earlier cells had written when the question came. */
  seen: string[];
}

// The operator: answers from a list, and runs every step (or records what it was shown).
function operator(answers: MissingAnswer[]) {
  const asked: Asked[] = [];
  const shown: PlanStep[] = [];
  const ask: AskMissing = async ({ step, missing, problem }) => {
    asked.push({ step: step.name, missing, ...(problem !== undefined ? { problem } : {}), seen: ['listed.txt', 'checked-out.txt'].filter((f) => existsSync(join(dir, f))) });
    const next = answers.shift();
    if (!next) throw new Error(`asked more than expected: ${step.name} ${missing.map((m) => m.name).join(',')}`);
    return next;
  };
  const decider: StepDecider = {
    async beforeStep(step) {
      shown.push(step);
      return { action: 'run', by: 'operator', reason: 'test' };
    },
  };
  return { asked, shown, ask, decider };
}

const ROLLBACK = `---
params:
  commit_sha:
    description: the commit to roll back to
    pattern: "[0-9a-f]{7,40}"
---
# Rollback

\`\`\`bash {name=candidates}
echo "abc1234 fix" > listed.txt
\`\`\`

\`\`\`bash {name=checkout}
printf '%s\\n' <commit_sha> > checked-out.txt
\`\`\`

\`\`\`bash {name=again}
printf 'again %s\\n' <commit_sha> >> checked-out.txt
\`\`\`
`;

describe('askMissing (interactive runs)', () => {
  it('asks commit_sha after the cell before it ran, asks again for a value the pattern refuses, binds it, and journals it as prompt', async () => {
    const path = runbook('rollback.md', ROLLBACK);
    const op = operator([{ values: [{ name: 'commit_sha', value: 'not-a-sha' }] }, { values: [{ name: 'commit_sha', value: 'abc1234' }] }]);
    const result = await runRunbook({ runbookPath: path, mode: 'interactive', cwd: dir, evidenceDir: join(dir, 'ev1'), env: { PATH: process.env.PATH ?? '' }, decider: op.decider, askMissing: op.ask });
    expect(result.status).toBe('passed');
    // Asked once per name: when `checkout` came, after `candidates` had run; `again` was not asked.
    expect(op.asked.map((a) => [a.step, a.missing.map((m) => m.name), a.seen])).toEqual([
      ['checkout', ['commit_sha'], ['listed.txt']],
      ['checkout', ['commit_sha'], ['listed.txt']],
    ]);
    expect(op.asked[0]!.missing[0]).toMatchObject({ description: 'the commit to roll back to', secret: false, cells: ['checkout', 'again'] });
    expect(op.asked[1]!.problem).toMatch(/^RP_BAD_PARAMETER .*commit_sha/);
    expect(readFileSync(join(dir, 'checked-out.txt'), 'utf8')).toBe('abc1234\nagain abc1234\n');
    // The operator saw the step with the value bound, not the blocked one.
    expect(op.shown.map((s) => [s.name, s.display])).toEqual([
      ['candidates', 'echo "abc1234 fix" > listed.txt'],
      ['checkout', "printf '%s\\n' abc1234 > checked-out.txt"],
      ['again', "printf 'again %s\\n' abc1234 >> checked-out.txt"],
    ]);
    expect(result.record.parameters).toEqual([{ name: 'commit_sha', value: 'abc1234', source: 'prompt', secret: false }]);
    const journal = await readJournal(join(result.bundleDir, 'journal.jsonl'));
    const types = journal.events.map((e) => (e.type === 'step-start' ? `step-start ${e.step.name}` : e.type));
    expect(types.indexOf('parameter')).toBeLessThan(types.indexOf('step-start checkout'));
    expect(types.indexOf('parameter')).toBeGreaterThan(types.indexOf('step-start candidates'));
  });

  it('a value that makes the step destructive is judged with it: the risk the operator sees is the bound one', async () => {
    const path = runbook('verb.md', `# Svc\n\n\`\`\`bash {name=svc}\nsystemctl <verb> nginx\n\`\`\`\n`);
    const op = operator([{ values: [{ name: 'verb', value: 'stop' }] }]);
    const decider: StepDecider = {
      async beforeStep(step) {
        op.shown.push(step);
        return { action: 'skip', by: 'operator', reason: 'test' };
      },
    };
    const result = await runRunbook({ runbookPath: path, mode: 'interactive', cwd: dir, evidenceDir: join(dir, 'ev2'), env: { PATH: process.env.PATH ?? '' }, decider, askMissing: op.ask });
    expect(op.shown[0]!.risk.level).toBe('destructive');
    expect(op.shown[0]!.decision.action).toBe('ask');
    expect(result.record.steps[0]!.risk.level).toBe('destructive');
  });

  it('a value where it would be code is refused as --set refuses it, and asked again', async () => {
    const path = runbook('sh.md', `# Sh\n\n\`\`\`bash {name=remote}\nsh -c "echo <word>" > word.txt\n\`\`\`\n`);
    const op = operator([{ values: [{ name: 'word', value: '$(touch pwned)' }] }, { values: [{ name: 'word', value: 'plain' }] }]);
    const result = await runRunbook({ runbookPath: path, mode: 'interactive', cwd: dir, evidenceDir: join(dir, 'ev3'), env: { PATH: process.env.PATH ?? '' }, decider: op.decider, askMissing: op.ask });
    expect(op.asked[1]!.problem).toMatch(/^RP_UNSAFE_PARAMETER_CONTEXT /);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(readFileSync(join(dir, 'word.txt'), 'utf8')).toBe('plain\n');
    expect(result.status).toBe('passed');
  });

  it('an HTTP {{DEMO_TOKEN}} is asked as a secret when its cell comes, sent, and never recorded', async () => {
    const path = runbook('http.md', `# Restart\n\n\`\`\`bash {name=first}\necho first\n\`\`\`\n\n\`\`\`http {name=restart}\nPOST ${server.url}/echo\nX-Demo-Token: {{DEMO_TOKEN}}\n\`\`\`\n`);
    const op = operator([{ values: [{ name: 'DEMO_TOKEN', value: TOKEN }] }]);
    const result = await runRunbook({ runbookPath: path, mode: 'interactive', cwd: dir, evidenceDir: join(dir, 'ev4'), env: { PATH: process.env.PATH ?? '' }, decider: op.decider, askMissing: op.ask });
    expect(result.status).toBe('passed');
    expect(op.asked.map((a) => [a.step, a.missing.map((m) => [m.name, m.secret])])).toEqual([['restart', [['DEMO_TOKEN', true]]]]);
    expect(server.requests.at(-1)!.headers['x-demo-token']).toBe(TOKEN);
    expect(result.record.parameters).toEqual([{ name: 'DEMO_TOKEN', value: '[REDACTED:DEMO_TOKEN]', source: 'prompt', secret: true }]);
    const files = readdirSync(result.bundleDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain(TOKEN);
  });

  it('the operator may skip the cell instead, or quit the run', async () => {
    const path = runbook('skip.md', ROLLBACK);
    const skip = operator([{ skip: true }, { quit: true }]);
    const result = await runRunbook({ runbookPath: path, mode: 'interactive', cwd: dir, evidenceDir: join(dir, 'ev5'), env: { PATH: process.env.PATH ?? '' }, decider: skip.decider, askMissing: skip.ask });
    // Skipping checkout leaves commit_sha missing: `again` asks again, and quitting there aborts.
    expect(result.record.steps.map((s) => [s.name, s.status])).toEqual([
      ['candidates', 'passed'],
      ['checkout', 'skipped'],
      ['again', 'not-run'],
    ]);
    expect(result.record.steps[1]!.decisions).toMatchObject([{ action: 'skip', by: 'operator' }]);
    expect(result.record.steps[2]!.decisions).toMatchObject([{ action: 'quit', by: 'operator' }]);
    expect(result.status).toBe('aborted');
  });

  it('without askMissing, an interactive run still stops before its first step (RP_MISSING_PARAMETER)', async () => {
    const path = runbook('none.md', ROLLBACK);
    const op = operator([]);
    await expect(runRunbook({ runbookPath: path, mode: 'interactive', cwd: dir, evidenceDir: join(dir, 'ev6'), env: { PATH: process.env.PATH ?? '' }, decider: op.decider })).rejects.toMatchObject({ code: 'RP_MISSING_PARAMETER' });
  });
});
