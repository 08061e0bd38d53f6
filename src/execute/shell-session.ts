// The shell session: cells of one run share exported variables, plain bash variables, functions
// and the current directory, as in a terminal, while each cell is a fresh shell process in its
// own process group (so it can be killed whole).
//
// How: the session keeps its state in memory (directory, environment, bash declarations) and in
// a private temp directory. Each cell starts `SHELL prelude CELL RESTORE OUT`: the prelude (a fixed
// script written once per session) sources RESTORE (bash `declare -p` / `declare -f` text captured
// from the previous cell), sets an EXIT trap that writes the directory, the exported environment
// (NUL-separated) and the declarations into OUT, then sources CELL (the user's command, written
// to a file verbatim apart from CR removal). The command is never interpolated into another
// string: it only ever travels as the content of its own file.
//
// Decisions (where the brief left room):
// - `$0` is `bash` for bash cells (as with `bash -c`); error messages and `$LINENO` refer to the
//   cell's own lines (`/tmp/runproof-shell-x/cell-3.sh: line 2: ...`).
// - Sourcing keeps script semantics: `set -e` exits at the failing line, `exit N` is the cell's
//   status, the status of the last command is the cell's status. `return` at top level ends the
//   cell (in a script it would be an error).
// - Shell options (`set -e`, `set -x`), traps, `IFS` and readonly variables do not carry over.
// - Per-call `env` is not persisted (unless the cell itself changed the value); a per-cell `cwd`
//   runs the cell there and leaves the session directory as it was.
// - Plain variables and functions carry over between bash cells only; other shells (`sh`, `zsh`)
//   share the directory and exported environment (saved with `command -p env -0`).
// - A cell killed by SIGKILL, or one that replaced the EXIT trap and then called `exit`, leaves
//   the session as it was before the cell (state is applied only when completely written).
// - Background cells see the session but never change it.
// Per-cell files are small and local: synchronous calls avoid a thread-pool round trip each, which
// on a loaded machine costs more than the I/O itself.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { RunproofError } from '../core/index.js';
import { DANGEROUS_ENV } from '../parse/index.js';
import { FAILING_LINE_TRAP } from './failing-line-trap.js';
import { readWatchReports, watchedVariables, watchTrap, WATCH_FUNCTION } from './secret-watch.js';
import { randomUUID } from 'node:crypto';
import { endMarkedProcesses, killGroup, listGroupMembers, startGroupProcess, type GroupProcess, type GroupProcessEnd } from './process-group.js';
import { sandboxArgs } from './sandbox.js';
import { startSupervisor, type Supervisor } from './supervisor.js';
import {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_PIPE_DRAIN_MS,
  type BackgroundHandle,
  type OutputSink,
  type ShellOutcome,
  type ShellRunRequest,
  type ShellSession,
  type ShellSessionOptions,
} from './shell-types.js';

