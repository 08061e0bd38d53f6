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
 * Inlines a request's own `@name = value` file variables (runbook text, trusted like the rest of
 * the request) wherever `{{name}}` is written, before any value from outside is filled in.
 * `given` names win over file variables, as in REST Client: those placeholders stay for
 * {@link substituteTemplateVars}.
 */
export function expandFileVariables<T extends HttpRequestSpec & { variables?: Record<string, string> }>(spec: T, given: ReadonlySet<string> = new Set()): HttpRequestSpec {
  const own = spec.variables ?? {};
  const fill = (text: string, seen: Set<string>): string =>
    text.replace(PLACEHOLDER, (whole, name: string) => {
      if (given.has(name) || seen.has(name) || !Object.prototype.hasOwnProperty.call(own, name)) return whole;
      return fill(own[name]!, new Set([...seen, name]));
    });
  const out: HttpRequestSpec = { method: spec.method, url: fill(spec.url, new Set()), headers: spec.headers.map(([k, v]) => [fill(k, new Set()), fill(v, new Set())] as [string, string]) };
  if (spec.body !== undefined) out.body = fill(spec.body, new Set());
  return out;
}

/** Every `{{name}}` a request reads (URL, header names and values, body), each once, in order. */
export function httpTemplateNames(spec: HttpRequestSpec): string[] {
  const names: string[] = [];
  for (const text of [spec.url, ...spec.headers.flat(), spec.body ?? '']) {
    for (const m of text.matchAll(PLACEHOLDER)) if (!names.includes(m[1]!)) names.push(m[1]!);
  }
  return names;
}

/** Where in a request a placeholder sits: decides how its value is encoded, or whether it is refused. */
export type HttpTemplateContext = 'origin' | 'userinfo' | 'host' | 'path' | 'query' | 'fragment' | 'header-name' | 'header-value' | 'json-string' | 'json-value' | 'form' | 'xml' | 'multipart' | 'text';

const HOST_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const ORIGIN_VALUE = /^https?:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/?$/;
const JSON_SCALAR = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)$/;

