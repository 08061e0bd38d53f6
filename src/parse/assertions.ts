import { z } from 'zod';
import { RunproofError, didYouMean } from '../core/index.js';
import { tokenizeAssertion, type Token } from './assertion-lexer.js';
import { JsonPathSyntaxError, parseJsonPath } from './assertion-jsonpath.js';
import { MetricSyntaxError, parseMetricSelector } from './assertion-metric.js';

// The assertion language of `assert` cells (SPEC §3): `QUERY [FILTER...] [not] PREDICATE [VALUE]`,
// one per line. A hand-written tokenizer and recursive-descent parser; nothing is ever evaluated
// as code. The AST below is plain JSON so it travels in the Notebook and the evidence record.

const ScalarValueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('number'), value: z.number() }),
  z.object({ type: z.literal('string'), value: z.string() }),
  z.object({ type: z.literal('boolean'), value: z.boolean() }),
  z.object({ type: z.literal('null') }),
]);

/** A literal in an assertion: number, string, boolean, null, `/regex/flags` or a list of scalars. */
export const AssertionValueSchema = z.discriminatedUnion('type', [
  ...ScalarValueSchema.options,
  z.object({ type: z.literal('regex'), pattern: z.string(), flags: z.string() }),
  z.object({ type: z.literal('list'), items: z.array(ScalarValueSchema) }),
]);
export type AssertionValue = z.infer<typeof AssertionValueSchema>;

const RegexArgSchema = z.object({ pattern: z.string(), flags: z.string() });

/** What an assertion looks at. */
export const QuerySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status') }),
  z.object({ type: z.literal('exit') }),
  z.object({ type: z.literal('duration') }),
  z.object({ type: z.literal('stdout') }),
  z.object({ type: z.literal('stderr') }),
  z.object({ type: z.literal('body') }),
  z.object({ type: z.literal('count') }),
  z.object({ type: z.literal('value') }),
  z.object({ type: z.literal('header'), name: z.string() }),
  z.object({ type: z.literal('jsonpath'), path: z.string() }),
  z.object({ type: z.literal('metric'), selector: z.string() }),
  z.object({ type: z.literal('line'), n: z.number().int() }),
  z.object({ type: z.literal('regex'), ...RegexArgSchema.shape }),
  z.object({ type: z.literal('certificate'), field: z.enum(['Expire-Date', 'Subject', 'Issuer']) }),
]);
export type Query = z.infer<typeof QuerySchema>;

/** A Hurl-style transformation between query and predicate. */
export const FilterSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('count') }),
  z.object({ type: z.literal('first') }),
  z.object({ type: z.literal('last') }),
  z.object({ type: z.literal('nth'), n: z.number().int() }),
  z.object({ type: z.literal('toInt') }),
  z.object({ type: z.literal('toFloat') }),
  z.object({ type: z.literal('toString') }),
  z.object({ type: z.literal('split'), separator: z.string() }),
  z.object({ type: z.literal('replace'), from: z.union([z.object({ type: z.literal('string'), value: z.string() }), z.object({ type: z.literal('regex'), ...RegexArgSchema.shape })]), to: z.string() }),
  z.object({ type: z.literal('regex'), ...RegexArgSchema.shape }),
  z.object({ type: z.literal('jsonpath'), path: z.string() }),
  z.object({ type: z.literal('daysAfterNow') }),
  z.object({ type: z.literal('daysBeforeNow') }),
  z.object({ type: z.literal('base64Decode') }),
  z.object({ type: z.literal('urlDecode') }),
  z.object({ type: z.literal('lines') }),
  z.object({ type: z.literal('trim') }),
]);
export type Filter = z.infer<typeof FilterSchema>;

export const PREDICATE_NAMES = [
  '==', '!=', '<', '<=', '>', '>=',
  'contains', 'startsWith', 'endsWith', 'matches', 'in',
  'exists', 'isEmpty', 'isNumber', 'isString', 'isBoolean', 'isInteger', 'isFloat',
  'isList', 'isObject', 'isIsoDate', 'isIpv4', 'isIpv6', 'isUuid',
] as const;
export const PredicateNameSchema = z.enum(PREDICATE_NAMES);
export type PredicateName = z.infer<typeof PredicateNameSchema>;