// Arguments: $1 cell file, $2 restore file ('' for none), $3 state file ('' = do not save),
// $4 fail file, $5 errexit, $6 the variables to watch for secrets born in the cell (names, ''
// for none) and $7 the DEBUG trap that watches them (secret-watch.ts), reporting on fd 3.
// `__rp_rc` is taken inside a group whose stderr is /dev/null so that `set -x` shows nothing of ours.
// The state file is one write: directory, NUL, exported `NAME=value` entries each ended by NUL,
// an empty entry, `declare -p` records each ended by NUL, an empty record, `declare -f` text, and
// the trailer STATE_TRAILER (absent when the cell was killed mid-write). Names are listed into the
// state file first and read back with `read`, not `$(compgen ...)`: no fork and no scratch file
// per cell (bash 3.2 has no mapfile). Functions named `__rp_*` (ours) are not saved.
const BASH_PRELUDE = `# runproof session prelude (bash): restore the session, run the cell, save the session.
__rp_cell=$1 __rp_restore=$2 __rp_out=$3 __rp_fail=$4 __rp_errexit=$5 __rp_wl=$6 __rp_wtrap=$7 __rp_saved= __rp_rc=0 __rp_pipe_ok= __rp_main=$BASHPID
builtin set --
BASH_ARGV0=bash
if [ -n "$__rp_restore" ]; then builtin source "$__rp_restore"; fi
${FAILING_LINE_TRAP}${WATCH_FUNCTION}__rp_save() {
  builtin trap - ERR
  builtin set +e +u +o errtrace
  if [ -z "$__rp_saved" ] && [ -n "$__rp_out" ]; then
    __rp_saved=1
    local IFS=$' \\t\\n' __rp_n __rp_e=() __rp_v=() __rp_f=()
    {
      builtin compgen -e > "$__rp_out"
      while builtin read -r __rp_n; do __rp_e+=("$__rp_n"); done < "$__rp_out"
      builtin compgen -v > "$__rp_out"
      while builtin read -r __rp_n; do __rp_v+=("$__rp_n"); done < "$__rp_out"
      builtin compgen -A function > "$__rp_out"
      while builtin read -r __rp_n; do __rp_f+=("$__rp_n"); done < "$__rp_out"
      {
        builtin pwd; builtin printf '\\0'
        for __rp_n in "\${__rp_e[@]}"; do
          if [ -n "\${!__rp_n+x}" ]; then builtin printf '%s=%s\\0' "$__rp_n" "\${!__rp_n}"; fi
        done
        builtin printf '\\0'
        for __rp_n in "\${__rp_v[@]}"; do
          case $__rp_n in __rp_*) continue ;; esac
          builtin declare -p "$__rp_n" && builtin printf '\\0'
        done
        builtin printf '\\0'
        for __rp_n in "\${__rp_f[@]}"; do
          case $__rp_n in __rp_*) continue ;; esac
          builtin declare -f "$__rp_n"
        done
        builtin printf '\\0end\\n'
      } > "$__rp_out"
    } 2>/dev/null
  fi
  builtin return "$__rp_rc"
}
builtin trap '{ __rp_rc=$?; builtin trap - DEBUG; builtin set +x; } 2>/dev/null; __rp_save' EXIT
if [ -n "$__rp_errexit" ]; then builtin set -o pipefail -o errtrace; builtin trap __rp_err ERR; fi
if [ -n "$__rp_wl" ] && { builtin exec {__rp_wfd}>&3 3>&-; } 2>/dev/null; then
  __rp_wl=($__rp_wl) __rp_seen=$'\\2'
  builtin set -o functrace
  builtin trap "$__rp_wtrap" DEBUG
fi
builtin source "$__rp_cell"
{ __rp_rc=$?; builtin trap - DEBUG; builtin set +x; } 2>/dev/null
builtin trap - ERR
if [ "$__rp_rc" = 141 ] && [ -n "$__rp_pipe_ok" ]; then __rp_rc=0; fi
__rp_save
builtin exit "$__rp_rc"
`;

// The same for POSIX shells (sh, dash, zsh, ksh): directory and exported environment only, in
// the same state file layout (no variables, no functions).
const POSIX_PRELUDE = `# runproof session prelude (POSIX sh): run the cell, save directory and environment.
__rp_cell=$1 __rp_out=$3 __rp_errexit=$5 __rp_saved= __rp_rc=0
set --
__rp_save() {
  set +e +u
  if [ -z "$__rp_saved" ] && [ -n "$__rp_out" ]; then
    __rp_saved=1
    { pwd && printf '\\0' && command -p env -0 && printf '\\0\\0\\0end\\n'; } > "$__rp_out" 2>/dev/null
  fi
  return "$__rp_rc"
}
trap '{ __rp_rc=$?; set +x; } 2>/dev/null; __rp_save' EXIT
if [ -n "$__rp_errexit" ]; then set -e; (set -o pipefail) 2>/dev/null && set -o pipefail; fi
. "$__rp_cell"
{ __rp_rc=$?; set +x; } 2>/dev/null
__rp_save
exit "$__rp_rc"
`;

/** What ends a completely written state file. */
const STATE_TRAILER = Buffer.from('\0end\n', 'latin1');

