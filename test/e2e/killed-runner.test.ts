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

// Processes that leave the cell's group: a new session (setsid, also double-forked), nohup + disown.
const escapes = (seconds: number): string[] => [
  `setsid bash -c 'sleep ${seconds}; touch late-setsid' > /dev/null 2>&1 < /dev/null &`,
  `( setsid bash -c 'trap "" TERM; sleep ${seconds}; touch late-double-fork' > /dev/null 2>&1 < /dev/null & ) &`,
  `nohup bash -c 'sleep ${seconds}; touch late-nohup' > /dev/null 2>&1 & disown`,
];

function startRun(seconds: number, escaping = false): { child: ChildProcess; evidence: string } {
  const runbook = join(dir, 'slow.md');
  writeFileSync(
    runbook,
    ['# Slow', '', '## Deploy', '', '```bash', ...(escaping ? escapes(seconds) : []), 'touch started', `(sleep ${seconds}; touch late-child) &`, `sleep ${seconds}`, 'touch late-cell', '```', ''].join('\n'),
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

  it('kill -9 of runproof mid-cell also ends what left the cell\'s group (setsid, double fork, nohup + disown)', async () => {
    const { child, evidence } = startRun(3, true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor('the cell to start', () => existsSync(join(dir, 'started')));
    const { session } = await processStart(evidence);
    await waitFor('the escaped processes', async () => (await processesOf(session)).length >= 5);
    child.kill('SIGKILL');
    await exited;
    await waitFor('every process of the session to end', async () => (await processesOf(session)).length === 0, 10_000);
    await sleep(3500);
    for (const late of ['late-setsid', 'late-double-fork', 'late-nohup', 'late-child', 'late-cell']) expect(existsSync(join(dir, late)), late).toBe(false);
  }, 60_000);

  it('recover also ends processes that left the cell\'s group when the supervisor was killed too', async () => {
    const { child, evidence } = startRun(30, true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor('the cell to start', () => existsSync(join(dir, 'started')));
    const { bundle, session, pgid } = await processStart(evidence);
    await waitFor('the escaped processes', async () => (await processesOf(session)).length >= 5);
    const supervisors = (await listProcesses()).filter((p) => p.ppid === child.pid && p.pgid !== pgid && p.pid !== pgid);
    for (const s of supervisors) process.kill(s.pid, 'SIGKILL');
    child.kill('SIGKILL');
    await exited;
    const result = await runCli(['recover', bundle, '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { survivorsEnded: string[] };
    expect(summary.survivorsEnded.join('\n')).toContain('had left their process group');
    expect(await processesOf(session)).toEqual([]);
  }, 90_000);

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
