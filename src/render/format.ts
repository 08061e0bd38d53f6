// Small, deterministic formatters for the reports: the same record always renders the same bytes.
import type { StepStatus } from '../record/index.js';

// One duration format for reports and terminal alike (core/duration.ts).
export { formatDuration } from '../core/index.js';

/** A byte count with a binary unit: `512 B`, `1.5 KiB`, `64 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toString()} ${unit}`;
}

/** An ISO time as `2026-01-22 10:15:00 UTC` (records hold UTC); other text is returned as is. */
export function formatTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

/** Singular or plural: `1 step`, `3 steps`. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/**
 * A value from an assertion or expected-output diff as compact JSON, so that `"5"` and `5`
 * differ on paper; `undefined` (absent) is an empty string.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The word a terminal shows for a step's status: failures in capitals so they stand out. */
export const STEP_STATUS_WORD: Readonly<Record<StepStatus, string>> = {
  passed: 'ok',
  failed: 'FAILED',
  blocked: 'blocked',
  skipped: 'skipped',
  'not-run': 'not run',
  'timed-out': 'TIMED OUT',
  interrupted: 'INTERRUPTED',
  planned: 'planned',
};