/** The test applied to the (filtered) query value; `value` for the predicates that take one. */
export const PredicateSchema = z.object({ type: PredicateNameSchema, value: AssertionValueSchema.optional() });
export type Predicate = z.infer<typeof PredicateSchema>;

/** One parsed assertion line. `line`/`col` point at its first token in the runbook. */
export const AssertionSchema = z.object({
  /** The line as written, trimmed. */
  text: z.string(),
  line: z.number().int().min(1),
  col: z.number().int().min(1),
  query: QuerySchema,
  filters: z.array(FilterSchema),
  not: z.boolean(),
  predicate: PredicateSchema,
});
export type Assertion = z.infer<typeof AssertionSchema>;

export const QUERY_NAMES = ['status', 'exit', 'duration', 'stdout', 'stderr', 'body', 'header', 'jsonpath', 'metric', 'line', 'regex', 'count', 'certificate', 'value'] as const;
export const FILTER_NAMES = [
  'count', 'first', 'last', 'nth', 'toInt', 'toFloat', 'toString', 'split', 'replace', 'regex',
  'jsonpath', 'daysAfterNow', 'daysBeforeNow', 'base64Decode', 'urlDecode', 'lines', 'trim',
] as const;
const CERTIFICATE_FIELDS = ['Expire-Date', 'Subject', 'Issuer'] as const;
const COMPARATORS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const NO_VALUE_PREDICATES = new Set<string>(PREDICATE_NAMES.filter((p) => p === 'exists' || p.startsWith('is')));

export interface ParseAssertionsOptions {
  /** 1-based line of the first line of `text` in the runbook. */
  line: number;
  /** 1-based column where the block's content starts (list indentation). */
  col?: number;
  file?: string;
}

/**
 * Parses an `assert` block, one assertion per line; `#` lines and blank lines are skipped.
 * Never throws: each line that does not parse yields one `RP_BAD_ASSERTION` with file, line,
 * column of the offending token and a hint naming the valid choices.
 * @example parseAssertions('status == 200\njsonpath "$.ready" == true', { line: 12, file: 'a.md' })
 */
export function parseAssertions(text: string, options: ParseAssertionsOptions): { assertions: Assertion[]; errors: RunproofError[] } {
  const assertions: Assertion[] = [];
  const errors: RunproofError[] = [];
  const lines = text.split(/\r?\n|\r/);
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const lineNo = options.line + index;
    const baseCol = options.col ?? 1;
    try {
      assertions.push(parseAssertionLine(raw, lineNo, baseCol));
    } catch (thrown) {
      // Backstop for nesting the depth checks below did not foresee: a stack overflow in a
      // recursive-descent parser is this line's syntax error, not a crash of the parse.
      const error = thrown instanceof RangeError ? new AssertionSyntaxError('the assertion nests too deeply to be read', 0, 'split it into simpler assertions') : thrown;
      if (!(error instanceof AssertionSyntaxError)) throw error;
      errors.push(
        new RunproofError('RP_BAD_ASSERTION', error.message, {
          hint: error.hint,
          file: options.file,
          span: { line: lineNo, col: baseCol + error.offset },
        }),
      );
    }
  });
  return { assertions, errors };
}

// Internal: a parse failure at an offset within the line, turned into a RunproofError above.
class AssertionSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function choices(input: string, valid: readonly string[], label: string): string {
  const guess = didYouMean(input, valid);
  return `${guess === undefined ? '' : `did you mean ${guess}? `}${label}: ${valid.join(', ')}`;
}

function describe(token: Token): string {
  return token.kind === 'eof' ? 'the end of the line' : `"${token.raw}"`;
}

// Parses one non-comment line; throws AssertionSyntaxError.
function parseAssertionLine(raw: string, line: number, col: number): Assertion {
  const lexed = tokenizeAssertion(raw);
  if (lexed.error !== undefined) throw new AssertionSyntaxError(lexed.error.message, lexed.error.offset, lexed.error.hint);
  const cursor = new Cursor(lexed.tokens);
  const first = cursor.peek();
  const query = parseQuery(cursor);
  const filters: Filter[] = [];
  while (cursor.peek().kind === 'word' && (FILTER_NAMES as readonly string[]).includes(cursor.peek().raw)) {
    filters.push(parseFilter(cursor));
  }
  let not = false;
  if (cursor.peek().kind === 'word' && cursor.peek().raw === 'not') {
    cursor.next();
    not = true;
  }
  const predicate = parsePredicate(cursor, not);
  const rest = cursor.peek();
  if (rest.kind !== 'eof') {
    throw new AssertionSyntaxError(`unexpected ${describe(rest)} after the predicate`, rest.offset, 'one assertion per line: QUERY [FILTER...] [not] PREDICATE [VALUE]');
  }
  return { text: raw.trim(), line, col: col + first.offset, query, filters, not, predicate };
}

