import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { clipText } from '../../src/render/clip.js';

describe('clipText', () => {
  test('text within the limits is returned unchanged', () => {
    expect(clipText('a\nb\nc', { maxLines: 3, maxChars: 100 })).toEqual({ text: 'a\nb\nc', clipped: false, omittedLines: 0, omittedChars: 0 });
  });

  test('many lines keep head and tail with a marker between', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n');
    const clipped = clipText(text, { maxLines: 10, maxChars: 10_000 });
    const lines = clipped.text.split('\n');
    expect(lines.slice(0, 5)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(lines.slice(-5)).toEqual(['line 96', 'line 97', 'line 98', 'line 99', 'line 100']);
    expect(lines[5]).toBe('… 90 more lines (' + clipped.omittedChars + ' characters) not shown in this report …');
    expect(clipped.clipped).toBe(true);
    expect(clipped.omittedLines).toBe(90);
  });

  test('one huge line keeps its first and last characters', () => {
    const text = `START${'x'.repeat(10_000)}END`;
    const clipped = clipText(text, { maxLines: 10, maxChars: 100 });
    expect(clipped.text.startsWith('STARTx')).toBe(true);
    expect(clipped.text.endsWith('xEND')).toBe(true);
    expect(clipped.text.length).toBeLessThan(200);
  });

  test('never splits a surrogate pair and stays within about the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '😀', 'é'), maxLength: 400 }), fc.integer({ min: 4, max: 50 }), (text, max) => {
        const clipped = clipText(text, { maxLines: max, maxChars: max });
        expect(clipped.text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        if (clipped.clipped) {
          const [head] = clipped.text.split('\n… ');
          expect(text.startsWith(head!)).toBe(true);
          expect(clipped.text.length).toBeLessThanOrEqual(max + 120);
        } else {
          expect(clipped.text).toBe(text);
        }
      }),
    );
  });
});
