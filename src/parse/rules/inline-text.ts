import MarkdownIt from 'markdown-it';

const inlineParser = new MarkdownIt({ html: true });
const PLAIN = /^[^`*_[\]<>\\!~\n]*$/;
const ENTITY = /&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i;

// Heading titles and cue paragraphs are read as rendered text: `code` and link text kept,
// emphasis markers dropped. Plain text skips the inline parser entirely.
/** The rendered text of an inline Markdown fragment (code spans and link text kept). */
export function inlineText(content: string): string {
  if (PLAIN.test(content) && !ENTITY.test(content)) return content.trim();
  const tokens = inlineParser.parseInline(content, {});
  let text = '';
  for (const token of tokens) {
    for (const child of token.children ?? []) {
      switch (child.type) {
        case 'text':
        case 'code_inline':
        case 'html_inline':
          text += child.content;
          break;
        case 'softbreak':
        case 'hardbreak':
          text += ' ';
          break;
        case 'image':
          text += child.content;
          break;
        default:
          break;
      }
    }
  }
  return text.replace(/\s+/g, ' ').trim();
}
