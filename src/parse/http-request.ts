import { RunproofError, didYouMean, spanAt } from '../core/index.js';
import type { HttpRequestSpec } from './types.js';

export interface ParsedHttpRequest extends HttpRequestSpec {
  /** From `# @name x` (REST Client / httpyac). */
  name?: string;
  /** 1-based runbook line of the request line. */
  line: number;
  /** The request's own text (one `###`-separated part). */
  text: string;
  /**
   * REST Client file variables written in this part (`@host = 127.0.0.1`), in order. They fill
   * `{{host}}` through {@link substituteTemplateVars}; values given by the operator win.
   */
  variables?: Record<string, string>;
}

/** Methods an `http` cell may use. `CONNECT` is left out: it opens a tunnel, not a request. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'] as const;

const SEPARATOR = /^\s*###/;
const NAME_COMMENT = /^\s*(?:#|\/\/)\s*@name(?:\s*=\s*|\s+)(\S+)\s*$/;
const COMMENT = /^\s*(?:#|\/\/)/;
const FILE_VARIABLE = /^\s*@([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$/;
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s?(.*)$/;
const VERSION = /^HTTP\/\d(?:\.\d)?$/i;

/**
 * Parses an `http` block in REST-Client form: `METHOD URL [HTTP/1.1]` (a bare URL means GET),
 * header lines `Name: value`, a blank line, the body; `###` lines separate requests, each its own
 * request. `# @name x` / `// @name x` names a request, other `#` and `//` lines before the body
 * are comments, `@var = value` lines define file variables, and lines starting with `?` or `&`
 * right after the request line continue its query string. `{{var}}` placeholders stay as written.
 * Errors are returned, not thrown, so that one bad request does not hide the others.
 *
 * @example
 * parseHttpBlock('# @name ready\nGET http://127.0.0.1:8766/ready\nAccept: application/json\n', { line: 12 })
 * // → { requests: [{ name: 'ready', method: 'GET', url: 'http://127.0.0.1:8766/ready',
 * //      headers: [['Accept', 'application/json']], line: 13, text: '…' }], errors: [] }
 */
export function parseHttpBlock(text: string, options: { line: number; file?: string }): { requests: ParsedHttpRequest[]; errors: RunproofError[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const requests: ParsedHttpRequest[] = [];
  const errors: RunproofError[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || SEPARATOR.test(lines[i]!)) {
      const part = parsePart(lines.slice(start, i), options.line + start, options.file);
      if (part.request) requests.push(part.request);
      if (part.error) errors.push(part.error);
      start = i + 1;
    }
  }
  if (requests.length === 0 && errors.length === 0) {
    errors.push(
      new RunproofError('RP_BAD_HTTP_CELL', 'http block holds no request line', {
        hint: 'write a request line such as "GET http://127.0.0.1:8766/ready"',
        file: options.file,
        span: spanAt(options.line),
      }),
    );
  }
  return { requests, errors };
}

