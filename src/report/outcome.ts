// What a scheduler must be able to tell apart: "all checks passed", "nothing checked" (an empty
// selection, or every check blocked by policy), and a failure. One definition for every sink.
import type { Counts, RunRecord } from '../record/index.js';

/** The status a sink reports for one run: the record's, or why there is no record. */
export type SinkStatus = 'passed' | 'failed' | 'blocked' | 'empty' | 'aborted' | 'error' | 'locked' | 'skipped' | 'missed' | 'dry-run';

/** Every status the textfile has a series for, in a fixed order. */
export const REPORTED_STATUSES = ['passed', 'failed', 'blocked', 'empty', 'aborted', 'error'] as const;

/** Checks that ran: steps that passed or failed (blocked, skipped and not-run steps checked nothing). */
export function checksRun(counts: Counts | undefined): number {
  return counts ? counts.passed + counts.failed : 0;
}

/**
 * The status of a run as a scheduler must read it: a run that ran no check is `empty` even when
 * the record (written before `empty` existed) says `passed`.
 * @example runOutcome('passed', record) // 'empty' when no step ran
 */
export function runOutcome(status: string, record: Pick<RunRecord, 'counts'> | undefined): SinkStatus {
  if (status === 'passed' && record !== undefined && checksRun(record.counts) === 0) return 'empty';
  return status as SinkStatus;
}

/** Whether a status means every check passed (the only success a scheduler should see). */
export function isSuccess(status: string): boolean {
  return status === 'passed';
}

/** One line saying why a run checked nothing, or null when it checked something. */
export function nothingCheckedReason(status: string, record: Pick<RunRecord, 'counts'> | undefined): string | null {
  const outcome = runOutcome(status, record);
  if (outcome === 'empty') return 'nothing checked: the selection ran no check';
  if (outcome === 'blocked' && checksRun(record?.counts) === 0) return `nothing checked: every check (${record?.counts.blocked ?? 0}) was blocked by policy`;
  return null;
}
