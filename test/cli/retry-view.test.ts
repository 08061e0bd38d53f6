import { describe, expect, it } from 'vitest';
import { collapseRetries, RETRY_SCREEN_LIMIT } from '../../src/cli/retry-view.js';
import type { RunProgress } from '../../src/execute/index.js';
import type { PlanStep } from '../../src/plan/index.js';

// The screen side of J11's retries, as pure calls: what the terminal gets for each progress event.
const step = (retry: number): PlanStep => ({ id: 'c1', name: 'wait', retry } as PlanStep);

function screen() {
  const shown: string[] = [];
  const inner: RunProgress = {
    output: (_s, _stream, text) => shown.push(`out:${text}`),
    stepEnd: (_s, status) => shown.push(`end:${status}`),
  };
  const view = collapseRetries(inner, (_s, line) => shown.push(`note:${line.replace(/ \(.*/, '')}`));
  return { shown, view };
}

describe('collapseRetries', () => {
  it('interactive: the failure panel gets the last attempt first (flush), and an operator retry starts a new round k/N', () => {
    const { shown, view } = screen();
    const s = step(1);
    view.stepStart?.(s, 0, 1);
    for (const n of [1, 2]) {
      view.attemptStart?.(s, n);
      view.output?.(s, 'stdout', `body ${n}\n`);
      view.attemptEnd?.(s, n);
    }
    view.flush(s);
    view.flush(s);
    // The operator pressed r: attempts 3 and 4 are a new round of 2.
    view.attemptStart?.(s, 3);
    view.output?.(s, 'stdout', 'body 3\n');
    view.attemptStart?.(s, 4);
    view.output?.(s, 'stdout', 'body 4\n');
    view.stepEnd?.(s, 'passed', '');
    expect(shown).toEqual(['note:attempt 1/2', 'note:attempt 2/2', 'out:body 2\n', 'note:attempt 1/2', 'note:attempt 2/2', 'out:body 4\n', 'end:passed']);
  });

  it('keeps the tail of a long attempt and says so', () => {
    const { shown, view } = screen();
    const s = step(2);
    view.attemptStart?.(s, 1);
    const chunk = 'x'.repeat(1000);
    for (let i = 0; i < 200; i++) view.output?.(s, 'stdout', chunk);
    view.stepEnd?.(s, 'failed', '');
    const out = shown.filter((l) => l.startsWith('out:')).map((l) => l.slice(4)).join('');
    // The tail: at least the limit, at most one chunk more.
    expect(out.length).toBeGreaterThanOrEqual(RETRY_SCREEN_LIMIT);
    expect(out.length).toBeLessThanOrEqual(RETRY_SCREEN_LIMIT + chunk.length);
    expect(shown).toContain('note:(the last attempt printed 200000 characters; its end follows, all of it is in the bundle)');
  });

  it('a step without retries passes through untouched', () => {
    const { shown, view } = screen();
    const s = step(0);
    view.attemptStart?.(s, 1);
    view.output?.(s, 'stdout', 'live\n');
    view.stepEnd?.(s, 'passed', '');
    expect(shown).toEqual(['out:live\n', 'end:passed']);
  });
});
