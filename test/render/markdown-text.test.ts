import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { chooseFence, escapeMarkdownInline, escapeTableCell, fencedBlock, inlineCode } from '../../src/render/markdown-text.js';

// markdown-it (CommonMark + GFM tables) is the independent reader: what it shows must be exactly
// the text we meant to show, whatever the text holds.
const md = new MarkdownIt({ html: true, linkify: true });

function decode(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

// Text made of the characters that matter to Markdown, HTML and Handlebars.
const fenceLines = fc
  .array(fc.constantFrom('```', '````', '`````bash', '~~~', '   ```', 'x', '` `', '', '</details>', '{{x}}'), { maxLength: 8 })
  .map((lines) => lines.join('\n'));

const nasty = fc.string({
  unit: fc.constantFrom('`', '*', '_', '[', ']', '(', ')', '<', '>', '&', '#', '|', '~', '!', '\\', '{', '}', '"', "'", ' ', 'a', 'b', '1', ';', ':', '/', '-', '.', '\n', 'é'),
  maxLength: 60,
});

describe('fenced blocks', () => {
  test.each([
    ['plain', '```'],
    ['a ``` inside', '````'],
    ['`````', '``````'],
    ['`a` and ``b``', '```'],
  ])('chooseFence(%j) = %j', (content, fence) => {
    expect(chooseFence(content)).toBe(fence);
  });

  test('the content comes back byte for byte and nothing escapes the block', () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fenceLines), (content) => {
        const tokens = md.parse(`before\n\n${fencedBlock(content, 'bash')}\n\nafter\n`, {});
        const fences = tokens.filter((t) => t.type === 'fence');
        expect(fences).toHaveLength(1);
        const expected = content === '' || content.endsWith('\n') ? content : `${content}\n`;
        expect(fences[0]!.content).toBe(expected);
        expect(fences[0]!.info).toBe('bash');
        expect(tokens.filter((t) => t.type === 'paragraph_open')).toHaveLength(2);
      }),
      { numRuns: 300 },
    );
  });

  test('an unsafe info string is dropped', () => {
    expect(fencedBlock('x', 'bash onload=`x`')).toBe('```\nx\n```');
  });
});

describe('inline text', () => {
  test('shows the text literally: no emphasis, link, HTML or entity', () => {
    fc.assert(
      fc.property(nasty, (text) => {
        const html = md.renderInline(escapeMarkdownInline(text));
        expect(html).not.toMatch(/<(?!br)[a-z]/i);
        expect(decode(html)).toBe(text.replace(/\n/g, ' '));
      }),
      { numRuns: 400 },
    );
  });

  test('examples', () => {
    expect(escapeMarkdownInline('a *b* [c](javascript:x) <img> &amp; #1 | ~d~')).toBe(
      'a \\*b\\* \\[c\\](javascript:x) \\<img> &amp;amp; \\#1 \\| \\~d\\~',
    );
    expect(escapeMarkdownInline('5 (ok) & done!')).toBe('5 (ok) & done!');
  });
});

describe('table cells and code spans', () => {
  function cells(row: string): string[] {
    const tokens = md.parse(`| a | b |\n|---|---|\n| ${row} | end |\n`, {});
    const out: string[] = [];
    let inBody = false;
    for (const t of tokens) {
      if (t.type === 'tbody_open') inBody = true;
      if (inBody && t.type === 'inline') out.push(md.renderer.renderInline(t.children ?? [], md.options, {}));
    }
    return out;
  }

  test('a text cell stays one cell and shows the text', () => {
    fc.assert(
      fc.property(nasty, (text) => {
        const [first, second] = cells(escapeTableCell(text));
        expect(second).toBe('end');
        expect(decode(first!)).toBe(text.replace(/\n/g, ' ').trim());
      }),
      { numRuns: 300 },
    );
  });

  test('a code cell stays one cell and shows the text in a code span', () => {
    fc.assert(
      fc.property(nasty, (text) => {
        const found = cells(inlineCode(text, true));
        expect(found).toHaveLength(2);
        expect(found[1]).toBe('end');
        const oneLine = text.replace(/\n/g, ' ');
        // Code spans strip one space from each end when both ends have one; GFM trims cells.
        const shown = decode(found[0]!);
        if (oneLine.trim() !== '') expect(shown.replace(/\s+/g, ' ').trim()).toBe(oneLine.replace(/\s+/g, ' ').trim());
      }),
      { numRuns: 300 },
    );
  });

  test('inline code outside tables', () => {
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
    expect(inlineCode('')).toBe('');
    expect(md.renderInline(inlineCode('<script>``'))).toBe('<code>&lt;script&gt;``</code>');
  });
});
