import { existsSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createShellSession } from '../../src/execute/shell-session.js';
import type { OutputSink, ShellOutcome, ShellSession, ShellSessionOptions } from '../../src/execute/shell-types.js';
import { collectOutput as collect } from '../helpers/output.js';

const SPAWN_TREE = fileURLToPath(new URL('../fixtures/bin/spawn-tree.sh', import.meta.url));
const HOLD_STDOUT = fileURLToPath(new URL('../fixtures/bin/hold-stdout.sh', import.meta.url));

// Live (non-zombie) processes, read with `ps`, independently of runproof's own process code.
async function liveProcesses(): Promise<{ pid: number; pgid: number }[]> {
  const { stdout } = await execa('ps', ['-A', '-o', 'pid=,pgid=,stat=']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, , stat]) => stat !== undefined && !stat.startsWith('Z'))
    .map(([pid, pgid]) => ({ pid: Number(pid), pgid: Number(pgid) }));
}

async function groupMembers(pgid: number): Promise<number[]> {
  return (await liveProcesses()).filter((p) => p.pgid === pgid).map((p) => p.pid);
}

async function isAlive(pid: number): Promise<boolean> {
  return (await liveProcesses()).some((p) => p.pid === pid);
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  await vi.waitFor(async () => expect(await check(), `waiting for ${what}`).toBe(true), { timeout: ms, interval: 20 });
}

async function readPid(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8')).trim());
}

let dir: string;
let session: ShellSession;
const killed: number[] = [];

async function openSession(extra: Partial<ShellSessionOptions> = {}): Promise<ShellSession> {
  session = await createShellSession({ cwd: dir, killGraceMs: 300, pipeDrainMs: 200, ...extra });
  return session;
}

beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'rp-shell-proc-')));
  await openSession();
});

afterEach(async () => {
  await session.close();
  // Belt and braces: never leave a test's sleeps behind, even when an assertion failed.
  for (const pid of killed.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
  await rm(dir, { recursive: true, force: true });
});

async function treePids(stubborn: boolean): Promise<number[]> {
  const names = stubborn ? ['bg', 'orphan', 'stubborn'] : ['bg', 'orphan'];
  const pids = await Promise.all(names.map((name) => readPid(join(dir, `${name}.pid`))));
  killed.push(...pids);
  return pids;
}

describe('killing a cell kills its whole process group', () => {
  it('on timeout, including a background child and a double-forked grandchild', async () => {
    // SIGTERM is the signal asserted: a long grace keeps a loaded machine from reaching SIGKILL.
    await session.close();
    await openSession({ killGraceMs: 10_000 });
    const sink = collect();
    const outcome = await session.run(
      { command: `sh "${SPAWN_TREE}" "${dir}"; echo never`, timeoutMs: 2500 },
      sink,
    );
    expect(existsSync(join(dir, 'ready'))).toBe(true);
    const [bg, orphan] = await treePids(false);
    expect(outcome.timedOut).toBe(true);
    expect(outcome.interrupted).toBe(false);
    expect(outcome.exitCode).toBeNull();
    expect(outcome.signal).toBe('SIGTERM');
    expect(sink.stdout()).toBe('');
    expect(outcome.pid).toBeGreaterThan(0);
    expect(await groupMembers(outcome.pid as number)).toEqual([]);
    expect(await isAlive(bg as number)).toBe(false);
    expect(await isAlive(orphan as number)).toBe(false);
  });

  it('on abort (Ctrl-C), sending SIGKILL to what ignores SIGTERM', async () => {
    const controller = new AbortController();
    const running = session.run(
      { command: `sh "${SPAWN_TREE}" "${dir}" stubborn`, timeoutMs: 60_000, signal: controller.signal },
      collect(),
    );
    await waitFor(() => existsSync(join(dir, 'ready')), 'the process tree');
    const pids = await treePids(true);
    for (const pid of pids) expect(await isAlive(pid)).toBe(true);
    controller.abort();
    const outcome = await running;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.timedOut).toBe(false);
    expect(await groupMembers(outcome.pid as number)).toEqual([]);
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
  });

  it('does not start a cell whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await session.run(
      { command: `touch "${join(dir, 'ran')}"`, timeoutMs: 5000, signal: controller.signal },
      collect(),
    );
    expect(outcome.interrupted).toBe(true);
    expect(outcome.pid).toBeUndefined();
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('kills the process tree of a cell that uses the terminal (stdin inherit)', async () => {
    const outcome = await session.run(
      {
        command: `sleep 1000 & echo $! > "${join(dir, 'bg.pid')}"; sleep 1000`,
        timeoutMs: 1500,
        stdin: 'inherit',
      },
      collect(),
    );
    const bg = await readPid(join(dir, 'bg.pid'));
    killed.push(bg);
    expect(outcome.timedOut).toBe(true);
    expect(await isAlive(outcome.pid as number)).toBe(false);
    expect(await isAlive(bg)).toBe(false);
  });
});