// One `###`-separated part: comments and variables, request line, headers, blank line, body.
// A part holding only comments and blank lines is not a request (REST Client allows them).
function parsePart(lines: string[], firstLine: number, file: string | undefined): { request?: ParsedHttpRequest; error?: RunproofError } {
  const fail = (index: number, col: number, message: string, hint?: string) => ({
    error: new RunproofError('RP_BAD_HTTP_CELL', message, { hint, file, span: spanAt(firstLine + index, col) }),
  });
  let name: string | undefined;
  const variables: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const named = NAME_COMMENT.exec(line);
    if (named) {
      name = named[1];
      continue;
    }
    if (line.trim() === '' || COMMENT.test(line)) continue;
    const variable = FILE_VARIABLE.exec(line);
    if (variable) {
      variables[variable[1]!] = variable[2]!;
      continue;
    }
    break;
  }
  if (i === lines.length) return {};

  const requestIndex = i;
  const requestLine = lines[i]!;
  const indent = requestLine.length - requestLine.trimStart().length;
  const words = requestLine.trim().split(/\s+/);
  let method = 'GET';
  let url: string;
  const first = words[0]!;
  const upper = first.toUpperCase();
  if ((HTTP_METHODS as readonly string[]).includes(upper) && words.length >= 2) {
    method = upper;
    url = words[1]!;
    if (words.length > 3 || (words.length === 3 && !VERSION.test(words[2]!))) {
      return fail(requestIndex, indent + 1, `request line "${requestLine.trim()}" has extra words after the URL`, 'write METHOD URL [HTTP/1.1]; encode spaces in the URL as %20');
    }
  } else if (looksLikeUrl(first) && (words.length === 1 || (words.length === 2 && VERSION.test(words[1]!)))) {
    url = first;
  } else if ((HTTP_METHODS as readonly string[]).includes(upper)) {
    return fail(requestIndex, indent + 1, `request line "${requestLine.trim()}" has no URL`, `write ${upper} URL, e.g. "${upper} http://127.0.0.1:8766/ready"`);
  } else if (/^[A-Za-z]+$/.test(first) && words.length >= 2) {
    const guess = didYouMean(upper, HTTP_METHODS);
    return fail(
      requestIndex,
      indent + 1,
      `unknown HTTP method "${first}"`,
      `${guess ? `did you mean ${guess}? ` : ''}methods: ${HTTP_METHODS.join(', ')}`,
    );
  } else {
    return fail(requestIndex, indent + 1, `"${requestLine.trim()}" is not a request line`, 'write METHOD URL [HTTP/1.1], e.g. "GET http://127.0.0.1:8766/ready"');
  }

  i++;
  // Query continuation lines (`?a=1`, `&b=2`) right after the request line, as REST Client allows.
  for (; i < lines.length && /^\s*[?&]/.test(lines[i]!); i++) url += lines[i]!.trim();

  const headers: [string, string][] = [];
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') break;
    if (COMMENT.test(line)) continue;
    const header = HEADER.exec(line.trim());
    if (!header) {
      return fail(i, (line.length - line.trimStart().length) + 1, `"${line.trim()}" is not a header line`, 'headers are "Name: value"; put a blank line before the body');
    }
    headers.push([header[1]!, header[2]!.trim()]);
  }

  const request: ParsedHttpRequest = { method, url, headers, line: firstLine + requestIndex, text: lines.join('\n').replace(/\n+$/, '') };
  const bodyLines = lines.slice(i + 1);
  while (bodyLines.length > 0 && bodyLines[bodyLines.length - 1]!.trim() === '') bodyLines.pop();
  while (bodyLines.length > 0 && bodyLines[0]!.trim() === '') bodyLines.shift();
  if (bodyLines.length > 0) request.body = bodyLines.join('\n');
  if (name !== undefined) request.name = name;
  if (Object.keys(variables).length > 0) request.variables = variables;
  return { request };
}

function looksLikeUrl(word: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(word) || word.startsWith('{{') || word.startsWith('/') || /^[\w.-]+:\d+(\/|$)/.test(word);
}

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/**
 * Replaces `{{name}}` placeholders in the URL, header values and body with `values` (then the
 * request's own `@name = value` file variables), never evaluating anything. Placeholders with no
 * value stay as written and are listed in `missing` (each name once), so the planner can stop
 * before the run. REST Client's `{{$guid}}`-style system variables are not supported and are
 * reported as missing.
 *
 * @example
 * substituteTemplateVars({ method: 'GET', url: 'http://{{host}}/ready', headers: [] }, { host: '127.0.0.1:8766' })
 * // → { spec: { method: 'GET', url: 'http://127.0.0.1:8766/ready', headers: [] }, missing: [] }
 */
export function substituteTemplateVars<T extends HttpRequestSpec & { variables?: Record<string, string> }>(
  spec: T,
  values: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
): { spec: T; missing: string[] } {
  const missing: string[] = [];
  // File variables may refer to other variables (`@base = http://{{host}}`); `seen` stops cycles.
  const fill = (text: string, seen: Set<string>): string =>
    text.replace(PLACEHOLDER, (whole, name: string) => {
      if (seen.has(name)) return whole;
      const value = lookupIn(name, seen);
      if (value === undefined) {
        if (!missing.includes(name)) missing.push(name);
        return whole;
      }
      return value;
    });
  const lookupIn = (name: string, seen: Set<string>): string | undefined => {
    const direct = lookupGiven(values, name);
    if (direct !== undefined) return direct;
    const own = spec.variables;
    if (own && Object.prototype.hasOwnProperty.call(own, name)) return fill(own[name]!, new Set([...seen, name]));
    return undefined;
  };
  const out: T = {
    ...spec,
    url: fill(spec.url, new Set()),
    headers: spec.headers.map(([k, v]) => [k, fill(v, new Set())] as [string, string]),
  };
  if (spec.body !== undefined) out.body = fill(spec.body, new Set());
  return { spec: out, missing };
}

function lookupGiven(values: Readonly<Record<string, string>> | ReadonlyMap<string, string>, name: string): string | undefined {
  if (values instanceof Map) return values.get(name);
  const record = values as Readonly<Record<string, string>>;
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}
