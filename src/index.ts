/**
 * runproof's library surface: the same operations as the CLI, typed, for other tools to embed.
 * This is the package's only entry point (`import ... from 'runproof'`); deep imports are closed
 * by `exports` in package.json.
 *
 * The pipeline, one function per stage, plain data between them:
 *
 * ```ts
 * import { parseRunbook, planRun, runRunbook, verifyBundle, renderReports } from 'runproof';
 *
 * const notebook = parseRunbook(text, { path: 'ops/roxy.md' });            // text → Notebook
 * const plan = planRun(notebook, { sections: ['2'], mode: 'unattended' }); // → Plan (pure)
 * const run = await runRunbook({ runbookPath: 'ops/roxy.md', sections: ['2'], mode: 'unattended' });
 * const check = await verifyBundle(run.bundleDir);                          // hashes, chain, signature
 * const { html } = await renderReports(run.record);                         // record → reports
 * ```
 *
 * The library never prints. Bad input throws a {@link RunproofError} with a stable `code`;
 * a failing step, a refused connection or a failed assertion is data in the result.
 * @packageDocumentation
 */
import { isRunproofError as isRunproofErrorImpl } from './core/index.js';
import { runNotebook as runNotebookImpl } from './execute/index.js';

// Errors and shared small things.
export { RunproofError, formatDiagnostic } from './core/index.js';

/**
 * Whether a value is a {@link RunproofError} (an `instanceof` check): the
 * check to use before reading `code`, `hint`, `file` and `span`.
 * @example
 * try { parseRunbook(text, { path }); } catch (error) { if (isRunproofError(error)) console.error(error.code, error.hint); }
 */
export const isRunproofError: typeof isRunproofErrorImpl = isRunproofErrorImpl;
export type { ErrorCode, WarningCode, Span, RunproofErrorOptions } from './core/index.js';
export { TOOL_NAME, TOOL_VERSION } from './core/index.js';

// Parse: Markdown text → Notebook (pure).
export { parseRunbook, lintRunbook } from './parse/index.js';
export type { ParseOptions } from './parse/index.js';
export type * from './parse/types.js';

// Plan: Notebook + selection + values + policy → Plan (pure).
export { planRun } from './plan/index.js';
export type { PlanOptions, PlanResult, Plan, PlanStep, PlannedCheck, PlannedDecision, GivenValue, Mode, Policy, Selection } from './plan/index.js';

// Execute: Plan → journal events and results.
export type { RunNotebookOptions, RunOutcome, RunProgress, RunSink, StepDecider } from './execute/index.js';

/**
 * Runs every step of a plan in document order, one shared shell session, emitting journal events
 * into `sink` as they happen (the record stage's bundle is one sink). Never throws for a failing
 * command, a refused connection or a failed assertion: those are step statuses in the events.
 * Most callers want {@link runRunbook}, which opens the bundle, runs, and seals it.
 * @example
 * const outcome = await runNotebook({ plan, runbook, sink, evidenceName: 'daily', bundleName: 'daily_20260122_101500',
 *   operator: { user: 'ops', host: 'web-1' }, cwd: process.cwd() });
 * outcome.status; // 'passed' | 'failed' | 'aborted' | ...
 */
export const runNotebook: typeof runNotebookImpl = runNotebookImpl;

// The whole run, as `runproof run` does it: parse → plan → run → record → reports → seal.
export { runRunbook } from './app/run-runbook.js';
export type { RunRunbookOptions, RunRunbookResult } from './app/run-runbook.js';

// Record: the evidence bundle and its checks.
export { verifyBundle, RunRecordSchema, SCHEMA_VERSION } from './record/index.js';
export type {
  VerifyOptions,
  VerifyResult,
  VerifyProblem,
  SealResult,
  RunRecord,
  Step,
  StepStatus,
  RunStatus,
  Attempt,
  Decision,
  AssertionResult,
  ExpectResult,
  Counts,
  JournalEvent,
} from './record/index.js';

// Render: record → Markdown and HTML reports.
export { renderReports } from './render/index.js';
export type { RenderOptions, RenderedReports } from './render/index.js';