class Cursor {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(): Token {
    return this.tokens[this.index]!;
  }
  next(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'eof') this.index++;
    return token;
  }
}

function parseQuery(cursor: Cursor): Query {
  const token = cursor.next();
  const hint = (input: string): string => choices(input, QUERY_NAMES, 'queries are');
  if (token.kind === 'eof') throw new AssertionSyntaxError('empty assertion', token.offset, hint(''));
  if (token.kind !== 'word') {
    throw new AssertionSyntaxError(`an assertion starts with a query, not ${describe(token)}`, token.offset, hint(''));
  }
  switch (token.raw) {
    case 'status':
    case 'exit':
    case 'duration':
    case 'stdout':
    case 'stderr':
    case 'body':
    case 'count':
    case 'value':
      return { type: token.raw };
    case 'header':
      return { type: 'header', name: expectString(cursor, 'header needs a name', 'header "Content-Type"') };
    case 'jsonpath':
      return { type: 'jsonpath', path: expectJsonPath(cursor) };
    case 'metric':
      return { type: 'metric', selector: expectMetric(cursor) };
    case 'line': {
      const n = expectInteger(cursor, 'line needs a 1-based line number', 'line 1, or line -1 for the last line');
      if (n.value === 0) throw new AssertionSyntaxError('lines are numbered from 1', n.offset, 'line 1 is the first line, line -1 the last');
      return { type: 'line', n: n.value };
    }
    case 'regex':
      return { type: 'regex', ...expectPattern(cursor, 'regex needs a pattern', 'regex "version=(\\d+)" or regex /version=(\\d+)/') };
    case 'certificate': {
      const field = cursor.peek();
      const value = expectString(cursor, 'certificate needs a field', `certificate "Expire-Date"; fields are ${CERTIFICATE_FIELDS.join(', ')}`);
      const known = CERTIFICATE_FIELDS.find((f) => f === value);
      if (known === undefined) {
        throw new AssertionSyntaxError(`unknown certificate field "${value}"`, field.offset, choices(value, CERTIFICATE_FIELDS, 'fields are'));
      }
      return { type: 'certificate', field: known };
    }
    default:
      throw new AssertionSyntaxError(`unknown query "${token.raw}"`, token.offset, hint(token.raw));
  }
}

function parseFilter(cursor: Cursor): Filter {
  const token = cursor.next();
  switch (token.raw) {
    case 'count':
    case 'first':
    case 'last':
    case 'toInt':
    case 'toFloat':
    case 'toString':
    case 'daysAfterNow':
    case 'daysBeforeNow':
    case 'base64Decode':
    case 'urlDecode':
    case 'lines':
    case 'trim':
      return { type: token.raw };
    case 'nth':
      return { type: 'nth', n: expectInteger(cursor, 'nth needs a 0-based index', 'nth 0 is the first item, nth -1 the last').value };
    case 'split':
      return { type: 'split', separator: expectString(cursor, 'split needs a separator', 'split ","') };
    case 'replace': {
      const from = cursor.peek();
      let source: Extract<Filter, { type: 'replace' }>['from'];
      if (from.kind === 'regex') {
        cursor.next();
        source = { type: 'regex', pattern: String(from.value), flags: from.flags ?? '' };
        checkRegex(source.pattern, source.flags, from.offset);
      } else {
        source = { type: 'string', value: expectString(cursor, 'replace needs what to replace', 'replace "a" "b" or replace /a+/ "b"') };
      }
      return { type: 'replace', from: source, to: expectString(cursor, 'replace needs a replacement', 'replace "a" "b"') };
    }
    case 'regex':
      return { type: 'regex', ...expectPattern(cursor, 'regex needs a pattern', 'regex "(\\d+)"') };
    case 'jsonpath':
      return { type: 'jsonpath', path: expectJsonPath(cursor) };
    default:
      throw new AssertionSyntaxError(`unknown filter "${token.raw}"`, token.offset);
  }
}

