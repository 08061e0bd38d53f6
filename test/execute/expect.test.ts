import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkExpected } from '../../src/execute/expect.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/checks/${name}`, import.meta.url), 'utf8');

describe('checkExpected (json): the ROXY seed blocks', () => {
  it('/health: passes on a healthy response with extra keys, despite the invalid-JSON `...`', () => {
    expect(checkExpected(fixture('roxy-health.expected.json'), 'json', fixture('roxy-health.healthy.json'))).toEqual({ passed: true, diffs: [] });
  });

  it('/health: reports each differing path when degraded', () => {
    const result = checkExpected(fixture('roxy-health.expected.json'), 'json', fixture('roxy-health.degraded.json'));
    expect(result.passed).toBe(false);
    expect(result.diffs).toEqual([
      { path: '$.status', expected: 'ok', actual: 'degraded', message: 'expected "ok" got "degraded"' },
      { path: '$.checks.chromadb', expected: 'ok', actual: undefined, message: 'missing' },
      { path: '$.checks.ollama.ok', expected: true, actual: false, message: 'expected true got false' },
    ]);
  });

  it('/ready: passes on the healthy response', () => {
    expect(checkExpected(fixture('roxy-ready.expected.json'), 'json', fixture('roxy-ready.healthy.json'))).toEqual({ passed: true, diffs: [] });
  });

  it('/ready: fails on the 503 body with precise diffs', () => {
    const result = checkExpected(fixture('roxy-ready.expected.json'), 'json', fixture('roxy-ready.503.json'));
    expect(result.passed).toBe(false);
    expect(result.diffs.map((d) => `${d.path} ${d.message}`)).toEqual([
      '$.ready expected true got false',
      `$.message expected "All pools configured and reachable" got "Pools not reachable: ['6900xt']"`,
      '$.checks missing',
    ]);
    expect(result.diffs[2]!.expected).toEqual({ pool_invariants: { ok: true, pools: { w5700x: { reachable: true, latency_ms: 0.4 }, '6900xt': { reachable: true, latency_ms: 0.3 } } } });
  });

  it('/ready: a missing nested key is reported at its full path', () => {
    const body = JSON.stringify({ ready: true, message: 'All pools configured and reachable', checks: { other: 1 } });
    expect(checkExpected(fixture('roxy-ready.expected.json'), 'json', body).diffs).toEqual([
      { path: '$.checks.pool_invariants', expected: expect.any(Object), actual: undefined, message: 'missing' },
    ]);
    const slower = fixture('roxy-ready.healthy.json').replace('"latency_ms": 0.3', '"latency_ms": 7.1');
    expect(checkExpected(fixture('roxy-ready.expected.json'), 'json', slower).diffs.map((d) => d.path)).toEqual(["$.checks.pool_invariants.pools['6900xt'].latency_ms"]);
  });
});

