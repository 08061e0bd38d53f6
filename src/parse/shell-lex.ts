/**
 * A small, forgiving shell tokenizer: enough of bash's grammar to see every simple command a cell
 * would run (risk), every variable it reads (lint) and the quoting context of every placeholder
 * (safe parameter binding). It never throws: text it cannot finish (an unclosed quote) comes back
 * with `complete: false`. All offsets are 0-based indexes into the original text, so callers can
 * rewrite the text in place.
 */

/** Where a piece of text sits, as the shell will read it. */
export type QuoteContext = 'none' | 'single' | 'double' | 'ansi' | 'heredoc' | 'arith';

interface PartBase {
  /** Offsets of the part in the source: `start` inclusive, `end` exclusive. */
  start: number;
  end: number;
  /** The source text of the part, as written. */
  raw: string;
  quote: QuoteContext;
}

/** Plain text; `text` is the value after quote removal and backslash escapes. */
export interface LiteralPart extends PartBase {
  kind: 'literal';
  text: string;
}

/** `$NAME`, `${NAME}`, `${NAME:-default}`, `$1`, `$?`... */
export interface ParamPart extends PartBase {
  kind: 'param';
  name: string;
  braced: boolean;
  /** The operator after the name inside braces (`:-`, `-`, `:=`, `#`, `%`, `/`...), or `''`. */
  op: string;
  /** `${#NAME}` (length) or `${!NAME}` (indirection). */
  prefix: '' | '#' | '!';
  /** Tokens of the operator's argument (`${X:-$(cmd)}`), when it holds expansions. */
  inner: Token[];
}

/** `$(...)` or a backtick substitution; `tokens` is the inner command list. */
export interface CommandPart extends PartBase {
  kind: 'command';
  backtick: boolean;
  tokens: Token[];
}

/** `$((...))`; `parts` are the expansions found inside. */
export interface ArithPart extends PartBase {
  kind: 'arith';
  parts: WordPart[];
}

/** `<(...)` or `>(...)`. */
export interface ProcessPart extends PartBase {
  kind: 'process';
  tokens: Token[];
}

export type WordPart = LiteralPart | ParamPart | CommandPart | ArithPart | ProcessPart;

export interface WordToken {
  type: 'word';
  start: number;
  end: number;
  raw: string;
  parts: WordPart[];
}

/** `|`, `||`, `&&`, `;`, `;;`, `&`, `|&`, `(`, `)`, `\n`... */
export interface OperatorToken {
  type: 'op';
  op: string;
  start: number;
  end: number;
}

export interface Heredoc {
  /** The delimiter after quote removal. */
  delimiter: string;
  /** A quoted delimiter (`<<'EOF'`) means the body is taken literally. */
  quoted: boolean;
  /** `<<-`: leading tabs are stripped. */
  stripTabs: boolean;
  body: string;
  bodyStart: number;
  bodyEnd: number;
  /** The body's parts (expansions found) when the delimiter is unquoted; one literal otherwise. */
  parts: WordPart[];
}

export interface RedirectToken {
  type: 'redirect';
  /** `>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `>&`, `<&`, `&>`, `&>>`, `>|`, `<>`. */
  op: string;
  /** The file descriptor written before the operator (`2` in `2>&1`), or `''`. */
  fd: string;
  start: number;
  end: number;
  target: WordToken | null;
  heredoc?: Heredoc;
}

export interface CommentToken {
  type: 'comment';
  text: string;
  start: number;
  end: number;
}

/** `(( ... ))` used as a command. */
export interface ArithCommandToken {
  type: 'arith';
  start: number;
  end: number;
  raw: string;
  parts: WordPart[];
}

export type Token = WordToken | OperatorToken | RedirectToken | CommentToken | ArithCommandToken;

export interface LexResult {
  tokens: Token[];
  /** False when the text ends inside a quote, substitution or `[[`. */
  complete: boolean;
}

