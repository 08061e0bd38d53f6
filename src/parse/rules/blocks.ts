import { runproofCommentText, splitInfo } from '../attributes.js';
import { inlineText } from './inline-text.js';
import type { Block, ParseRule, ParseState, Token } from './state.js';

const CUE_HINT = /expected|failure/i;
const EXPECTED_CUE = /^expected output\b/i;
const FAILURE_CUE = /^failure output\b/i;

/** Finds every fenced and indented code block with its section, container and the cue before it. */
export const blocksRule: ParseRule = {
  name: 'blocks',
  run(state) {
    const tokens = state.tokens;
    let sectionId = 's0';
    let quoteDepth = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      switch (token.type) {
        case 'heading_open':
          sectionId = state.headingSections.get(i) ?? sectionId;
          break;
        case 'blockquote_open':
          quoteDepth++;
          break;
        case 'blockquote_close':
          quoteDepth--;
          break;
        case 'fence':
          state.blocks.push(fenceBlock(state, tokens, i, sectionId, quoteDepth > 0));
          break;
        case 'code_block':
          state.blocks.push(indentedBlock(state, token, sectionId, quoteDepth > 0));
          break;
        default:
          break;
      }
    }
  },
};

function fenceBlock(state: ParseState, tokens: Token[], index: number, sectionId: string, inBlockquote: boolean): Block {
  const token = tokens[index]!;
  const [start, end] = token.map ?? [0, 1];
  // markdown-it consumes the closing fence only when it found one: the content then has two
  // lines fewer than the block's line range, else one.
  const contentLines = countNewlines(token.content);
  const closed = contentLines === end - start - 2;
  const lineText = state.lines[start] ?? '';
  const markupAt = lineText.indexOf(token.markup);
  const { language, rest } = splitInfo(token.info);
  let previous = index - 1;
  let comment: Block['comment'] = null;
  const before = tokens[previous];
  if (before?.type === 'html_block') {
    const text = runproofCommentText(before.content);
    if (text !== null) {
      const line = (before.map?.[0] ?? start) + 1;
      comment = { text, line, lineText: state.lines[line - 1] ?? '' };
      previous--;
    }
  }
  return {
    form: 'fence',
    info: token.info.trim(),
    language,
    attributeText: rest,
    source: stripFinalNewline(token.content),
    markup: token.markup,
    line: start + 1,
    col: markupAt === -1 ? 1 : markupAt + 1,
    endLine: Math.max(start + 1, end),
    contentLine: Math.min(start + 2, Math.max(start + 1, end)),
    closed,
    inBlockquote,
    cue: cueBefore(tokens, previous),
    comment,
    sectionId,
    kind: 'doc',
    command: '',
    attributes: {},
  };
}

function indentedBlock(state: ParseState, token: Token, sectionId: string, inBlockquote: boolean): Block {
  const [start, end] = token.map ?? [0, 1];
  const lineText = state.lines[start] ?? '';
  const indent = /^\s*/.exec(lineText)?.[0].length ?? 0;
  return {
    form: 'indented',
    info: '',
    language: '',
    attributeText: '',
    source: stripFinalNewline(token.content),
    markup: '',
    line: start + 1,
    col: indent + 1,
    endLine: Math.max(start + 1, end),
    contentLine: start + 1,
    closed: true,
    inBlockquote,
    cue: null,
    comment: null,
    sectionId,
    kind: 'doc',
    command: '',
    attributes: {},
  };
}

// "Expected output" / "Failure output" must be the paragraph right before the block
// (bold or not, any case): `**Expected output (healthy):**`.
function cueBefore(tokens: Token[], closeIndex: number): Block['cue'] {
  if (tokens[closeIndex]?.type !== 'paragraph_close') return null;
  const inline = tokens[closeIndex - 1];
  if (inline?.type !== 'inline' || !CUE_HINT.test(inline.content)) return null;
  const text = inlineText(inline.content);
  if (EXPECTED_CUE.test(text)) return 'expected';
  if (FAILURE_CUE.test(text)) return 'failure';
  return null;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function stripFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
