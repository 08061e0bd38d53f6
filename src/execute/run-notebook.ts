import type { Assertion } from '../parse/index.js';
import { substituteTemplateVars } from '../parse/http-request.js';
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
import { evaluateAssertions, type CheckSubject } from './checks.js';
import { checkExpected } from './expect.js';
import { createHttpClient, type HttpClient } from './http.js';
import type { HttpExchange } from './http-types.js';
import { runPromqlBlock } from './promql.js';
import { createShellSession } from './shell-session.js';
import type { BackgroundHandle, ShellOutcome, ShellSession } from './shell-types.js';

/** Where a run's events and output go: the record stage's bundle satisfies it. */
export interface RunSink {
  append(event: JournalEventInput): Promise<void>;
  captureOutput(stepId: string, attempt: number, stream: 'stdout' | 'stderr'): OutputCapture;
  logPathFor(stepId: string, attempt: number, stream: 'stdout' | 'stderr'): string;
  /** Redacts text shown live on the terminal, so the screen matches the evidence. */
  redactStream(): { push(text: string): string; flush(): string };
  /** Teaches redaction a value learned at run time (a captured token). */
  addSecret(name: string, value: string): void;
}

/** What the operator is asked before a step in interactive mode; the CLI supplies it. */
export interface StepDecider {
  beforeStep(step: PlanStep): Promise<Omit<Decision, 'at'> & { command?: string }>;
  afterFailure?(step: PlanStep, summary: string): Promise<Omit<Decision, 'at'>>;
}

/** Live progress for a terminal: the library never prints, the CLI decides how to show these. */
export interface RunProgress {
  stepStart?(step: PlanStep, index: number, total: number): void;
  output?(step: PlanStep, stream: 'stdout' | 'stderr', text: string): void;
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
}

