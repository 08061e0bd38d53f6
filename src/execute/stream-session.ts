// A shell session driven over one byte stream (see stream-driver.ts for the protocol): one
// long-lived bash, locally (`bash -s`) or on a remote host (`ssh HOST bash -s`). Each cell is a
// job in its own process group on the side that runs it; a timeout or an abort sends the kill
// request down the same stream; when the stream closes, the driver ends the running cell, so no
// cell outlives runproof or a dropped connection.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isSecretName } from '../core/index.js';
import { streamDriverScript } from './stream-driver.js';
import { startSupervisor, type Supervisor } from './supervisor.js';
import type { BackgroundHandle, OutputSink, ShellOutcome, ShellRunRequest, ShellSession } from './shell-types.js';
import { DEFAULT_KILL_GRACE_MS } from './shell-types.js';

/** How to reach the shell: the program and arguments that give a bash reading its script from stdin. */
export interface StreamSessionOptions {
  command: string;
  args: string[];
  /** Environment of the local program (ssh, or bash itself). */
  env?: Record<string, string | undefined>;
  /** Directory of the local program. */
  cwd?: string;
  /** Time between TERM and KILL of a cell's group. Default 2000 ms. */
  killGraceMs?: number;
  /** How long the session may take to become ready (SSH connect, authentication). Default 30 s. */
  startTimeoutMs?: number;
  /**
   * Start the program as the leader of its own process group (a local `bash -s`): a cell's
   * `kill -- -$$` then reaches the session's group, never runproof's, nor does the terminal's Ctrl-C.
   */
  detached?: boolean;
  /**
   * A local session's marker: the session shell, and so every cell, carries it as
   * `RUNPROOF_SESSION` (the sweep that finds a cell's processes that left its group), and each
   * cell's start is told to `onStart` with its process group and this marker (the journal). A
   * supervisor (supervisor.ts) then ends the running cell's group and every marked process,
   * the session shell included, when runproof dies.
   */
  marker?: string;
}

/** Why a session could not start, sorted for the record (what an operator fixes differs). */
export type SessionFailureKind = 'unreachable' | 'auth' | 'host-key' | 'exited' | 'timeout';

export class StreamSessionError extends Error {
  constructor(
    readonly kind: SessionFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'StreamSessionError';
  }
}

const SIGNALS: Record<number, NodeJS.Signals> = { 1: 'SIGHUP', 2: 'SIGINT', 9: 'SIGKILL', 15: 'SIGTERM' };

// Sorts what ssh (or the shell) printed before the session was ready into a failure kind.
export function classifyStartFailure(stderr: string): SessionFailureKind {
  if (/host key verification failed|remote host identification has changed|host key for .* has changed|no .*host key is known/i.test(stderr)) return 'host-key';
  if (/permission denied|authentication failed|too many authentication failures/i.test(stderr)) return 'auth';
  if (/connection refused|could not resolve|timed out|no route to host|network is unreachable|connection closed|connection reset|name or service not known/i.test(stderr)) return 'unreachable';
  return 'exited';
}

/** Quotes a value for bash as `$'...'`: every byte that is not plainly safe is escaped. */
export function bashQuote(value: string): string {
  let out = "$'";
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9 _.,:/=@%+-]/.test(c) ? c : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Pending {
  id: number;
  sink: OutputSink;
  onSecret?: ((name: string, value: string) => void) | undefined;
  onStart?: ((info: { pgid: number; session: string }) => void) | undefined;
  pgid?: number;
  stdoutDone?: { status: number; strays: boolean; failedLine?: number };
  stderrDone: boolean;
  resolve: () => void;
}

// Splits one stream into cell output and the driver's markers. Bytes that could be the start of
// a marker are held back until the next chunk decides.
class MarkerSplitter {
  private held = Buffer.alloc(0);
  private readonly prefix: Buffer;

  constructor(
    nonce: string,
    private readonly onData: (chunk: Buffer) => Promise<void> | void,
    private readonly onMarker: (fields: string[]) => void,
  ) {
    this.prefix = Buffer.from(`\x1eRP${nonce}:`, 'latin1');
  }

