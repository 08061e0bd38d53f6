import { withRedactedAgainWarning } from '../secret-watch.js';
import type { PlanStep } from '../../plan/index.js';
import type { Attempt, OutputCapture } from '../../record/index.js';
import type { HttpExchange } from '../http-types.js';
import type { ShellOutcome } from '../shell-types.js';

/** The parts of an outcome that differ from "ran for 0 ms and produced nothing". */
export type OutcomeFields = Partial<Omit<ShellOutcome, 'startedAt'>>;

/** The one builder of an attempt's outcome: every field not given has its "nothing happened" value. */
export function outcomeOf(startedAt: string, fields: OutcomeFields = {}): ShellOutcome {
  const { durationMs = 0, exitCode = null, signal = null, timedOut = false, interrupted = false, ...rest } = fields;
  const outcome: ShellOutcome = { startedAt, durationMs, exitCode, signal, timedOut, interrupted };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) (outcome as Record<string, unknown>)[key] = value;
  return outcome;
}

/** An attempt that could not run at all, with the reason. */
export function notRunOutcome(startedAt: string, error: string): ShellOutcome {
  return outcomeOf(startedAt, { error });
}

/**
 * The one builder of an `Attempt` record from an outcome and its output captures; `startedAt` is the
 * attempt's (its attempt-start event). Ends the captures (idempotent), so their summaries are the whole output.
 */
export async function attemptOf(
  n: number,
  startedAt: string,
  outcome: ShellOutcome,
  stdout: OutputCapture,
  stderr: OutputCapture,
  extras: { http?: HttpExchange; step?: PlanStep; end?: Attempt['end'] } = {},
): Promise<Attempt> {
  const failedLine = extras.step && outcome.failedLine !== undefined ? failedLineOf(extras.step, outcome.failedLine) : undefined;
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
    ...(extras.http ? { http: extras.http } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(failedLine ? { failedLine } : {}),
    ...withRedactedAgainWarning(outcome.warnings, stdout, stderr),
    ...(extras.end ? { end: extras.end } : {}),
  };
}

// The runbook line and text of the cell line that stopped a shell cell. The text is the line as
// the runbook has it (placeholders, not their values); the runbook line needs the command's lines
// to be the runbook's one for one (not so for `$ cmd` prompt blocks: there it is the fence line).
export function failedLineOf(step: PlanStep, cellLine: number): { line: number; cellLine: number; text: string } {
  const lines = step.source.split('\n');
  const text = (lines[cellLine - 1] ?? '').trim();
  const line = step.commandLine !== undefined && cellLine <= lines.length ? step.commandLine + cellLine - 1 : step.line;
  return { line, cellLine, text };
}
