import { isSecretName, sleep, withoutRunproofSecrets } from '../core/index.js';
import type { Assertion } from '../parse/index.js';
import type { Plan, PlanStep, PlannedCheck } from '../plan/index.js';
import type {
  Attempt,
  AssertionResult,
  Counts,
  Decision,
  ExpectResult,
  JournalEventInput,
  Operator,
  OutputCapture,
  RunStatus,
  RunbookInfo,
  StepStatus,
} from '../record/index.js';
import { countStatuses } from '../record/index.js';
import { evaluateAssertions, type CheckSubject } from './checks.js';
import { checkExpected } from './expect.js';
import { createHttpClient, type HttpClient } from './http.js';
import { RUNNERS, attemptOf, failedLineOf, notRunOutcome, type RunnerContext, type RunnerResult } from './runners/index.js';
import { createShellSession } from './shell-session.js';
import type { SandboxMode, SandboxProbe } from './sandbox.js';
import type { BackgroundHandle, ShellOutcome, ShellSession } from './shell-types.js';

/** Where a run's events and output go: the record stage's bundle satisfies it. */
export interface RunSink {
  append(event: JournalEventInput): Promise<void>;
  /**
   * `onText` receives the redacted text as the capture emits it, for the live terminal view.
   * `keepText: false` when nothing reads the capture's `text()` beyond the inline output.
   */
  captureOutput(stepId: string, attempt: number, stream: 'stdout' | 'stderr', onText?: (text: string) => void, keepText?: boolean): OutputCapture;
  logPathFor(stepId: string, attempt: number, stream: 'stdout' | 'stderr'): string;
  /** Teaches redaction a value learned at run time (a captured token). */
  addSecret(name: string, value: string): void;
}

/** Why a step failed, for the operator deciding what to do next (interactive mode). */
export interface StepFailure {
  /** `failed`, `timed-out`, or `interrupted` (Ctrl-C on this cell only). */
  status: StepStatus;
  /** The number of the last attempt. */
  attempt: number;
  /** The last attempt's assertion results (passed ones too). */
  assertions: AssertionResult[];
  /** The last attempt's expected-output comparison, with its differing paths. */
  expect?: ExpectResult;
}

/**
 * What the operator is asked in interactive mode; the CLI supplies it.
 * `beforeStep` answers `edit` with the edited text in `command`: runNotebook records it, classifies
 * the edited text again and asks again (with a `notice`) when it became destructive or does not parse.
 */
export interface StepDecider {
  beforeStep(step: PlanStep, context?: { notice?: string; hosts?: string[] }): Promise<Omit<Decision, 'at'> & { command?: string }>;
  /** After a failure, timeout or Ctrl-C of one cell: `retry`, `skip`, `continue` or `quit`. */
  afterFailure?(step: PlanStep, summary: string, failure: StepFailure): Promise<Omit<Decision, 'at'>>;
  /** A fresh signal per attempt that interrupts only that attempt (Ctrl-C on one cell). */
  cellSignal?(step: PlanStep): AbortSignal;
}

/** Live progress for a terminal: the library never prints, the CLI decides how to show these. */
export interface RunProgress {
  stepStart?(step: PlanStep, index: number, total: number): void;
  /** An attempt is about to start (a spinner starts here). */
  attemptStart?(step: PlanStep, n: number): void;
  output?(step: PlanStep, stream: 'stdout' | 'stderr', text: string): void;
  /** An attempt ended (its output has been flushed). */
  attemptEnd?(step: PlanStep, n: number): void;
  stepEnd?(step: PlanStep, status: StepStatus, detail: string): void;
}

