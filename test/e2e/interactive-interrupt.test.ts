// The operator and a hung cell: Ctrl-C kills its process group and asks (retry, or quit with a
// second Ctrl-C); the spinner while a cell runs, and NO_COLOR.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { listGroupMembers } from '../../src/execute/process-group.js';
import { startPane, type Pane } from './interactive-tmux.js';

const fixtures = fileURLToPath(new URL('../fixtures/interactive/', import.meta.url));

let dir: string;
let pane: Pane | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-interactive-int-'));
  for (const name of ['interrupt.md', 'failing.md', 'params.md', 'steps.md']) copyFileSync(join(fixtures, name), join(dir, name));
});
afterEach(async () => {
  await pane?.close();
  pane = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function recordOf(): { record: RunRecord; bundle: string } {
  const [name] = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.'));
  const bundle = join(dir, 'ev', name!);
  const file = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return { record: RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, file), 'utf8'))), bundle };
}

const step = (record: RunRecord, name: string) => record.steps.find((s) => s.name === name)!;

// Whether a live (not zombie) process is left in a process group: a container's PID 1 may never
// reap the orphans it inherits, so kill -0 alone would see their zombies.
async function groupAlive(pgid: number): Promise<boolean> {
  return (await listGroupMembers(pgid)).length > 0;
}

async function waitForFile(path: string, timeoutMs = 45_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const text = readFileSync(path, 'utf8');
      if (text.trim() !== '') return text;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