  async push(chunk: Buffer): Promise<void> {
    let buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    for (;;) {
      const at = buf.indexOf(this.prefix);
      if (at === -1) {
        const keep = this.partialPrefixAt(buf);
        if (keep > 0) await this.onData(buf.subarray(0, keep));
        this.held = Buffer.from(buf.subarray(keep));
        return;
      }
      const end = buf.indexOf(0x0a, at);
      if (end === -1) {
        if (at > 0) await this.onData(buf.subarray(0, at));
        this.held = Buffer.from(buf.subarray(at));
        return;
      }
      if (at > 0) await this.onData(buf.subarray(0, at));
      this.onMarker(buf.toString('latin1', at + this.prefix.length, end).split(':'));
      buf = buf.subarray(end + 1);
    }
  }

  // Where the held-back tail starts: the longest suffix of buf that is a prefix of the marker.
  private partialPrefixAt(buf: Buffer): number {
    const from = Math.max(0, buf.length - this.prefix.length + 1);
    for (let i = from; i < buf.length; i += 1) {
      if (buf[i] !== 0x1e) continue;
      const tail = buf.subarray(i);
      if (this.prefix.subarray(0, tail.length).equals(tail)) return i;
    }
    return buf.length;
  }

  /** What is still held back when the stream ends (a lone 0x1E at the end of the output). */
  flush(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }
}

