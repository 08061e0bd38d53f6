// The orchestrator's interactive rules, driven through runRunbook with real shells and a decider
// that answers like an operator would (the CLI's decider is the terminal; this one is a script):
// edits are classified again, failures ask r/s/c/q, a Ctrl-C of one cell does not end the run.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunbook } from '../../src/app/run-runbook.js';
import type { StepDecider, StepFailure } from '../../src/execute/run-notebook.js';
import type { PlanStep } from '../../src/plan/index.js';
import type { Decision } from '../../src/record/index.js';
import { listGroupMembers } from '../../src/execute/process-group.js';

type Answer = Omit<Decision, 'at'> & { command?: string };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-interactive-nb-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A decider that answers from lists and remembers what it was asked. */
function scripted(before: Answer[], after: Answer[] = [], cellSignal?: (step: PlanStep) => AbortSignal) {
  const asked: Array<{ step: PlanStep; notice?: string }> = [];
  const failures: Array<{ step: PlanStep; summary: string; failure: StepFailure }> = [];
  const decider: StepDecider = {
    async beforeStep(step, context) {
      asked.push({ step, ...(context?.notice ? { notice: context.notice } : {}) });
      const next = before.shift();
      if (!next) throw new Error(`no answer left for ${step.name}`);
      return next;
    },
    async afterFailure(step, summary, failure) {
      failures.push({ step, summary, failure });
      const next = after.shift();
      if (!next) throw new Error(`no failure answer left for ${step.name}`);
      return next;
    },
    ...(cellSignal ? { cellSignal } : {}),
  };
  return { decider, asked, failures };
}

const op = (action: Answer['action'], input: string, command?: string): Answer => ({ action, by: 'operator', reason: `test pressed ${input}`, input, ...(command !== undefined ? { command } : {}) });

