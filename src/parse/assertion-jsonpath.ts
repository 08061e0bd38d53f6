// Parser for the JSONPath subset of `jsonpath "..."` queries and filters: RFC 9535 syntax for
// root, child, descendant, wildcard, index, slice, union and filter selectors. Its own code
// because the maintained JSONPath libraries for Node either evaluate script expressions
// (jsonpath, jsonpath-plus) or are not installed here; filters get a tiny comparator grammar.

/** A literal inside a filter expression. */
export type JsonPathLiteral = string | number | boolean | null;

/** One selector inside a segment: `.name`, `[0]`, `[1:3]`, `[*]`, `[?(@.x == 1)]`. */
export type JsonPathSelector =
  | { kind: 'name'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | null; end: number | null; step: number | null }
  | { kind: 'filter'; expr: JsonPathFilter };

/** A step of a path; `descendant` for `..`, several selectors for a union `[a,b]`. */
export interface JsonPathSegment {
  descendant: boolean;
  selectors: JsonPathSelector[];
}

/** A path relative to the document root (`$`) or, inside a filter, to the current node (`@`). */
export interface JsonPathQuery {
  root: '$' | '@';
  segments: JsonPathSegment[];
}

export type JsonPathComparator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type JsonPathOperand = { kind: 'literal'; value: JsonPathLiteral } | { kind: 'path'; path: JsonPathQuery };

/** A filter expression: comparisons, existence tests, `!`, `&&`, `||` and parentheses. */
export type JsonPathFilter =
  | { kind: 'or'; left: JsonPathFilter; right: JsonPathFilter }
  | { kind: 'and'; left: JsonPathFilter; right: JsonPathFilter }
  | { kind: 'not'; expr: JsonPathFilter }
  | { kind: 'exists'; path: JsonPathQuery }
  | { kind: 'compare'; op: JsonPathComparator; left: JsonPathOperand; right: JsonPathOperand };

/** Thrown by {@link parseJsonPath}: what is wrong and the 0-based offset in the path text. */
export class JsonPathSyntaxError extends Error {
  readonly offset: number;
  readonly hint: string | undefined;
  constructor(message: string, offset: number, hint?: string) {
    super(message);
    this.name = 'JsonPathSyntaxError';
    this.offset = offset;
    this.hint = hint;
  }
}

/**
 * Parses a JSONPath such as `$.checks.pools['6900xt'].reachable` or `$.items[?(@.ok == true)].name`.
 * @throws JsonPathSyntaxError with the offset of the offending character.
 */
export function parseJsonPath(text: string): JsonPathQuery {
  const parser = new PathParser(text);
  const query = parser.parseRootPath();
  parser.expectEnd();
  return query;
}

/**
 * A path is definite (yields at most one value) when every segment is a plain child step with
 * one name or index selector. Queries with wildcards, `..`, slices, unions or filters yield lists.
 */
export function isDefinitePath(query: JsonPathQuery): boolean {
  return query.segments.every(
    (segment) => !segment.descendant && segment.selectors.length === 1 && (segment.selectors[0]!.kind === 'name' || segment.selectors[0]!.kind === 'index'),
  );
}

const NAME_STOP = new Set([...'.[]()\'"!=<>&|,@$ \t*?:']);

class PathParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseRootPath(): JsonPathQuery {
    this.skipSpace();
    if (this.peek() !== '$') {
      const hint = this.peek() === '.' ? `a JSONPath starts at the root: $${this.text.trim()}` : 'a JSONPath starts with $, e.g. $.status or $.items[0].name';
      throw new JsonPathSyntaxError('a JSONPath must start with $', this.pos, hint);
    }
    this.pos++;
    return { root: '$', segments: this.parseSegments() };
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.pos < this.text.length) {
      throw new JsonPathSyntaxError(`unexpected "${this.text[this.pos]}" in JSONPath`, this.pos);
    }
  }

  private peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  private skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  private parseSegments(): JsonPathSegment[] {
    const segments: JsonPathSegment[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === '.' && this.peek(1) === '.') {
        this.pos += 2;
        if (this.peek() === '[') segments.push({ descendant: true, selectors: this.parseBracket() });
        else segments.push({ descendant: true, selectors: [this.parseDotSelector()] });
      } else if (ch === '.') {
        this.pos++;
        segments.push({ descendant: false, selectors: [this.parseDotSelector()] });
      } else if (ch === '[') {
        segments.push({ descendant: false, selectors: this.parseBracket() });
      } else {
        return segments;
      }
    }
  }

  // After `.` or `..`: a member name or `*`.
  private parseDotSelector(): JsonPathSelector {
    if (this.peek() === '*') {
      this.pos++;
      return { kind: 'wildcard' };
    }
    const start = this.pos;
    while (this.pos < this.text.length && !NAME_STOP.has(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) {
      throw new JsonPathSyntaxError('expected a member name after "."', start, "write .name, .* or ['name']");
    }
    return { kind: 'name', name: this.text.slice(start, this.pos) };
  }

  // `[` selector (`,` selector)* `]`
  private parseBracket(): JsonPathSelector[] {
    const open = this.pos;
    this.pos++;
    const selectors: JsonPathSelector[] = [];
    for (;;) {
      this.skipSpace();
      selectors.push(this.parseBracketSelector());
      this.skipSpace();
      const ch = this.peek();
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch === ']') {
        this.pos++;
        return selectors;
      }
      if (ch === undefined) throw new JsonPathSyntaxError('unclosed "[" in JSONPath', open, 'close it with ]');
      throw new JsonPathSyntaxError(`unexpected "${ch}" in brackets`, this.pos, 'separate selectors with , and close with ]');
    }
  }

  private parseBracketSelector(): JsonPathSelector {
    const ch = this.peek();
    if (ch === "'" || ch === '"') return { kind: 'name', name: this.parseQuoted() };
    if (ch === '*') {
      this.pos++;
      return { kind: 'wildcard' };
    }
    if (ch === '?') {
      this.pos++;
      this.skipSpace();
      return { kind: 'filter', expr: this.parseOr() };
    }
    if (ch === ':' || ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      const start = this.readOptionalInt();
      this.skipSpace();
      if (this.peek() !== ':') {
        if (start === null) throw new JsonPathSyntaxError('expected an index', this.pos);
        return { kind: 'index', index: start };
      }
      this.pos++;
      this.skipSpace();
      const end = this.readOptionalInt();
      this.skipSpace();
      let step: number | null = null;
      if (this.peek() === ':') {
        this.pos++;
        this.skipSpace();
        step = this.readOptionalInt();
      }
      return { kind: 'slice', start, end, step };
    }
    throw new JsonPathSyntaxError(
      ch === undefined ? 'unclosed "[" in JSONPath' : `unexpected "${ch}" in brackets`,
      this.pos,
      "inside [] write an index [0], a slice [1:3], a name ['key'], * or a filter [?(@.x == 1)]",
    );
  }

  private readOptionalInt(): number | null {
    const start = this.pos;
    if (this.peek() === '-') this.pos++;
    const digitsStart = this.pos;
    while (this.peek() !== undefined && this.peek()! >= '0' && this.peek()! <= '9') this.pos++;
    if (this.pos === digitsStart) {
      if (this.pos !== start) throw new JsonPathSyntaxError('expected digits after "-"', start);
      return null;
    }
    return Number(this.text.slice(start, this.pos));
  }

  // A single- or double-quoted name with JSON-style escapes.
  private parseQuoted(): string {
    const quote = this.peek()!;
    const start = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === quote) {
        this.pos++;
        return out;
      }
      if (ch === '\\') {
        const next = this.text[this.pos + 1];
        const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
        if (next !== undefined && simple[next] !== undefined) {
          out += simple[next];
          this.pos += 2;
          continue;
        }
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
          continue;
        }
        throw new JsonPathSyntaxError('bad escape in quoted name', this.pos);
      }
      out += ch;
      this.pos++;
    }
    throw new JsonPathSyntaxError('unterminated quoted name', start, `close it with ${quote}`);
  }

  private parseOr(): JsonPathFilter {
    let left = this.parseAnd();
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('||', this.pos)) {
        this.pos += 2;
        left = { kind: 'or', left, right: this.parseAnd() };
      } else {
        return left;
      }
    }
  }

  private parseAnd(): JsonPathFilter {
    let left = this.parseUnary();
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('&&', this.pos)) {
        this.pos += 2;
        left = { kind: 'and', left, right: this.parseUnary() };
      } else {
        return left;
      }
    }
  }

  private parseUnary(): JsonPathFilter {
    this.skipSpace();
    if (this.peek() === '!' && this.peek(1) !== '=') {
      this.pos++;
      return { kind: 'not', expr: this.parseUnary() };
    }
    if (this.peek() === '(') {
      const open = this.pos;
      this.pos++;
      const inner = this.parseOr();
      this.skipSpace();
      if (this.peek() !== ')') throw new JsonPathSyntaxError('unclosed "(" in filter', open, 'close it with )');
      this.pos++;
      return this.continueComparison({ kind: 'group', expr: inner });
    }
    const left = this.parseOperand();
    return this.continueComparison({ kind: 'operand', operand: left });
  }

  // After an operand (or a parenthesised group, which may only stand alone), an optional comparator.
  private continueComparison(left: { kind: 'group'; expr: JsonPathFilter } | { kind: 'operand'; operand: JsonPathOperand }): JsonPathFilter {
    this.skipSpace();
    const op = (['==', '!=', '<=', '>=', '<', '>'] as const).find((candidate) => this.text.startsWith(candidate, this.pos));
    if (op === undefined) {
      if (left.kind === 'group') return left.expr;
      if (left.operand.kind === 'path') return { kind: 'exists', path: left.operand.path };
      throw new JsonPathSyntaxError('a literal alone is not a filter', this.pos, 'compare it: @.x == 1');
    }
    if (left.kind === 'group') throw new JsonPathSyntaxError('cannot compare a parenthesised filter', this.pos);
    const at = this.pos;
    this.pos += op.length;
    this.skipSpace();
    if (this.text.startsWith('=', this.pos)) throw new JsonPathSyntaxError(`unexpected "${op}="`, at, 'comparators are == != < <= > >=');
    const right = this.parseOperand();
    return { kind: 'compare', op, left: left.operand, right };
  }

  private parseOperand(): JsonPathOperand {
    this.skipSpace();
    const ch = this.peek();
    if (ch === '@' || ch === '$') {
      this.pos++;
      return { kind: 'path', path: { root: ch, segments: this.parseSegments() } };
    }
    if (ch === "'" || ch === '"') return { kind: 'literal', value: this.parseQuoted() };
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
      if (match === null) throw new JsonPathSyntaxError('expected a number', this.pos);
      this.pos += match[0].length;
      return { kind: 'literal', value: Number(match[0]) };
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    throw new JsonPathSyntaxError(
      ch === undefined ? 'filter ends too early' : `unexpected "${ch}" in filter`,
      this.pos,
      'filters compare @.field (or $.field) with a number, "string", true, false or null',
    );
  }
}