/** A shell session over a byte stream. Create it with {@link startStreamSession}. */
export class StreamSession implements ShellSession {
  private counter = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Pending | undefined;
  private readonly exported = new Map<string, string>();
  private preQueue = '';
  private ended: string | undefined;
  private readonly killGraceMs: number;
  private readonly marker: string | undefined;
  private readonly supervisor: Supervisor | undefined;
  private stderrTail = '';
  private readonly outSplit: MarkerSplitter;
  private readonly errSplit: MarkerSplitter;
  private outChain: Promise<void> = Promise.resolve();
  private errChain: Promise<void> = Promise.resolve();
  readonly done: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    nonce: string,
    options: StreamSessionOptions,
    private readonly onReady: (pid: number) => void,
  ) {
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.marker = options.marker;
    this.supervisor = options.marker === undefined ? undefined : startSupervisor(options.marker);
    this.outSplit = new MarkerSplitter(nonce, (c) => this.pending?.sink.onStdout(c), (f) => this.onStdoutMarker(f));
    this.errSplit = new MarkerSplitter(nonce, (c) => this.pending?.sink.onStderr(c), (f) => this.onStderrMarker(f));
    // Reading pauses while a sink's promise is pending: backpressure down to the shell.
    child.stdout.on('data', (chunk: Buffer) => {
      child.stdout.pause();
      this.outChain = this.outChain.then(() => this.outSplit.push(chunk)).finally(() => child.stdout.resume());
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.pending === undefined) this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
      child.stderr.pause();
      this.errChain = this.errChain.then(() => this.errSplit.push(chunk)).finally(() => child.stderr.resume());
    });
    child.stdin.on('error', () => undefined);
    this.done = new Promise((resolveDone) => {
      child.on('close', (code, signal) => {
        // The session shell is gone; its reader job still holds the channel: EOF ends it (it
        // ends a running cell's group and removes the session's files).
        child.stdin.end();
        void Promise.all([this.outChain, this.errChain]).then(() => {
          this.ended = `the session ended (${signal ?? `exit ${code}`})${this.stderrTail.trim() ? `: ${this.stderrTail.trim().split('\n').pop()}` : ''}`;
          const p = this.pending;
          if (p) {
            p.stdoutDone ??= { status: -1, strays: false };
            p.stderrDone = true;
            p.resolve();
          }
          resolveDone();
        });
      });
    });
  }

  /** Starts the program and waits until the driver says it is ready. */
  static start(options: StreamSessionOptions): Promise<StreamSession> {
    const nonce = randomBytes(12).toString('hex');
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: (options.marker === undefined ? options.env : { ...(options.env ?? process.env), RUNPROOF_SESSION: options.marker }) as NodeJS.ProcessEnv | undefined,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.detached ? { detached: true } : {}),
    });
    return new Promise((resolveStart, rejectStart) => {
      let settled = false;
      const fail = (kind: SessionFailureKind, message: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        rejectStart(new StreamSessionError(kind, message));
      };
      const session = new StreamSession(child, nonce, options, () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolveStart(session);
      });
      const timer = setTimeout(() => fail('timeout', `no answer within ${options.startTimeoutMs ?? 30_000} ms`), options.startTimeoutMs ?? 30_000);
      child.on('error', (error) => fail('exited', `${options.command} could not start: ${error.message}`));
      void session.done.then(() => {
        const said = session.stderrTail.trim().split('\n').filter(Boolean).pop() ?? `${options.command} exited`;
        fail(classifyStartFailure(session.stderrTail), said);
      });
      child.stdin.write(streamDriverScript(nonce));
    });
  }

  /** The directory is the far side's: not tracked here. */
  get cwd(): string {
    return '';
  }

  /** Background cells need a second channel: refused as a result, never a throw. */
  startBackground(): Promise<BackgroundHandle> {
    const outcome: ShellOutcome = { startedAt: new Date().toISOString(), durationMs: 0, exitCode: null, signal: null, timedOut: false, interrupted: false, error: 'background cells do not run on remote hosts yet' };
    return Promise.resolve({ pid: 0, error: outcome.error, done: Promise.resolve(outcome), stop: () => Promise.resolve(outcome) });
  }

  /** Exported variables set through {@link setVariable}. */
  variables(): Record<string, string> {
    return Object.fromEntries(this.exported);
  }

  /** Exports a variable for every later cell of the session (capture). */
  setVariable(name: string, value: string): void {
    if (!NAME.test(name) || value.includes('\0')) return;
    this.exported.set(name, value);
    this.preQueue += `builtin export ${name}=${bashQuote(value)}\n`;
  }

  /** Runs one cell to its end. Never throws for anything the cell does. */
  run(request: ShellRunRequest, sink: OutputSink): Promise<ShellOutcome> {
    if (request.background) return this.startBackground().then((h) => h.done);
    const result = this.queue.then(() => this.runOne(request, sink));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runOne(request: ShellRunRequest, sink: OutputSink): Promise<ShellOutcome> {
    const startedAt = new Date();
    const base: ShellOutcome = { startedAt: startedAt.toISOString(), durationMs: 0, exitCode: null, signal: null, timedOut: false, interrupted: false };
    if (this.ended !== undefined) return { ...base, error: this.ended };
    if (request.signal?.aborted) return { ...base, interrupted: true };
    this.counter += 1;
    const id = this.counter;
    const env = Object.entries(request.env ?? {}).filter(([name]) => NAME.test(name));
    // The session shell reads the call's names too: they are the ones a complete state leaves out.
    const skip = `__rp_skip=${bashQuote(env.map(([name]) => name).join(' '))}\n`;
    let call = skip;
    if (request.errexit === false) call += '__rp_errexit=\n';
    for (const [name, value] of env) call += `builtin export ${name}=${bashQuote(value.replace(/\0/g, ''))}\n`;
    // A per-call directory: the cell runs there, the session keeps its own (saved as __rp_home).
    if (request.cwd !== undefined) call += `__rp_home=$PWD\nbuiltin cd -- ${bashQuote(request.cwd)} || builtin exit 1\n`;
    const cell = request.command.replace(/\r\n?/g, '\n').replace(/\0/g, '');
    const parts = [this.preQueue + skip, call, cell.endsWith('\n') ? cell : `${cell}\n`].map((p) => Buffer.from(p, 'utf8'));
    this.preQueue = '';
    let sentSignal: NodeJS.Signals | undefined;
    let timedOut = false;
    let interrupted = false;
    const kill = (): void => {
      if (sentSignal !== undefined) return;
      sentSignal = 'SIGTERM';
      this.child.stdin.write('K TERM\n');
      setTimeout(() => {
        if (this.pending?.id === id) {
          sentSignal = 'SIGKILL';
          this.child.stdin.write('K KILL\n');
        }
      }, this.killGraceMs).unref();
    };
    const finished = new Promise<void>((resolveCell) => {
      this.pending = { id, sink, stderrDone: false, resolve: resolveCell, onSecret: request.onSecret, onStart: this.marker === undefined ? undefined : request.onStart };
    });
    const timer = Number.isFinite(request.timeoutMs) && request.timeoutMs > 0
      ? setTimeout(() => {
        timedOut = true;
        kill();
      }, request.timeoutMs)
      : undefined;
    const onAbort = (): void => {
      interrupted = true;
      kill();
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    this.child.stdin.write(`C ${id} ${parts[0]!.length} ${parts[1]!.length} ${parts[2]!.length}\n`);
    this.child.stdin.write(Buffer.concat(parts));
    await finished;
    if (timer) clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
    const done = this.pending!.stdoutDone!;
    const pgid = this.pending!.pgid;
    this.pending = undefined;
    if (pgid !== undefined) this.supervisor?.release(pgid);
    const outcome: ShellOutcome = { ...base, durationMs: Date.now() - startedAt.getTime(), timedOut, interrupted };
    if (pgid !== undefined) outcome.pid = pgid;
    if (done.status < 0) {
      outcome.error = this.ended ?? 'the session ended';
    } else if (sentSignal !== undefined && done.status > 128 && SIGNALS[done.status - 128] !== undefined) {
      outcome.signal = SIGNALS[done.status - 128]!;
    } else {
      outcome.exitCode = done.status;
    }
    if (done.failedLine !== undefined && outcome.exitCode !== 0) outcome.failedLine = done.failedLine;
    if (done.strays) outcome.warnings = ['processes the cell left running in its process group were ended'];
    return outcome;
  }

  private onStdoutMarker(fields: string[]): void {
    const [kind, idText, a, b, line] = fields;
    if (kind === 'R') {
      this.onReady(Number(idText));
      return;
    }
    const p = this.pending;
    if (p === undefined || Number(idText) !== p.id) return;
    if (kind === 'S') {
      p.pgid = Number(a);
      this.supervisor?.watch(p.pgid);
      if (this.marker !== undefined) p.onStart?.({ pgid: p.pgid, session: this.marker });
    }
    // A secret-named variable the cell left in the session: a secret before the captures end.
    if (kind === 'V' && a !== undefined && isSecretName(a) && b !== undefined && /^(?:[0-9a-f]{2})+$/.test(b)) {
      const value = Buffer.from(b, 'hex').toString('utf8');
      if (value.trim() !== '') p.onSecret?.(a, value);
    }
    if (kind === 'E') {
      p.stdoutDone = { status: Number(a), strays: b === '1', ...(line && /^\d+$/.test(line) ? { failedLine: Number(line) } : {}) };
      if (p.stderrDone) p.resolve();
    }
  }

  private onStderrMarker(fields: string[]): void {
    const [kind, idText] = fields;
    const p = this.pending;
    if (kind !== 'E' || p === undefined || Number(idText) !== p.id) return;
    p.stderrDone = true;
    if (p.stdoutDone !== undefined) p.resolve();
  }

  /** Ends the session: a running cell's group is ended by the driver. Idempotent. */
  async close(): Promise<void> {
    if (this.ended === undefined) {
      this.child.stdin.end('Q\n');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), this.killGraceMs + 3000);
      await this.done;
      clearTimeout(timer);
    }
    this.supervisor?.close();
  }
}

/** Starts a stream session (see {@link StreamSession}). */
export function startStreamSession(options: StreamSessionOptions): Promise<StreamSession> {
  return StreamSession.start(options);
}
