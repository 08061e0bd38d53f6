// The tokenizer of the assertion language: one line of an `assert` cell in, a flat token list out.
// Hand-written (no regex-driven scanner over user text, no eval) so every token knows its column.

/** What a token is. `word` covers queries, filters, predicates and `true`/`false`/`null`/`not`. */
export type TokenKind = 'word' | 'number' | 'string' | 'regex' | 'op' | 'lbracket' | 'rbracket' | 'comma' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token, as written. */
  raw: string;
  /** 0-based offset of the token in the line. */
  offset: number;
  /** Decoded value: the string's content, the number, the regex pattern. */
  value?: string | number;
  /** Regex flags, for `regex` tokens. */
  flags?: string;
}

/** A tokenizer failure: the message, the 0-based offset it points at and an optional hint. */
export interface LexError {
  message: string;
  offset: number;
  hint?: string;
}

/** Flags a `/regex/flags` literal may carry; `g` and `y` are refused since they make matching stateful. */
export const REGEX_FLAGS = 'imsu';

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>'];

function isWordStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isWordChar(ch: string): boolean {
  return isWordStart(ch) || (ch >= '0' && ch <= '9');
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/**
 * Splits one assertion line into tokens. A `#` outside a string or regex starts a comment.
 * Strings decode `\"`, `\\`, `\n`, `\t`, `\r`; any other backslash pair is kept as written, so
 * `regex "(\d+)"` means what its author meant.
 */
export function tokenizeAssertion(line: string): { tokens: Token[]; error?: LexError } {
  const tokens: Token[] = [];
  let i = 0;
  let end = line.length;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === '#') {
      end = i;
      break;
    }
    const start = i;
    if (ch === '"') {
      const scanned = scanString(line, i);
      if ('error' in scanned) return { tokens, error: scanned.error };
      tokens.push({ kind: 'string', raw: line.slice(start, scanned.end), offset: start, value: scanned.value });
      i = scanned.end;
      continue;
    }
    if (ch === '/') {
      const scanned = scanRegex(line, i);
      if ('error' in scanned) return { tokens, error: scanned.error };
      tokens.push({ kind: 'regex', raw: line.slice(start, scanned.end), offset: start, value: scanned.pattern, flags: scanned.flags });
      i = scanned.end;
      continue;
    }
    if (isDigit(ch) || ((ch === '-' || ch === '+') && (isDigit(line[i + 1]) || (line[i + 1] === '.' && isDigit(line[i + 2])))) || (ch === '.' && isDigit(line[i + 1]))) {
      const scanned = scanNumber(line, i);
      if ('error' in scanned) return { tokens, error: scanned.error };
      tokens.push({ kind: 'number', raw: line.slice(start, scanned.end), offset: start, value: scanned.value });
      i = scanned.end;
      continue;
    }
    if (isWordStart(ch)) {
      while (i < line.length && isWordChar(line[i]!)) i++;
      tokens.push({ kind: 'word', raw: line.slice(start, i), offset: start });
      continue;
    }
    const op = OPERATORS.find((candidate) => line.startsWith(candidate, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', raw: op, offset: start });
      i += op.length;
      continue;
    }
    if (ch === '[' || ch === ']' || ch === ',') {
      tokens.push({ kind: ch === '[' ? 'lbracket' : ch === ']' ? 'rbracket' : 'comma', raw: ch, offset: start });
      i++;
      continue;
    }
    if (ch === '=') {
      return { tokens, error: { message: 'a single "=" is not an operator', offset: start, hint: 'write == to compare' } };
    }
    if (ch === '!') {
      return { tokens, error: { message: 'a lone "!" is not an operator', offset: start, hint: 'write != to compare, or `not` before a predicate' } };
    }
    if (ch === "'") {
      return { tokens, error: { message: "strings are written in double quotes", offset: start, hint: 'write "text" instead of \'text\'' } };
    }
    return { tokens, error: { message: `unexpected character "${ch}"`, offset: start } };
  }
  tokens.push({ kind: 'eof', raw: '', offset: end });
  return { tokens };
}

// Reads a double-quoted string starting at `start` (the opening quote).
function scanString(line: string, start: number): { value: string; end: number } | { error: LexError } {
  let value = '';
  let i = start + 1;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '"') return { value, end: i + 1 };
    if (ch === '\\') {
      const next = line[i + 1];
      if (next === undefined) break;
      if (next === '"' || next === '\\') value += next;
      else if (next === 'n') value += '\n';
      else if (next === 't') value += '\t';
      else if (next === 'r') value += '\r';
      else value += `\\${next}`;
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  return { error: { message: 'unterminated string', offset: start, hint: 'close the string with "' } };
}

// Reads `/pattern/flags` starting at `start`; `\/` and `/` inside a character class do not end it.
function scanRegex(line: string, start: number): { pattern: string; flags: string; end: number } | { error: LexError } {
  let i = start + 1;
  let inClass = false;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    else if (ch === '/' && !inClass) break;
    i++;
  }
  if (i >= line.length) {
    return { error: { message: 'unterminated regex', offset: start, hint: 'close the regex with /, e.g. /^ok$/' } };
  }
  const pattern = line.slice(start + 1, i).replace(/\\\//g, '/');
  i++;
  const flagStart = i;
  while (i < line.length && isWordChar(line[i]!)) i++;
  const flags = line.slice(flagStart, i);
  for (let k = 0; k < flags.length; k++) {
    const flag = flags[k]!;
    if (!REGEX_FLAGS.includes(flag) || flags.indexOf(flag) !== k) {
      return { error: { message: `regex flag "${flag}" is not allowed`, offset: flagStart + k, hint: `flags are ${REGEX_FLAGS.split('').join(', ')}` } };
    }
  }
  return { pattern, flags, end: i };
}

// Reads an int or float, optionally signed, with an optional exponent.
function scanNumber(line: string, start: number): { value: number; end: number } | { error: LexError } {
  let i = start;
  if (line[i] === '-' || line[i] === '+') i++;
  while (isDigit(line[i])) i++;
  if (line[i] === '.') {
    i++;
    while (isDigit(line[i])) i++;
  }
  if ((line[i] === 'e' || line[i] === 'E') && (isDigit(line[i + 1]) || ((line[i + 1] === '-' || line[i + 1] === '+') && isDigit(line[i + 2])))) {
    i += 2;
    while (isDigit(line[i])) i++;
  }
  if (i < line.length && (isWordStart(line[i]!) || line[i] === '.')) {
    let end = i;
    while (end < line.length && line[end] !== ' ' && line[end] !== '\t') end++;
    return { error: { message: `"${line.slice(start, end)}" is not a number`, offset: start, hint: 'quote text: "..."' } };
  }
  return { value: Number(line.slice(start, i)), end: i };
}
