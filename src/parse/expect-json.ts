import { RunproofError } from '../core/index.js';

// The lenient JSON of "Expected output" blocks: JSON plus `...` (or `…`) as an object member, an
// array element or a value, and trailing commas. Runbooks write `{"ok": true, ...}`, which no
// JSON parser accepts; this one keeps where the `...` stood so the matcher knows what is open.

/** A parsed expected-output value. */
export type ExpectNode =
  | { kind: 'scalar'; value: string | number | boolean | null }
  /** `...` as a whole value: present, anything. */
  | { kind: 'any' }
  /** `open` when a `...` member stood in the object (extra keys are allowed either way). */
  | { kind: 'object'; entries: Array<{ key: string; value: ExpectNode }>; open: boolean }
  /** Elements before a `...` match from the start, elements after it from the end. */
  | { kind: 'array'; head: ExpectNode[]; tail: ExpectNode[]; open: boolean };

export interface ParseExpectOptions {
  /** 1-based runbook line of the block's first line. */
  line: number;
  /** 1-based column where the block's content starts. */
  col?: number;
  file?: string;
}

/**
 * Parses an expected-output JSON block.
 * @throws RunproofError `RP_BAD_EXPECTED_OUTPUT` pointing at the offending line and column.
 * @example parseExpectJson('{"ok": true, ...}', { line: 1 }) // { kind: 'object', open: true, entries: [...] }
 */
export function parseExpectJson(text: string, options: ParseExpectOptions = { line: 1 }): ExpectNode {
  const parser = new ExpectParser(text, options);
  parser.skipSpace();
  const node = parser.parseValue();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail(`unexpected ${parser.describeHere()} after the JSON value`, 'one JSON value per block');
  return node;
}

class ExpectParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly options: ParseExpectOptions,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  describeHere(): string {
    return this.atEnd() ? 'end of block' : `"${this.text[this.pos]}"`;
  }

  fail(message: string, hint?: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const lineIndex = before.split('\n').length - 1;
    const col = at - (before.lastIndexOf('\n') + 1);
    throw new RunproofError('RP_BAD_EXPECTED_OUTPUT', message, {
      hint,
      file: this.options.file,
      span: { line: this.options.line + lineIndex, col: (lineIndex === 0 ? (this.options.col ?? 1) : 1) + col },
    });
  }

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos]!)) this.pos++;
  }

  // `...` or the single-character ellipsis.
  private atEllipsis(): number {
    if (this.text.startsWith('...', this.pos)) return 3;
    if (this.text[this.pos] === '…') return 1;
    return 0;
  }

  parseValue(): ExpectNode {
    const ellipsis = this.atEllipsis();
    if (ellipsis > 0) {
      this.pos += ellipsis;
      return { kind: 'any' };
    }
    const ch = this.text[this.pos];
    if (ch === '{') return this.parseObject();
    if (ch === '[') return this.parseArray();
    if (ch === '"') return { kind: 'scalar', value: this.parseString() };
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return { kind: 'scalar', value: this.parseNumber() };
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { kind: 'scalar', value };
      }
    }
    return this.fail(`expected a JSON value, got ${this.describeHere()}`, 'values are objects, arrays, "strings", numbers, true, false, null or ...');
  }

  private parseObject(): ExpectNode {
    const open = this.pos;
    this.pos++;
    const entries: Array<{ key: string; value: ExpectNode }> = [];
    let rest = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { kind: 'object', entries, open: rest };
      }
      if (this.atEnd()) this.fail('unclosed object', 'close it with }', open);
      const ellipsis = this.atEllipsis();
      if (ellipsis > 0) {
        this.pos += ellipsis;
        rest = true;
      } else {
        if (this.text[this.pos] !== '"') this.fail(`expected a "key" or ..., got ${this.describeHere()}`, 'object keys are double-quoted');
        const key = this.parseString();
        this.skipSpace();
        if (this.text[this.pos] !== ':') this.fail(`expected : after "${key}", got ${this.describeHere()}`);
        this.pos++;
        this.skipSpace();
        entries.push({ key, value: this.parseValue() });
      }
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.atEnd()) this.fail('unclosed object', 'close it with }', open);
      else if (this.text[this.pos] !== '}') this.fail(`expected , or } in object, got ${this.describeHere()}`);
    }
  }

  private parseArray(): ExpectNode {
    const open = this.pos;
    this.pos++;
    const head: ExpectNode[] = [];
    const tail: ExpectNode[] = [];
    let rest = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return { kind: 'array', head, tail, open: rest };
      }
      if (this.atEnd()) this.fail('unclosed array', 'close it with ]', open);
      const ellipsis = this.atEllipsis();
      if (ellipsis > 0) {
        if (rest) this.fail('only one ... per array', 'elements before ... match from the start, elements after it from the end');
        this.pos += ellipsis;
        rest = true;
      } else {
        (rest ? tail : head).push(this.parseValue());
      }
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.atEnd()) this.fail('unclosed array', 'close it with ]', open);
      else if (this.text[this.pos] !== ']') this.fail(`expected , or ] in array, got ${this.describeHere()}`);
    }
  }

  private parseString(): string {
    const start = this.pos;
    let end = this.pos + 1;
    while (end < this.text.length && this.text[end] !== '"' && this.text[end] !== '\n') {
      end += this.text[end] === '\\' ? 2 : 1;
    }
    if (this.text[end] !== '"') this.fail('unterminated string', 'close it with "', start);
    try {
      const value = JSON.parse(this.text.slice(start, end + 1)) as string;
      this.pos = end + 1;
      return value;
    } catch {
      return this.fail('bad escape in string', 'JSON escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX', start);
    }
  }

  private parseNumber(): number {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (match === null) return this.fail('bad number');
    this.pos += match[0].length;
    return Number(match[0]);
  }
}