async function run(runbook: string, decider: StepDecider) {
  const path = join(dir, 'book.md');
  writeFileSync(path, runbook);
  return runRunbook({ runbookPath: path, mode: 'interactive', decider, cwd: dir, evidenceDir: join(dir, 'ev'), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
}

describe('interactive decisions in runNotebook', () => {
  it('an edit that becomes destructive is asked again with the new risk; refusing it runs nothing', async () => {
    mkdirSync(join(dir, 'victim'));
    const { decider, asked } = scripted([op('edit', 'rm -rf ./victim', 'rm -rf ./victim'), op('skip', 'n')]);
    const result = await run('# B\n\n## One\n\n```bash {"name":"marker"}\necho hi > out.txt\n```\n', decider);
    expect(asked).toHaveLength(2);
    expect(asked[0]!.step.risk.level).toBe('write');
    expect(asked[1]!.step.risk.level).toBe('destructive');
    expect(asked[1]!.step.display).toBe('rm -rf ./victim');
    expect(asked[1]!.notice).toMatch(/the edited command is destructive .*confirm it again/);
    expect(existsSync(join(dir, 'victim'))).toBe(true);
    expect(existsSync(join(dir, 'out.txt'))).toBe(false);
    const step = result.record.steps[0]!;
    expect(step.status).toBe('skipped');
    expect(step.decisions.map((d) => [d.action, d.input])).toEqual([
      ['edit', 'rm -rf ./victim'],
      ['skip', 'n'],
    ]);
  });

  it('an edit of the same risk runs the edited text at once; the record says what ran and keeps the original beside it', async () => {
    const { decider, asked } = scripted([op('edit', 'echo edited > out.txt', 'echo edited > out.txt')]);
    const result = await run('# B\n\n## One\n\n```bash {"name":"marker"}\necho original > out.txt\n```\n', decider);
    expect(asked).toHaveLength(1);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('edited\n');
    const step = result.record.steps[0]!;
    expect(step.source).toBe('echo edited > out.txt');
    expect(step.edit).toMatchObject({ originalSource: 'echo original > out.txt' });
    expect(step.decisions[0]).toMatchObject({ action: 'edit', input: 'echo edited > out.txt' });
    expect(step.status).toBe('passed');
    expect(step.note).toContain("ran the operator's edited command");
  });

  it('an edited HTTP request that does not parse is shown again, not sent', async () => {
    const { decider, asked } = scripted([op('edit', 'not a request line', 'FETCH'), op('skip', 's')]);
    const result = await run('# B\n\n## One\n\n```http {"name":"ping"}\nGET http://127.0.0.1:9/ping\n```\n', decider);
    expect(asked).toHaveLength(2);
    expect(asked[1]!.notice).toMatch(/does not parse/);
    expect(result.record.steps[0]!.attempts).toHaveLength(0);
    expect(result.record.steps[0]!.status).toBe('skipped');
  });

  it('after a failure the operator retries: attempts are numbered on and the step passes', async () => {
    const { decider, failures } = scripted([op('run', 'y')], [op('retry', 'r')]);
    const cell = 'echo try >> tries.txt\nif [ "$(wc -l < tries.txt)" -lt 2 ]; then echo nope; exit 3; fi\necho fine';
    const result = await run(`# B\n\n## One\n\n\`\`\`bash {"name":"flaky"}\n${cell}\n\`\`\`\n\n\`\`\`assert\nstdout contains "fine"\n\`\`\`\n`, decider);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.failure.status).toBe('failed');
    expect(failures[0]!.failure.attempt).toBe(1);
    expect(failures[0]!.failure.assertions.filter((a) => !a.passed).map((a) => a.text)).toEqual(['stdout contains "fine"']);
    expect(failures[0]!.summary).toContain('exit code 3');
    const step = result.record.steps[0]!;
    expect(step.status).toBe('passed');
    expect(step.attempts.map((a) => [a.n, a.exitCode])).toEqual([
      [1, 3],
      [2, 0],
    ]);
    expect(step.decisions.map((d) => [d.action, d.by])).toEqual([
      ['run', 'operator'],
      ['retry', 'operator'],
    ]);
    expect(result.status).toBe('passed');
  });

  it('s after a failure records the step as skipped by the operator; q ends the run as aborted', async () => {
    const skip = scripted([op('run', 'y'), op('run', 'y')], [op('skip', 's'), op('quit', 'q')]);
    const book = '# B\n\n## One\n\n```bash {"name":"a"}\nexit 1\n```\n\n## Two\n\n```bash {"name":"b"}\nexit 2\n```\n\n## Three\n\n```bash {"name":"c"}\necho never\n```\n';
    const result = await run(book, skip.decider);
    expect(result.record.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'skipped'],
      ['b', 'failed'],
      ['c', 'not-run'],
    ]);
    expect(result.record.steps[0]!.note).toContain('skipped by the operator');
    expect(result.status).toBe('aborted');
  });

  it("a Ctrl-C of one cell kills it, asks, and c goes on to the next cell (the run is not aborted)", async () => {
    let controller: AbortController | undefined;
    const { decider, failures } = scripted([op('run', 'y'), op('run', 'y')], [op('continue', 'c')], () => {
      controller = new AbortController();
      return controller.signal;
    });
    const pidFile = join(dir, 'pid');
    const book = `# B\n\n## One\n\n\`\`\`bash {"name":"hang"}\necho $$ > ${pidFile}\nsleep 600\n\`\`\`\n\n## Two\n\n\`\`\`bash {"name":"next"}\necho next\n\`\`\`\n`;
    const running = run(book, decider);
    await vi.waitFor(() => expect(existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the cell started').toBe(true), { timeout: 30_000, interval: 50 });
    const pgid = Number(readFileSync(pidFile, 'utf8').trim());
    controller!.abort();
    const result = await running;
    expect(failures).toHaveLength(1);
    expect(failures[0]!.failure.status).toBe('interrupted');
    // Zombies aside (PID 1 of a container may not reap them), nothing of the cell's group is left.
    expect(await listGroupMembers(pgid)).toEqual([]);
    expect(result.record.steps.map((s) => [s.name, s.status])).toEqual([
      ['hang', 'interrupted'],
      ['next', 'passed'],
    ]);
    expect(result.record.steps[0]!.note).toContain('interrupted by the operator');
    expect(result.status).toBe('failed');
  });
});
