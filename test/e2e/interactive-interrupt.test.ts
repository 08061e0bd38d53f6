// The operator and a hung cell: Ctrl-C kills its process group and asks (retry, or quit with a
// second Ctrl-C); the spinner while a cell runs, and NO_COLOR.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/record/index.js';
import { listGroupMembers } from '../../src/execute/process-group.js';
import { startPane, type Pane } from './interactive-tmux.js';
import { interactiveDir, runIn, stepNamed } from '../helpers/interactive.js';

let dir: string;
let pane: Pane | undefined;
beforeEach(() => {
  dir = interactiveDir('rp-interactive-int-', ['interrupt.md', 'failing.md', 'params.md', 'steps.md']);
});
afterEach(async () => {
  await pane?.close();
  pane = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const recordOf = (): { record: RunRecord; bundle: string } => runIn(dir);
const step = stepNamed;

// Whether a live (not zombie) process is left in a process group: a container's PID 1 may never
// reap the orphans it inherits, so kill -0 alone would see their zombies.
async function groupAlive(pgid: number): Promise<boolean> {
  return (await listGroupMembers(pgid)).length > 0;
}

async function waitForFile(path: string, timeoutMs = 45_000): Promise<string> {
  return vi.waitFor(
    () => {
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      expect(text.trim(), `${path} appeared`).not.toBe('');
      return text;
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

describe('runproof run on a terminal: Ctrl-C and the spinner', () => {
  it('Ctrl-C kills a hung `sleep 600` cell\'s process group and asks; r retries it', async () => {
    pane = await startPane({ dir, args: ['run', 'interrupt.md', '--cell', 'hang', '--evidence-dir', 'ev'] });
    await pane.waitFor('run it?');
    await pane.keys('y');
    const pgid = Number((await waitForFile(join(dir, 'pids.txt'))).trim());
    await pane.waitFor('running hang');
    expect(await groupAlive(pgid)).toBe(true);
    await pane.keys('C-c');
    let screen = await pane.waitFor(/INTERRUPTED[\s\S]*what now\?/);
    expect(screen).toContain('interrupting hang: killing its process group');
    expect(await groupAlive(pgid)).toBe(false);
    await pane.keys('r');
    expect(await pane.exitCode()).toBe(0);
    screen = await pane.screen();
    expect(screen).toContain('finished on attempt 2');
    const { record } = recordOf();
    expect(record.status).toBe('passed');
    const hang = step(record, 'hang');
    expect(hang.status).toBe('passed');
    expect(hang.attempts.map((a) => [a.n, a.interrupted])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(hang.decisions).toMatchObject([
      { action: 'run', by: 'operator', input: 'y' },
      { action: 'retry', by: 'operator', input: 'r' },
    ]);
  });

  it('a second Ctrl-C quits: exit 3, aborted, the rest not run', async () => {
    pane = await startPane({ dir, args: ['run', 'interrupt.md', '--evidence-dir', 'ev'] });
    await pane.waitFor('run it?');
    await pane.keys('y');
    await waitForFile(join(dir, 'pids.txt'));
    await pane.waitFor('running hang');
    await pane.keys('C-c');
    await pane.waitFor('what now?');
    await pane.keys('C-c');
    expect(await pane.exitCode()).toBe(3);
    const { record } = recordOf();
    expect(record.status).toBe('aborted');
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['hang', 'interrupted'],
      ['wait-go', 'not-run'],
      ['last', 'not-run'],
    ]);
    expect(step(record, 'hang').decisions.at(-1)).toMatchObject({ action: 'quit', by: 'operator', input: 'Ctrl-C' });
  });

  it('shows a spinner with the elapsed time while a cell runs, in colour, and no colour under NO_COLOR', async () => {
    for (const noColor of [false, true]) {
      rmSync(join(dir, 'go'), { force: true });
      rmSync(join(dir, 'ev'), { recursive: true, force: true });
      rmSync(join(dir, '.exit-code'), { force: true });
      pane = await startPane({ dir, args: ['run', 'interrupt.md', '--cell', 'wait-go', '--evidence-dir', 'ev'], env: noColor ? { NO_COLOR: '1' } : {} });
      await pane.waitFor('run it?');
      await pane.keys('y');
      const screen = await pane.waitFor(/running wait-go \d+s {2}\(Ctrl-C interrupts this cell\)/);
      expect(screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] running wait-go/);
      const painted = await pane.screen({ escapes: true });
      if (noColor) expect(painted).not.toContain('\u001b[');
      else expect(painted).toContain('\u001b[');
      writeFileSync(join(dir, 'go'), '');
      expect(await pane.exitCode()).toBe(0);
      // The spinner line is gone once the cell ended, and it is not part of the transcript.
      expect(await pane.screen()).not.toMatch(/running wait-go \d+s/);
      const { bundle } = recordOf();
      expect(readFileSync(join(bundle, 'transcript.txt'), 'utf8')).not.toContain('running wait-go');
      await pane.close();
      pane = undefined;
    }
  });
});
