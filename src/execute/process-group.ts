// Process groups: start a command as the leader of its own group, stream its output, and kill
// the whole group (or, for terminal cells, the whole process tree) on timeout, abort or close.
//
// This file uses node:child_process rather than execa on purpose: runproof needs `detached: true`
// (a new session and process group per cell), signals sent to the negative pgid, and its own
// rule for when a cell is over (the shell exited, then its pipes closed or a drain period passed).
// execa's promise waits for every pipe to close and its kill() only reaches the one pid, which is
// exactly the "background child holds stdout open, run hangs" case this module exists to handle.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import type { OutputSink } from './shell-types.js';

/** One process as seen in the process table. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state (`R`, `S`, `Z`...). */
  state: string;
}

const POLL_MS = 25;

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Whether `promise` settles within `ms`. The timer is cleared when it does: a pending timer
// would keep the process alive after the last cell (up to the drain period per run).
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

// Reads the process table from /proc (Linux) and falls back to `ps` elsewhere (macOS, BSD).
export async function listProcesses(): Promise<ProcessInfo[]> {
  const fromProc = await listFromProc();
  if (fromProc !== undefined) return fromProc;
  const result = await execa('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], { reject: false });
  const rows: ProcessInfo[] = [];
  for (const line of String(result.stdout).split('\n')) {
    const [pid, ppid, pgid, stat] = line.trim().split(/\s+/);
    if (pid === undefined || ppid === undefined || pgid === undefined || stat === undefined) continue;
    rows.push({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), state: stat.charAt(0) });
  }
  return rows;
}

async function listFromProc(): Promise<ProcessInfo[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const rows: ProcessInfo[] = [];
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        let stat: string;
        try {
          stat = await readFile(`/proc/${name}/stat`, 'utf8');
        } catch {
          return; // the process ended while we looked
        }
        // `pid (comm) state ppid pgrp ...`; comm may contain spaces and parentheses.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const [state, ppid, pgid] = fields;
        if (state === undefined || ppid === undefined || pgid === undefined) return;
        rows.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgid), state });
      }),
  );
  return rows.length > 0 ? rows : undefined;
}

/** Live (not zombie) processes whose process group is `pgid`. */
export async function listGroupMembers(pgid: number): Promise<number[]> {
  if (!signalGroup(pgid, 0)) return [];
  const all = await listProcesses();
  return all.filter((p) => p.pgid === pgid && p.state !== 'Z').map((p) => p.pid);
}

/** Live (not zombie) processes of the tree rooted at `rootPid`, the root included if alive. */
export async function listTreeMembers(rootPid: number): Promise<number[]> {
  const all = await listProcesses();
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const found: number[] = [];
  const root = all.find((p) => p.pid === rootPid);
  const stack: ProcessInfo[] = root ? [root] : [];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const p = stack.pop() as ProcessInfo;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    if (p.state !== 'Z') found.push(p.pid);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return found;
}

/** Sends `sig` to every process of group `pgid`; false when the group no longer exists. */
export function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch (error) {
    // ESRCH: the group is gone. EPERM: the id now belongs to someone else's processes.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw error;
  }
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

