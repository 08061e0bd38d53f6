import { isIPv4, isIPv6 } from 'node:net';
import type { Assertion, AssertionValue, Filter, Predicate, Query } from '../parse/index.js';
import { JsonPathSyntaxError } from '../parse/index.js';
import { MetricSyntaxError, parseMetricSelector } from '../parse/index.js';
import { queryJsonPath, sameValue } from './jsonpath.js';
import { parsePrometheusText, parseSampleValue, selectSamples } from './prometheus-text.js';
import { DEFAULT_REGEX_BUDGET_MS, parseJsonBounded, runRegex, type RegexOperation } from '../core/index.js';

// Evaluates parsed assertions (parse/assertions.ts) against a cell's result. A failing check, a
// missing value or output that is not JSON is a failed outcome with a message, never a throw.

/** What a check looks at: the result of the runnable cell an `assert` cell checks. */
export interface CheckSubject {
  exitCode: number | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  http?: {
    status: number;
    headers: Record<string, string | string[]>;
    body: string;
    json?: unknown;
    certificate?: { subject: string; issuer: string; validTo: string };
  };
  /** Prometheus `/api/v1/query` `data`. */
  promql?: { resultType: string; result: unknown[] };
}

/** The verdict on one assertion, as the evidence record keeps it. */
export interface AssertionOutcome {
  text: string;
  line: number;
  passed: boolean;
  /** The predicate's value (a regex as `/re/flags`); absent for `exists`, `isNumber`... */
  expected?: unknown;
  /** The query's value after filters (long strings and lists shortened); absent when nothing was found. */
  actual?: unknown;
  /** Why it failed; absent when it passed. */
  message?: string;
}

export interface EvaluateOptions {
  /** The clock for `daysAfterNow`/`daysBeforeNow`; default now. */
  now?: Date;
  /** Time budget of each user regex; default 1000 ms; `0` runs without a budget. */
  regexBudgetMs?: number;
}

// The value flowing from query through filters: a value, nothing found (only `exists` can judge
// that), or an error that fails the assertion whatever the predicate.
type Flow = { kind: 'value'; value: unknown } | { kind: 'nothing'; message: string } | { kind: 'error'; message: string };

const value = (v: unknown): Flow => ({ kind: 'value', value: v });
const nothing = (message: string): Flow => ({ kind: 'nothing', message });
const failure = (message: string): Flow => ({ kind: 'error', message });

interface Context {
  subject: CheckSubject;
  now: Date;
  budgetMs: number;
}

/**
 * Evaluates one assertion against a cell's result.
 * @example evaluateAssertion(parseAssertions('exit == 0', { line: 1 }).assertions[0]!, { exitCode: 0, durationMs: 5, stdout: '', stderr: '' }).passed // true
 */
export function evaluateAssertion(assertion: Assertion, subject: CheckSubject, options: EvaluateOptions = {}): AssertionOutcome {
  const context: Context = { subject, now: options.now ?? new Date(), budgetMs: options.regexBudgetMs ?? DEFAULT_REGEX_BUDGET_MS };
  const outcome: AssertionOutcome = { text: assertion.text, line: assertion.line, passed: false };
  const expected = expectedOf(assertion.predicate);
  if (expected !== undefined) outcome.expected = expected;

  let flow = evaluateQuery(assertion.query, context);
  for (const filter of assertion.filters) {
    if (flow.kind !== 'value') break;
    flow = applyFilter(filter, flow.value, context);
  }
  const wanted = `${assertion.not ? 'not ' : ''}${predicateText(assertion.predicate)}`;
  if (flow.kind === 'error') return { ...outcome, message: flow.message };
  if (flow.kind === 'nothing') {
    if (assertion.predicate.type === 'exists') {
      return assertion.not ? { ...outcome, passed: true } : { ...outcome, message: `expected exists: ${flow.message}` };
    }
    return { ...outcome, message: `expected ${wanted}: ${flow.message}` };
  }
  outcome.actual = summarize(flow.value);
  const verdict = testPredicate(assertion.predicate, flow.value, context);
  if ('error' in verdict) return { ...outcome, message: verdict.error };
  const passed = verdict.pass !== assertion.not;
  return passed ? { ...outcome, passed } : { ...outcome, message: `expected ${wanted}, got ${render(flow.value)}` };
}