export interface RunOutcome {
  status: RunStatus;
  counts: Counts;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

const now = (): string => new Date().toISOString();

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface StepRun {
  status: StepStatus;
  note?: string;
}

function emptyCounts(): Counts {
  return { total: 0, passed: 0, failed: 0, blocked: 0, skipped: 0, notRun: 0 };
}

/** Folds step statuses into the counts the record and the summary show. */
export function countStatuses(statuses: StepStatus[]): Counts {
  const counts = emptyCounts();
  for (const status of statuses) {
    counts.total += 1;
    if (status === 'passed') counts.passed += 1;
    else if (status === 'failed' || status === 'timed-out' || status === 'interrupted') counts.failed += 1;
    else if (status === 'blocked') counts.blocked += 1;
    else if (status === 'skipped') counts.skipped += 1;
    else counts.notRun += 1;
  }
  return counts;
}

/** The run's status from its steps: failures first, then aborts, then "nothing could run". */
export function runStatusFor(statuses: StepStatus[], aborted: boolean, dryRun: boolean): RunStatus {
  if (dryRun) return 'dry-run';
  if (aborted) return 'aborted';
  const counts = countStatuses(statuses);
  if (counts.failed > 0) return 'failed';
  if (counts.blocked > 0 && counts.passed === 0) return 'blocked';
  return 'passed';
}

// Runs every step of a plan in order, emitting journal events; failures are data, never throws.
export async function runNotebook(options: RunNotebookOptions): Promise<RunOutcome> {
  const { plan, sink } = options;
  const startedAt = now();
  const started = Date.now();
  const dryRun = plan.mode === 'dry-run';
  await sink.append({
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
      source: p.source === 'environment' ? 'flag' : p.source,
      secret: p.secret,
    })),
    evidenceName: options.evidenceName,
    bundleName: options.bundleName,
    ...(options.resumedFrom ? { resumedFrom: options.resumedFrom } : {}),
    startedAt,
    plan: plan.steps.map((s) => ({ id: s.id, name: s.name, kind: s.kind, risk: s.risk.level, decision: s.decision.action })),
    warnings: plan.warnings,
  });

  const baseEnv = options.env ?? (process.env as Record<string, string>);
  let session: ShellSession | undefined;
  let http: HttpClient | undefined;
  const background: Array<{ step: PlanStep; handle: BackgroundHandle; stdout: OutputCapture; stderr: OutputCapture; n: number; startedAt: string }> = [];
  const statuses: StepStatus[] = [];
  let aborted = false;
  let runAll = false;
  const captured: Record<string, string> = {};

  try {
    for (const [index, step] of plan.steps.entries()) {
      if (aborted || options.signal?.aborted) {
        aborted = true;
        await startStep(sink, step);
        await sink.append({ type: 'step-end', stepId: step.id, status: 'not-run', note: 'the run was aborted before this step' });
        statuses.push('not-run');
        continue;
      }
      options.progress?.stepStart?.(step, index, plan.steps.length);
      await startStep(sink, step);
      const result = await (async (): Promise<StepRun> => {
        if (options.alreadyDone?.has(step.id)) {
          await decide(sink, step, { action: 'skip', by: 'policy', reason: 'completed in the run this one resumes' });
          return { status: 'skipped', note: 'completed in the resumed run' };
        }
        if (dryRun) {
          await decide(sink, step, { ...toDecision(step), reason: `dry run: ${step.decision.reason}` });
          return { status: 'planned', note: `dry run: would ${step.decision.action}` };
        }
        let command = step.command;
        if (step.decision.action === 'ask' && !(runAll && step.risk.level !== 'destructive')) {
          if (!options.decider) {
            await decide(sink, step, { action: 'block', by: 'policy', reason: 'needs an operator decision and nobody is at a terminal' });
            return { status: 'blocked', note: 'needs an operator' };
          }
          const choice = await options.decider.beforeStep(step);
          await decide(sink, step, choice);
          if (choice.action === 'quit') {
            aborted = true;
            return { status: 'not-run', note: 'the operator quit' };
          }
          if (choice.action === 'skip' || choice.action === 'block') return { status: choice.action === 'skip' ? 'skipped' : 'blocked' };
          if (choice.action === 'run-all') runAll = true;
          if (choice.command !== undefined) command = choice.command;
        } else if (step.decision.action === 'ask') {
          await decide(sink, step, { action: 'run', by: 'operator', reason: 'run the rest without asking (chosen earlier)' });
        } else {
          await decide(sink, step, toDecision(step));
          if (step.decision.action === 'block') return { status: 'blocked', note: step.decision.reason };
          if (step.decision.action === 'skip') return { status: 'skipped', note: step.decision.reason };
        }
        return runStep(step, command);
      })();
      if (result.status === 'interrupted') aborted = true;
      statuses.push(result.status);
      await sink.append({ type: 'step-end', stepId: step.id, status: result.status, ...(result.note ? { note: result.note } : {}) });
      options.progress?.stepEnd?.(step, result.status, result.note ?? '');
    }
  } finally {
    for (const bg of background) {
      const outcome = await bg.handle.stop();
      const attempt = await finishAttempt(bg.n, bg.startedAt, outcome, bg.stdout, bg.stderr);
      await sink.append({ type: 'attempt-end', stepId: bg.step.id, attempt });
    }
    await session?.close();
    await http?.close();
  }

  const endedAt = now();
  const status = runStatusFor(statuses, aborted || options.signal?.aborted === true, dryRun);
  const counts = countStatuses(statuses);
  const durationMs = Date.now() - started;
  await sink.append({ type: 'run-end', status, endedAt, durationMs, counts });
  return { status, counts, startedAt, endedAt, durationMs };

  async function getSession(): Promise<ShellSession> {
    session ??= await createShellSession({ cwd: options.cwd, env: { ...baseEnv, ...plan.env } });
    return session;
  }

  function getHttp(): HttpClient {
    http ??= createHttpClient({ ...(options.insecure ? { insecure: true } : {}), ...(options.caFile ? { caFile: options.caFile } : {}) });
    return http;
  }

  // One step, with its retries: every attempt and every check is an event.
  async function runStep(step: PlanStep, command: string): Promise<StepRun> {
    const attempts = step.retry + 1;
    let last: StepRun = { status: 'failed' };
    for (let n = 1; n <= attempts; n++) {
      if (n > 1) {
        await sleep(step.intervalMs, options.signal);
        if (options.signal?.aborted) return { status: 'interrupted', note: 'interrupted while waiting to retry' };
        await decide(sink, step, { action: 'retry', by: 'policy', reason: `retry=${step.retry}: attempt ${n} of ${attempts}` });
      }
      const attemptStart = now();
      await sink.append({
        type: 'attempt-start',
        stepId: step.id,
        n,
        startedAt: attemptStart,
        logs: { stdout: sink.logPathFor(step.id, n, 'stdout'), stderr: sink.logPathFor(step.id, n, 'stderr') },
      });
      const stdout = sink.captureOutput(step.id, n, 'stdout');
      const stderr = sink.captureOutput(step.id, n, 'stderr');
      const live = { stdout: sink.redactStream(), stderr: sink.redactStream() };
      const tee = (stream: 'stdout' | 'stderr', capture: OutputCapture) => (chunk: Buffer) => {
        capture.write(chunk);
        if (options.progress?.output) {
          const text = live[stream].push(chunk.toString('utf8'));
          if (text) options.progress.output(step, stream, text);
        }
      };
      const sinkFor = { onStdout: tee('stdout', stdout), onStderr: tee('stderr', stderr) };

      let outcome: ShellOutcome;
      let exchange: HttpExchange | undefined;
      let promqlData: CheckSubject['promql'];
      let skippedReason: string | undefined;
      if (step.kind === 'shell') {
        const shell = await getSession();
        const request = {
          command,
          timeoutMs: step.timeoutMs,
          env: step.env,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(step.shell ? { shell: step.shell } : {}),
          ...(step.cwd ? { cwd: step.cwd } : {}),
        };
        if (step.background) {
          const handle = await shell.startBackground(request, sinkFor);
          if (!handle.error) {
            background.push({ step, handle, stdout, stderr, n, startedAt: attemptStart });
            return { status: 'passed', note: `started in the background (pid ${handle.pid}); stopped when the run ends, output in its log` };
          }
          outcome = { startedAt: attemptStart, durationMs: 0, exitCode: null, signal: null, timedOut: false, interrupted: false, error: handle.error };
        } else {
          outcome = await shell.run(request, sinkFor);
        }
      } else if (step.kind === 'http' && step.http) {
        const values = { ...baseEnv, ...plan.env, ...Object.fromEntries(plan.parameters.map((p) => [p.name, p.value])), ...captured };
        const { spec, missing } = substituteTemplateVars(step.http, values);
        const began = Date.now();
        if (missing.length > 0) {
          outcome = {
            startedAt: attemptStart,
            durationMs: 0,
            exitCode: null,
            signal: null,
            timedOut: false,
            interrupted: false,
            error: `no value for {{${missing.join('}}, {{')}}}: give it with --set NAME=value; the request was not sent`,
          };
        } else {
        exchange = await getHttp().send(spec, { timeoutMs: step.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
        if (exchange.response) sinkFor.onStdout(Buffer.from(exchange.response.body, 'utf8'));
        outcome = {
          startedAt: attemptStart,
          durationMs: exchange.timings.totalMs ?? Date.now() - began,
          exitCode: exchange.error ? null : 0,
          signal: null,
          timedOut: exchange.error?.code === 'TIMEOUT',
          interrupted: exchange.error?.code === 'ABORTED',
          ...(exchange.error ? { error: exchange.error.message } : {}),
        };
        }
      } else if (step.kind === 'promql') {
        const began = Date.now();
        const baseUrl = baseEnv.PROMETHEUS_URL ?? plan.env.PROMETHEUS_URL;
        const results = await runPromqlBlock(step.source, { ...(baseUrl ? { baseUrl } : {}), client: getHttp(), timeoutMs: step.timeoutMs });
        const errors = results.filter((r) => r.error).map((r) => `${r.query}: ${r.error}`);
        skippedReason = results.find((r) => r.skipped)?.skipped;
        sinkFor.onStdout(Buffer.from(`${JSON.stringify(results.map((r) => ({ query: r.query, data: r.data, error: r.error, skipped: r.skipped })), null, 2)}\n`));
        const first = results.find((r) => r.data);
        if (first?.data) promqlData = first.data;
        outcome = {
          startedAt: attemptStart,
          durationMs: Date.now() - began,
          exitCode: errors.length > 0 ? 1 : 0,
          signal: null,
          timedOut: false,
          interrupted: options.signal?.aborted === true,
          ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
        };
      } else {
        outcome = { startedAt: attemptStart, durationMs: 0, exitCode: null, signal: null, timedOut: false, interrupted: false, error: `cannot run a ${step.kind} cell` };
      }
      for (const [stream, text] of [['stdout', live.stdout.flush()], ['stderr', live.stderr.flush()]] as const) {
        if (text && options.progress?.output) options.progress.output(step, stream, text);
      }
      const stdoutText = stdout.text();
      const stderrText = stderr.text();
      const attempt = await finishAttempt(n, attemptStart, outcome, stdout, stderr, exchange);
      await sink.append({ type: 'attempt-end', stepId: step.id, attempt });

      if (skippedReason) return { status: 'skipped', note: skippedReason };
      if (outcome.interrupted) return { status: 'interrupted', note: 'interrupted (Ctrl-C or signal): its process group was killed' };

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
      const verdict = judge(step, outcome, checked);
      if (verdict.passed) {
        if (step.capture) {
          const value = stdoutText.trim();
          captured[step.capture] = value;
          (await getSession()).setVariable(step.capture, value);
          if (/TOKEN|SECRET|PASSWORD|PASSWD|KEY|AUTH/i.test(step.capture)) sink.addSecret(step.capture, value);
        }
        return { status: 'passed', ...(verdict.note ? { note: verdict.note } : {}) };
      }
      last = { status: outcome.timedOut ? 'timed-out' : 'failed', note: verdict.note };
      if (options.signal?.aborted) return { status: 'interrupted', note: 'interrupted' };
    }
    return last;
  }
}

function toDecision(step: PlanStep): Omit<Decision, 'at'> {
  const action = step.decision.action === 'ask' ? 'run' : step.decision.action;
  return { action, by: step.decision.by, reason: step.decision.reason };
}

async function startStep(sink: RunSink, step: PlanStep): Promise<void> {
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
    },
  });
}