// The operator starting at `i`, longest first (`;;&` before `;;` before `;`), or undefined.
function operatorAt(src: string, i: number): string | undefined {
  const c = src[i];
  const d = src[i + 1];
  switch (c) {
    case ';':
      if (d === ';') return src[i + 2] === '&' ? ';;&' : ';;';
      return d === '&' ? ';&' : ';';
    case '&':
      return d === '&' ? '&&' : '&';
    case '|':
      return d === '|' ? '||' : d === '&' ? '|&' : '|';
    case '(':
    case ')':
      return c;
    default:
      return undefined;
  }
}

// Characters that end a plain run inside a word (lexWord looks at these one by one).
const WORD_SPECIAL = new Set([' ', '\t', '\n', '\r', ';', '|', '&', ')', '(', '\\', "'", '"', '$', '`', '<', '>']);
const REDIRECT = /^(\d*)(<<<|<<-|<<|<>|<&|>>|>&|>\||&>>|&>|<|>)/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** A `<name>` placeholder: lexed as text, never as a redirection. */
export const ANGLE_PLACEHOLDER = /^<([A-Za-z_][A-Za-z0-9_-]*)>/;
const RESERVED_BEFORE_COMMAND = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time']);

/** A cell's shell text lexed once: tokens and simple commands, shared by risk, params and variables. */
export interface ShellAnalysis extends LexResult {
  /** `listCommands(tokens)`. */
  commands: SimpleCommand[];
}

/**
 * Lexes `source` and lists its simple commands, once: the parse hands the same (read-only)
 * result to every rule that looks at a cell's shell text.
 */
export function analyzeShell(source: string): ShellAnalysis {
  const { tokens, complete } = lexShell(source);
  return { tokens, complete, commands: listCommands(tokens) };
}

/** Tokenizes shell text. Never throws. */
export function lexShell(source: string): LexResult {
  const lexer = new Lexer(source, 0, source.length);
  const tokens = lexer.lexList(null);
  lexer.finishHeredocs();
  return { tokens, complete: lexer.complete };
}

// One pass over a region of the source; nested substitutions get their own Lexer on the same text.
class Lexer {
  complete = true;
  private pending: RedirectToken[] = [];

  constructor(
    private readonly src: string,
    public i: number,
    private readonly limit: number,
  ) {}

  lexList(stop: ')' | null): Token[] {
    const tokens: Token[] = [];
    const src = this.src;
    let depth = 0;
    let commandStart = true;
    let inDoubleBracket = false;
    while (this.i < this.limit) {
      const c = src[this.i]!;
      if (c === ' ' || c === '\t' || c === '\r') {
        this.i++;
        continue;
      }
      if (c === '\\' && src[this.i + 1] === '\n') {
        this.i += 2;
        continue;
      }
      if (c === '\n') {
        tokens.push({ type: 'op', op: '\n', start: this.i, end: this.i + 1 });
        this.i++;
        this.readHeredocBodies();
        commandStart = true;
        continue;
      }
      if (c === '#') {
        const end = this.lineEnd(this.i);
        tokens.push({ type: 'comment', text: src.slice(this.i, end), start: this.i, end });
        this.i = end;
        continue;
      }
      if (inDoubleBracket) {
        const word = this.lexWord(true);
        tokens.push(word);
        if (word.raw === ']]') inDoubleBracket = false;
        commandStart = false;
        continue;
      }
      if (stop === ')' && c === ')' && depth === 0) return tokens;
      if (commandStart && src.startsWith('((', this.i)) {
        const close = this.findArithEnd(this.i + 2);
        const end = close < 0 ? this.limit : close + 2;
        if (close < 0) this.complete = false;
        tokens.push({
          type: 'arith',
          start: this.i,
          end,
          raw: src.slice(this.i, end),
          parts: this.scanExpansions(this.i + 2, close < 0 ? this.limit : close, 'arith'),
        });
        this.i = end;
        commandStart = false;
        continue;
      }
      const redirect = this.tryRedirect();
      if (redirect) {
        tokens.push(redirect);
        continue;
      }
      const op = operatorAt(src, this.i);
      if (op !== undefined) {
        if (op === '(') depth++;
        if (op === ')') depth--;
        tokens.push({ type: 'op', op, start: this.i, end: this.i + op.length });
        this.i += op.length;
        commandStart = true;
        continue;
      }
      const word = this.lexWord(false);
      tokens.push(word);
      if (commandStart && word.raw === '[[') inDoubleBracket = true;
      commandStart = commandStart && RESERVED_BEFORE_COMMAND.has(word.raw);
    }
    if (stop !== null || inDoubleBracket) this.complete = false;
    return tokens;
  }