export interface RunNotebookOptions {
  plan: Plan;
  runbook: RunbookInfo;
  sink: RunSink;
  evidenceName: string;
  bundleName: string;
  operator: Operator;
  /** Directory the shell session starts in. */
  cwd: string;
  /** Base environment of the session (defaults to process.env). */
  env?: Record<string, string>;
  /** Aborting interrupts the running step (its process group is killed) and ends the run as aborted. */
  signal?: AbortSignal;
  insecure?: boolean;
  caFile?: string;
  resumedFrom?: string;
  progress?: RunProgress;
  decider?: StepDecider;
  /** Steps already completed in a resumed run: recorded as skipped with that reason. */
  alreadyDone?: Set<string>;
  /**
   * Called before each step of a run that is not a dry run, before its header is shown: the step
   * to run instead (values asked from the operator bound in), or the operator's decision not to run
   * it (`skip`, or `quit` the run). The app's `askMissing` hook is given here.
   */
  prepareStep?: (step: PlanStep) => Promise<{ step: PlanStep } | { decision: Omit<Decision, 'at'> & { action: 'skip' | 'quit' } }>;
  /** Where shell cells run instead of a local session (a remote host's session, for fleet runs). */
  session?: ShellSession;
  /** Leave `session` open at the end (a fleet run goes on with it in its next stretch of steps). */
  keepSession?: boolean;
  /** Values captured by earlier cells (`capture=`), shared with a later call that goes on with the same session. */
  captured?: Record<string, string>;
  /**
   * The bubblewrap sandbox for unattended read cells: the setting and what the probe found (see
   * `needsSandbox` and `probeSandbox`). Without it, nothing runs sandboxed.
   */
  sandbox?: { mode: SandboxMode; probe?: SandboxProbe };
}

/** Whether a step runs inside the sandbox: an unattended shell cell of risk `read`. */
export function isSandboxCandidate(plan: Plan, step: PlanStep): boolean {
  return plan.mode === 'unattended' && RUNNERS[step.kind].sandboxable && step.risk.level === 'read';
}

/** Whether a plan has cells for the sandbox under `mode` (then the run probes bwrap once). */
export function needsSandbox(plan: Plan, mode: SandboxMode): boolean {
  return mode !== 'off' && plan.steps.some((s) => isSandboxCandidate(plan, s) && s.decision.action === 'run');
}

