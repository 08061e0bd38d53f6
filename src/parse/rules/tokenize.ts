import MarkdownIt from 'markdown-it';
import { RunproofError } from '../../core/index.js';
import type { ParseRule, ParseState, Token } from './state.js';

// Block structure is all the notebook needs: inline parsing (the bulk of markdown-it's time) is
// switched off and done on demand, only for headings and the paragraph before a fence.
const blockParser = new MarkdownIt({ html: true });
blockParser.core.ruler.disable(['inline', 'linkify', 'replacements', 'smartquotes', 'text_join']);

/**
 * markdown-it's nesting limit (its default, 100 token levels: about 100 blockquotes or 50 lists).
 * It keeps the recursive block parser off the stack limit, but what lies deeper is skipped
 * without a word, and a fence in there would vanish from the notebook.
 */
export const MAX_NESTING: number = blockParser.options.maxNesting ?? 100;

/** markdown-it's flat block token stream; `html` on so `<!-- runproof -->` comments are blocks. */
export const tokenizeRule: ParseRule = {
  name: 'tokenize',
  run(state) {
    // A final newline makes every line, also the last, end in "\n" inside fence contents,
    // which the unclosed-fence check relies on.
    const text = state.text.endsWith('\n') || state.text === '' ? state.text : `${state.text}\n`;
    state.tokens = blockParser.parse(text, {});
    reportTruncatedNesting(state);
  },
};

// markdown-it stops reading inside a blockquote or list item opened at the last allowed level
// (ParserBlock.tokenize: "nesting level exceeded - skip tail"). Finding such a container in the
// stream is the only trace of the skipped lines, so this is where the loss becomes an error.
function reportTruncatedNesting(state: ParseState): void {
  const deepest = state.tokens.find(isTruncatedContainer);
  if (deepest === undefined) return;
  const line = (deepest.map?.[0] ?? 0) + 1;
  state.report(
    new RunproofError('RP_NESTING_TOO_DEEP', `lists and blockquotes nest more than ${MAX_NESTING} levels deep here; what lies deeper cannot be read (and no cell in it would run)`, {
      file: state.file,
      span: { line, col: 1 },
      hint: 'flatten the nesting: runbook steps never need this many levels of lists or quotes',
    }),
  );
}

function isTruncatedContainer(token: Token): boolean {
  return token.nesting === 1 && token.level >= MAX_NESTING - 1 && (token.type === 'blockquote_open' || token.type === 'list_item_open');
}
