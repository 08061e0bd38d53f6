import MarkdownIt from 'markdown-it';
import type { ParseRule } from './state.js';

// Block structure is all the notebook needs: inline parsing (the bulk of markdown-it's time) is
// switched off and done on demand, only for headings and the paragraph before a fence.
const blockParser = new MarkdownIt({ html: true });
blockParser.core.ruler.disable(['inline', 'linkify', 'replacements', 'smartquotes', 'text_join']);

/** markdown-it's flat block token stream; `html` on so `<!-- runproof -->` comments are blocks. */
export const tokenizeRule: ParseRule = {
  name: 'tokenize',
  run(state) {
    // A final newline makes every line, also the last, end in "\n" inside fence contents,
    // which the unclosed-fence check relies on.
    const text = state.text.endsWith('\n') || state.text === '' ? state.text : `${state.text}\n`;
    state.tokens = blockParser.parse(text, {});
  },
};