// Polls until `members()` is empty or `ms` passed; true when it emptied.
async function waitUntilEmpty(members: () => Promise<number[]>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if ((await members()).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
}

/**
 * Kills every process of group `pgid`: SIGTERM, then SIGKILL to whatever is left after
 * `graceMs`. Resolves once the group is empty (zombies aside) or, after SIGKILL, one more second.
 * Returns the signals it had to send.
 */
export async function killGroup(pgid: number, graceMs: number): Promise<NodeJS.Signals[]> {
  const sent: NodeJS.Signals[] = [];
  if (!signalGroup(pgid, 'SIGTERM')) return sent;
  sent.push('SIGTERM');
  // A stopped process cannot act on SIGTERM until continued.
  signalGroup(pgid, 'SIGCONT');
  const members = () => listGroupMembers(pgid);
  if (await waitUntilEmpty(members, graceMs)) return sent;
  if (signalGroup(pgid, 'SIGKILL')) sent.push('SIGKILL');
  await waitUntilEmpty(members, 1000);
  return sent;
}

/**
 * Kills the process tree rooted at `rootPid` (for cells that share runproof's process group
 * because they use the terminal): SIGTERM to each, SIGKILL after `graceMs` to what is left.
 * Descendants that were re-parented away from the tree (double forks) cannot be found this way.
 */
export async function killTree(rootPid: number, graceMs: number): Promise<NodeJS.Signals[]> {
  const sent: NodeJS.Signals[] = [];
  const first = await listTreeMembers(rootPid);
  if (first.length === 0) return sent;
  for (const pid of first) signalPid(pid, 'SIGTERM');
  sent.push('SIGTERM');
  // Remember every pid seen: a child killed first is re-parented, so the tree walk loses it.
  const seen = new Set(first);
  const members = async () => {
    const now = await listTreeMembers(rootPid);
    for (const pid of now) seen.add(pid);
    const all = await listProcesses();
    const alive = new Set(all.filter((p) => p.state !== 'Z').map((p) => p.pid));
    return [...seen].filter((pid) => alive.has(pid));
  };
  if (await waitUntilEmpty(members, graceMs)) return sent;
  for (const pid of await members()) signalPid(pid, 'SIGKILL');
  sent.push('SIGKILL');
  await waitUntilEmpty(members, 1000);
  return sent;
}

/** What to start and how to supervise it. */
export interface GroupProcessOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** `ignore`: /dev/null and a new process group (the default); `inherit`: runproof's stdin. */
  stdin: 'ignore' | 'inherit';
  sink: OutputSink;
  /** No limit when non-finite or not positive. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  killGraceMs: number;
  pipeDrainMs: number;
  /** Called at once with the pid (= process group id when grouped) of the started process. */
  onSpawn?: (pid: number, grouped: boolean) => void;
  /**
   * A socket given to the process as fd 3 (the secret watch, see secret-watch.ts). It does not
   * count as output: the cell is over when stdout and stderr close, whoever still holds fd 3.
   */
  sideChannel?: (socket: Duplex) => void;
}

/** How a supervised process ended. */
export interface GroupProcessEnd {
  startedAt: Date;
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  interrupted: boolean;
  /** Set when the process could not be started. */
  error?: string;
  warnings: string[];
  /** True when members of the group were still alive after the cell ended normally. */
  strays: boolean;
}

/** A started process; `done` settles once it has ended and its output was delivered. */
export interface GroupProcess {
  /** Process id (and process group id when `stdin` is `ignore`); undefined when spawn failed. */
  pid: number | undefined;
  /** Whether the process leads its own process group. */
  grouped: boolean;
  /** Resolves when the process has started (undefined) or failed to start (the message). */
  started: Promise<string | undefined>;
  done: Promise<GroupProcessEnd>;
  /**
   * Kills the whole group (or tree); resolves when `done` has settled. With `interrupted`, a
   * process still running is recorded as interrupted (the run is being torn down).
   */
  stop(options?: { interrupted?: boolean }): Promise<GroupProcessEnd>;
}

// A sink may return a promise to ask for backpressure: the stream pauses until it settles.
function deliver(
  stream: NodeJS.ReadableStream,
  write: (chunk: Buffer) => unknown,
  onSinkError: (error: unknown) => void,
): void {
  stream.on('data', (chunk: Buffer) => {
    let result: unknown;
    try {
      result = write(chunk);
    } catch (error) {
      onSinkError(error);
      return;
    }
    if (result !== null && typeof result === 'object' && typeof (result as Promise<void>).then === 'function') {
      stream.pause();
      (result as Promise<void>).then(
        () => stream.resume(),
        (error: unknown) => {
          onSinkError(error);
          stream.resume();
        },
      );
    }
  });
}

/**
 * Starts `file args` as the leader of a new process group (a new session, no controlling
 * terminal) unless `stdin` is `inherit`, streams its output to the sink, and ends it on timeout
 * or abort by killing the whole group. After the process exits, its pipes get `pipeDrainMs` to
 * close; if something it left behind still holds them, the group is killed so the run goes on.
 * Never rejects for a failing or unstartable command; rejects only when the sink throws.
 */
