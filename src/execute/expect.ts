import { isRunproofError, parseJsonBounded } from '../core/index.js';
import { parseExpectJson, type ExpectNode } from '../parse/index.js';
import { sameValue } from './jsonpath.js';

// Checks a runnable cell's output against the "Expected output" block after it (SPEC §3).
// JSON: a subset match, always: every key written in the block must be in the output with a
// matching value; keys the block does not name are allowed whether or not it writes `...`.
// Arrays match by position: without `...` the lengths must be equal; elements before a `...`
// match from the start and elements after it from the end. Text: line by line, trailing
// whitespace ignored, a line holding only `...` matches any number of lines.

/** One difference between expected and actual output. */
export interface ExpectDiff {
  /** `$.checks.pool_invariants` for JSON, `line 3` for text. */
  path: string;
  expected: unknown;
  actual: unknown;
  /** `expected true got false`, `missing`... */
  message?: string;
}

export interface ExpectResult {
  passed: boolean;
  diffs: ExpectDiff[];
}

const MAX_DIFFS = 50;

/**
 * Compares a cell's output with its expected-output block. Never throws for bad input: an
 * expected block or output that is not JSON is a diff at `$`.
 * @example checkExpected('{"ok": true, ...}', 'json', '{"ok": false}').diffs // [{ path: '$.ok', expected: true, actual: false, ... }]
 */
export function checkExpected(expectedText: string, format: 'json' | 'text', actualText: string): ExpectResult {
  const diffs = format === 'json' ? compareJson(expectedText, actualText) : compareText(expectedText, actualText);
  if (diffs.length > MAX_DIFFS) {
    const more = diffs.length - MAX_DIFFS;
    diffs.length = MAX_DIFFS;
    diffs.push({ path: '…', expected: undefined, actual: undefined, message: `${more} more difference${more === 1 ? '' : 's'} not listed` });
  }
  return { passed: diffs.length === 0, diffs };
}

// ---- JSON ------------------------------------------------------------------------------------

function compareJson(expectedText: string, actualText: string): ExpectDiff[] {
  let expected: ExpectNode;
  try {
    expected = parseExpectJson(expectedText);
  } catch (error) {
    if (!isRunproofError(error)) throw error;
    return [{ path: '$', expected: shorten(expectedText), actual: undefined, message: `the expected block is not valid JSON: ${error.message}${error.span ? ` (line ${error.span.line}, col ${error.span.col})` : ''}` }];
  }
  if (actualText.trim() === '') {
    return [{ path: '$', expected: plain(expected), actual: '', message: 'the output is empty, expected JSON' }];
  }
  const parsed = parseJsonBounded(actualText);
  if (!parsed.ok) return [{ path: '$', expected: plain(expected), actual: shorten(actualText), message: `the output is ${parsed.reason}` }];
  const actual = parsed.value;
  const diffs: ExpectDiff[] = [];
  matchNode(expected, actual, '$', diffs);
  return diffs;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** `$.a`, `$['6900xt']`, `$.items[2]`: a JSONPath to the place of a difference. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}']`;
}

function matchNode(node: ExpectNode, actual: unknown, path: string, diffs: ExpectDiff[]): void {
  switch (node.kind) {
    case 'any':
      return;
    case 'scalar':
      if (!sameValue(node.value, actual)) {
        diffs.push({ path, expected: node.value, actual: shorten(actual), message: `expected ${json(node.value)} got ${json(actual)}` });
      }
      return;
    case 'object':
      if (!isObject(actual)) {
        diffs.push({ path, expected: plain(node), actual: shorten(actual), message: `expected an object got ${kindOf(actual)}` });
        return;
      }
      for (const { key, value } of node.entries) {
        const at = childPath(path, key);
        if (!Object.prototype.hasOwnProperty.call(actual, key)) diffs.push({ path: at, expected: plain(value), actual: undefined, message: 'missing' });
        else matchNode(value, actual[key], at, diffs);
      }
      return;
    case 'array': {
      if (!Array.isArray(actual)) {
        diffs.push({ path, expected: plain(node), actual: shorten(actual), message: `expected an array got ${kindOf(actual)}` });
        return;
      }
      const needed = node.head.length + node.tail.length;
      if (node.open ? actual.length < needed : actual.length !== needed) {
        diffs.push({
          path,
          expected: plain(node),
          actual: shorten(actual),
          message: `expected ${node.open ? 'at least ' : ''}${needed} item${needed === 1 ? '' : 's'} got ${actual.length}`,
        });
      }
      node.head.forEach((item, i) => {
        if (i < actual.length) matchNode(item, actual[i], childPath(path, i), diffs);
      });
      const tailStart = actual.length - node.tail.length;
      node.tail.forEach((item, j) => {
        const i = tailStart + j;
        if (i >= node.head.length && i < actual.length) matchNode(item, actual[i], childPath(path, i), diffs);
      });
      return;
    }
  }
}

