import { z } from 'zod';

/** The timeout a shell cell gets when neither the runbook nor the flags say otherwise: 10 min. */
export const DEFAULT_SHELL_TIMEOUT_MS = 10 * 60 * 1000;
/** How long a killed process group gets between SIGTERM and SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2000;
/**
 * How long, after a cell's shell has exited, runproof waits for its stdout/stderr to close before
 * it kills the cell's process group (a background child such as `sleep 1000 &` still holding the
 * pipes would otherwise hang the run forever).
 */
export const DEFAULT_PIPE_DRAIN_MS = 1000;

/** Options of {@link createShellSession}. */
export interface ShellSessionOptions {
  /** Starting directory of the session. */
  cwd: string;
  /** Base environment (defaults to `process.env`). */
  env?: Record<string, string>;
  /** Default shell of the session's cells, a name looked up on `PATH` or a path. Default `bash`. */
  shell?: string;
  /** Time between SIGTERM and SIGKILL when a process group is killed. Default 2000 ms. */
  killGraceMs?: number;
  /**
   * After a cell's shell exits, how long to wait for its output pipes to close before the cell's
   * process group is killed (see {@link DEFAULT_PIPE_DRAIN_MS}). Default 1000 ms.
   */
  pipeDrainMs?: number;
  /**
   * Whether `close()` also kills what finished cells left running in their process groups
   * (`nohup server > log &`), as closing a terminal hangs up its jobs. Default `true`.
   * Background cells are always stopped by `close()`.
   */
  killStraysOnClose?: boolean;
}

/** One shell cell to run. */
export interface ShellRunRequest {
  /** The cell's source, run unmodified in meaning (CR characters are turned into line ends). */
  command: string;
  /** Time limit; a non-finite or non-positive value means no limit. Ignored by background cells. */
  timeoutMs: number;
  /** Abort = interrupted (Ctrl-C, SIGTERM of runproof); kills the cell's process group. */
  signal?: AbortSignal;
  /** Extra variables for this call only (parameters such as `RP_PARAM_commit_sha`); never persisted. */
  env?: Record<string, string>;
  /** Per-cell shell override (`sh`, `zsh`, a path). */
  shell?: string;
  /** Per-cell directory, relative to the session directory; the session directory stays as it was. */
  cwd?: string;
  /** Start and return at once; the process runs until it ends, is stopped, or the session closes. */
  background?: boolean;
  /**
   * `ignore` (default): stdin is /dev/null and the cell runs in its own process group and session.
   * `inherit`: the cell reads runproof's stdin and stays in runproof's process group so that it can
   * use the terminal (sudo, ssh prompts); it is then killed as a process tree, not as a group.
   */
  stdin?: 'ignore' | 'inherit';
  /**
   * Stop at the first failing command, with pipefail (default true): see the bash prelude.
   * `false` runs every line whatever fails, as a plain script does (the `errexit=false` attribute).
   */
  errexit?: boolean;
  /**
   * Called when the cell's process group has started, with its id and the session's marker (the
   * value of `RUNPROOF_SESSION` in every cell's environment), so that the journal can name the
   * group and `recover` can end it if runproof dies.
   */
  onStart?: (info: { pgid: number; session: string }) => void;
  /** Run the cell inside bubblewrap (see sandbox.ts); the caller has probed that it works. */
  sandbox?: boolean;
  /**
   * Called with the value of a secret-named variable (or of one assigned into it) the moment the
   * cell creates or changes it, before the cell's next command runs (bash cells, see
   * secret-watch.ts); the name is the one to show it under. Redaction learns it here.
   */
  onSecret?: (name: string, value: string) => void;
}

/** How a shell cell ended. One shape for success and failure: failures are data, not throws. */
export const ShellOutcomeSchema = z.object({
  /** ISO 8601 time the process was started. */
  startedAt: z.string(),
  durationMs: z.number(),
  /** The shell's exit status; `null` when it was killed by a signal or never started. */
  exitCode: z.number().int().nullable(),
  /** The signal that ended the shell, e.g. `SIGKILL`. */
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  interrupted: z.boolean(),
  pid: z.number().int().optional(),
  /** Why the cell could not run at all, e.g. the shell or the directory was not found. */
  error: z.string().optional(),
  /** Things the operator should know that did not fail the cell (stray processes killed...). */
  warnings: z.array(z.string()).optional(),
  /** Line of the cell's command (1-based) where the failing-line check stopped the cell. */
  failedLine: z.number().int().optional(),
  /** True when the cell ran inside the bubblewrap sandbox. */
  sandboxed: z.boolean().optional(),
  /** True for the immediate outcome of a cell started with `background: true`. */
  background: z.boolean().optional(),
});
/** How a shell cell ended (see {@link ShellOutcomeSchema}). */
export type ShellOutcome = z.infer<typeof ShellOutcomeSchema>;

/**
 * Receives a cell's output as it arrives, chunk by chunk; nothing is buffered whole. A method may
 * return a promise: reading that stream pauses until it settles (backpressure for slow writers).
 * A sink that throws (or rejects) is a bug: the cell is killed and `run` rejects with that error.
 */
export interface OutputSink {
  onStdout(chunk: Buffer): void | Promise<void>;
  onStderr(chunk: Buffer): void | Promise<void>;
}

/** A cell started with `background: true` (or `startBackground`). */
export interface BackgroundHandle {
  /** Process id of the cell's shell, also its process group id; 0 when it could not start. */
  pid: number;
  /** Set when the cell could not start (shell or directory not found). */
  error?: string;
  /** Resolves when the cell's process has ended (by itself, by `stop()` or by `close()`). */
  done: Promise<ShellOutcome>;
  /** Kills the cell's whole process group (SIGTERM, then SIGKILL after the grace period). */
  stop(): Promise<ShellOutcome>;
}

/**
 * The shell state shared by the cells of one run, as in a terminal: exported variables, plain
 * (bash) variables and functions, and the current directory carry over from cell to cell.
 */
export interface ShellSession {
  /** Current session directory. */
  readonly cwd: string;
  /** Runs one cell to its end (or starts it, with `background: true`). Never throws for a failing command. */
  run(request: ShellRunRequest, sink: OutputSink): Promise<ShellOutcome>;
  /** Starts a cell that keeps running until it ends, is stopped, or the session closes. */
  startBackground(request: ShellRunRequest, sink: OutputSink): Promise<BackgroundHandle>;
  /** Sets an exported variable for later cells (used for `capture`). */
  setVariable(name: string, value: string): void;
  /**
   * Exported variables the session set or changed relative to its base environment (OLDPWD aside);
   * with `plain`, also the plain (not exported) bash variables cells set, arrays as `NAME[i]`
   * (redaction reads them: a secret-named variable is a secret from the moment it exists).
   */
  variables(options?: { plain?: boolean }): Record<string, string>;
  /**
   * Stops a cell still running (recorded as interrupted), kills background groups (and strays,
   * see `killStraysOnClose`), removes the state directory. Idempotent.
   */
  close(): Promise<void>;
}
