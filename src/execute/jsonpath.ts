import {
  isDefinitePath,
  parseJsonPath,
  type JsonPathFilter,
  type JsonPathOperand,
  type JsonPathQuery,
  type JsonPathSegment,
  type JsonPathSelector,
} from '../parse/index.js';

// Evaluates the JSONPath subset parsed by parse/assertion-jsonpath.ts over parsed JSON. Our own
// code, deliberately: filters are interpreted from a tiny AST, never run as script, and the
// widely used libraries (jsonpath, jsonpath-plus) evaluate script expressions.

/** The result of a JSONPath query: `definite` paths yield one value or nothing, others a list. */
export type JsonPathResult = { definite: true; value: unknown; found: boolean } | { definite: false; values: unknown[] };

/**
 * Runs `path` over `document`. A definite path (`$.a.b[0]`) gives `{ found, value }`; a path with
 * a wildcard, `..`, slice, union or filter gives `{ values }`, possibly empty.
 * @throws JsonPathSyntaxError when the path does not parse (assertions are validated at parse time).
 * @example queryJsonPath('$.checks.*.ok', { checks: { a: { ok: true } } }) // { definite: false, values: [true] }
 */
export function queryJsonPath(path: string, document: unknown): JsonPathResult {
  const query = parseJsonPath(path);
  const nodes = evaluateQuery(query, document, document);
  if (isDefinitePath(query)) {
    return nodes.length > 0 ? { definite: true, found: true, value: nodes[0] } : { definite: true, found: false, value: undefined };
  }
  return { definite: false, values: nodes };
}

function evaluateQuery(query: JsonPathQuery, root: unknown, current: unknown): unknown[] {
  let nodes: unknown[] = [query.root === '$' ? root : current];
  for (const segment of query.segments) {
    nodes = applySegment(segment, nodes, root);
  }
  return nodes;
}

function applySegment(segment: JsonPathSegment, nodes: unknown[], root: unknown): unknown[] {
  const out: unknown[] = [];
  for (const node of nodes) {
    const targets = segment.descendant ? descendantsAndSelf(node) : [node];
    for (const target of targets) {
      for (const selector of segment.selectors) applySelector(selector, target, root, out);
    }
  }
  return out;
}

// Pre-order: the node itself, then each child's subtree in document order (RFC 9535 §2.5.2).
function descendantsAndSelf(node: unknown): unknown[] {
  const out: unknown[] = [];
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    out.push(current);
    const children = childrenOf(current);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

function childrenOf(node: unknown): unknown[] {
  if (Array.isArray(node)) return node;
  if (isObject(node)) return Object.values(node);
  return [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function applySelector(selector: JsonPathSelector, node: unknown, root: unknown, out: unknown[]): void {
  switch (selector.kind) {
    case 'name':
      if (isObject(node) && Object.prototype.hasOwnProperty.call(node, selector.name)) out.push(node[selector.name]);
      return;
    case 'wildcard':
      out.push(...childrenOf(node));
      return;
    case 'index': {
      if (!Array.isArray(node)) return;
      const index = selector.index < 0 ? node.length + selector.index : selector.index;
      if (index >= 0 && index < node.length) out.push(node[index]);
      return;
    }
    case 'slice':
      if (Array.isArray(node)) out.push(...slice(node, selector.start, selector.end, selector.step));
      return;
    case 'filter':
      for (const child of childrenOf(node)) {
        if (testFilter(selector.expr, child, root)) out.push(child);
      }
      return;
  }
}

// RFC 9535 §2.3.4.2 slice semantics, negative indices and steps included.
function slice(array: unknown[], start: number | null, end: number | null, step: number | null): unknown[] {
  const len = array.length;
  const s = step ?? 1;
  if (s === 0) return [];
  const normalize = (i: number): number => (i >= 0 ? i : len + i);
  const out: unknown[] = [];
  if (s > 0) {
    const lower = Math.min(Math.max(normalize(start ?? 0), 0), len);
    const upper = Math.min(Math.max(normalize(end ?? len), 0), len);
    for (let i = lower; i < upper; i += s) out.push(array[i]);
  } else {
    const upper = Math.min(Math.max(normalize(start ?? len - 1), -1), len - 1);
    const lower = Math.min(Math.max(end === null ? -1 : normalize(end), -1), len - 1);
    for (let i = upper; i > lower; i += s) out.push(array[i]);
  }
  return out;
}

function testFilter(expr: JsonPathFilter, current: unknown, root: unknown): boolean {
  switch (expr.kind) {
    case 'or':
      return testFilter(expr.left, current, root) || testFilter(expr.right, current, root);
    case 'and':
      return testFilter(expr.left, current, root) && testFilter(expr.right, current, root);
    case 'not':
      return !testFilter(expr.expr, current, root);
    case 'exists':
      return evaluateQuery(expr.path, root, current).length > 0;
    case 'compare': {
      const left = operandValue(expr.left, current, root);
      const right = operandValue(expr.right, current, root);
      switch (expr.op) {
        case '==':
          return sameValue(left, right);
        case '!=':
          return !sameValue(left, right);
        default:
          return orderedCompare(expr.op, left, right);
      }
    }
  }
}

// A path operand is its first node, or `undefined` ("Nothing") when it selects none.
function operandValue(operand: JsonPathOperand, current: unknown, root: unknown): unknown {
  if (operand.kind === 'literal') return operand.value;
  return evaluateQuery(operand.path, root, current)[0];
}

function orderedCompare(op: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  const l = left as number | string;
  const r = right as number | string;
  if (op === '<') return l < r;
  if (op === '<=') return l <= r;
  if (op === '>') return l > r;
  return l >= r;
}

/** Deep equality of JSON values (object key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameValue(a[key], b[key]));
  }
  return false;
}