function parsePredicate(cursor: Cursor, negated: boolean): Predicate {
  const token = cursor.next();
  const valid = negated ? PREDICATE_NAMES : [...FILTER_NAMES, 'not', ...PREDICATE_NAMES];
  const hint = (input: string): string => choices(input, valid, negated ? 'predicates are' : 'expected a filter, not or a predicate');
  let name: PredicateName;
  if (token.kind === 'op' && COMPARATORS.has(token.raw)) name = token.raw as PredicateName;
  else if (token.kind === 'word' && (PREDICATE_NAMES as readonly string[]).includes(token.raw)) name = token.raw as PredicateName;
  else if (token.kind === 'eof') throw new AssertionSyntaxError('missing predicate', token.offset, hint(''));
  else if (token.kind === 'word' && token.raw === 'not') throw new AssertionSyntaxError('"not" twice', token.offset, 'write not once, before the predicate');
  else if (token.kind === 'word' && (QUERY_NAMES as readonly string[]).includes(token.raw) && !negated) {
    throw new AssertionSyntaxError(`"${token.raw}" is a query, not a filter or predicate`, token.offset, hint(token.raw));
  } else throw new AssertionSyntaxError(`unknown ${negated ? 'predicate' : 'filter or predicate'} ${describe(token)}`, token.offset, hint(token.kind === 'word' ? token.raw : ''));

  if (NO_VALUE_PREDICATES.has(name)) return { type: name };
  const valueToken = cursor.peek();
  const value = parseValue(cursor, name);
  if (COMPARATORS.has(name) && name !== '==' && name !== '!=' && value.type !== 'number' && value.type !== 'string') {
    throw new AssertionSyntaxError(`${name} compares numbers or strings, not ${describeValue(value)}`, valueToken.offset, `e.g. ${name} 100`);
  }
  if (name === 'matches' && value.type !== 'regex' && value.type !== 'string') {
    throw new AssertionSyntaxError(`matches needs a regex, not ${describeValue(value)}`, valueToken.offset, 'matches /^ok$/ or matches "^ok$"');
  }
  if (name === 'matches' && value.type === 'string') checkRegex(value.value, '', valueToken.offset + 1);
  if (name === 'in' && value.type !== 'list') {
    throw new AssertionSyntaxError(`in needs a list, not ${describeValue(value)}`, valueToken.offset, 'in [200, 204]');
  }
  if (name !== 'in' && value.type === 'list' && name !== '==' && name !== '!=' && name !== 'contains') {
    throw new AssertionSyntaxError(`${name} does not take a list`, valueToken.offset);
  }
  if (value.type === 'regex' && name !== 'matches') {
    throw new AssertionSyntaxError(`${name} does not take a regex`, valueToken.offset, `write matches ${valueToken.raw}`);
  }
  return { type: name, value };
}

function describeValue(value: AssertionValue): string {
  return value.type === 'list' ? 'a list' : value.type === 'regex' ? 'a regex' : `a ${value.type}`;
}

function parseValue(cursor: Cursor, predicate: string): AssertionValue {
  const token = cursor.next();
  switch (token.kind) {
    case 'number':
      return { type: 'number', value: Number(token.value) };
    case 'string':
      return { type: 'string', value: String(token.value) };
    case 'regex': {
      const pattern = String(token.value);
      checkRegex(pattern, token.flags ?? '', token.offset);
      return { type: 'regex', pattern, flags: token.flags ?? '' };
    }
    case 'lbracket':
      return parseList(cursor, token);
    case 'word':
      if (token.raw === 'true' || token.raw === 'false') return { type: 'boolean', value: token.raw === 'true' };
      if (token.raw === 'null') return { type: 'null' };
      throw new AssertionSyntaxError(`${predicate} needs a value, not the word "${token.raw}"`, token.offset, `quote text: "${token.raw}"; values are numbers, "strings", true, false, null, /regex/, [lists]`);
    default:
      throw new AssertionSyntaxError(`${predicate} needs a value`, token.offset, 'values are numbers, "strings", true, false, null, /regex/, [lists]');
  }
}