// Variables bash maintains itself (or that would break later cells) are never carried over.
const BASH_INTERNAL = new Set([
  'COLUMNS', 'DIRSTACK', 'EPOCHREALTIME', 'EPOCHSECONDS', 'EUID', 'FUNCNAME', 'GROUPS', 'HISTCMD',
  'HISTFILE', 'HISTFILESIZE', 'HISTSIZE', 'HOSTNAME', 'HOSTTYPE', 'IFS', 'LINENO', 'LINES',
  'MACHTYPE', 'MAILCHECK', 'OPTARG', 'OPTERR', 'OPTIND', 'OSTYPE', 'PIPESTATUS', 'PPID', 'PS1',
  'PS2', 'PS3', 'PS4', 'PWD', 'OLDPWD', 'RANDOM', 'SECONDS', 'SHELLOPTS', 'SHLVL', 'SRANDOM', 'UID', '_',
]);
// Exported names the shell sets per process: the session keeps its own value (PWD follows cwd).
const ENV_NOT_PERSISTED = new Set(['PWD', 'SHLVL', '_', 'RUNPROOF_SESSION']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type ShellKind = 'bash' | 'posix';

// `bash`, `/bin/bash`, `bash5` get the bash prelude; every other shell the POSIX one.
function shellKind(shell: string): ShellKind {
  return /^bash(\d[\d.]*)?$/.test(basename(shell)) ? 'bash' : 'posix';
}

/** Turns CR LF and lone CR into LF so that no `\r` ever reaches the shell; ends with a newline. */
export function normalizeCommand(command: string): string {
  const text = command.replace(/\r\n?/g, '\n');
  return text.endsWith('\n') ? text : `${text}\n`;
}

// One `declare -p` record exactly as bash prints it: flags, a name, and a double-quoted or $'…'
// value, or an array of such values with numeric or quoted (or plain) keys. Nothing else can follow.
const DQ = '"(?:[^"\\\\$`]|\\\\[\\s\\S])*"';
const ANSI = "\\$'(?:[^'\\\\]|\\\\[\\s\\S])*'";
const KEY = `(?:${DQ}|[^\\]\\s$\`"'\\\\;&|<>()]*)`;
const PLAIN_DECLARE = new RegExp(`^declare -[A-Za-z-]+ [A-Za-z_][A-Za-z0-9_]*(?:=(?:${DQ}|${ANSI}|\\((?:\\[${KEY}\\]=(?:${DQ}|${ANSI}) ?)*\\)))?\\n?$`);

/** `declare -f` text → each function's text by name, or undefined when anything stands between them. */
function splitFunctions(text: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const headers = [...text.matchAll(/^(\S+) \(\) $/gm)];
  if (headers.length === 0) return text.trim() === '' ? out : undefined;
  if (text.slice(0, headers[0]!.index).trim() !== '') return undefined;
  for (let i = 0; i < headers.length; i++) {
    const start = headers[i]!.index!;
    const end = i + 1 < headers.length ? headers[i + 1]!.index! : text.length;
    out.set(headers[i]![1]!, text.slice(start, end));
  }
  return out;
}

/**
 * The functions a sandboxed cell may carry over: only those its own text defines (by name); others
 * keep their previous definition, and an unreadable dump keeps all of them.
 */
function carriedFunctions(before: string, after: string, command: string, warnings: string[]): string {
  if (after === before) return after;
  const old = splitFunctions(before) ?? new Map<string, string>();
  const next = splitFunctions(after);
  if (next === undefined) {
    warnings.push('a sandboxed cell left function definitions runproof cannot read; they are not carried to later cells');
    return before;
  }
  const defined = new Set<string>();
  for (const m of command.matchAll(/(?:^|[\s;&|(){}])(?:function\s+([^\s(){};&|]+)|([^\s(){};&|=]+)\s*\(\s*\))/g)) defined.add((m[1] ?? m[2])!);
  const kept = new Map<string, string>();
  for (const [name, text] of next) {
    if (text === old.get(name) || defined.has(name)) kept.set(name, text);
    else {
      const previous = old.get(name);
      if (previous !== undefined) kept.set(name, previous);
      warnings.push(`a sandboxed cell defined or changed the function ${name}, which its text does not define; it is not carried to later cells`);
    }
  }
  return [...kept.values()].join('');
}

/** The session state a cell's prelude saved: raw text, decoded as each part needs. */
interface SavedState {
  cwd: string;
  /** `NAME=value` entries (UTF-8). */
  env: string[];
  /** `declare -p` records (latin1: bash's bytes exactly). */
  vars: string[];
  /** `declare -f` text (latin1). */
  functions: string;
}

// Reads the state file layout written by the preludes; undefined when it is incomplete.
function parseStateFile(data: Buffer): SavedState | undefined {
  if (data.length < STATE_TRAILER.length || !data.subarray(data.length - STATE_TRAILER.length).equals(STATE_TRAILER)) return undefined;
  const body = data.subarray(0, data.length - STATE_TRAILER.length);
  let at = body.indexOf(0);
  if (at === -1) return undefined;
  const cwd = body.toString('utf8', 0, at).replace(/\n$/, '');
  at += 1;
  // Entries ended by NUL up to an empty entry; undefined when the section never ends.
  const section = (encoding: BufferEncoding): string[] | undefined => {
    const entries: string[] = [];
    for (;;) {
      const end = body.indexOf(0, at);
      if (end === -1) return undefined;
      const start = at;
      at = end + 1;
      if (end === start) return entries;
      entries.push(body.toString(encoding, start, end));
    }
  };
  const env = section('utf8');
  const vars = env && section('latin1');
  if (env === undefined || vars === undefined) return undefined;
  return { cwd, env, vars, functions: body.toString('latin1', at) };
}

function baseEnvironment(env: Record<string, string | undefined>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !ENV_NOT_PERSISTED.has(name)) map.set(name, value);
  }
  return map;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