// The expected node as plain JSON for the record; `...` shows as the string "...".
function plain(node: ExpectNode): unknown {
  switch (node.kind) {
    case 'any':
      return '...';
    case 'scalar':
      return node.value;
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const { key, value } of node.entries) out[key] = plain(value);
      if (node.open) out['...'] = '...';
      return out;
    }
    case 'array':
      return node.open ? [...node.head.map(plain), '...', ...node.tail.map(plain)] : node.head.map(plain);
  }
}

function json(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

// Long outputs stay in the logs; a diff carries their head only.
function shorten(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 2000) return `${value.slice(0, 2000)}…[+${value.length - 2000} chars]`;
  return value;
}

// ---- text ------------------------------------------------------------------------------------

function textLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function isWildcard(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '...' || trimmed === '…';
}

// Compares `expected` lines with `actual` lines starting at `from`, one diff per differing line.
function compareWindow(expected: string[], actual: string[], from: number, diffs: ExpectDiff[]): void {
  expected.forEach((line, i) => {
    const got = actual[from + i];
    if (got === undefined) diffs.push({ path: `line ${from + i + 1}`, expected: line, actual: undefined, message: 'missing line' });
    else if (got !== line) diffs.push({ path: `line ${from + i + 1}`, expected: line, actual: got, message: `expected ${json(line)} got ${json(got)}` });
  });
}

function windowMatches(expected: string[], actual: string[], from: number): boolean {
  return expected.every((line, i) => actual[from + i] === line);
}

// Segments between `...` lines: the first is anchored at the start, the last at the end, and the
// middle ones are found in order at their earliest position (which is optimal for `*` globs).
function compareText(expectedText: string, actualText: string): ExpectDiff[] {
  const expected = textLines(expectedText);
  const actual = textLines(actualText);
  const segments: string[][] = [[]];
  for (const line of expected) {
    if (isWildcard(line)) segments.push([]);
    else segments[segments.length - 1]!.push(line);
  }
  const diffs: ExpectDiff[] = [];
  if (segments.length === 1) {
    compareWindow(expected, actual, 0, diffs);
    for (let i = expected.length; i < actual.length; i++) {
      diffs.push({ path: `line ${i + 1}`, expected: undefined, actual: actual[i], message: 'unexpected line' });
    }
    return diffs;
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  compareWindow(first, actual, 0, diffs);
  if (diffs.length > 0) return diffs;
  let pos = first.length;
  const tailStart = actual.length - last.length;
  for (const segment of segments.slice(1, -1)) {
    if (segment.length === 0) continue;
    let found = -1;
    for (let i = pos; i + segment.length <= tailStart; i++) {
      if (windowMatches(segment, actual, i)) {
        found = i;
        break;
      }
    }
    if (found < 0) {
      diffs.push({
        path: `line ${pos + 1}`,
        expected: segment.join('\n'),
        actual: undefined,
        message: `expected ${segment.length === 1 ? 'line' : 'lines'} ${json(segment.join('\n'))} somewhere after line ${pos}, not found`,
      });
      return diffs;
    }
    pos = found + segment.length;
  }
  if (tailStart < pos) {
    diffs.push({
      path: `line ${pos + 1}`,
      expected: last.join('\n'),
      actual: undefined,
      message: `expected ${last.length} more line${last.length === 1 ? '' : 's'} at the end, the output has ${actual.length - pos}`,
    });
    return diffs;
  }
  compareWindow(last, actual, tailStart, diffs);
  return diffs;
}
