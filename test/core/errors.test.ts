import { describe, expect, it } from 'vitest';
import { RunproofError, isRunproofError, didYouMean, parseDuration } from '../../src/core/index.js';

describe('RunproofError', () => {
  it('formats as CODE file:line:col message (hint): the code first (J12)', () => {
    const error = new RunproofError('RP_UNKNOWN_ATTRIBUTE', 'unknown attribute "timout"', {
      file: 'a.md',
      span: { line: 3, col: 9 },
      hint: 'did you mean timeout?',
    });
    expect(error.format()).toBe('RP_UNKNOWN_ATTRIBUTE a.md:3:9 unknown attribute "timout" (hint: did you mean timeout?)');
    expect(isRunproofError(error)).toBe(true);
    expect(isRunproofError(new Error('x'))).toBe(false);
  });
});

describe('didYouMean', () => {
  it('finds the closest known key', () => {
    expect(didYouMean('timout', ['name', 'timeout', 'retry'])).toBe('timeout');
    expect(didYouMean('zzzzzzzz', ['name', 'timeout'])).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('reads units and bare seconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2')).toBe(2000);
  });
  it('rejects garbage with RP_BAD_DURATION', () => {
    expect(() => parseDuration('soon')).toThrowError(expect.objectContaining({ code: 'RP_BAD_DURATION' }));
    expect(() => parseDuration('10x')).toThrowError(expect.objectContaining({ code: 'RP_BAD_DURATION' }));
  });
});