// The cell line the failing-line check wrote, if it stopped the cell.
function readFailedLine(file: string): number | undefined {
  if (file === '') return undefined;
  try {
    const line = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(line) && line > 0 ? line : undefined;
  } catch {
    return undefined;
  }
}

function toOutcome(end: GroupProcessEnd, pid: number | undefined): ShellOutcome {
  const outcome: ShellOutcome = {
    startedAt: end.startedAt.toISOString(),
    durationMs: Math.round(end.durationMs),
    exitCode: end.exitCode,
    signal: end.signal,
    timedOut: end.timedOut,
    interrupted: end.interrupted,
  };
  if (pid !== undefined) outcome.pid = pid;
  if (end.error !== undefined) outcome.error = end.error;
  if (end.warnings.length > 0) outcome.warnings = [...end.warnings];
  return outcome;
}

function notStarted(error: string | undefined, interrupted: boolean): ShellOutcome {
  const outcome: ShellOutcome = {
    startedAt: new Date().toISOString(),
    durationMs: 0,
    exitCode: null,
    signal: null,
    timedOut: false,
    interrupted,
  };
  if (error !== undefined) outcome.error = error;
  return outcome;
}

interface PreparedCell {
  n: number;
  cwd: string;
  files: string[];
  /** Where the prelude saves the session state; undefined when the cell does not save. */
  stateFile: string | undefined;
  /** Where the failing-line check writes the cell line that failed ('' when not read). */
  failFile: string;
  /** Things to record that did not stop the cell (the session directory was gone...). */
  warnings: string[];
  kind: ShellKind;
  start: () => GroupProcess;
}

class SharedShellSession implements ShellSession {
  private currentCwd: string;
  /** The run's directory: where the session falls back to when its directory was removed. */
  private readonly runCwd: string;
  private readonly baseEnv: Map<string, string>;
  private env: Map<string, string>;
  /** Plain (unexported) bash variables: name → `declare` text. */
  private plainVars = new Map<string, string>();
  private functions = '';
  private counter = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private active: GroupProcess | undefined;
  private readonly backgrounds = new Set<BackgroundHandle>();
  private readonly strayGroups = new Set<number>();
  private closed = false;
  private readonly killGraceMs: number;
  private readonly pipeDrainMs: number;
  /** Kills the session's process groups if runproof dies (see supervisor.ts). */
  private readonly supervisor: Supervisor;
  /** In every cell's environment: how `recover` tells this session's processes from others. */
  readonly marker = randomUUID();