function parseList(cursor: Cursor, open: Token): AssertionValue {
  const items: z.infer<typeof ScalarValueSchema>[] = [];
  if (cursor.peek().kind === 'rbracket') {
    cursor.next();
    return { type: 'list', items };
  }
  for (;;) {
    const token = cursor.peek();
    const value = parseValue(cursor, 'a list item');
    if (value.type === 'list' || value.type === 'regex') {
      throw new AssertionSyntaxError(`a list holds numbers, strings, booleans or null, not ${describeValue(value)}`, token.offset);
    }
    items.push(value);
    const after = cursor.next();
    if (after.kind === 'rbracket') return { type: 'list', items };
    if (after.kind !== 'comma') {
      throw new AssertionSyntaxError(after.kind === 'eof' ? 'unclosed list' : `expected , or ] in the list, got ${describe(after)}`, after.kind === 'eof' ? open.offset : after.offset, 'write [a, b]');
    }
  }
}

function expectString(cursor: Cursor, message: string, example: string): string {
  const token = cursor.next();
  if (token.kind !== 'string') throw new AssertionSyntaxError(`${message}, got ${describe(token)}`, token.offset, `write ${example}`);
  return String(token.value);
}

function expectInteger(cursor: Cursor, message: string, example: string): { value: number; offset: number } {
  const token = cursor.next();
  if (token.kind !== 'number' || !Number.isInteger(token.value)) {
    throw new AssertionSyntaxError(`${message}, got ${describe(token)}`, token.offset, `write ${example}`);
  }
  return { value: Number(token.value), offset: token.offset };
}

function expectPattern(cursor: Cursor, message: string, example: string): { pattern: string; flags: string } {
  const token = cursor.next();
  if (token.kind === 'regex') {
    checkRegex(String(token.value), token.flags ?? '', token.offset);
    return { pattern: String(token.value), flags: token.flags ?? '' };
  }
  if (token.kind === 'string') {
    checkRegex(String(token.value), '', token.offset + 1);
    return { pattern: String(token.value), flags: '' };
  }
  throw new AssertionSyntaxError(`${message}, got ${describe(token)}`, token.offset, `write ${example}`);
}

function expectJsonPath(cursor: Cursor): string {
  const token = cursor.peek();
  const path = expectString(cursor, 'jsonpath needs a path', 'jsonpath "$.status"');
  checkNesting(path, token.offset + 1);
  try {
    parseJsonPath(path);
  } catch (error) {
    if (!(error instanceof JsonPathSyntaxError)) throw error;
    throw new AssertionSyntaxError(`bad JSONPath "${path}": ${error.message}`, token.offset + 1 + error.offset, error.hint);
  }
  return path;
}

function expectMetric(cursor: Cursor): string {
  const token = cursor.peek();
  const selector = expectString(cursor, 'metric needs a selector', 'metric "http_requests_total{code=\\"200\\"}"');
  checkNesting(selector, token.offset + 1);
  try {
    parseMetricSelector(selector);
  } catch (error) {
    if (!(error instanceof MetricSyntaxError)) throw error;
    throw new AssertionSyntaxError(`bad metric selector "${selector}": ${error.message}`, token.offset, error.hint);
  }
  return selector;
}

/** How deep brackets may nest in a JSONPath or metric selector (their parsers recurse per level). */
export const MAX_EXPRESSION_NESTING = 64;

// The JSONPath and metric parsers recurse once per bracket level, here and again when a check
// runs; a path nested thousands deep would overflow the stack, so depth is refused up front.
function checkNesting(expression: string, offset: number): void {
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === '(' || ch === '[' || ch === '{') {
      depth++;
      if (depth > MAX_EXPRESSION_NESTING) {
        throw new AssertionSyntaxError(`brackets nest more than ${MAX_EXPRESSION_NESTING} levels deep`, offset + i, 'write a simpler expression');
      }
    } else if ((ch === ')' || ch === ']' || ch === '}') && depth > 0) {
      depth--;
    }
  }
}

// Compiling (never running) the user's regex at parse time turns a bad pattern into a lint error.
function checkRegex(pattern: string, flags: string, offset: number): void {
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    throw new AssertionSyntaxError(`invalid regex /${pattern}/: ${(error as Error).message}`, offset, 'check the brackets, groups and escapes of the pattern');
  }
}
