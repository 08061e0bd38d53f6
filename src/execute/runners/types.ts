import type { Plan, PlanStep } from '../../plan/index.js';
import type { HttpClient } from '../http.js';
import type { HttpExchange, PromqlData } from '../http-types.js';
import type { BackgroundHandle, OutputSink, ShellOutcome, ShellSession } from '../shell-types.js';

/** What a runner may use of the run: its plan, environment, values captured so far, and the shared clients. */
export interface RunnerContext {
  plan: Plan;
  /** The run's base environment, without runproof's own secrets. */
  baseEnv: Record<string, string>;
  /** Values captured by earlier steps (`capture=NAME`). */
  captured: Readonly<Record<string, string>>;
  /** The run's shell session, started on first use. */
  session(): Promise<ShellSession>;
  /** The session when one was started (nothing is started to answer). */
  openSession(): ShellSession | undefined;
  /** The session's current directory (where the run started, before any session exists). */
  cwd(): string;
  /** True when shell cells run on another host (fleet): programs runproof starts itself would run here instead. */
  remote: boolean;
  /** The run's HTTP client, shared by http and promql cells (kept-alive connections). */
  http(): HttpClient;
  /** Whether this step runs inside the bubblewrap sandbox. */
  sandboxed(step: PlanStep): boolean;
  /** Teaches redaction a value learned at run time. */
  addSecret(name: string, value: string): void;
}

/** One attempt of one step, as the step loop hands it to the step's runner. */
export interface AttemptInput {
  step: PlanStep;
  n: number;
  /** ISO time the attempt started (its attempt-start event). */
  startedAt: string;
  /** Interrupts this attempt (the run's signal joined with the cell's own). */
  signal?: AbortSignal;
  /** Where the attempt's output goes (the step's captures). */
  output: OutputSink;
  /** A process group started: journaled at once so that `recover` can end it. */
  onProcessStart(info: { pgid: number; session: string }): void;
}

/** What one attempt produced. One shape for every kind; failures are data in `outcome`. */
export interface RunnerResult {
  outcome: ShellOutcome;
  /** The HTTP exchange of an http cell (recorded as `Attempt.http`, checked by assertions). */
  http?: HttpExchange;
  /** The first query's data of a promql cell, for assertions. */
  promql?: PromqlData;
  /** Set when the cell could not be run for a reason that is not a failure (no Prometheus configured). */
  skipped?: string;
  /** A background cell that started: it runs until the run ends. */
  background?: BackgroundHandle;
}

/** How one kind of cell runs. The table of runners (`index.ts`) is keyed by every runnable kind. */
export interface Runner {
  /** Runs one attempt. Throws only for a bug: the step loop records a throw as a failed attempt. */
  run(context: RunnerContext, input: AttemptInput): Promise<RunnerResult>;
  /** Called after every attempt (the shell runner learns the secret-named variables the cell set). */
  afterAttempt?(context: RunnerContext, step: PlanStep): void;
  /** The step as the operator edited it, its risk classified again; a string is why the edit cannot run. */
  edit(step: PlanStep, text: string): PlanStep | string;
  /** Whether the attempt's exit code is judged against the step's `expectExit`. */
  judgesExitCode: boolean;
  /** Whether an unattended read cell of this kind runs inside the sandbox. */
  sandboxable: boolean;
}