  constructor(
    private readonly dir: string,
    private readonly options: ShellSessionOptions,
  ) {
    this.supervisor = startSupervisor(this.marker);
    this.currentCwd = resolve(options.cwd);
    this.runCwd = this.currentCwd;
    this.baseEnv = baseEnvironment(options.env ?? process.env);
    this.env = new Map(this.baseEnv);
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.pipeDrainMs = options.pipeDrainMs ?? DEFAULT_PIPE_DRAIN_MS;
  }

  get cwd(): string {
    return this.currentCwd;
  }

  run(request: ShellRunRequest, sink: OutputSink): Promise<ShellOutcome> {
    this.assertOpen();
    if (request.background) {
      return this.startBackground(request, sink).then(async (handle) => {
        if (handle.error !== undefined) return handle.done;
        return { ...notStarted(undefined, false), pid: handle.pid, background: true };
      });
    }
    // Cells of one session run one after the other, as in a terminal.
    const result = this.queue.then(() => this.runForeground(request, sink));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async startBackground(request: ShellRunRequest, sink: OutputSink): Promise<BackgroundHandle> {
    this.assertOpen();
    const prepared = await this.prepare({ ...request, stdin: 'ignore' }, sink, false, Number.POSITIVE_INFINITY);
    if (typeof prepared === 'string') {
      const outcome = notStarted(prepared, false);
      return { pid: 0, error: prepared, done: Promise.resolve(outcome), stop: () => Promise.resolve(outcome) };
    }
    const proc = prepared.start();
    const startError = await proc.started;
    const done = proc.done
      .then(async (end) => {
        if (proc.pid !== undefined && (await listGroupMembers(proc.pid)).length === 0) this.supervisor.release(proc.pid);
        return toOutcome(end, proc.pid);
      })
      .finally(() => {
        this.backgrounds.delete(handle);
        this.removeFiles(prepared);
      });
    const handle: BackgroundHandle = {
      pid: proc.pid ?? 0,
      done,
      stop: async () => {
        await proc.stop();
        return done;
      },
    };
    if (startError !== undefined) handle.error = startError;
    else this.backgrounds.add(handle);
    return handle;
  }

  setVariable(name: string, value: string): void {
    this.assertOpen();
    if (!NAME.test(name)) {
      throw new RunproofError('RP_BAD_ATTRIBUTE', `"${name}" is not a valid shell variable name`, {
        hint: 'use letters, digits and _, not starting with a digit (e.g. COMMIT_SHA)',
      });
    }
    // A NUL cannot be part of an environment variable: the value ends at the first one, as in
    // bash's own `X=$(cmd)` (which drops NUL bytes with a warning). The caller records why.
    const end = value.indexOf('\0');
    this.env.set(name, end === -1 ? value : value.slice(0, end));
    this.plainVars.delete(name);
  }

  variables(options: { plain?: boolean } = {}): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, value] of [...this.env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (name !== 'OLDPWD' && this.baseEnv.get(name) !== value) result[name] = value;
    }
    if (options.plain) Object.assign(result, plainValues(this.plainVars));
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopping: Promise<unknown>[] = [...this.backgrounds].map((h) => h.stop());
    if (this.active) stopping.push(this.active.stop({ interrupted: true }));
    await Promise.all(stopping);
    await this.queue;
    if (this.options.killStraysOnClose ?? true) {
      await Promise.all(
        [...this.strayGroups].map(async (pgid) => {
          if ((await listGroupMembers(pgid)).length > 0) await killGroup(pgid, this.killGraceMs);
        }),
      );
    }
    this.strayGroups.clear();
    // What left its group (`setsid`, a double fork into a new session) still carries the marker.
    if (this.options.killStraysOnClose ?? true) await endMarkedProcesses(this.marker, this.killGraceMs);
    this.supervisor.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  private assertOpen(): void {
    if (this.closed) throw new RunproofError('RP_INTERNAL', 'the shell session is closed; no more cells can run in it');
  }