describe('processes a cell leaves behind', () => {
  it('does not hang when a background child keeps stdout open: kills the group after the drain period', async () => {
    const pidFile = join(dir, 'holder.pid');
    const sink = collect();
    const outcome = await session.run({ command: `sh "${HOLD_STDOUT}" "${pidFile}"`, timeoutMs: 60_000 }, sink);
    const holder = await readPid(pidFile);
    killed.push(holder);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.timedOut).toBe(false);
    expect(sink.stdout()).toBe('main done\n');
    expect(outcome.warnings?.[0]).toMatch(/kept its output open/);
    expect(await isAlive(holder)).toBe(false);
  });

  it('leaves a detached stray running until the session closes, like a terminal', async () => {
    const pidFile = join(dir, 'stray.pid');
    const outcome = await session.run(
      { command: `sleep 1000 > /dev/null 2>&1 & echo $! > "${pidFile}"`, timeoutMs: 60_000 },
      collect(),
    );
    const stray = await readPid(pidFile);
    killed.push(stray);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.warnings).toBeUndefined();
    expect(await isAlive(stray)).toBe(true);
    await session.close();
    expect(await isAlive(stray)).toBe(false);
  });

  it('ends on close what left the cell\'s process group (setsid, a double fork into a new session, nohup, disown)', async () => {
    const pidFile = join(dir, 'escaped.pid');
    const outcome = await session.run(
      {
        command: [
          `setsid bash -c 'echo $$ >> "${pidFile}"; exec sleep 1000' > /dev/null 2>&1 < /dev/null &`,
          `( setsid bash -c 'trap "" TERM; echo $$ >> "${pidFile}"; while :; do sleep 1; done' > /dev/null 2>&1 < /dev/null & ) &`,
          `nohup bash -c 'echo $$ >> "${pidFile}"; exec sleep 1000' > /dev/null 2>&1 & disown`,
          `for i in $(seq 50); do [ "$(wc -l < "${pidFile}" 2>/dev/null)" = 3 ] && break; sleep 0.1; done`,
        ].join('\n'),
        timeoutMs: 60_000,
      },
      collect(),
    );
    expect(outcome.exitCode).toBe(0);
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    killed.push(...pids);
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(await isAlive(pid)).toBe(true);
    await session.close();
    for (const pid of pids) expect(await isAlive(pid), `pid ${pid}`).toBe(false);
  }, 60_000);

  it('keeps strays alive on close when killStraysOnClose is false', async () => {
    await session.close();
    await openSession({ killStraysOnClose: false });
    const pidFile = join(dir, 'stray.pid');
    await session.run({ command: `sleep 1000 > /dev/null 2>&1 & echo $! > "${pidFile}"`, timeoutMs: 60_000 }, collect());
    const stray = await readPid(pidFile);
    killed.push(stray);
    await session.close();
    expect(await isAlive(stray)).toBe(true);
  });
});