/** One value encoded for its context, or why it cannot be placed there. */
export function encodeForContext(context: HttpTemplateContext, value: string): { text: string } | { refused: string } {
  switch (context) {
    case 'origin':
      return ORIGIN_VALUE.test(value) && !/\/\.{1,2}(\/|$)/.test(value) ? { text: value } : { refused: 'at the start of the URL a value must be an http(s)://host[:port][/path] origin, without user, query, fragment or dot segments' };
    case 'host':
      return HOST_VALUE.test(value) ? { text: value } : { refused: 'in the host a value must be a host name or address with an optional :port' };
    case 'userinfo':
    case 'query':
    case 'fragment':
      return { text: encodeURIComponent(value) };
    case 'path':
      return { text: encodeURIComponent(value) };
    case 'header-name':
      return { refused: 'a header name cannot come from a value' };
    case 'header-value':
      // eslint-disable-next-line no-control-regex
      // C1 controls (NEL) and the Unicode line and paragraph separators end lines for some parsers too.
      return /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/.test(value) ? { refused: 'a header value cannot hold CR, LF or other control characters' } : { text: value };
    case 'multipart':
      // No encoding applies inside a part: a value on one line can never begin a `--boundary` line.
      return /[\r\n]/.test(value) ? { refused: 'in a multipart body a value cannot hold CR or LF: it could start a new part' } : { text: value };
    case 'json-string':
      return { text: JSON.stringify(value).slice(1, -1).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') };
    case 'json-value':
      return JSON_SCALAR.test(value) ? { text: value } : { refused: 'outside a JSON string a value must be a JSON number, true, false or null (write "{{name}}" for a string)' };
    case 'form':
      return { text: encodeURIComponent(value).replace(/%20/g, '+') };
    case 'xml':
      return { text: value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;') };
    default:
      return { text: value };
  }
}

interface Slot {
  start: number;
  end: number;
  name: string;
  context: HttpTemplateContext;
}

// The placeholders of a URL template with their positions: origin, userinfo, host, path, query, fragment.
function urlSlots(url: string): Slot[] {
  const slots: Slot[] = [];
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  const authorityStart = scheme ? scheme[0].length : -1;
  let authorityEnd = -1;
  if (scheme) {
    const rest = url.slice(authorityStart).search(/[/?#]/);
    authorityEnd = rest === -1 ? url.length : authorityStart + rest;
  }
  const at = scheme ? url.lastIndexOf('@', authorityEnd) : -1;
  for (const m of url.matchAll(PLACEHOLDER)) {
    const start = m.index;
    const before = url.slice(0, start);
    let context: HttpTemplateContext;
    if (!scheme && !/[/?#]/.test(before.replace(/\{\{[^{}]*\}\}/g, ''))) context = start === 0 ? 'origin' : 'host';
    else if (scheme && start < authorityStart) context = 'origin';
    else if (scheme && start < authorityEnd) context = at >= authorityStart && start < at ? 'userinfo' : 'host';
    else if (before.includes('#')) context = 'fragment';
    else if (before.includes('?')) context = 'query';
    else context = 'path';
    slots.push({ start, end: start + m[0].length, name: m[1]!, context });
  }
  return slots;
}

// The placeholders of a JSON body: inside a string literal or not.
function jsonSlots(body: string): Slot[] {
  const slots: Slot[] = [];
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '{' && body[i + 1] === '{') {
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(body);
      if (m && m.index === i) {
        slots.push({ start: i, end: i + m[0].length, name: m[1]!, context: inString ? 'json-string' : 'json-value' });
        i += m[0].length - 1;
        continue;
      }
    }
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
  }
  PLACEHOLDER.lastIndex = 0;
  return slots;
}

function textSlots(text: string, context: HttpTemplateContext): Slot[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ start: m.index, end: m.index + m[0].length, name: m[1]!, context }));
}

function bodyContext(spec: HttpRequestSpec): 'json' | HttpTemplateContext {
  const type = (spec.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '').toLowerCase();
  if (type.includes('json')) return 'json';
  if (type.includes('x-www-form-urlencoded')) return 'form';
  if (type.includes('xml')) return 'xml';
  if (type.startsWith('multipart/')) return 'multipart';
  if (type === '' && /^\s*[[{]/.test(spec.body ?? '') && !/^\s*\{\{/.test(spec.body ?? '')) return 'json';
  return 'text';
}

/** Every placeholder of a request with the context it sits in. */
export function httpTemplateSlots(spec: HttpRequestSpec): Array<{ part: 'url' | 'header' | 'body'; name: string; context: HttpTemplateContext }> {
  const out: Array<{ part: 'url' | 'header' | 'body'; name: string; context: HttpTemplateContext }> = [];
  for (const slot of urlSlots(spec.url)) out.push({ part: 'url', name: slot.name, context: slot.context });
  for (const [k, v] of spec.headers) {
    for (const slot of textSlots(k, 'header-name')) out.push({ part: 'header', name: slot.name, context: slot.context });
    for (const slot of textSlots(v, 'header-value')) out.push({ part: 'header', name: slot.name, context: slot.context });
  }
  if (spec.body !== undefined) {
    const kind = bodyContext(spec);
    for (const slot of kind === 'json' ? jsonSlots(spec.body) : textSlots(spec.body, kind)) out.push({ part: 'body', name: slot.name, context: slot.context });
  }
  return out;
}

/**
 * Fills `{{name}}` placeholders in the URL, header values and body with `values` (then the
 * request's own `@name = value` file variables, inlined as written), encoding each value for the
 * place it lands so that it stays data: percent-encoded in path segments, query and fragment
 * (`../../admin` stays one segment, `a&admin=true` one query value), JSON-escaped inside JSON
 * strings, form-encoded in form bodies, XML-escaped in XML. Where no encoding keeps a value data,
 * it must have a safe shape or is refused (`refused` says why; the request must not be sent): the
 * URL's origin and host, a header name, a header value with CR/LF, a JSON position outside a
 * string (a JSON number, true, false or null only), a path segment that would be `.` or `..`.
 * Placeholders with no value stay as written and are listed in `missing` (each name once).
 *
 * @example
 * substituteTemplateVars({ method: 'GET', url: 'http://127.0.0.1:8766/users/{{id}}', headers: [] }, { id: '../admin' })
 * // → { spec: { method: 'GET', url: 'http://127.0.0.1:8766/users/..%2Fadmin', headers: [] }, missing: [], refused: [] }
 */
export function substituteTemplateVars<T extends HttpRequestSpec & { variables?: Record<string, string> }>(
  spec: T,
  values: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
): { spec: HttpRequestSpec; missing: string[]; refused: string[] } {
  const given = new Set(values instanceof Map ? [...values.keys()] : Object.keys(values));
  const template = expandFileVariables(spec, given);
  const missing: string[] = [];
  const refused: string[] = [];
  const fill = (text: string, slots: Slot[]): string => {
    let out = '';
    let at = 0;
    for (const slot of slots) {
      out += text.slice(at, slot.start);
      at = slot.end;
      const value = lookupGiven(values, slot.name);
      if (value === undefined) {
        if (!missing.includes(slot.name)) missing.push(slot.name);
        out += text.slice(slot.start, slot.end);
        continue;
      }
      const encoded = encodeForContext(slot.context, value);
      if ('refused' in encoded) {
        refused.push(`{{${slot.name}}}: ${encoded.refused}`);
        out += text.slice(slot.start, slot.end);
      } else {
        out += encoded.text;
      }
    }
    return out + text.slice(at);
  };
  const url = fill(template.url, urlSlots(template.url));
  // A path segment made entirely of dots is resolved by every URL parser (also as %2e): refuse it.
  const pathPart = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/)[0]!;
  const templatePath = template.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/)[0]!;
  const templateSegments = templatePath.split('/');
  pathPart.split('/').forEach((segment, i) => {
    const decoded = segment.replace(/%2e/gi, '.');
    if ((decoded === '.' || decoded === '..') && (templateSegments[i] ?? '').includes('{{')) refused.push(`a value made the path segment "${segment}", which would climb the path`);
  });
  const headers = template.headers.map(([k, v]) => [fill(k, textSlots(k, 'header-name')), fill(v, textSlots(v, 'header-value'))] as [string, string]);
  const out: HttpRequestSpec = { method: template.method, url, headers };
  if (template.body !== undefined) {
    const kind = bodyContext(template);
    out.body = fill(template.body, kind === 'json' ? jsonSlots(template.body) : textSlots(template.body, kind));
  }
  return { spec: out, missing, refused };
}

function lookupGiven(values: Readonly<Record<string, string>> | ReadonlyMap<string, string>, name: string): string | undefined {
  if (values instanceof Map) return values.get(name);
  const record = values as Readonly<Record<string, string>>;
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}