export function startGroupProcess(options: GroupProcessOptions): GroupProcess {
  const startedAt = new Date();
  const startedMs = performance.now();
  const grouped = options.stdin !== 'inherit';
  const warnings: string[] = [];
  let timedOut = false;
  let interrupted = false;
  let sinkError: unknown;
  let killing: Promise<NodeJS.Signals[]> | undefined;

  let child: ChildProcess;
  try {
    child = spawn(options.file, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: options.sideChannel ? [options.stdin, 'pipe', 'pipe', 'pipe'] : [options.stdin, 'pipe', 'pipe'],
      detached: grouped,
    });
  } catch (error) {
    // spawn throws synchronously for invalid arguments (e.g. a NUL byte in an env value).
    const message = `could not start ${options.file}: ${(error as Error).message}`;
    const end: GroupProcessEnd = {
      startedAt,
      durationMs: 0,
      exitCode: null,
      signal: null,
      timedOut: false,
      interrupted: false,
      error: message,
      warnings,
      strays: false,
    };
    return {
      pid: undefined,
      grouped,
      started: Promise.resolve(message),
      done: Promise.resolve(end),
      stop: () => Promise.resolve(end),
    };
  }

  const pid = child.pid;
  if (pid !== undefined) options.onSpawn?.(pid, grouped);
  const killAll = (): Promise<NodeJS.Signals[]> => {
    if (pid === undefined) return Promise.resolve([]);
    killing ??= grouped ? killGroup(pid, options.killGraceMs) : killTree(pid, options.killGraceMs);
    return killing;
  };

  const onSinkError = (error: unknown): void => {
    if (sinkError !== undefined) return;
    sinkError = error;
    void killAll();
  };
  if (child.stdout) deliver(child.stdout, (c) => options.sink.onStdout(c), onSinkError);
  if (child.stderr) deliver(child.stderr, (c) => options.sink.onStderr(c), onSinkError);

  let spawnError: string | undefined;
  const started = new Promise<string | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // An error after a successful spawn (a pid was assigned), e.g. a failed kill, is not a start failure.
      if (pid !== undefined || spawnError !== undefined) return;
      spawnError = describeSpawnError(options.file, options.cwd, error);
      resolve(spawnError);
    });
  });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const side = options.sideChannel ? (child.stdio[3] as Duplex | null | undefined) : undefined;
  if (side) options.sideChannel?.(side);
  // With a side channel, output is over when stdout and stderr are; the socket is closed after.
  const closed = side
    ? Promise.all([child.stdout, child.stderr].map((s) => (s === null || s.closed ? undefined : new Promise<void>((resolve) => s.once('close', () => resolve())))))
    : new Promise<void>((resolve) => child.once('close', () => resolve()));

  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(options.timeoutMs) && options.timeoutMs > 0) {
    // setTimeout fires at once for delays above 2^31-1 ms: such limits are "no limit".
    if (options.timeoutMs <= 2 ** 31 - 1) {
      timer = setTimeout(() => {
        timedOut = true;
        void killAll();
      }, options.timeoutMs);
    }
  }
  const onAbort = (): void => {
    if (timedOut) return;
    interrupted = true;
    void killAll();
  };
  if (options.signal) {
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  }

  const done = (async (): Promise<GroupProcessEnd> => {
    const startError = await started;
    if (startError !== undefined) {
      side?.destroy();
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      return {
        startedAt,
        durationMs: performance.now() - startedMs,
        exitCode: null,
        signal: null,
        timedOut: false,
        interrupted,
        error: startError,
        warnings,
        strays: false,
      };
    }
    const exit = await exited;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);

    // The shell is gone; give the pipes a moment, then end whatever still holds them.
    const drained = await settlesWithin(closed, options.pipeDrainMs);
    if (!drained) {
      if (killing === undefined) {
        warnings.push(
          `processes the cell left running kept its output open ${options.pipeDrainMs} ms after the shell exited; ` +
            `killed its process ${grouped ? 'group' : 'tree'}`,
        );
      }
      await killAll();
      const closedAfterKill = await settlesWithin(closed, 500);
      if (!closedAfterKill) {
        warnings.push('a process outside the cell\'s process group still holds its output; stopped reading it');
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
    }
    if (killing !== undefined) await killing;
    side?.destroy();

    let strays = false;
    if (grouped && pid !== undefined && killing === undefined) {
      strays = (await listGroupMembers(pid)).length > 0;
    }
    const end: GroupProcessEnd = {
      startedAt,
      durationMs: performance.now() - startedMs,
      exitCode: exit.code,
      signal: exit.signal,
      timedOut,
      interrupted,
      warnings,
      strays,
    };
    if (sinkError !== undefined) throw sinkError;
    return end;
  })();

  return {
    pid,
    grouped,
    started,
    done,
    stop: async (stopOptions = {}) => {
      const startError = await started;
      if (startError === undefined) {
        if (stopOptions.interrupted && child.exitCode === null && child.signalCode === null && !timedOut) {
          interrupted = true;
        }
        void killAll();
      }
      return done;
    },
  };
}

