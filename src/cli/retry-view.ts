// A cell with retries (`retry=20` polling for readiness) would print every attempt's whole output:
// one such cell printed about 445 lines. On screen each attempt is one `attempt k/N` line, and only
// the last attempt's output is shown, when the attempts are over; every attempt stays in the bundle.
import type { RunProgress } from '../execute/index.js';
import type { PlanStep } from '../plan/index.js';

/** Output kept per attempt for the screen: the tail of a long one (the bundle keeps it all). */
export const RETRY_SCREEN_LIMIT = 64 * 1024;

export interface RetryView extends RunProgress {
  /** Shows the kept output of the step's last attempt now (before a failure panel); idempotent. */
  flush(step: PlanStep): void;
}

/**
 * Wraps a terminal's progress: steps without retries pass through untouched; for a step with
 * retries, `note` gets `attempt k/N` as each attempt starts and `inner.output` only the last
 * attempt's output, at `flush` or at the step's end.
 * @example const progress = collapseRetries(printer.progress, (step, line) => out.write(`  ${line}\n`))
 */
export function collapseRetries(inner: RunProgress, note: (step: PlanStep, line: string) => void): RetryView {
  // The step whose attempts are being collapsed: its first attempt number in this round (an
  // operator's retry starts a new round) and the current attempt's output.
  let current: { id: string; first: number; chunks: Array<{ stream: 'stdout' | 'stderr'; text: string }>; size: number; kept: number } | undefined;
  const collapsed = (step: PlanStep): boolean => step.retry > 0;

  const flush = (step: PlanStep): void => {
    if (!current || current.id !== step.id) return;
    const { chunks, size } = current;
    current = undefined;
    if (size > RETRY_SCREEN_LIMIT) note(step, `(the last attempt printed ${size} characters; its end follows, all of it is in the bundle)`);
    for (const chunk of chunks) inner.output?.(step, chunk.stream, chunk.text);
  };

  return {
    flush,
    stepStart(step, index, total) {
      current = undefined;
      inner.stepStart?.(step, index, total);
    },
    attemptStart(step, n) {
      if (collapsed(step)) {
        if (!current || current.id !== step.id) current = { id: step.id, first: n, chunks: [], size: 0, kept: 0 };
        else current = { ...current, chunks: [], size: 0, kept: 0 };
        const total = step.retry + 1;
        const k = n - current.first + 1;
        note(step, `attempt ${k}/${total}${k === 1 ? ' (the output of the last attempt is shown when they end)' : ''}`);
      }
      inner.attemptStart?.(step, n);
    },
    output(step, stream, text) {
      if (!collapsed(step) || !current || current.id !== step.id) {
        inner.output?.(step, stream, text);
        return;
      }
      current.chunks.push({ stream, text });
      current.size += text.length;
      current.kept += text.length;
      // Keep the tail: drop whole chunks from the front while the rest still holds the limit.
      while (current.chunks.length > 1 && current.kept - current.chunks[0]!.text.length >= RETRY_SCREEN_LIMIT) current.kept -= current.chunks.shift()!.text.length;
    },
    attemptEnd(step, n) {
      inner.attemptEnd?.(step, n);
    },
    stepEnd(step, status, detail) {
      flush(step);
      inner.stepEnd?.(step, status, detail);
    },
  };
}