/** Evaluates each assertion in order; one outcome per assertion. */
export function evaluateAssertions(assertions: Assertion[], subject: CheckSubject, options: EvaluateOptions = {}): AssertionOutcome[] {
  return assertions.map((assertion) => evaluateAssertion(assertion, subject, options));
}

// ---- queries ---------------------------------------------------------------------------------

// Text the text-reading queries (`line`, `regex`, `metric`, `count`) read: the HTTP body, else stdout.
function bodyText(subject: CheckSubject): string {
  return subject.http !== undefined ? subject.http.body : subject.stdout;
}

// Like shell `$(...)`: trailing newlines are not part of a command's printed value.
function stripTrailingNewlines(text: string): string {
  return text.replace(/(\r?\n)+$/, '');
}

/** Lines of output, without the empty "line" after a final newline. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function evaluateQuery(query: Query, context: Context): Flow {
  const { subject } = context;
  switch (query.type) {
    case 'status':
      return subject.http === undefined ? failure('status needs an HTTP cell (use exit for a shell cell)') : value(subject.http.status);
    case 'exit':
      return value(subject.exitCode);
    case 'duration':
      return value(subject.durationMs);
    case 'stdout':
      return value(stripTrailingNewlines(subject.stdout));
    case 'stderr':
      return value(stripTrailingNewlines(subject.stderr));
    case 'body':
      return value(subject.http !== undefined ? subject.http.body : stripTrailingNewlines(subject.stdout));
    case 'header': {
      if (subject.http === undefined) return failure(`header "${query.name}" needs an HTTP cell`);
      const wanted = query.name.toLowerCase();
      const key = Object.keys(subject.http.headers).find((k) => k.toLowerCase() === wanted);
      if (key === undefined) return nothing(`no header "${query.name}" in the response`);
      const header = subject.http.headers[key]!;
      return value(Array.isArray(header) && header.length === 1 ? header[0] : header);
    }
    case 'jsonpath': {
      const document = jsonDocument(subject);
      if (document.kind !== 'value') return document;
      return runJsonPath(query.path, document.value);
    }
    case 'metric':
      return queryMetric(query.selector, bodyText(subject), subject.http !== undefined ? 'the body' : 'stdout');
    case 'line': {
      const lines = splitLines(bodyText(subject));
      const index = query.n > 0 ? query.n - 1 : lines.length + query.n;
      const line = lines[index];
      return line === undefined ? nothing(`line ${query.n} does not exist: the output has ${lines.length} line${lines.length === 1 ? '' : 's'}`) : value(line);
    }
    case 'regex':
      return regexGroup(query.pattern, query.flags, bodyText(subject), context);
    case 'count':
      if (subject.promql !== undefined) return value(subject.promql.result.length);
      return value(splitLines(bodyText(subject)).length);
    case 'value':
      return promqlValue(subject);
    case 'certificate': {
      const certificate = subject.http?.certificate;
      if (certificate === undefined) return failure(`certificate "${query.field}" needs an HTTPS cell with a certificate`);
      if (query.field === 'Subject') return value(certificate.subject);
      if (query.field === 'Issuer') return value(certificate.issuer);
      const time = Date.parse(certificate.validTo);
      return value(Number.isNaN(time) ? certificate.validTo : new Date(time).toISOString());
    }
  }
}

// The JSON a `jsonpath` query reads: PromQL data, the HTTP body, else stdout (`curl | jq` cells).
function jsonDocument(subject: CheckSubject): Flow {
  if (subject.promql !== undefined) return value(subject.promql);
  if (subject.http !== undefined) {
    if (subject.http.json !== undefined) return value(subject.http.json);
    return parseJsonFlow(subject.http.body, 'the response body');
  }
  return parseJsonFlow(subject.stdout, 'stdout');
}

function parseJsonFlow(text: string, what: string): Flow {
  if (text.trim() === '') return failure(`${what} is empty, not JSON`);
  const parsed = parseJsonBounded(text);
  return parsed.ok ? value(parsed.value) : failure(`${what} is ${parsed.reason}: ${render(text, 80)}`);
}

function runJsonPath(path: string, document: unknown): Flow {
  try {
    const result = queryJsonPath(path, document);
    if (!result.definite) return value(result.values);
    return result.found ? value(result.value) : nothing(`jsonpath "${path}" found nothing`);
  } catch (error) {
    if (error instanceof JsonPathSyntaxError) return failure(`bad JSONPath "${path}": ${error.message}`);
    throw error;
  }
}

function queryMetric(selectorText: string, text: string, where: string): Flow {
  let selector;
  try {
    selector = parseMetricSelector(selectorText);
  } catch (error) {
    if (error instanceof MetricSyntaxError) return failure(`bad metric selector "${selectorText}": ${error.message}`);
    throw error;
  }
  const { samples } = parsePrometheusText(text);
  const picked = selectSamples(samples, selector);
  if (picked.length === 0) {
    const sameName = selector.name === null ? [] : samples.filter((s) => s.name === selector.name);
    const seen = sameName.length > 0 ? `; ${sameName.length} sample(s) of ${selector.name} with other labels` : '';
    return nothing(`no sample matches ${selectorText} in ${where} (${samples.length} samples read${seen})`);
  }
  return value(picked.length === 1 ? picked[0]!.value : picked.map((s) => s.value));
}

// `value`: the first sample of a PromQL result, whatever its type.
function promqlValue(subject: CheckSubject): Flow {
  const promql = subject.promql;
  if (promql === undefined) return failure('value needs a promql cell');
  const pick = (pair: unknown): Flow => {
    if (!Array.isArray(pair) || typeof pair[1] !== 'string') return failure('the PromQL result has no sample value');
    if (promql.resultType === 'string') return value(pair[1]);
    const number = parseSampleValue(pair[1]);
    return number === null ? failure(`the PromQL sample value "${pair[1]}" is not a number`) : value(number);
  };
  if (promql.resultType === 'scalar' || promql.resultType === 'string') return pick(promql.result);
  const first = promql.result[0] as { value?: unknown; values?: unknown[] } | undefined;
  if (first === undefined) return nothing('the PromQL query returned no samples');
  if (promql.resultType === 'matrix') {
    const values = Array.isArray(first.values) ? first.values : [];
    return values.length === 0 ? nothing('the PromQL series has no samples') : pick(values[values.length - 1]);
  }
  return pick(first.value);
}

function regexGroup(pattern: string, flags: string, input: string, context: Context): Flow {
  const outcome = runRegex({ op: 'group', pattern, flags, input }, context.budgetMs);
  if (!outcome.ok) return failure(regexFailure(pattern, flags, outcome.error));
  return outcome.value === null ? nothing(`regex /${pattern}/${flags} did not match`) : value(outcome.value);
}

function regexFailure(pattern: string, flags: string, error: string): string {
  return `regex /${pattern}/${flags}: ${error}`;
}

// ---- filters ---------------------------------------------------------------------------------

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function needs(filter: string, what: string, v: unknown): Flow {
  return failure(`${filter} needs ${what}, got ${typeName(v)} ${render(v, 60)}`);
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DAY_MS = 86_400_000;

function applyFilter(filter: Filter, v: unknown, context: Context): Flow {
  switch (filter.type) {
    case 'count':
      return Array.isArray(v) ? value(v.length) : needs('count', 'a list (for text use lines count)', v);
    case 'first':
    case 'last':
    case 'nth': {
      if (!Array.isArray(v)) return needs(filter.type, 'a list', v);
      const n = filter.type === 'first' ? 0 : filter.type === 'last' ? -1 : filter.n;
      const index = n < 0 ? v.length + n : n;
      return index >= 0 && index < v.length ? value(v[index]) : nothing(`${filter.type === 'nth' ? `nth ${filter.n}` : filter.type}: the list has ${v.length} item${v.length === 1 ? '' : 's'}`);
    }
    case 'toInt':
      if (typeof v === 'number' && Number.isFinite(v)) return value(Math.trunc(v));
      if (typeof v === 'string' && INTEGER_TEXT.test(v.trim())) return value(Number(v.trim()));
      return needs('toInt', 'an integer or its text', v);
    case 'toFloat':
      if (typeof v === 'number') return value(v);
      if (typeof v === 'string') {
        const number = parseSampleValue(v.trim());
        if (number !== null) return value(number);
      }
      return needs('toFloat', 'a number or its text', v);
    case 'toString':
      return value(typeof v === 'string' ? v : v === undefined ? '' : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
    case 'split':
      return typeof v === 'string' ? value(v.split(filter.separator)) : needs('split', 'a string', v);
    case 'replace': {
      if (typeof v !== 'string') return needs('replace', 'a string', v);
      if (filter.from.type === 'string') return value(filter.from.value === '' ? v : v.split(filter.from.value).join(filter.to));
      const outcome = runRegex({ op: 'replace', pattern: filter.from.pattern, flags: filter.from.flags, input: v, replacement: filter.to }, context.budgetMs);
      return outcome.ok ? value(outcome.value) : failure(regexFailure(filter.from.pattern, filter.from.flags, outcome.error));
    }
    case 'regex':
      return typeof v === 'string' ? regexGroup(filter.pattern, filter.flags, v, context) : needs('regex', 'a string', v);
    case 'jsonpath': {
      if (typeof v === 'string') {
        const parsed = parseJsonFlow(v, 'the value');
        return parsed.kind === 'value' ? runJsonPath(filter.path, parsed.value) : parsed;
      }
      if (typeof v === 'object' && v !== null) return runJsonPath(filter.path, v);
      return needs('jsonpath', 'JSON text, an object or a list', v);
    }
    case 'daysAfterNow':
    case 'daysBeforeNow': {
      const time = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
      if (Number.isNaN(time)) return needs(filter.type, 'a date', v);
      const delta = filter.type === 'daysAfterNow' ? time - context.now.getTime() : context.now.getTime() - time;
      return value(Math.floor(delta / DAY_MS));
    }
    case 'base64Decode': {
      if (typeof v !== 'string') return needs('base64Decode', 'a string', v);
      const compact = v.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) return needs('base64Decode', 'base64 text', v);
      return value(Buffer.from(compact, 'base64').toString('utf8'));
    }
    case 'urlDecode':
      if (typeof v !== 'string') return needs('urlDecode', 'a string', v);
      try {
        return value(decodeURIComponent(v));
      } catch {
        return needs('urlDecode', 'valid percent-encoding', v);
      }
    case 'lines':
      return typeof v === 'string' ? value(splitLines(v)) : needs('lines', 'a string', v);
    case 'trim':
      return typeof v === 'string' ? value(v.trim()) : needs('trim', 'a string', v);
  }
}

// ---- predicates ------------------------------------------------------------------------------

function jsValue(v: AssertionValue): unknown {
  switch (v.type) {
    case 'null':
      return null;
    case 'regex':
      return `/${v.pattern}/${v.flags}`;
    case 'list':
      return v.items.map(jsValue);
    default:
      return v.value;
  }
}

function expectedOf(predicate: Predicate): unknown {
  return predicate.value === undefined ? undefined : jsValue(predicate.value);
}

function predicateText(predicate: Predicate): string {
  if (predicate.value === undefined) return predicate.type;
  return `${predicate.type} ${render(jsValue(predicate.value))}`;
}

// A number, or the text of one: `stdout == 3` and `regex "ms=(\d+)" < 100` compare as numbers.
function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMBER_TEXT.test(v.trim())) return Number(v.trim());
  return undefined;
}

// Equality with the one coercion above: numeric text equals its number.
function looselyEqual(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number') {
    const number = asNumber(actual);
    return number !== undefined && (number === expected || (Number.isNaN(number) && Number.isNaN(expected)));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => looselyEqual(actual[i], item));
  }
  return sameValue(actual, expected);
}

type Verdict = { pass: boolean } | { error: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function isIsoDate(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const match = ISO_DATE.exec(v);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return false;
  if (match[4] !== undefined && (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6] ?? 0) > 60)) return false;
  return true;
}

function testPredicate(predicate: Predicate, actual: unknown, context: Context): Verdict {
  const expected = predicate.value === undefined ? undefined : jsValue(predicate.value);
  const type = predicate.type;
  switch (type) {
    case '==':
      return { pass: looselyEqual(actual, expected) };
    case '!=':
      return { pass: !looselyEqual(actual, expected) };
    case '<':
    case '<=':
    case '>':
    case '>=': {
      let l: number | string;
      let r: number | string;
      if (typeof expected === 'number') {
        const number = asNumber(actual);
        if (number === undefined) return { error: `${type} needs a number, got ${typeName(actual)} ${render(actual, 60)}` };
        [l, r] = [number, expected];
      } else if (typeof expected === 'string' && typeof actual === 'string') {
        [l, r] = [actual, expected];
      } else {
        return { error: `${type} ${render(expected)} needs a string, got ${typeName(actual)} ${render(actual, 60)}` };
      }
      return { pass: type === '<' ? l < r : type === '<=' ? l <= r : type === '>' ? l > r : l >= r };
    }
    case 'contains':
      if (Array.isArray(actual)) {
        const wanted = Array.isArray(expected) ? expected : [expected];
        return { pass: wanted.every((item) => actual.some((a) => looselyEqual(a, item))) };
      }
      if (typeof actual === 'string' && !Array.isArray(expected)) return { pass: actual.includes(String(expected)) };
      return { error: `contains needs a string or a list, got ${typeName(actual)} ${render(actual, 60)}` };
    case 'startsWith':
    case 'endsWith': {
      const text = typeof actual === 'number' ? String(actual) : actual;
      if (typeof text !== 'string') return { error: `${type} needs a string, got ${typeName(actual)} ${render(actual, 60)}` };
      return { pass: type === 'startsWith' ? text.startsWith(String(expected)) : text.endsWith(String(expected)) };
    }
    case 'matches': {
      const text = typeof actual === 'number' ? String(actual) : actual;
      if (typeof text !== 'string') return { error: `matches needs a string, got ${typeName(actual)} ${render(actual, 60)}` };
      const regex = predicate.value!;
      const [pattern, flags] = regex.type === 'regex' ? [regex.pattern, regex.flags] : [String(expected), ''];
      const operation: RegexOperation = { op: 'test', pattern, flags, input: text };
      const outcome = runRegex(operation, context.budgetMs);
      if (!outcome.ok) return { error: regexFailure(pattern, flags, outcome.error) };
      return { pass: outcome.value === true };
    }
    case 'in':
      return { pass: (expected as unknown[]).some((item) => looselyEqual(actual, item)) };
    case 'exists':
      return { pass: !(Array.isArray(actual) && actual.length === 0) };
    case 'isEmpty':
      if (typeof actual === 'string' || Array.isArray(actual)) return { pass: actual.length === 0 };
      if (typeof actual === 'object' && actual !== null) return { pass: Object.keys(actual).length === 0 };
      return { error: `isEmpty needs a string, list or object, got ${typeName(actual)} ${render(actual, 60)}` };
    case 'isNumber':
      return { pass: typeof actual === 'number' };
    case 'isString':
      return { pass: typeof actual === 'string' };
    case 'isBoolean':
      return { pass: typeof actual === 'boolean' };
    case 'isInteger':
      return { pass: Number.isInteger(actual) };
    case 'isFloat':
      return { pass: typeof actual === 'number' && Number.isFinite(actual) && !Number.isInteger(actual) };
    case 'isList':
      return { pass: Array.isArray(actual) };
    case 'isObject':
      return { pass: typeof actual === 'object' && actual !== null && !Array.isArray(actual) };
    case 'isIsoDate':
      return { pass: isIsoDate(actual) };
    case 'isIpv4':
      return { pass: typeof actual === 'string' && isIPv4(actual) };
    case 'isIpv6':
      return { pass: typeof actual === 'string' && isIPv6(actual) };
    case 'isUuid':
      return { pass: typeof actual === 'string' && UUID.test(actual) };
  }
}

// ---- rendering -------------------------------------------------------------------------------

const MAX_ACTUAL_CHARS = 2000;
const MAX_ACTUAL_ITEMS = 100;

// Keeps evidence small: a 1 MB stdout is in the logs already, the outcome needs only its head.
function summarize(v: unknown): unknown {
  if (typeof v === 'string' && v.length > MAX_ACTUAL_CHARS) return `${v.slice(0, MAX_ACTUAL_CHARS)}…[+${v.length - MAX_ACTUAL_CHARS} chars]`;
  if (Array.isArray(v) && v.length > MAX_ACTUAL_ITEMS) return [...v.slice(0, MAX_ACTUAL_ITEMS), `…[+${v.length - MAX_ACTUAL_ITEMS} items]`];
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

/** A short printable form of a value for messages: JSON, cut at `max` characters. */
function render(v: unknown, max = 200): string {
  let text: string;
  if (v === undefined) text = 'nothing';
  else if (typeof v === 'number' && !Number.isFinite(v)) text = String(v);
  else text = JSON.stringify(v) ?? String(v);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
