import { describe, expect, test } from 'vitest';
import { formatBytes, formatDuration, formatTime, formatValue, plural } from '../../src/render/format.js';

describe('formatDuration', () => {
  test.each([
    [0, '0 ms'],
    [350, '350 ms'],
    [999.6, '1000 ms'],
    [1000, '1.0 s'],
    [4200, '4.2 s'],
    [12_400, '12 s'],
    [60_000, '1 min 00 s'],
    [125_000, '2 min 05 s'],
    [3_599_000, '59 min 59 s'],
    [3_600_000, '1 h 00 min'],
    [3_720_000, '1 h 02 min'],
    [-1, '?'],
    [Number.NaN, '?'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatBytes', () => {
  test.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [64 * 1024, '64 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('%d → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe('formatTime, formatValue, plural', () => {
  test('UTC ISO times read as date, time and zone; anything else is kept', () => {
    expect(formatTime('2026-01-22T10:15:00.123Z')).toBe('2026-01-22 10:15:00 UTC');
    expect(formatTime('2026-01-22T10:15:00Z')).toBe('2026-01-22 10:15:00 UTC');
    expect(formatTime('yesterday')).toBe('yesterday');
  });

  test('values are JSON so "5" and 5 differ; absent is empty', () => {
    expect(formatValue('5')).toBe('"5"');
    expect(formatValue(5)).toBe('5');
    expect(formatValue({ a: [1, null] })).toBe('{"a":[1,null]}');
    expect(formatValue(undefined)).toBe('');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatValue(cyclic)).toBe('[object Object]');
  });

  test('plural', () => {
    expect(plural(1, 'step')).toBe('1 step');
    expect(plural(2, 'step')).toBe('2 steps');
    expect(plural(0, 'entry', 'entries')).toBe('0 entries');
  });
});