async function decide(sink: RunSink, step: PlanStep, decision: Omit<Decision, 'at'>): Promise<void> {
  await sink.append({ type: 'decision', stepId: step.id, decision: { ...decision, at: now() } });
}

async function finishAttempt(
  n: number,
  startedAt: string,
  outcome: ShellOutcome,
  stdout: OutputCapture,
  stderr: OutputCapture,
  exchange?: HttpExchange,
): Promise<Attempt> {
  return {
    n,
    startedAt,
    durationMs: Math.max(0, Math.round(outcome.durationMs)),
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    timedOut: outcome.timedOut,
    interrupted: outcome.interrupted,
    stdout: await stdout.end(),
    stderr: await stderr.end(),
    ...(exchange ? { http: exchange } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
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
function judge(step: PlanStep, outcome: ShellOutcome, checks: CheckResults): { passed: boolean; note?: string } {
  const reasons: string[] = [];
  if (outcome.error) reasons.push(outcome.error);
  else if (outcome.timedOut) reasons.push(`timed out after ${step.timeoutMs} ms; its process group was killed`);
  else if (step.kind === 'shell' && outcome.exitCode !== step.expectExit && !step.allowFailure) {
    reasons.push(outcome.exitCode === null ? `ended by ${outcome.signal ?? 'a signal'}` : `exit code ${outcome.exitCode}, expected ${step.expectExit}`);
  }
  const failedAssertions = checks.assertions.filter((a) => !a.passed);
  if (failedAssertions.length > 0) reasons.push(`${failedAssertions.length} assertion(s) failed: ${failedAssertions.map((a) => a.text).join('; ')}`);
  if (checks.expect && !checks.expect.passed) {
    const shown = checks.expect.diffs.slice(0, 3).map((d) => (d.message ? `${d.path}: ${d.message}` : d.path));
    reasons.push(`expected output differs: ${shown.join('; ')}${checks.expect.diffs.length > 3 ? ` (and ${checks.expect.diffs.length - 3} more)` : ''}`);
  }
  if (reasons.length === 0) {
    return step.allowFailure && outcome.exitCode !== step.expectExit ? { passed: true, note: `exit code ${outcome.exitCode} allowed (allowFailure)` } : { passed: true };
  }
  return { passed: false, note: reasons.join('; ') };
}