// Turns a spawn failure into one line an operator understands.
function describeSpawnError(file: string, cwd: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `shell not found: ${file} (looked up on PATH; working directory ${cwd})`;
    case 'EACCES':
      return `shell is not executable: ${file}`;
    default:
      return `could not start ${file}: ${error.message}`;
  }
}

/** A process group a run's journal names (its `process-start` events). */
export interface JournaledGroup {
  pgid: number;
  /** The `RUNPROOF_SESSION` value in the environment of that session's processes. */
  session: string;
  stepId: string;
}

// Whether process `pid` started with `RUNPROOF_SESSION=session` in its environment.
async function hasSessionMarker(pid: number, session: string): Promise<boolean> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`);
    return environ.toString('latin1').split('\0').includes(`RUNPROOF_SESSION=${session}`);
  } catch {
    return false;
  }
}

/**
 * Live processes (not zombies, not this one) that carry `RUNPROOF_SESSION=session`: a cell's
 * processes wherever they went, also out of its process group (`setsid`, a double fork).
 */
export async function listMarkedProcesses(session: string): Promise<number[]> {
  const out: number[] = [];
  for (const p of await listProcesses()) {
    if (p.pid === process.pid || p.state === 'Z') continue;
    if (await hasSessionMarker(p.pid, session)) out.push(p.pid);
  }
  return out;
}

/** Ends the processes that carry a session's marker: SIGTERM, then SIGKILL after `graceMs`. Returns their pids. */
export async function endMarkedProcesses(session: string, graceMs: number): Promise<number[]> {
  const pids = await listMarkedProcesses(session);
  if (pids.length === 0) return [];
  for (const pid of pids) signalPid(pid, 'SIGTERM');
  await waitUntilEmpty(() => listMarkedProcesses(session), graceMs);
  for (const pid of await listMarkedProcesses(session)) signalPid(pid, 'SIGKILL');
  return pids;
}

/**
 * Ends what is left of a killed run's process groups (`runproof recover`): a group is killed only
 * when one of its live processes carries the session's marker, so a reused group id is left alone.
 * Returns one line per group it ended, for the record and the operator.
 */
export async function endSurvivingGroups(groups: JournaledGroup[], graceMs = 1000): Promise<string[]> {
  const lines: string[] = [];
  const seen = new Set<number>();
  for (const group of groups) {
    if (seen.has(group.pgid)) continue;
    seen.add(group.pgid);
    const members = await listGroupMembers(group.pgid);
    const ours: number[] = [];
    for (const pid of members) if (await hasSessionMarker(pid, group.session)) ours.push(pid);
    if (ours.length === 0) continue;
    const signals = await killGroup(group.pgid, graceMs);
    lines.push(
      `step ${group.stepId}: process group ${group.pgid} was still running after the run ended (pids ${ours.join(', ')}); ended it with ${signals.join(', ') || 'no signal (it ended by itself)'}`,
    );
  }
  // Processes that left their group (`setsid`, a daemon) still carry the session's marker.
  const sessions = new Map<string, string>();
  for (const group of groups) if (!sessions.has(group.session)) sessions.set(group.session, group.stepId);
  for (const [session, stepId] of sessions) {
    const pids = await endMarkedProcesses(session, graceMs);
    if (pids.length > 0) lines.push(`step ${stepId} and later: processes ${pids.join(', ')} had left their process group and were still running after the run ended; ended them`);
  }
  return lines;
}
