import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/index.js';
import { lintRunbook, parseRunbook } from '../../src/parse/index.js';
import { normalizeText, splitLines } from '../../src/parse/text.js';

// Markdown-ish fragments so the generator reaches fences, headings, lists, quotes, comments and
// attributes, mixed with arbitrary strings and line endings.
const fragment = fc.oneof(
  fc.constantFrom('```', '```bash', '~~~sh', '````', '```bash {name=a}', '```assert', '```http', '```json', '```console', '```bash {timout=1}', '```sh {"name":'),
  fc.constantFrom('# H', '## 10. X', 'Setext', '===', '---', '+++', '> ', '1. ', '   ', '    ', '- ', '$ ls', '# ls', '**Expected output:**', 'Failure output', '<!-- runproof name=a -->', '<!--', '<angle>'),
  fc.constantFrom('\n', '\r\n', '\r', '\uFEFF', '\t', '\\', '{', '}', '<x>', '{y}', '$VAR', '\u0000'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const runbook = fc.array(fc.tuple(fragment, fc.constantFrom('\n', '', ' ', '\r\n')), { maxLength: 40 }).map((parts) => parts.map(([a, b]) => a + b).join(''));

describe('parseRunbook on arbitrary text', () => {
  it('throws only RunproofError and returns cells whose lines lie inside the file', () => {
    fc.assert(
      fc.property(runbook, (text) => {
        const lineCount = Math.max(1, splitLines(normalizeText(text)).length);
        try {
          const notebook = parseRunbook(text, { path: 'p.md' });
          for (const cell of notebook.cells) {
            expect(cell.span.line).toBeGreaterThanOrEqual(1);
            expect(cell.span.endLine ?? cell.span.line).toBeLessThanOrEqual(lineCount);
            expect(cell.span.line).toBeLessThanOrEqual(cell.span.endLine ?? cell.span.line);
            expect(cell.contentLine).toBeGreaterThanOrEqual(cell.span.line);
            expect(cell.contentLine).toBeLessThanOrEqual(lineCount);
            expect(cell.command).not.toContain('\r');
          }
          for (const section of notebook.sections) expect(section.line).toBeLessThanOrEqual(lineCount);
        } catch (error) {
          if (!isRunproofError(error)) throw error;
          expect(error.code).not.toBe('RP_INTERNAL');
        }
        const diagnostics = lintRunbook(text, { path: 'p.md' });
        expect(diagnostics.every((d) => /^RP_[A-Z0-9_]+$/.test(d.code) && d.code !== 'RP_INTERNAL')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
