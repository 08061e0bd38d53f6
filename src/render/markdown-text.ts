// Markdown is not HTML: Handlebars' HTML escaping would show `&lt;` inside code blocks. The
// Markdown report escapes each value for where it lands (text, table cell, code span, fence).

const MIN_FENCE = 3;

// The longest run of `char` in `text`, found in one pass.
function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    if (c === char) {
      current += 1;
      if (current > longest) longest = current;
    } else {
      current = 0;
    }
  }
  return longest;
}

/** A backtick fence longer than any backtick run in `content` (at least three), so the content cannot close it. */
export function chooseFence(content: string): string {
  return '`'.repeat(Math.max(MIN_FENCE, longestRun(content, '`') + 1));
}

/**
 * A fenced code block holding `content` verbatim. The info string is reduced to a safe language
 * word; the content always ends with a newline before the closing fence.
 * @example fencedBlock('echo ```', 'bash') // "````bash\necho ```\n````"
 */
export function fencedBlock(content: string, language = ''): string {
  const fence = chooseFence(content);
  const info = /^[A-Za-z0-9_+.-]{1,32}$/.test(language) ? language : '';
  const body = content === '' || content.endsWith('\n') ? content : `${content}\n`;
  return `${fence}${info}\n${body}${fence}`;
}

// Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
// that can start markup within a line: emphasis, strikethrough, code spans, links and images
// (`[`; without it `(` and `!` are plain), autolinks and raw HTML (`<`), headings' closing `#`,
// table pipes and the backslash itself. `&` is escaped only where it could start an entity.
const INLINE_SPECIAL = /[\\`*_[\]<#|~]|&(?=#|[A-Za-z0-9]+;)/g;

/** One line of Markdown text that shows `text` literally: newlines become spaces, markup characters are escaped. */
export function escapeMarkdownInline(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(INLINE_SPECIAL, (c) => (c === '&' ? '&amp;' : `\\${c}`));
}

/** Text for a GFM table cell: like {@link escapeMarkdownInline} (`|` escaped); empty cells stay valid. */
export function escapeTableCell(text: string): string {
  return escapeMarkdownInline(text);
}

/**
 * A code span showing `text` literally on one line: delimited by more backticks than any run
 * inside, padded when the text starts or ends with a backtick. In a table cell (`inTable`), `|` is
 * written `\|`, which GFM removes before reading the span (text holding a backslash before a pipe
 * is written as escaped text instead).
 */
export function inlineCode(text: string, inTable = false): string {
  let body = text.replace(/\r\n?|\n/g, ' ');
  if (body === '') return '';
  // A backslash before a pipe would turn GFM's `\|` into `\\|`, which splits the cell: plain text then.
  if (inTable && /\\\|/.test(body)) return escapeTableCell(body);
  const ticks = '`'.repeat(longestRun(body, '`') + 1);
  if (body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '')) {
    body = ` ${body} `;
  }
  if (inTable) body = body.replace(/\|/g, '\\|');
  return `${ticks}${body}${ticks}`;
}