  /** Gives pending heredocs (a text that ends before their bodies) empty bodies. */
  finishHeredocs(): void {
    for (const r of this.pending) {
      r.heredoc = { ...r.heredoc!, body: '', bodyStart: this.limit, bodyEnd: this.limit, parts: [] };
    }
    this.pending = [];
  }

  private lineEnd(from: number): number {
    const nl = this.src.indexOf('\n', from);
    return nl < 0 || nl > this.limit ? this.limit : nl;
  }

  private tryRedirect(): RedirectToken | null {
    const src = this.src;
    const c = src[this.i]!;
    if (!/[0-9<>&]/.test(c)) return null;
    const rest = src.slice(this.i, Math.min(this.limit, this.i + 64));
    const m = REDIRECT.exec(rest);
    if (!m) return null;
    const fd = m[1]!;
    const op = m[2]!;
    const opStart = this.i + fd.length;
    // `<(...)`/`>(...)` is process substitution and `<name>` a placeholder: both are words.
    if ((op === '<' || op === '>') && src[opStart + 1] === '(') return null;
    if (op === '<' && ANGLE_PLACEHOLDER.test(src.slice(opStart, opStart + 80))) return null;
    const start = this.i;
    this.i = opStart + op.length;
    while (this.i < this.limit && (src[this.i] === ' ' || src[this.i] === '\t')) this.i++;
    let target: WordToken | null = null;
    // A missing target is a syntax error bash will report; the token keeps `target: null`.
    if (this.i < this.limit && !/[\n;|&()<>]/.test(src[this.i]!)) target = this.lexWord(false);
    const token: RedirectToken = { type: 'redirect', op, fd, start, end: target ? target.end : this.i, target };
    if (op === '<<' || op === '<<-') {
      const raw = target?.raw ?? '';
      token.heredoc = {
        delimiter: target ? wordValue(target) : '',
        quoted: /['"\\]/.test(raw),
        stripTabs: op === '<<-',
        body: '',
        bodyStart: this.limit,
        bodyEnd: this.limit,
        parts: [],
      };
      this.pending.push(token);
    }
    return token;
  }

  // After a newline: the bodies of heredocs opened on the line just ended.
  private readHeredocBodies(): void {
    const src = this.src;
    for (const token of this.pending) {
      const doc = token.heredoc!;
      const bodyStart = this.i;
      let bodyEnd = this.limit;
      let next = this.limit;
      while (this.i < this.limit) {
        const end = this.lineEnd(this.i);
        const line = src.slice(this.i, end);
        const check = doc.stripTabs ? line.replace(/^\t+/, '') : line;
        if (check === doc.delimiter || check === `${doc.delimiter}\r`) {
          bodyEnd = this.i;
          next = end < this.limit ? end + 1 : end;
          break;
        }
        this.i = end < this.limit ? end + 1 : end;
      }
      if (bodyEnd === this.limit) next = this.limit;
      doc.bodyStart = bodyStart;
      doc.bodyEnd = bodyEnd;
      doc.body = src.slice(bodyStart, bodyEnd);
      doc.parts = doc.quoted
        ? [{ kind: 'literal', start: bodyStart, end: bodyEnd, raw: doc.body, text: doc.body, quote: 'single' }]
        : this.scanExpansions(bodyStart, bodyEnd, 'heredoc');
      this.i = next;
    }
    this.pending = [];
  }

  // One word, up to an unquoted blank or operator; inside `[[ ]]` only blanks and `;` end it.
  private lexWord(doubleBracket: boolean): WordToken {
    const src = this.src;
    const start = this.i;
    const parts: WordPart[] = [];
    let lit = '';
    let litStart = this.i;
    const flush = (end = this.i): void => {
      if (end > litStart || lit !== '') {
        parts.push({ kind: 'literal', start: litStart, end, raw: src.slice(litStart, end), text: lit, quote: 'none' });
      }
      lit = '';
    };
    while (this.i < this.limit) {
      const c = src[this.i]!;
      if (!WORD_SPECIAL.has(c)) {
        // A run of ordinary characters is taken in one slice, not character by character.
        let j = this.i + 1;
        while (j < this.limit && !WORD_SPECIAL.has(src[j]!)) j++;
        lit += src.slice(this.i, j);
        this.i = j;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ';') break;
      if (!doubleBracket && (c === '|' || c === '&' || c === ')')) break;
      if (c === '\\') {
        if (src[this.i + 1] === '\n') {
          this.i += 2;
          continue;
        }
        lit += src[this.i + 1] ?? '';
        this.i = Math.min(this.limit, this.i + 2);
        continue;
      }
      if (c === "'") {
        flush();
        parts.push(this.lexSingle());
        litStart = this.i;
        continue;
      }
      if (c === '"') {
        flush();
        parts.push(...this.lexDouble());
        litStart = this.i;
        continue;
      }
      if (c === '$' || c === '`') {
        if (c === '$' && src[this.i + 1] === "'") {
          flush();
          parts.push(this.lexAnsi());
          litStart = this.i;
          continue;
        }
        if (c === '$' && src[this.i + 1] === '"') {
          // `$"..."` (locale translation) reads like a double-quoted string.
          flush();
          this.i++;
          litStart = this.i;
          parts.push(...this.lexDouble());
          litStart = this.i;
          continue;
        }
        const at = this.i;
        const expansion = this.lexExpansion('none');
        if (expansion) {
          flush(at);
          parts.push(expansion);
          litStart = this.i;
          continue;
        }
        lit += c;
        this.i++;
        continue;
      }
      if ((c === '<' || c === '>') && !doubleBracket) {
        if (src[this.i + 1] === '(') {
          flush();
          parts.push(this.lexProcess());
          litStart = this.i;
          continue;
        }
        const placeholder = c === '<' ? ANGLE_PLACEHOLDER.exec(src.slice(this.i, this.i + 80)) : null;
        if (placeholder && this.i + placeholder[0].length <= this.limit) {
          lit += placeholder[0];
          this.i += placeholder[0].length;
          continue;
        }
        break;
      }
      if (c === '(' && !doubleBracket) {
        // `name=(a b)` array assignments and `@(a|b)` extended globs stay inside the word.
        const isArray = lit !== '' && parts.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*\+?=$/.test(lit);
        const isGlob = /[@!+*?]$/.test(lit) && lit !== '';
        if (!isArray && !isGlob) break;
        const close = this.findClose(this.i + 1, '(', ')');
        const end = close < 0 ? this.limit : close + 1;
        if (close < 0) this.complete = false;
        lit += src.slice(this.i, end);
        this.i = end;
        continue;
      }
      lit += c;
      this.i++;
    }
    // Never return an empty word: a stray character becomes text, so lexing always advances.
    if (this.i === start && this.i < this.limit) {
      lit += src[this.i];
      this.i++;
    }
    flush();
    return { type: 'word', start, end: this.i, raw: src.slice(start, this.i), parts };
  }

  private lexSingle(): LiteralPart {
    const start = this.i;
    const close = this.src.indexOf("'", this.i + 1);
    const end = close < 0 || close >= this.limit ? this.limit : close;
    if (end === this.limit) this.complete = false;
    this.i = Math.min(this.limit, end + 1);
    return { kind: 'literal', start, end: this.i, raw: this.src.slice(start, this.i), text: this.src.slice(start + 1, end), quote: 'single' };
  }

  private lexAnsi(): LiteralPart {
    const src = this.src;
    const start = this.i;
    this.i += 2;
    let text = '';
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v' };
    while (this.i < this.limit && src[this.i] !== "'") {
      if (src[this.i] === '\\' && this.i + 1 < this.limit) {
        const e = src[this.i + 1]!;
        text += escapes[e] ?? `\\${e}`;
        this.i += 2;
        continue;
      }
      text += src[this.i];
      this.i++;
    }
    if (this.i >= this.limit) this.complete = false;
    this.i = Math.min(this.limit, this.i + 1);
    return { kind: 'literal', start, end: this.i, raw: src.slice(start, this.i), text, quote: 'ansi' };
  }

  // A double-quoted string: literal runs and the expansions inside, all in 'double' context.
  private lexDouble(): WordPart[] {
    const src = this.src;
    const parts: WordPart[] = [];
    this.i++;
    let lit = '';
    let litStart = this.i;
    const flush = (end = this.i): void => {
      if (end > litStart) {
        parts.push({ kind: 'literal', start: litStart, end, raw: src.slice(litStart, end), text: lit, quote: 'double' });
      }
      lit = '';
    };
    let closed = false;
    while (this.i < this.limit) {
      const c = src[this.i]!;
      if (c === '"') {
        flush();
        this.i++;
        closed = true;
        break;
      }
      if (c === '\\') {
        const next = src[this.i + 1];
        if (next === '\n') this.i += 2;
        else if (next !== undefined && '$`"\\'.includes(next)) {
          lit += next;
          this.i += 2;
        } else {
          lit += c;
          this.i++;
        }
        continue;
      }
      if (c === '$' || c === '`') {
        const at = this.i;
        const expansion = this.lexExpansion('double');
        if (expansion) {
          flush(at);
          parts.push(expansion);
          litStart = this.i;
          continue;
        }
      }
      lit += c;
      this.i++;
    }
    if (!closed) {
      flush();
      this.complete = false;
    }
    // An empty `""` still makes a word: keep an empty literal so the word has a part.
    if (parts.length === 0) parts.push({ kind: 'literal', start: litStart - 1, end: this.i, raw: src.slice(litStart - 1, this.i), text: '', quote: 'double' });
    return parts;
  }

  // `$(...)`, `$((...))`, `${...}`, `$NAME`, `$1`, `$?`, or a backtick substitution at `this.i`.
  private lexExpansion(quote: QuoteContext): WordPart | null {
    const src = this.src;
    const start = this.i;
    if (src[start] === '`') {
      const close = this.findBacktickEnd(start + 1);
      const end = close < 0 ? this.limit : close;
      if (close < 0) this.complete = false;
      const inner = new Lexer(src, start + 1, end);
      const tokens = inner.lexList(null);
      inner.finishHeredocs();
      if (!inner.complete) this.complete = false;
      this.i = Math.min(this.limit, end + 1);
      return { kind: 'command', backtick: true, tokens, start, end: this.i, raw: src.slice(start, this.i), quote };
    }
    const next = src[start + 1];
    if (next === '(' && src[start + 2] === '(') {
      const close = this.findArithEnd(start + 3);
      if (close >= 0) {
        const parts = this.scanExpansions(start + 3, close, 'arith');
        this.i = close + 2;
        return { kind: 'arith', parts, start, end: this.i, raw: src.slice(start, this.i), quote };
      }
    }
    if (next === '(') {
      const inner = new Lexer(src, start + 2, this.limit);
      const tokens = inner.lexList(')');
      inner.finishHeredocs();
      if (!inner.complete) this.complete = false;
      this.i = Math.min(this.limit, inner.i + 1);
      return { kind: 'command', backtick: false, tokens, start, end: this.i, raw: src.slice(start, this.i), quote };
    }
    if (next === '{') {
      const close = this.findClose(start + 2, '{', '}');
      const end = close < 0 ? this.limit : close;
      if (close < 0) this.complete = false;
      const body = src.slice(start + 2, end);
      this.i = Math.min(this.limit, end + 1);
      const m = /^([#!]?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(body);
      let prefix: '' | '#' | '!' = '';
      let name = '';
      let rest = body;
      if (m) {
        prefix = m[1] as '' | '#' | '!';
        name = m[2]!;
        rest = body.slice(m[0].length);
        // `${#}` is the argument count, not the length of a variable.
        if (prefix === '#' && name === '') name = '#';
      }
      const op = /^(\[[^\]]*\])?(:?[-=?+]|##?|%%?|\/\/?|\/#|\/%|\^\^?|,,?|@|:)?/.exec(rest)?.[2] ?? '';
      const argOffset = start + 2 + (m ? m[0].length : 0) + rest.indexOf(op) + op.length;
      let innerTokens: Token[] = [];
      if (op !== '' && /[$`]/.test(src.slice(argOffset, end))) {
        const inner = new Lexer(src, argOffset, end);
        innerTokens = inner.lexList(null);
        inner.finishHeredocs();
      }
      return { kind: 'param', name, braced: true, op, prefix, inner: innerTokens, start, end: this.i, raw: src.slice(start, this.i), quote };
    }
    if (next !== undefined && start + 1 < this.limit) {
      const m = NAME.exec(src.slice(start + 1, Math.min(this.limit, start + 200)));
      if (m) {
        this.i = start + 1 + m[0].length;
        return { kind: 'param', name: m[0], braced: false, op: '', prefix: '', inner: [], start, end: this.i, raw: src.slice(start, this.i), quote };
      }
      if (/[0-9@*#?$!-]/.test(next)) {
        this.i = start + 2;
        return { kind: 'param', name: next, braced: false, op: '', prefix: '', inner: [], start, end: this.i, raw: src.slice(start, this.i), quote };
      }
    }
    return null;
  }

  private lexProcess(): ProcessPart {
    const src = this.src;
    const start = this.i;
    const inner = new Lexer(src, start + 2, this.limit);
    const tokens = inner.lexList(')');
    inner.finishHeredocs();
    if (!inner.complete) this.complete = false;
    this.i = Math.min(this.limit, inner.i + 1);
    return { kind: 'process', tokens, start, end: this.i, raw: src.slice(start, this.i), quote: 'none' };
  }

  // Expansions inside a heredoc body or an arithmetic expression; the rest is literal text.
  scanExpansions(from: number, to: number, quote: QuoteContext): WordPart[] {
    const src = this.src;
    const parts: WordPart[] = [];
    const sub = new Lexer(src, from, to);
    let lit = '';
    let litStart = from;
    const flush = (end = sub.i): void => {
      if (end > litStart) parts.push({ kind: 'literal', start: litStart, end, raw: src.slice(litStart, end), text: lit, quote });
      lit = '';
    };
    while (sub.i < to) {
      const c = src[sub.i]!;
      if (c === '\\' && sub.i + 1 < to && '$`\\\n'.includes(src[sub.i + 1]!)) {
        if (src[sub.i + 1] !== '\n') lit += src[sub.i + 1];
        sub.i += 2;
        continue;
      }
      if (c === '$' || c === '`') {
        const at = sub.i;
        const expansion = sub.lexExpansion(quote);
        if (expansion) {
          flush(at);
          parts.push(expansion);
          litStart = sub.i;
          continue;
        }
      }
      lit += c;
      sub.i++;
    }
    flush();
    return parts;
  }

  private findBacktickEnd(from: number): number {
    for (let j = from; j < this.limit; j++) {
      if (this.src[j] === '\\') j++;
      else if (this.src[j] === '`') return j;
    }
    return -1;
  }

  // The index of the `))` closing an arithmetic expression opened just before `from`.
  private findArithEnd(from: number): number {
    let depth = 0;
    for (let j = from; j < this.limit; j++) {
      const c = this.src[j];
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) return this.src[j + 1] === ')' ? j : -1;
        depth--;
      }
    }
    return -1;
  }

  // The index of the bracket closing one opened just before `from`, skipping quoted text.
  private findClose(from: number, open: string, close: string): number {
    let depth = 0;
    for (let j = from; j < this.limit; j++) {
      const c = this.src[j];
      if (c === '\\') j++;
      else if (c === "'" && open !== '{') {
        const q = this.src.indexOf("'", j + 1);
        if (q < 0) return -1;
        j = q;
      } else if (c === '"') {
        for (j++; j < this.limit && this.src[j] !== '"'; j++) if (this.src[j] === '\\') j++;
      } else if (c === open) depth++;
      else if (c === close) {
        if (depth === 0) return j;
        depth--;
      }
    }
    return -1;
  }
}

/** A word's value as the shell sees it before expansion: quotes removed, expansions as written. */
export function wordValue(word: WordToken): string {
  const parts = word.parts;
  if (parts.length === 1) {
    const p = parts[0]!;
    return p.kind === 'literal' ? p.text : p.raw;
  }
  let value = '';
  for (const p of parts) value += p.kind === 'literal' ? p.text : p.raw;
  return value;
}

/** True when the word has no expansion at all (its value is known before running). */
export function isLiteralWord(word: WordToken): boolean {
  return word.parts.every((p) => p.kind === 'literal');
}

/** One simple command, with the reserved words of compound commands stripped. */
export interface SimpleCommand {
  /** `NAME=value` words before the command name. */
  assignments: WordToken[];
  /** The command name and its arguments. */
  args: WordToken[];
  redirects: RedirectToken[];
  start: number;
  end: number;
  /** `simple`; `for` for a `for X in ...`/`select` header; `arith` for `(( ... ))`. */
  kind: 'simple' | 'for' | 'arith' | 'case';
  /** The loop variable of a `for`/`select` header. */
  loopVar?: string;
  /** The function being defined, for a `name() {` / `function name` header. */
  functionName?: string;
  /** Inside `$(...)`, backticks, `<(...)` or a `( ... )` subshell: its assignments do not persist. */
  subshell: boolean;
  /** `(( ... ))` commands keep their parts here. */
  arithParts?: WordPart[];
}

const STRIPPED_RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'time', 'esac', 'coproc']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

/**
 * Every simple command in execution order: commands inside a word's substitutions come before
 * the command that holds them. Compound commands (`if`, `for`, `while`, `case`, `{ }`, `( )`,
 * functions) are flattened into their simple commands.
 */
export function listCommands(tokens: Token[], subshell = false): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let words: WordToken[] = [];
  let redirects: RedirectToken[] = [];
  let kind: SimpleCommand['kind'] = 'simple';
  let functionName: string | undefined;
  let parenDepth = 0;
  // Each open `case`: 'word' until its `in`, then 'pattern' until `)`, then 'body'.
  const cases: ('word' | 'pattern' | 'body')[] = [];

