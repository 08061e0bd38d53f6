// The one table `npm run bench` prints: every bench module returns rows of this shape, and
// bench/index.mjs prints them together (and writes bench/RESULTS.md with --markdown).

/**
 * A row comparing runproof with its baseline. `goal` is `{ max }` (ratio at most) or `{ min }`
 * (ratio at least); `ratio` is what the goal reads (its direction is named in `measure`).
 */
export function ratioRow(measure, runproof, baseline, ratio, goal) {
  const met = goal === undefined ? null : goal.max !== undefined ? ratio <= goal.max : ratio >= goal.min;
  return { measure, runproof, baseline, ratio: ratio.toFixed(2), goal: goal === undefined ? '–' : goal.max !== undefined ? `≤ ${goal.max}` : `≥ ${goal.min}`, met };
}

/** A row with a goal that is not a ratio (peak RSS, throughput): `met` decided by the bench. */
export function valueRow(measure, runproof, baseline, goal, met) {
  return { measure, runproof, baseline, ratio: '–', goal, met };
}

/** A row for a measure that could not run here (a tool missing, `--quick`). */
export function skippedRow(measure, why) {
  return { measure, runproof: 'skipped', baseline: why, ratio: '–', goal: '–', met: null };
}

export const COLUMNS = ['measure', 'runproof', 'baseline', 'ratio', 'goal', 'met'];

export function metText(met) {
  return met === null ? '–' : met ? 'yes' : 'NO';
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const ms = (value) => `${value.toFixed(0)} ms`;
