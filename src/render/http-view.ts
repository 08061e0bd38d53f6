import { cleanTerminalText } from './ansi.js';
import { clipText, type ClipLimits } from './clip.js';
import { formatBytes, formatDuration } from './format.js';

// The record keeps an attempt's HTTP exchange as `unknown` (its shape belongs to the executor),
// and a report must render any record it is given, also one from an older or newer version: this
// reads the fields it knows, checks their types, and shows anything else as JSON.

/** A header as the templates see it. */
export interface HeaderView {
  name: string;
  value: string;
}

/** An HTTP exchange as the templates see it; every field is present (null when unknown). */
export interface HttpView {
  request: { method: string; url: string; headers: HeaderView[]; body: string | null } | null;
  response: {
    status: number;
    statusLine: string;
    headers: HeaderView[];
    body: string;
    bodyClipped: boolean;
    bodySizeText: string;
    bodySha256: string | null;
    truncated: boolean;
  } | null;
  timingsText: string | null;
  remote: string | null;
  tlsText: string | null;
  redirects: string[];
  curl: string | null;
  error: string | null;
  /** The error's code alone (`ECONNREFUSED`, `TIMEOUT`...), when there is one. */
  errorCode: string | null;
  /** The request as text: request line, headers, blank line, body. */
  requestText: string | null;
  /** The response as text: status line, headers, blank line, body (clipped). */
  responseText: string | null;
  /** The exchange as JSON when it has no recognisable request (a PromQL result, a future shape). */
  raw: string | null;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function headerList(value: unknown): HeaderView[] {
  if (Array.isArray(value)) {
    return value
      .filter((pair): pair is [unknown, unknown] => Array.isArray(pair) && pair.length === 2)
      .map(([name, v]) => ({ name: String(name), value: String(v) }));
  }
  if (isObject(value)) {
    const out: HeaderView[] = [];
    for (const [name, v] of Object.entries(value)) {
      if (Array.isArray(v)) for (const item of v) out.push({ name, value: String(item) });
      else out.push({ name, value: String(v) });
    }
    return out;
  }
  return [];
}

function timingsText(value: unknown): string | null {
  if (!isObject(value)) return null;
  const parts: string[] = [];
  const add = (key: string, label: string): void => {
    const ms = num(value[key]);
    if (ms !== null) parts.push(`${label} ${formatDuration(ms)}`);
  };
  add('totalMs', 'total');
  add('firstByteMs', 'first byte');
  add('dnsMs', 'DNS');
  add('connectMs', 'connect');
  add('tlsMs', 'TLS');
  return parts.length > 0 ? parts.join(' · ') : null;
}

function tlsText(value: unknown): string | null {
  if (!isObject(value)) return null;
  const parts: string[] = [];
  const protocol = str(value.protocol);
  if (protocol) parts.push(protocol);
  if (value.authorized === true) parts.push('certificate verified');
  else if (value.authorized === false) parts.push(`certificate NOT verified${str(value.authorizationError) ? ` (${String(value.authorizationError)})` : ''}`);
  if (value.insecure === true) parts.push('--insecure');
  const cert = value.certificate;
  if (isObject(cert) && str(cert.subject)) parts.push(`subject ${String(cert.subject)}, valid to ${String(cert.validTo ?? '?')}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Reads an attempt's `http` field for the report; null when the attempt has none. */
export function buildHttpView(value: unknown, limits: ClipLimits): HttpView | null {
  if (value === undefined || value === null) return null;
  const empty: HttpView = {
    request: null,
    response: null,
    timingsText: null,
    remote: null,
    tlsText: null,
    redirects: [],
    curl: null,
    error: null,
    errorCode: null,
    requestText: null,
    responseText: null,
    raw: null,
  };
  if (!isObject(value) || !isObject(value.request)) {
    return { ...empty, raw: clipText(cleanTerminalText(stringify(value)), limits).text };
  }
  const request = value.request;
  const view: HttpView = {
    ...empty,
    request: {
      method: str(request.method) ?? '?',
      url: str(request.url) ?? '?',
      headers: headerList(request.headers),
      body: str(request.body) !== null ? cleanTerminalText(String(request.body)) : null,
    },
    timingsText: timingsText(value.timings),
    tlsText: tlsText(value.tls),
    curl: str(value.curl),
  };
  const address = str(value.remoteAddress);
  if (address) view.remote = num(value.remotePort) !== null ? `${address} port ${String(value.remotePort)}` : address;
  if (Array.isArray(value.redirects)) {
    view.redirects = value.redirects
      .filter(isObject)
      .map((r) => `${String(r.status ?? '?')} ${String(r.method ?? '')} ${String(r.url ?? '')} → ${String(r.location ?? '')}`);
  }
  if (isObject(value.error)) {
    view.errorCode = str(value.error.code) ?? 'ERROR';
    view.error = `${String(value.error.code ?? 'ERROR')}: ${String(value.error.message ?? '')}${str(value.error.cause) ? ` (${String(value.error.cause)})` : ''}`;
  }
  const response = value.response;
  if (isObject(response) && num(response.status) !== null) {
    const status = num(response.status) ?? 0;
    const body = clipText(cleanTerminalText(str(response.body) ?? ''), limits);
    const size = num(response.bodySize);
    view.response = {
      status,
      statusLine: [str(response.httpVersion) ? `HTTP/${String(response.httpVersion)}` : 'HTTP', String(status), str(response.statusText) ?? '']
        .filter((p) => p !== '')
        .join(' '),
      headers: headerList(response.headers),
      body: body.text,
      bodyClipped: body.clipped,
      bodySizeText: size !== null ? formatBytes(size) : '?',
      bodySha256: str(response.bodySha256),
      truncated: response.truncated === true,
    };
  }
  view.requestText = messageText(`${view.request?.method ?? '?'} ${view.request?.url ?? '?'}`, view.request?.headers ?? [], view.request?.body ?? null);
  if (view.response) view.responseText = messageText(view.response.statusLine, view.response.headers, view.response.body);
  return view;
}

// An HTTP message as it would appear on the wire (after the start line), for fenced display.
function messageText(startLine: string, headers: HeaderView[], body: string | null): string {
  const lines = [cleanTerminalText(startLine), ...headers.map((h) => cleanTerminalText(`${h.name}: ${h.value}`))];
  return body ? `${lines.join('\n')}\n\n${body}` : lines.join('\n');
}