describe('background cells', () => {
  it('keep running across later cells, stream to their sink, and are killed on close', async () => {
    await session.close();
    await openSession({ killGraceMs: 10_000 });
    const sink = collect();
    const handle = await session.startBackground(
      { command: 'echo started; while :; do echo tick; sleep 0.05; done', timeoutMs: 100 },
      sink,
    );
    expect(handle.pid).toBeGreaterThan(0);
    killed.push(handle.pid);
    await waitFor(() => sink.stdout().startsWith('started\ntick\n'), 'the first ticks');
    // The background cell outlives its 100 ms timeout and a later foreground cell.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = await session.run({ command: 'echo foreground', timeoutMs: 5000 }, collect());
    expect(later.exitCode).toBe(0);
    expect(await isAlive(handle.pid)).toBe(true);
    const ticks = sink.stdout().split('tick').length;
    await waitFor(() => sink.stdout().split('tick').length > ticks, 'more ticks after the foreground cell');
    await session.close();
    expect(await groupMembers(handle.pid)).toEqual([]);
    const outcome = await handle.done;
    expect(outcome.signal).toBe('SIGTERM');
  });

  it('run() with background: true returns at once with the pid; stop() ends it', async () => {
    const sink = collect();
    const outcome = await session.run(
      { command: 'echo up; exec sleep 1000', timeoutMs: 5000, background: true },
      sink,
    );
    expect(outcome.background).toBe(true);
    expect(outcome.exitCode).toBeNull();
    const pid = outcome.pid as number;
    killed.push(pid);
    await waitFor(() => sink.stdout() === 'up\n', 'the background output');
    expect(await isAlive(pid)).toBe(true);
    await session.close();
    expect(await isAlive(pid)).toBe(false);
  });

  it('stop() returns the final outcome', async () => {
    // The outcome must say SIGTERM ended it: a grace a loaded CI machine cannot outrun.
    await session.close();
    await openSession({ killGraceMs: 10_000 });
    const handle = await session.startBackground({ command: 'sleep 1000', timeoutMs: 5000 }, collect());
    killed.push(handle.pid);
    const outcome: ShellOutcome = await handle.stop();
    expect(outcome.exitCode).toBeNull();
    expect(outcome.signal).toBe('SIGTERM');
    expect(await isAlive(handle.pid)).toBe(false);
  });

  it('see the session but do not change it', async () => {
    await session.run({ command: 'export SEEN=yes', timeoutMs: 5000 }, collect());
    const sink = collect();
    const handle = await session.startBackground({ command: 'echo "$SEEN"; export BG_ONLY=1; cd /', timeoutMs: 5000 }, sink);
    const outcome = await handle.done;
    expect(outcome.exitCode).toBe(0);
    expect(sink.stdout()).toBe('yes\n');
    expect(session.cwd).toBe(dir);
    expect(session.variables()).toEqual({ SEEN: 'yes' });
  });

  it('report a missing shell as an error on the handle, not a throw', async () => {
    const handle = await session.startBackground({ command: 'true', timeoutMs: 5000, shell: 'no-such-shell-xyz' }, collect());
    expect(handle.error).toMatch(/shell not found/);
    expect((await handle.done).error).toMatch(/shell not found/);
  });
});

describe('output', () => {
  it('streams chunks to the sink while the cell is still running', async () => {
    const flag = join(dir, 'go-on');
    const sink = collect();
    let finished = false;
    const running = session
      .run({ command: `echo first; while [ ! -f "${flag}" ]; do sleep 0.02; done; echo second`, timeoutMs: 30_000 }, sink)
      .then((outcome) => {
        finished = true;
        return outcome;
      });
    await waitFor(() => sink.stdout() === 'first\n', 'the first line');
    expect(finished).toBe(false);
    await execa('touch', [flag]);
    const outcome = await running;
    expect(outcome.exitCode).toBe(0);
    expect(sink.stdout()).toBe('first\nsecond\n');
  });

  it('pauses the output while a sink returns a pending promise (backpressure), losing nothing', async () => {
    const chunks: Buffer[] = [];
    const sink: OutputSink = {
      onStdout: (chunk) => {
        chunks.push(chunk);
        return new Promise<void>((resolve) => setTimeout(resolve, 1));
      },
      onStderr: () => undefined,
    };
    const outcome = await session.run({ command: 'seq 1 20000', timeoutMs: 30_000 }, sink);
    expect(outcome.exitCode).toBe(0);
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
    expect(lines.length).toBe(20000);
    expect(lines[19999]).toBe('20000');
  });

  it('runs a cell printing 200 MB with flat memory', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    let bytes = 0;
    let chunks = 0;
    const sink: OutputSink = {
      onStdout: (chunk) => {
        bytes += chunk.length;
        if (++chunks % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      },
      onStderr: () => undefined,
    };
    const outcome = await session.run({ command: 'head -c 200000000 /dev/zero', timeoutMs: 120_000 }, sink);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(outcome.exitCode).toBe(0);
    expect(bytes).toBe(200_000_000);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('rejects (a bug, not a result) when the sink throws, and kills the cell', async () => {
    const pidFile = join(dir, 'bg.pid');
    const sink: OutputSink = {
      onStdout: () => {
        throw new Error('sink broke');
      },
      onStderr: () => undefined,
    };
    await expect(
      session.run({ command: `sleep 1000 > /dev/null & echo $! > "${pidFile}"; echo boom; sleep 1000`, timeoutMs: 60_000 }, sink),
    ).rejects.toThrow('sink broke');
    const bg = await readPid(pidFile);
    killed.push(bg);
    expect(await isAlive(bg)).toBe(false);
  });
});

describe('closing the session', () => {
  it('stops a cell still running and records it as interrupted', async () => {
    const sink = collect();
    const running = session.run({ command: 'echo started; sleep 1000', timeoutMs: 60_000 }, sink);
    await waitFor(() => sink.stdout() === 'started\n', 'the cell to start');
    await session.close();
    const outcome = await running;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.timedOut).toBe(false);
    expect(await groupMembers(outcome.pid as number)).toEqual([]);
  });
});