  private async runForeground(request: ShellRunRequest, sink: OutputSink): Promise<ShellOutcome> {
    if (this.closed) return notStarted(undefined, true);
    if (request.signal?.aborted) return notStarted(undefined, true);
    const prepared = await this.prepare(request, sink, true, request.timeoutMs);
    if (typeof prepared === 'string') return notStarted(prepared, false);
    if (this.closed) {
      this.removeFiles(prepared);
      return notStarted(undefined, true);
    }
    const proc = prepared.start();
    this.active = proc;
    try {
      const end = await proc.done;
      if (end.error === undefined) this.applyState(prepared, request);
      if (end.strays && proc.pid !== undefined && proc.grouped) this.strayGroups.add(proc.pid);
      else if (proc.pid !== undefined) this.supervisor.release(proc.pid);
      const outcome = toOutcome(end, proc.pid);
      if (request.sandbox) outcome.sandboxed = true;
      if (prepared.warnings.length > 0) outcome.warnings = [...prepared.warnings, ...(outcome.warnings ?? [])];
      const failedLine = readFailedLine(prepared.failFile);
      if (failedLine !== undefined && outcome.exitCode !== 0) outcome.failedLine = failedLine;
      return outcome;
    } finally {
      this.active = undefined;
      this.removeFiles(prepared);
    }
  }

  // Writes the cell's files and builds the process start; a string is a reason it cannot run.
  private async prepare(
    request: ShellRunRequest,
    sink: OutputSink,
    save: boolean,
    timeoutMs: number,
  ): Promise<PreparedCell | string> {
    const warnings: string[] = [];
    // A cell removed the session directory (`cd build; ...; rm -rf ../build`): later cells run in
    // the run's directory, as a new terminal would start there, and each records that it did.
    if (!isDirectory(this.currentCwd) && this.currentCwd !== this.runCwd) {
      warnings.push(`the session directory ${this.currentCwd} no longer exists; ran in the run's directory ${this.runCwd}`);
      this.currentCwd = this.runCwd;
    }
    const cwd = request.cwd === undefined ? this.currentCwd : resolve(this.currentCwd, request.cwd);
    if (!isDirectory(cwd)) return `working directory not found: ${cwd}`;
    const shell = request.shell ?? this.options.shell ?? 'bash';
    const kind = shellKind(shell);
    const n = ++this.counter;
    const cellFile = join(this.dir, `cell-${n}.sh`);
    writeFileSync(cellFile, normalizeCommand(request.command), { mode: 0o600 });
    const files = [cellFile];
    // A null-prototype object: `__proto__` is a valid shell variable name.
    const env = Object.create(null) as Record<string, string>;
    for (const [name, value] of this.env) env[name] = value;
    for (const [name, value] of Object.entries(request.env ?? {})) env[name] = value;
    env.PWD = cwd;
    env.RUNPROOF_SESSION = this.marker;
    let restoreFile = '';
    if (kind === 'bash') {
      const declarations = [...this.plainVars]
        .filter(([name]) => !Object.hasOwn(env, name))
        .map(([, text]) => text.trimEnd());
      const restore = [...declarations, this.functions].join('\n');
      if (restore.trim() !== '') {
        restoreFile = join(this.dir, `restore-${n}.bash`);
        writeFileSync(restoreFile, `${restore}\n`, { mode: 0o600, encoding: 'latin1' });
        files.push(restoreFile);
      }
    }
    let stateFile: string | undefined;
    if (save) {
      // Written by the prelude inside the private directory.
      stateFile = join(this.dir, `state-${n}`);
      files.push(stateFile);
    }
    const failFile = save ? join(this.dir, `fail-${n}`) : '';
    if (failFile !== '') files.push(failFile);
    const errexit = request.errexit ?? true ? '1' : '';
    const prelude = join(this.dir, kind === 'bash' ? 'prelude.bash' : 'prelude.sh');
    const stdin = request.stdin ?? 'ignore';
    // Secret-named variables the cell may create are watched as it runs (SECURITY L2).
    const onSecret = request.onSecret;
    const watched = kind === 'bash' && onSecret ? watchedVariables(request.command, [...this.env.keys(), ...this.plainVars.keys()]) : new Map<string, string>();
    const names = [...watched.keys()];
    let file = shell;
    let args = [prelude, cellFile, restoreFile, stateFile ?? '', failFile, errexit, names.join(' '), names.length > 0 ? watchTrap(names) : ''];
    if (request.sandbox) {
      // Only the state and fail files are writable inside; they must exist to be bound.
      const writable = [stateFile, failFile].filter((f): f is string => f !== undefined && f !== '');
      for (const path of writable) writeFileSync(path, '', { mode: 0o600 });
      file = 'bwrap';
      // TMPDIR (the cell's and runproof's) gets a private tmpfs like /tmp: FIFOs in it stay out of reach.
      const tempDirs = [env.TMPDIR, process.env.TMPDIR];
      args = [...sandboxArgs({ cwd, ...(env.HOME ? { home: env.HOME } : {}), readOnly: [this.dir], writable, tempDirs }), shell, ...args];
    }
    return {
      n,
      cwd,
      files,
      stateFile,
      failFile,
      warnings,
      kind,
      start: () =>
        startGroupProcess({
          file,
          args,
          cwd,
          env,
          stdin,
          sink,
          timeoutMs,
          signal: request.signal,
          killGraceMs: this.killGraceMs,
          pipeDrainMs: this.pipeDrainMs,
          onSpawn: (pid, grouped) => {
            if (grouped) this.supervisor.watch(pid);
            request.onStart?.({ pgid: pid, session: this.marker });
          },
          ...(onSecret && names.length > 0 ? { sideChannel: (socket) => readWatchReports(socket, watched, onSecret) } : {}),
        }),
    };
  }

