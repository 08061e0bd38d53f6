import { RunproofError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** What to write instead of a bad duration: the hint of every RP_BAD_DURATION. */
export const DURATION_HINT = 'write a number with a unit: 500ms, 30s, 10m, 1h';

/** Parses `500ms`, `30s`, `10m`, `1h`, `1m30s` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(trimmed)) !== null) {
    total += Number(match[1]) * UNITS[match[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new RunproofError('RP_BAD_DURATION', `${what} "${trimmed}" is not a duration`, {
      hint: DURATION_HINT,
    });
  }
  return Math.round(total);
}

/**
 * A duration an operator reads at a glance, in reports and on the terminal: `0 ms`, `350 ms`,
 * `4.2 s`, `2 min 05 s`, `1 h 02 min`; `compact` (a table column, one word): `350ms`, `2min05s`.
 * @example formatDuration(125_000) // "2 min 05 s"
 */
export function formatDuration(ms: number, options: { compact?: boolean } = {}): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  return durationParts(ms).map(([value, unit]) => (options.compact ? `${value}${unit}` : `${value} ${unit}`)).join(options.compact ? '' : ' ');
}

// The one rounding rule: below 10 s one decimal, then whole seconds, minutes from 1 min, hours from 1 h.
function durationParts(ms: number): [string, string][] {
  if (ms < 1000) return [[`${Math.round(ms)}`, 'ms']];
  if (ms < 60_000) {
    const seconds = ms / 1000;
    return [[seconds < 10 ? seconds.toFixed(1) : Math.round(seconds).toString(), 's']];
  }
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return [[`${Math.floor(totalSeconds / 60)}`, 'min'], [String(totalSeconds % 60).padStart(2, '0'), 's']];
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return [[`${Math.floor(totalMinutes / 60)}`, 'h'], [String(totalMinutes % 60).padStart(2, '0'), 'min']];
}