export interface RunOutcome {
  status: RunStatus;
  counts: Counts;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

const now = (): string => new Date().toISOString();

interface StepRun {
  status: StepStatus;
  note?: string;
  /** Set when the step's own (per-cell) signal interrupted it, not the run's. */
  byOperator?: boolean;
}

/** What runStep reports beyond the status: the last attempt's number and checks. */
interface StepAttempts extends StepRun {
  lastAttempt: number;
  checks?: CheckResults;
}

const FAILING: ReadonlySet<StepStatus> = new Set(['failed', 'timed-out', 'interrupted']);

const RISK_RANK: Record<'read' | 'write' | 'destructive', number> = { read: 0, write: 1, destructive: 2 };

// The step as the operator edited it: the edited text runs, with its risk classified again.
// A string is why the edit cannot run (an HTTP request that does not parse).
export function editedStep(step: PlanStep, text: string): PlanStep | string {
  return RUNNERS[step.kind].edit(step, text);
}

/**
 * The run's status from its steps: failures first, then aborts, then "nothing could run"
 * (`blocked`: policy refused every runnable step), then "nothing ran" (`empty`: no check
 * executed at all, e.g. an empty selection): only a run that passed at least one step passes.
 */
export function runStatusFor(statuses: StepStatus[], aborted: boolean, dryRun: boolean): RunStatus {
  if (dryRun) return 'dry-run';
  if (aborted) return 'aborted';
  const counts = countStatuses(statuses);
  if (counts.failed > 0) return 'failed';
  if (counts.blocked > 0 && counts.passed === 0) return 'blocked';
  if (counts.passed === 0) return 'empty';
  return 'passed';
}

/** The run-start event of a run: what it runs, how, for whom, and the plan of every step. */
export async function runStartEvent(options: RunNotebookOptions, startedAt: string): Promise<Extract<JournalEventInput, { type: 'run-start' }>> {
  const { plan } = options;
  return {
    type: 'run-start',
    tool: { name: 'runproof', version: (await import('../core/index.js')).TOOL_VERSION },
    runbook: options.runbook,
    selection: plan.selection,
    mode: plan.mode,
    policy: plan.policy,
    operator: options.operator,
    parameters: plan.parameters.map((p) => ({
      name: p.name,
      value: p.secret ? `[REDACTED:${p.name}]` : p.value,
      source: p.source,
      secret: p.secret,
    })),
    evidenceName: options.evidenceName,
    bundleName: options.bundleName,
    ...(options.resumedFrom ? { resumedFrom: options.resumedFrom } : {}),
    startedAt,
    plan: plan.steps.map((s) => ({ id: s.id, name: s.name, kind: s.kind, risk: s.risk.level, decision: s.decision.action })),
    warnings: plan.warnings,
    ...(options.sandbox
      ? {
          sandbox: {
            mode: options.sandbox.mode,
            ...(options.sandbox.probe ? { available: options.sandbox.probe.available } : {}),
            ...(options.sandbox.probe?.reason ? { reason: options.sandbox.probe.reason } : {}),
          },
        }
      : {}),
  };
}

// Runs every step of a plan in order, emitting journal events; failures are data, never throws.
export async function runNotebook(options: RunNotebookOptions): Promise<RunOutcome> {
  const { plan, sink } = options;
  const startedAt = now();
  const started = Date.now();
  const dryRun = plan.mode === 'dry-run';
  await sink.append(await runStartEvent(options, startedAt));
  const sandboxed = (step: PlanStep): boolean =>
    options.sandbox?.mode !== undefined && options.sandbox.mode !== 'off' && options.sandbox.probe?.available === true && isSandboxCandidate(plan, step);

  // Runproof's own secrets (the signing key) never reach a cell nor a request template (SECURITY L5).
  const baseEnv = withoutRunproofSecrets(options.env ?? (process.env as Record<string, string>));
  let session: ShellSession | undefined;
  let http: HttpClient | undefined;
  const background: Array<{ step: PlanStep; handle: BackgroundHandle; stdout: OutputCapture; stderr: OutputCapture; n: number; startedAt: string }> = [];
  const statuses: StepStatus[] = [];
  let aborted = false;
  let runAll = false;
  const captured: Record<string, string> = options.captured ?? {};

  try {
    for (const [index, planned] of plan.steps.entries()) {
      if (aborted || options.signal?.aborted) {
        aborted = true;
        await startStep(sink, planned);
        await sink.append({ type: 'step-end', stepId: planned.id, status: 'not-run', note: 'the run was aborted before this step' });
        statuses.push('not-run');
        continue;
      }
      const prepared = options.prepareStep && !dryRun && !options.alreadyDone?.has(planned.id) ? await options.prepareStep(planned) : { step: planned };
      const step = 'step' in prepared ? prepared.step : planned;
      options.progress?.stepStart?.(step, index, plan.steps.length);
      await startStep(sink, step, RUNNERS[step.kind].sandboxable ? sandboxed(step) : undefined);
      const result = await (async (): Promise<StepRun> => {
        if ('decision' in prepared) {
          await decide(sink, step, prepared.decision);
          if (prepared.decision.action === 'quit') aborted = true;
          return { status: prepared.decision.action === 'quit' ? 'not-run' : 'skipped', note: prepared.decision.reason };
        }
        if (options.alreadyDone?.has(step.id)) {
          await decide(sink, step, { action: 'skip', by: 'policy', reason: 'completed in the run this one resumes' });
          return { status: 'skipped', note: 'completed in the resumed run' };
        }
        if (dryRun) {
          await decide(sink, step, { ...toDecision(step), reason: `dry run: ${step.decision.reason}` });
          return { status: 'planned', note: `dry run: would ${step.decision.action}` };
        }
        let current = step;
        if (step.decision.action === 'ask' && !(runAll && step.risk.level !== 'destructive')) {
          if (!options.decider) {
            await decide(sink, step, { action: 'block', by: 'policy', reason: 'needs an operator decision and nobody is at a terminal' });
            return { status: 'blocked', note: 'needs an operator' };
          }
          // Ask until the operator runs, skips or quits: an edit that became destructive, or that
          // does not parse, is shown and asked again.
          let notice: string | undefined;
          // The risk the operator has confirmed: an edit above it is asked again (write: y/n; destructive: the typed name).
          const confirmed = RISK_RANK[step.risk.level];
          for (;;) {
            const { command: edited, ...choice } = await options.decider.beforeStep(current, notice !== undefined ? { notice } : undefined);
            notice = undefined;
            const next = edited !== undefined ? editedStep(step, edited) : undefined;
            // The edit is recorded with what it made (source and risk): the step's record then says what ran.
            await decide(sink, step, next !== undefined && typeof next !== 'string' ? { ...choice, edit: { source: next.source, risk: next.risk } } : choice);
            if (choice.action === 'quit') {
              aborted = true;
              return { status: 'not-run', note: 'the operator quit' };
            }
            if (choice.action === 'skip' || choice.action === 'block') {
              return { status: choice.action === 'skip' ? 'skipped' : 'blocked', note: choice.reason };
            }
            if (choice.action === 'run-all') runAll = true;
            if (next === undefined) break;
            if (typeof next === 'string') {
              notice = next;
              continue;
            }
            current = next;
            // approvals (run --approval): an edit is never what was approved. It is recorded as
            // unapproved and asked again; it runs only on the operator's own confirmation.
            if (next.approval?.status === 'approved') {
              const approver = next.approval.approver;
              current = { ...next, approval: { ...next.approval, status: 'unapproved', reason: 'edited during the run: not the approved command' } };
              await decide(sink, step, { action: 'edit', by: 'policy', reason: `the edited command is not the one ${approver} approved: it runs unapproved, only on the operator's own confirmation` });
              notice = `the edited command is not approved by ${approver}: confirm it again to run it unapproved`;
              continue;
            }
            if (RISK_RANK[next.risk.level] > confirmed) {
              notice = `the edited command is ${next.risk.level} (${next.risk.reason}), more than the ${step.risk.level} you confirmed: confirm it again`;
              continue;
            }
            break;
          }
        } else if (step.decision.action === 'ask') {
          await decide(sink, step, { action: 'run', by: 'operator', reason: 'run the rest without asking (chosen earlier)' });
        } else {
          await decide(sink, step, toDecision(step));
          if (step.decision.action === 'block') return { status: 'blocked', note: step.decision.reason };
          if (step.decision.action === 'skip') return { status: 'skipped', note: step.decision.reason };
        }
        const edited = current !== step;
        let run = await runStep(current, 1);
        // Interactive: after a failure, a timeout or a Ctrl-C of this cell the operator chooses.
        while (FAILING.has(run.status) && plan.mode === 'interactive' && options.decider?.afterFailure && !options.signal?.aborted) {
          const failure: StepFailure = {
            status: run.status,
            attempt: run.lastAttempt,
            assertions: run.checks?.assertions ?? [],
            ...(run.checks?.expect ? { expect: run.checks.expect } : {}),
          };
          const choice = await options.decider.afterFailure(current, run.note ?? run.status, failure);
          await decide(sink, step, choice);
          if (choice.action === 'retry') {
            run = await runStep(current, run.lastAttempt + 1);
            continue;
          }
          if (choice.action === 'quit') {
            aborted = true;
            return { status: run.status, ...(run.note ? { note: `${run.note}; the operator quit` } : { note: 'the operator quit' }) };
          }
          if (choice.action === 'skip') return { status: 'skipped', note: `${run.note ?? run.status}; skipped by the operator` };
          return { status: run.status, byOperator: true, ...(run.note ? { note: run.note } : {}) };
        }
        const ran: StepRun = { status: run.status, ...(run.byOperator ? { byOperator: true } : {}) };
        const note = [run.note, edited ? "ran the operator's edited command" : undefined].filter(Boolean).join('; ');
        return note ? { ...ran, note } : ran;
      })();
      if (result.status === 'interrupted' && !result.byOperator) aborted = true;
      statuses.push(result.status);
      await sink.append({ type: 'step-end', stepId: step.id, status: result.status, ...(result.note ? { note: result.note } : {}) });
      options.progress?.stepEnd?.(step, result.status, result.note ?? '');
    }
  } finally {
    for (const bg of background) {
      const outcome = await bg.handle.stop();
      const attempt = await attemptOf(bg.n, bg.startedAt, outcome, bg.stdout, bg.stderr);
      await sink.append({ type: 'attempt-end', stepId: bg.step.id, attempt });
    }
    if (!(options.keepSession && session === options.session)) await session?.close();
    await http?.close();
  }

  const endedAt = now();
  const status = runStatusFor(statuses, aborted || options.signal?.aborted === true, dryRun);
  const counts = countStatuses(statuses);
  const durationMs = Date.now() - started;
  await sink.append({ type: 'run-end', status, endedAt, durationMs, counts });
  return { status, counts, startedAt, endedAt, durationMs };

  async function getSession(): Promise<ShellSession> {
    // --env-file and --set values reach only the cells that name them (valuesReadBy, per step).
    session ??= options.session ?? await createShellSession({ cwd: options.cwd, env: baseEnv });
    return session;
  }

  function getHttp(): HttpClient {
    http ??= createHttpClient({ ...(options.insecure ? { insecure: true } : {}), ...(options.caFile ? { caFile: options.caFile } : {}) });
    return http;
  }

  // Keeps a captured value for later cells and requests; a string is why it cannot be kept.
  async function captureInto(name: string, value: string): Promise<string | undefined> {
    const problem = captureProblem(name, value);
    if (problem !== undefined) return problem;
    try {
      (await getSession()).setVariable(name, value);
    } catch (error) {
      return `the output could not be captured into ${name}: ${errorText(error)}`;
    }
    captured[name] = value;
    if (isSecretName(name)) sink.addSecret(name, value);
    return undefined;
  }

  // What the runners may use of this run.
  function runnerContext(): RunnerContext {
    return {
      plan,
      baseEnv,
      captured,
      session: getSession,
      openSession: () => session,
      cwd: () => session?.cwd ?? options.cwd,
      remote: options.session !== undefined,
      http: getHttp,
      sandboxed,
      addSecret: (name, value) => sink.addSecret(name, value),
    };
  }

  // One step, with its retries: every attempt and every check is an event. Attempts are numbered
  // from `firstN` (an operator's retry continues the numbering, so logs never collide).
  async function runStep(step: PlanStep, firstN: number): Promise<StepAttempts> {
    const attempts = step.retry + 1;
    let last: StepAttempts = { status: 'failed', lastAttempt: firstN };
    for (let n = firstN; n < firstN + attempts; n++) {
      // The run's signal, joined with this attempt's own (Ctrl-C on one cell) when there is one.
      const cellSignal = options.decider?.cellSignal?.(step);
      const signal = cellSignal ? (options.signal ? AbortSignal.any([options.signal, cellSignal]) : cellSignal) : options.signal;
      const interrupted = (note: string): StepAttempts =>
        cellSignal?.aborted && !options.signal?.aborted
          ? { status: 'interrupted', note: 'interrupted by the operator (Ctrl-C): its process group was killed', byOperator: true, lastAttempt: Math.max(firstN, n - 1) }
          : { status: 'interrupted', note, lastAttempt: Math.max(firstN, n - 1) };
      if (n > firstN) {
        await sleep(step.intervalMs, signal);
        if (signal?.aborted) return interrupted('interrupted while waiting to retry');
        await decide(sink, step, { action: 'retry', by: 'policy', reason: `retry=${step.retry}: attempt ${n - firstN + 1} of ${attempts}` });
      }
      const attemptStart = now();
      await sink.append({
        type: 'attempt-start',
        stepId: step.id,
        n,
        startedAt: attemptStart,
        logs: { stdout: sink.logPathFor(step.id, n, 'stdout'), stderr: sink.logPathFor(step.id, n, 'stderr') },
      });
      options.progress?.attemptStart?.(step, n);
      // The terminal shows the capture's own redacted text: one redaction pass, and the screen matches the evidence.
      const show = (stream: 'stdout' | 'stderr') =>
        options.progress?.output ? (text: string) => options.progress?.output?.(step, stream, text) : undefined;
      // Only assertions, expected output and `capture` read the text of the whole output: without
      // them the capture keeps no 8 MiB copy of a big output in memory (the log has all of it).
      const keepText = step.checks.length > 0 || step.capture !== undefined;
      const stdout = sink.captureOutput(step.id, n, 'stdout', show('stdout'), keepText);
      const stderr = sink.captureOutput(step.id, n, 'stderr', show('stderr'), keepText);
      const tee = (capture: OutputCapture) => (chunk: Buffer) => capture.write(chunk);
      const sinkFor = { onStdout: tee(stdout), onStderr: tee(stderr) };

      let processStart: Promise<void> | undefined;
      const runner = RUNNERS[step.kind];
      const context = runnerContext();
      const input = {
        step,
        n,
        startedAt: attemptStart,
        ...(signal ? { signal } : {}),
        output: sinkFor,
        // Journaled at once so that `recover` can end the group if runproof is killed mid-cell.
        onProcessStart: ({ pgid, session }: { pgid: number; session: string }) => {
          processStart = sink.append({ type: 'process-start', stepId: step.id, attempt: n, pgid, session });
        },
      };
      let result: RunnerResult;
      try {
        result = await runner.run(context, input);
      } catch (error) {
        // A runner throws only for a bug; the run records it as this attempt's failure and goes on.
        result = { outcome: notRunOutcome(attemptStart, `runproof could not run the cell: ${errorText(error)}`) };
      }
      if (result.background) {
        background.push({ step, handle: result.background, stdout, stderr, n, startedAt: attemptStart });
        options.progress?.attemptEnd?.(step, n);
        return { status: 'passed', note: `started in the background (pid ${result.background.pid}); stopped when the run ends, output in its log`, lastAttempt: n };
      }
      const { outcome, http: exchange, promql: promqlData, skipped: skippedReason } = result;
      const end = expectedEnd(step, outcome, cellSignal?.aborted === true && options.signal?.aborted !== true);
      try {
        runner.afterAttempt?.(context, step);
      } catch (error) {
        outcome.warnings = [...(outcome.warnings ?? []), `runproof could not read the session's variables: ${errorText(error)}`];
      }
      await processStart?.catch(() => undefined);
      // Ending the captures shows what redaction held back before the attempt is over on screen.
      await Promise.allSettled([stdout.end(), stderr.end()]);
      options.progress?.attemptEnd?.(step, n);
      // end() flushes what streaming redaction held back: only then is text() the whole output.
      const attempt = await attemptOf(n, attemptStart, outcome, stdout, stderr, { ...(exchange ? { http: exchange } : {}), step, ...(end ? { end } : {}) });
      const stdoutText = stdout.text();
      const stderrText = stderr.text();
      await sink.append({ type: 'attempt-end', stepId: step.id, attempt });

      if (skippedReason) return { status: 'skipped', note: skippedReason, lastAttempt: n };
      if (outcome.interrupted && end === undefined) return { ...interrupted('interrupted (Ctrl-C or signal): its process group was killed'), lastAttempt: n };

      const subject: CheckSubject = { exitCode: outcome.exitCode, durationMs: outcome.durationMs, stdout: stdoutText, stderr: stderrText };
      if (exchange?.response) {
        subject.http = {
          status: exchange.response.status,
          headers: exchange.response.headers,
          body: exchange.response.body,
          ...(exchange.response.json !== undefined ? { json: exchange.response.json } : {}),
          ...(exchange.tls?.certificate ? { certificate: exchange.tls.certificate } : {}),
        };
      }
      if (promqlData) subject.promql = promqlData;
      const checked = runChecks(step.checks, subject);
      if (step.checks.length > 0) {
        await sink.append({ type: 'assertions', stepId: step.id, attempt: n, assertions: checked.assertions, ...(checked.expect ? { expect: checked.expect } : {}) });
      }
      const verdict = judge(step, outcome, checked, end);
      // A value no environment variable can hold is a failed step, with the output kept as
      // evidence, rather than a value silently cut short or one that stops every later cell.
      const captureError = verdict.passed && step.capture ? await captureInto(step.capture, stdoutText.trim()) : undefined;
      if (captureError !== undefined) {
        last = { status: 'failed', lastAttempt: n, checks: checked, note: captureError };
        continue;
      }
      if (verdict.passed) {
        return { status: 'passed', lastAttempt: n, checks: checked, ...(verdict.note ? { note: verdict.note } : {}) };
      }
      last = { status: outcome.timedOut && end === undefined ? 'timed-out' : 'failed', lastAttempt: n, checks: checked, ...(verdict.note ? { note: verdict.note } : {}) };
      if (signal?.aborted && end === undefined) return { ...interrupted('interrupted'), lastAttempt: n, checks: checked };
    }
    return last;
  }
}

function toDecision(step: PlanStep): Omit<Decision, 'at'> {
  const action = step.decision.action === 'ask' ? 'run' : step.decision.action;
  return { action, by: step.decision.by, reason: step.decision.reason };
}

async function startStep(sink: RunSink, step: PlanStep, sandboxed?: boolean): Promise<void> {
  await sink.append({
    type: 'step-start',
    step: {
      id: step.id,
      name: step.name,
      sectionPath: step.sectionPath,
      sectionId: step.sectionId,
      line: step.line,
      kind: step.kind,
      risk: step.risk,
      source: step.display,
      ...(step.command !== step.display ? { boundCommand: step.command } : {}),
      ...(step.approval ? { approval: step.approval } : {}),
      ...(step.host ? { host: step.host } : {}),
      ...(sandboxed !== undefined ? { sandboxed } : {}),
    },
  });
}

async function decide(sink: RunSink, step: PlanStep, decision: Omit<Decision, 'at'>): Promise<void> {
  await sink.append({ type: 'decision', stepId: step.id, decision: { ...decision, at: now() } });
}

interface CheckResults {
  assertions: AssertionResult[];
  expect?: ExpectResult;
}

function runChecks(checks: PlannedCheck[], subject: CheckSubject): CheckResults {
  const assertions: AssertionResult[] = [];
  let expect: ExpectResult | undefined;
  for (const check of checks) {
    if (check.kind === 'assert') {
      const outcomes = evaluateAssertions((check.assertions ?? []) as Assertion[], subject);
      for (const o of outcomes) assertions.push({ ...o, line: Math.max(1, o.line) });
    } else {
      const actual = subject.http ? subject.http.body : subject.stdout;
      const result = checkExpected(check.expectText ?? '', check.expectFormat ?? 'json', actual);
      // JSON drops undefined: keep only the keys that have values, so the journal reads back as written.
      const diffs = result.diffs.map((d) => ({
        path: d.path,
        ...(d.expected !== undefined ? { expected: d.expected } : {}),
        ...(d.actual !== undefined ? { actual: d.actual } : {}),
        ...(d.message !== undefined ? { message: d.message } : {}),
      }));
      expect = expect ? { passed: expect.passed && result.passed, diffs: [...expect.diffs, ...diffs] } : { passed: result.passed, diffs };
    }
  }
  return expect ? { assertions, expect } : { assertions };
}

// Whether an attempt passed: its exit status (or HTTP outcome), then every assertion and expected output.
function judge(step: PlanStep, outcome: ShellOutcome, checks: CheckResults, end?: AttemptEnd): { passed: boolean; note?: string } {
  const reasons: string[] = [];
  if (outcome.error) reasons.push(outcome.error);
  else if (end !== undefined) {
    // A command that runs until interrupted ended as expected: its exit status says nothing.
  } else if (outcome.timedOut) reasons.push(`timed out after ${step.timeoutMs} ms; its process group was killed`);
  else if (RUNNERS[step.kind].judgesExitCode && outcome.exitCode !== step.expectExit && !step.allowFailure) {
    reasons.push(outcome.exitCode === null ? `ended by ${outcome.signal ?? 'a signal'}` : `exit code ${outcome.exitCode}, expected ${step.expectExit}`);
    if (outcome.failedLine !== undefined) {
      const failed = failedLineOf(step, outcome.failedLine);
      reasons.push(`stopped at line ${failed.line}: ${failed.text}`);
    }
  }
  const failedAssertions = checks.assertions.filter((a) => !a.passed);
  if (failedAssertions.length > 0) reasons.push(`${failedAssertions.length} assertion(s) failed: ${failedAssertions.map((a) => a.text).join('; ')}`);
  if (checks.expect && !checks.expect.passed) {
    const shown = checks.expect.diffs.slice(0, 3).map((d) => (d.message ? `${d.path}: ${d.message}` : d.path));
    reasons.push(`expected output differs: ${shown.join('; ')}${checks.expect.diffs.length > 3 ? ` (and ${checks.expect.diffs.length - 3} more)` : ''}`);
  }
  if (reasons.length === 0 && end !== undefined) {
    const how = end === 'expected-timeout' ? `ran until its timeout (${step.timeoutMs} ms)` : 'stopped by the operator (Ctrl-C)';
    return { passed: true, note: `${how}, the expected end: ${step.endless ?? 'it runs until interrupted'}` };
  }
  if (reasons.length === 0) {
    return step.allowFailure && outcome.exitCode !== step.expectExit ? { passed: true, note: `exit code ${outcome.exitCode} allowed (allowFailure)` } : { passed: true };
  }
  return { passed: false, note: reasons.join('; ') };
}

// Linux refuses to start a program with one environment string longer than this (MAX_ARG_STRLEN,
// 32 pages, counting `NAME=` and the final NUL): every later cell would fail with E2BIG.
const MAX_ENV_STRING_BYTES = 128 * 1024;

// Why a value cannot be captured into an environment variable, or undefined when it can.
export function captureProblem(name: string, value: string): string | undefined {
  const nulAt = value.indexOf('\0');
  if (nulAt !== -1) return `the output captured into ${name} holds a NUL byte (at character ${nulAt}), which a shell variable cannot hold; nothing was captured`;
  const bytes = Buffer.byteLength(`${name}=${value}`) + 1;
  if (bytes > MAX_ENV_STRING_BYTES) {
    return `the output captured into ${name} is ${bytes} bytes, more than the ${MAX_ENV_STRING_BYTES} bytes an environment variable can hold (later cells could not start); nothing was captured`;
  }
  return undefined;
}

type AttemptEnd = NonNullable<Attempt['end']>;

// How a command that runs until interrupted ended, when that end is the expected one: at its
// timeout, or by the operator's Ctrl-C on this cell (not the run's abort). Undefined otherwise.
function expectedEnd(step: PlanStep, outcome: ShellOutcome, stoppedByOperator: boolean): AttemptEnd | undefined {
  if (step.endless === undefined || outcome.error) return undefined;
  if (outcome.timedOut) return 'expected-timeout';
  if (outcome.interrupted && stoppedByOperator) return 'stopped-by-operator';
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
