import { describe, expect, test } from 'vitest';
import { formatDuration } from '../../src/core/index.js';
import { formatDuration as renderFormatDuration } from '../../src/render/index.js';

describe('formatDuration, compact (one word, for a table column)', () => {
  test.each([
    [0, '0ms'],
    [419, '419ms'],
    [1234, '1.2s'],
    [12_400, '12s'],
    [125_000, '2min05s'],
    [3_720_000, '1h02min'],
    [-1, '?'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms, { compact: true })).toBe(text);
    expect(formatDuration(ms, { compact: true })).toMatch(/^\S+$/);
  });

  test('is the same rule as the readable form, without the spaces; the reports use that one function', () => {
    for (const ms of [0, 999.6, 1000, 9_950, 59_999, 60_000, 3_599_499, 86_400_000]) {
      expect(formatDuration(ms, { compact: true })).toBe(formatDuration(ms).replaceAll(' ', ''));
    }
    expect(renderFormatDuration).toBe(formatDuration);
  });
});