  // Reads what the cell's EXIT trap saved and makes it the session state.
  private applyState(cell: PreparedCell, request: ShellRunRequest): void {
    if (cell.stateFile === undefined) return;
    let data: Buffer;
    try {
      data = readFileSync(cell.stateFile);
    } catch {
      return; // killed (or the trap replaced) before anything was saved: keep the previous state
    }
    const state = parseStateFile(data);
    if (state === undefined) return; // killed before the state was completely written
    if (request.cwd === undefined && state.cwd !== '') this.currentCwd = state.cwd;

    const env = new Map<string, string>();
    for (const entry of state.env) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const name = entry.slice(0, eq);
      if (!ENV_NOT_PERSISTED.has(name)) env.set(name, entry.slice(eq + 1));
    }
    // Per-call variables are not persisted unless the cell changed them.
    for (const [name, value] of Object.entries(request.env ?? {})) {
      if (env.get(name) !== value) continue;
      const before = this.env.get(name);
      if (before === undefined) env.delete(name);
      else env.set(name, before);
    }
    // A sandboxed cell's saved state was written inside the sandbox, and the next cell (which may
    // run outside it: an approved write cell) restores it as code. A cell the classifier got wrong
    // could plant `SHELLOPTS=xtrace PS4='$(cmd)'`, `declare -- x=1; cmd` or a `kubectl` function
    // there. So from a sandboxed cell: dangerous variables keep their previous value, variable
    // records must be plain `declare -p` output, and functions change only when the cell's text
    // defines them.
    const untrusted = request.sandbox === true;
    if (untrusted) {
      for (const name of new Set([...env.keys(), ...this.env.keys()])) {
        if (!DANGEROUS_ENV.test(name) && !name.startsWith('BASH_FUNC_')) continue;
        const before = this.env.get(name);
        if (env.get(name) === before) continue;
        if (before === undefined) env.delete(name);
        else env.set(name, before);
        cell.warnings.push(`a sandboxed cell changed ${name}; the change is not carried to later cells`);
      }
    }
    this.env = env;

