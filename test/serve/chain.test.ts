import { describe, expect, test } from 'vitest';
import { analyzeChain, type RunSummary } from '../../src/serve/index.js';

// The Chains page's judgement of one chain, from literal summaries: gaps, missing previous
// bundles, rewritten links and forks (two bundles claiming one number).

const sha = (c: string): string => c.repeat(64);

function run(name: string, seq: number, previous: { bundle: string; seq: number; hash: string } | null, hash: string): RunSummary {
  return {
    name,
    runbookPath: 'r.md',
    title: 'R',
    chainKey: '/r.md',
    sections: [],
    status: 'passed',
    user: 'u',
    host: 'h',
    startedAt: `2026-01-0${seq}T00:00:00.000Z`,
    durationMs: 1,
    counts: { passed: 1, failed: 0, blocked: 0, skipped: 0, notRun: 0 },
    sealed: true,
    seq,
    origin: previous === null,
    previous: previous ? { bundle: previous.bundle, seq: previous.seq, manifestSha256: sha(previous.hash) } : null,
    manifestSha256: sha(hash),
    text: name,
    dirMtimeMs: 0,
  };
}

const kinds = (runs: RunSummary[]): Array<[number, string]> => analyzeChain(runs).links.map((l) => [l.seq, l.kind]);

describe('analyzeChain', () => {
  const a = run('a', 1, null, 'a');
  const b = run('b', 2, { bundle: 'a', seq: 1, hash: 'a' }, 'b');
  const c = run('c', 3, { bundle: 'b', seq: 2, hash: 'b' }, 'c');

  test('an intact chain', () => {
    expect(kinds([c, a, b])).toEqual([[1, 'origin'], [2, 'ok'], [3, 'ok']]);
    expect(analyzeChain([a, b, c]).verdict).toBe('intact');
  });

  test('a removed bundle in the middle: a gap and a missing previous link break the chain (as verify says)', () => {
    expect(kinds([a, c])).toEqual([[1, 'origin'], [2, 'gap'], [3, 'missing']]);
    expect(analyzeChain([a, c]).verdict).toBe('broken');
  });

  test('the start of the chain moved away: gaps, the first link unchecked, not broken', () => {
    expect(kinds([b, c])).toEqual([[1, 'gap'], [2, 'pruned'], [3, 'ok']]);
    expect(analyzeChain([b, c]).verdict).toBe('gaps');
  });

  test('a previous bundle whose manifest changed: rewritten', () => {
    const b2 = { ...b, manifestSha256: sha('e') };
    expect(kinds([a, b2, c])).toEqual([[1, 'origin'], [2, 'ok'], [3, 'rewritten']]);
    expect(analyzeChain([a, b2, c]).verdict).toBe('broken');
  });

  test('two bundles with one number: a fork, both shown', () => {
    const b2 = run('b2', 2, { bundle: 'a', seq: 1, hash: 'a' }, 'f');
    expect(kinds([a, b, b2, c])).toEqual([[1, 'origin'], [2, 'fork'], [2, 'fork'], [3, 'ok']]);
    expect(analyzeChain([a, b, b2, c]).verdict).toBe('broken');
  });

  test('a second origin, or a link to the wrong number: broken', () => {
    const fakeOrigin = { ...c, origin: true, previous: null };
    expect(kinds([a, b, fakeOrigin])).toEqual([[1, 'origin'], [2, 'ok'], [3, 'broken']]);
    const skip = run('c', 3, { bundle: 'a', seq: 1, hash: 'a' }, 'c');
    expect(kinds([a, b, skip])).toEqual([[1, 'origin'], [2, 'ok'], [3, 'broken']]);
  });
});