  const finish = (): void => {
    if (words.length === 0 && redirects.length === 0 && functionName === undefined) {
      kind = 'simple';
      return;
    }
    const all = words;
    let split = 0;
    if (kind === 'simple') {
      while (split < all.length && isAssignmentWord(all[split]!)) split++;
    }
    let start = Number.MAX_SAFE_INTEGER;
    let end = 0;
    for (const t of all) {
      if (t.start < start) start = t.start;
      if (t.end > end) end = t.end;
    }
    for (const t of redirects) {
      if (t.start < start) start = t.start;
      if (t.end > end) end = t.end;
    }
    const cmd: SimpleCommand = {
      assignments: all.slice(0, split),
      args: all.slice(split),
      redirects,
      start,
      end,
      kind,
      subshell: subshell || parenDepth > 0,
    };
    if (kind === 'for') {
      cmd.loopVar = all[0] ? wordValue(all[0]) : undefined;
      if (cmd.loopVar === undefined) delete cmd.loopVar;
    }
    if (functionName !== undefined) cmd.functionName = functionName;
    for (const w of all) out.push(...nestedInWord(w));
    for (const r of redirects) {
      if (r.target) out.push(...nestedInWord(r.target));
      if (r.heredoc) out.push(...nestedInParts(r.heredoc.parts));
    }
    if (words.length > 0 || redirects.length > 0) out.push(cmd);
    else if (functionName !== undefined) out.push(cmd);
    words = [];
    redirects = [];
    kind = 'simple';
    functionName = undefined;
  };

  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    const top = cases.length > 0 ? cases[cases.length - 1] : undefined;
    if (token.type === 'comment') continue;
    if (top === 'pattern') {
      if (token.type === 'word' && wordValue(token) === 'esac') {
        cases.pop();
        continue;
      }
      if (token.type === 'op' && token.op === ')') cases[cases.length - 1] = 'body';
      continue;
    }
    if (token.type === 'word') {
      const value = wordValue(token);
      if (top === 'word' && words.length === 0) {
        if (value === 'in') cases[cases.length - 1] = 'pattern';
        continue;
      }
      if (words.length === 0 && redirects.length === 0 && kind === 'simple') {
        if (value === 'esac' && top === 'body') {
          cases.pop();
          continue;
        }
        if (STRIPPED_RESERVED.has(value) && isLiteralWord(token)) continue;
        if (value === 'case' && isLiteralWord(token)) {
          cases.push('word');
          const subject = tokens[t + 1];
          if (subject?.type === 'word') out.push(...nestedInWord(subject));
          t++;
          continue;
        }
        if ((value === 'for' || value === 'select') && isLiteralWord(token)) {
          kind = 'for';
          continue;
        }
        if (value === 'function' && isLiteralWord(token)) {
          const name = tokens[t + 1];
          if (name?.type === 'word') {
            functionName = wordValue(name);
            t++;
            const open = tokens[t + 1];
            const close = tokens[t + 2];
            if (open?.type === 'op' && open.op === '(' && close?.type === 'op' && close.op === ')') t += 2;
            finish();
          }
          continue;
        }
      }
      if (kind === 'for' && value === 'in' && words.length === 1) continue;
      words.push(token);
      continue;
    }
    if (token.type === 'redirect') {
      redirects.push(token);
      continue;
    }
    if (token.type === 'arith') {
      if (kind === 'for') {
        finish();
        continue;
      }
      finish();
      const nested = nestedInParts(token.parts);
      out.push(...nested);
      out.push({ assignments: [], args: [], redirects: [], start: token.start, end: token.end, kind: 'arith', subshell: subshell || parenDepth > 0, arithParts: token.parts });
      continue;
    }
    // Operators.
    if (token.op === '(') {
      const close = tokens[t + 1];
      if (words.length === 1 && redirects.length === 0 && close?.type === 'op' && close.op === ')') {
        functionName = wordValue(words[0]!);
        words = [];
        t++;
        finish();
        continue;
      }
      finish();
      parenDepth++;
      continue;
    }
    if (token.op === ')') {
      finish();
      if (parenDepth > 0) parenDepth--;
      continue;
    }
    finish();
    if ((token.op === ';;' || token.op === ';&' || token.op === ';;&') && top === 'body') cases[cases.length - 1] = 'pattern';
  }
  finish();
  return out;
}

function isAssignmentWord(word: WordToken): boolean {
  const first = word.parts[0];
  return first !== undefined && first.kind === 'literal' && first.quote === 'none' && ASSIGNMENT.test(first.text);
}

/** Commands nested in a word: substitutions, process substitutions, `${X:-$(cmd)}` defaults. */
export function nestedInWord(word: WordToken): SimpleCommand[] {
  return nestedInParts(word.parts);
}

export function nestedInParts(parts: WordPart[]): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  for (const p of parts) {
    if (p.kind === 'command' || p.kind === 'process') out.push(...listCommands(p.tokens, true));
    else if (p.kind === 'arith') out.push(...nestedInParts(p.parts));
    else if (p.kind === 'param') {
      // The operator's argument is a word, not a command: only its substitutions run.
      for (const t of p.inner) if (t.type === 'word') out.push(...nestedInWord(t));
    }
  }
  return out;
}