describe('checkExpected (json): rules', () => {
  const diffs = (expected: string, actual: string): string[] => checkExpected(expected, 'json', actual).diffs.map((d) => `${d.path} ${d.message}`);

  it('allows extra keys with or without ...', () => {
    expect(diffs('{"a": 1}', '{"a": 1, "b": 2}')).toEqual([]);
    expect(diffs('{"a": 1, ...}', '{"a": 1, "b": 2}')).toEqual([]);
    expect(diffs('{"a": {"b": ...}}', '{"a": {"b": [1, {"c": 2}]}}')).toEqual([]);
    expect(diffs('{"a": {"b": ...}}', '{"a": {}}')).toEqual(['$.a.b missing']);
  });

  it('matches arrays by position: exact length without ..., head and tail with it', () => {
    expect(diffs('[1, 2]', '[1, 2]')).toEqual([]);
    expect(diffs('[1, 2]', '[1, 2, 3]')).toEqual(['$ expected 2 items got 3']);
    expect(diffs('[1, 5]', '[1, 2]')).toEqual(['$[1] expected 5 got 2']);
    expect(diffs('[1, ...]', '[1, 2, 3]')).toEqual([]);
    expect(diffs('[..., 3]', '[1, 2, 3]')).toEqual([]);
    expect(diffs('[1, ..., 3]', '[1, 3]')).toEqual([]);
    expect(diffs('[1, ..., 4]', '[1, 2, 3]')).toEqual(['$[2] expected 4 got 3']);
    expect(diffs('[1, 2, ..., 3]', '[1, 2]')).toEqual(['$ expected at least 3 items got 2']);
    expect(diffs('[{"id": 1}, ...]', '[{"id": 1, "x": 2}]')).toEqual([]);
  });

  it('reports type mismatches, numbers exactly, and keys needing brackets', () => {
    expect(diffs('{"a": {"b": 1}}', '{"a": "x"}')).toEqual(['$.a expected an object got a string']);
    expect(diffs('{"a": [1]}', '{"a": {"0": 1}}')).toEqual(['$.a expected an array got an object']);
    expect(diffs('{"a": 1}', '{"a": "1"}')).toEqual(['$.a expected 1 got "1"']);
    expect(diffs('{"a": 1.0}', '{"a": 1}')).toEqual([]);
    expect(diffs('{"a b": {"it\'s": 1}}', '{"a b": {"it\'s": 2}}')).toEqual(["$['a b']['it\\'s'] expected 1 got 2"]);
    expect(diffs('{"a": null}', '{"a": false}')).toEqual(['$.a expected null got false']);
  });

  it('fails at $ when the output is not JSON or is empty, or the block itself is broken', () => {
    expect(checkExpected('{"ok": true}', 'json', 'curl: (7) Failed to connect to 127.0.0.1 port 8766\n').diffs).toEqual([
      { path: '$', expected: { ok: true }, actual: 'curl: (7) Failed to connect to 127.0.0.1 port 8766\n', message: expect.stringMatching(/^the output is not JSON/) },
    ]);
    expect(diffs('{"ok": true, ...}', '')).toEqual(['$ the output is empty, expected JSON']);
    expect(checkExpected('{"ok": true, ...}', 'json', '').diffs[0]!.expected).toEqual({ ok: true, '...': '...' });
    expect(diffs('{"ok": tru}', '{"ok": true}')[0]).toMatch(/^\$ the expected block is not valid JSON: .*line 1, col 8/);
  });

  it('caps the number of listed diffs', () => {
    const expected = JSON.stringify(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i])));
    const result = checkExpected(expected, 'json', '{}');
    expect(result.diffs).toHaveLength(51);
    expect(result.diffs[50]!.message).toBe('30 more differences not listed');
  });
});

describe('checkExpected (text)', () => {
  const diffs = (expected: string, actual: string): string[] => checkExpected(expected, 'text', actual).diffs.map((d) => `${d.path} ${d.message}`);

  it('compares line by line, ignoring trailing whitespace and trailing blank lines', () => {
    expect(diffs('a\nb\n', 'a  \nb\n\n')).toEqual([]);
    expect(diffs('a\r\nb', 'a\nb')).toEqual([]);
    expect(diffs('a\nb\nc', 'a\nB\nc')).toEqual(['line 2 expected "b" got "B"']);
    expect(diffs('a\nb', 'a')).toEqual(['line 2 missing line']);
    expect(diffs('a', 'a\nb')).toEqual(['line 2 unexpected line']);
    expect(diffs('  a', 'a')).toEqual(['line 1 expected "  a" got "a"']);
  });

  it('treats a line holding only ... as any number of lines', () => {
    expect(diffs('start\n...\nend', 'start\nx\ny\nend')).toEqual([]);
    expect(diffs('start\n...\nend', 'start\nend')).toEqual([]);
    expect(diffs('...\nend', 'a\nb\nend')).toEqual([]);
    expect(diffs('start\n  ...', 'start\nmore\nlines')).toEqual([]);
    expect(diffs('a\n...\nm\n...\nz', 'a\n1\nm\n2\nm\nz')).toEqual([]);
    expect(diffs('a\n...\nm\nn\n...\nz', 'a\nm\nx\nm\nn\nz')).toEqual([]);
  });

  it('reports where a wildcard match fails', () => {
    expect(diffs('start\n...\nend', 'begin\nx\nend')).toEqual(['line 1 expected "start" got "begin"']);
    expect(diffs('start\n...\nend', 'start\nx\nfinish')).toEqual(['line 3 expected "end" got "finish"']);
    expect(diffs('a\n...\nm\n...\nz', 'a\nb\nc\nz')).toEqual(['line 2 expected line "m" somewhere after line 1, not found']);
    expect(diffs('a\nb\n...\nb\nc', 'a\nb\nc')).toEqual(['line 3 expected 2 more lines at the end, the output has 1']);
  });
});
