// L9: a killed runner leaves no running cell. Real `kill -9` of the built CLI mid-cell: the cell's
// process group dies with it (the session's supervisor sees its pipe close), so a file the cell
// would create 2 s later never appears; and when the supervisor itself was killed too, `recover`
// finds the journaled group, reports it and ends it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listProcesses } from '../../src/execute/process-group.js';
import { CLI, runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'rp-killed-runner-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, test: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// Live processes whose environment names this session marker.
async function processesOf(session: string): Promise<number[]> {
  const found: number[] = [];
  for (const p of await listProcesses()) {
    if (p.state === 'Z') continue;
    try {
      if (readFileSync(`/proc/${p.pid}/environ`, 'latin1').split('\0').includes(`RUNPROOF_SESSION=${session}`)) found.push(p.pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function startRun(seconds: number): { child: ChildProcess; evidence: string } {
  const runbook = join(dir, 'slow.md');
  writeFileSync(
    runbook,
    ['# Slow', '', '## Deploy', '', '```bash', 'touch started', `(sleep ${seconds}; touch late-child) &`, `sleep ${seconds}`, 'touch late-cell', '```', ''].join('\n'),
  );
  const evidence = join(dir, 'ev');
  const child = spawn(process.execPath, [CLI, 'run', runbook, '--yes', '--allow', 'write', '--evidence-dir', evidence], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { child, evidence };
}

function journalOf(evidence: string): { bundle: string; events: Array<Record<string, unknown>> } {
  const [name] = readdirSync(evidence).filter((n) => !n.startsWith('.'));
  const bundle = join(evidence, name!);
  const events = readFileSync(join(bundle, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { bundle, events };
}

async function processStart(evidence: string): Promise<{ bundle: string; pgid: number; session: string }> {
  let found: { bundle: string; pgid: number; session: string } | undefined;
  await waitFor('the process-start event', () => {
    if (!existsSync(evidence) || readdirSync(evidence).filter((n) => !n.startsWith('.')).length === 0) return false;
    const { bundle, events } = journalOf(evidence);
    const event = events.find((e) => e.type === 'process-start');
    if (event) found = { bundle, pgid: event.pgid as number, session: event.session as string };
    return found !== undefined;
  });
  return found!;
}

describe('a killed runner leaves no running cell', () => {
  it('kill -9 of runproof mid-cell kills the cell\'s process group: nothing it would do later happens', async () => {
    const { child, evidence } = startRun(2);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor('the cell to start', () => existsSync(join(dir, 'started')));
    const { session, pgid } = await processStart(evidence);
    expect(pgid).toBeGreaterThan(1);
    expect((await processesOf(session)).length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited;
    await waitFor('the cell\'s processes to end', async () => (await processesOf(session)).length === 0, 10_000);
    // Longer than the cell's 2 s: had anything survived, the files would be there by now.
    await sleep(2500);
    expect(existsSync(join(dir, 'late-child'))).toBe(false);
    expect(existsSync(join(dir, 'late-cell'))).toBe(false);
    expect(await processesOf(session)).toEqual([]);
  });

  it('recover reports and ends a cell that outlived both runproof and its supervisor', async () => {
    // A cell long enough to outlive the start of `recover` on a loaded machine.
    const { child, evidence } = startRun(30);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor('the cell to start', () => existsSync(join(dir, 'started')));
    const { bundle, session, pgid } = await processStart(evidence);
    // The supervisor is runproof's child running bash in a session of its own; the cell is not it.
    const supervisors = (await listProcesses()).filter((p) => p.ppid === child.pid && p.pgid !== pgid && p.pid !== pgid);
    expect(supervisors.length).toBeGreaterThan(0);
    for (const s of supervisors) process.kill(s.pid, 'SIGKILL');
    child.kill('SIGKILL');
    await exited;
    await sleep(300);
    expect((await processesOf(session)).length).toBeGreaterThan(0);
    const result = await runCli(['recover', bundle, '--json'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { survivorsEnded: string[] };
    expect(summary.survivorsEnded).toHaveLength(1);
    expect(summary.survivorsEnded[0]).toContain(`process group ${pgid}`);
    expect(await processesOf(session)).toEqual([]);
    const record = JSON.parse(readFileSync(join(bundle, `${bundle.split('/').pop()}.json`), 'utf8')) as { warnings: string[] };
    expect(record.warnings.join('\n')).toContain(`process group ${pgid}`);
  });
});