    if (cell.kind === 'bash') {
      // latin1 keeps bash's bytes exactly (values that are not UTF-8 included) until written back.
      const vars = new Map<string, string>();
      for (const record of state.vars) {
        const text = record.replace(/^\n+/, '');
        const match = /^declare -([A-Za-z-]+) ([A-Za-z_][A-Za-z0-9_]*)(=|\n|$)/.exec(text);
        if (!match) continue;
        const [, flags = '', name = ''] = match;
        if (flags.includes('x') || flags.includes('r')) continue;
        if (BASH_INTERNAL.has(name) || name.startsWith('BASH') || name.startsWith('COMP_')) continue;
        if (env.has(name)) continue;
        if (untrusted) {
          const plain = PLAIN_DECLARE.test(text) && !/[ni]/.test(flags);
          if (!plain || DANGEROUS_ENV.test(name)) {
            // Kept as it was; a new dangerous variable in plain form (bash's own SHELL) is dropped quietly.
            const before = this.plainVars.get(name);
            if (before !== undefined) vars.set(name, before);
            if (before !== text && (!plain || before !== undefined)) cell.warnings.push(`a sandboxed cell left ${name} as ${plain ? 'a changed dangerous variable' : 'something other than a plain declaration (or a name reference or integer)'}; it is not carried to later cells`);
            continue;
          }
        }
        vars.set(name, text);
      }
      this.plainVars = vars;
      this.functions = untrusted ? carriedFunctions(this.functions, state.functions, request.command, cell.warnings) : state.functions;
    }
  }

  // Best effort: a leftover scratch file is removed with the session directory at close().
  private removeFiles(cell: PreparedCell): void {
    for (const file of cell.files) {
      try {
        rmSync(file, { force: true });
      } catch {
        // kept until close()
      }
    }
  }

}

// The string values of `declare -p` records (bash quoting undone): `NAME` for a scalar,
// `NAME[i]` for each element of an array. Values were saved as latin1 (bash's bytes): decoded as UTF-8.
function plainValues(records: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, record] of records) {
    const eq = record.indexOf('=');
    if (eq === -1) continue;
    const body = record.slice(eq + 1);
    const strings: string[] = [];
    for (const m of body.matchAll(/\$'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)) {
      const raw = m[2] !== undefined ? m[2].replace(/\\([\\"$`])/g, '$1') : unescapeAnsiC(m[1]!);
      strings.push(Buffer.from(raw, 'latin1').toString('utf8'));
    }
    if (strings.length === 1 && !body.startsWith('(')) out[name] = strings[0]!;
    else strings.forEach((v, i) => (out[`${name}[${i}]`] = v));
  }
  return out;
}

// Bash's `$'...'` quoting, as `declare -p` writes values holding control characters.
function unescapeAnsiC(text: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\u0007', b: '\b', e: '\u001b', E: '\u001b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"' };
  return text.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/g, (_m, oct?: string, hex?: string, c?: string) =>
    oct !== undefined ? String.fromCharCode(parseInt(oct, 8)) : hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : (simple[c!] ?? `\\${c}`),
  );
}

/**
 * Creates a shell session: a private state directory and the state shared by the run's cells.
 *
 * @example
 * const session = await createShellSession({ cwd: process.cwd() });
 * await session.run({ command: 'export A=1; cd /tmp', timeoutMs: 60_000 }, sink);
 * await session.run({ command: 'echo "$A $PWD"', timeoutMs: 60_000 }, sink); // prints "1 /tmp"
 * await session.close();
 */
export async function createShellSession(options: ShellSessionOptions): Promise<ShellSession> {
  const dir = await mkdtemp(join(tmpdir(), 'runproof-shell-'));
  await writeFile(join(dir, 'prelude.bash'), BASH_PRELUDE, { mode: 0o600 });
  await writeFile(join(dir, 'prelude.sh'), POSIX_PRELUDE, { mode: 0o600 });
  return new SharedShellSession(dir, options);
}
