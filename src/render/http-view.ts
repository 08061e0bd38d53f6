import type { HttpExchange } from '../record/index.js';
import { cleanTerminalText } from './ansi.js';
import { clipText, type ClipLimits } from './clip.js';
import { formatBytes, formatDuration } from './format.js';

/** A header as the templates see it. */
export interface HeaderView {
  name: string;
  value: string;
}

/** An HTTP exchange as the templates see it; every field is present (null when the exchange has none). */
export interface HttpView {
  request: { method: string; url: string; headers: HeaderView[]; body: string | null };
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
}

function headerList(headers: HttpExchange['request']['headers'] | NonNullable<HttpExchange['response']>['headers']): HeaderView[] {
  if (Array.isArray(headers)) return headers.map(([name, value]) => ({ name, value }));
  return Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: v })));
}

function timingsText(timings: HttpExchange['timings']): string {
  const parts = [`total ${formatDuration(timings.totalMs)}`];
  const phases: Array<[number | undefined, string]> = [
    [timings.firstByteMs, 'first byte'],
    [timings.dnsMs, 'DNS'],
    [timings.connectMs, 'connect'],
    [timings.tlsMs, 'TLS'],
  ];
  for (const [ms, label] of phases) if (ms !== undefined) parts.push(`${label} ${formatDuration(ms)}`);
  return parts.join(' · ');
}

function tlsText(tls: NonNullable<HttpExchange['tls']>): string {
  const parts: string[] = [];
  if (tls.protocol) parts.push(tls.protocol);
  parts.push(tls.authorized ? 'certificate verified' : `certificate NOT verified${tls.authorizationError ? ` (${tls.authorizationError})` : ''}`);
  if (tls.insecure) parts.push('--insecure');
  if (tls.certificate) parts.push(`subject ${tls.certificate.subject}, valid to ${tls.certificate.validTo}`);
  return parts.join(' · ');
}

/** An attempt's HTTP exchange as the report shows it; null when the attempt has none. */
export function buildHttpView(exchange: HttpExchange | undefined, limits: ClipLimits): HttpView | null {
  if (exchange === undefined) return null;
  const { request, response, error } = exchange;
  const view: HttpView = {
    request: {
      method: request.method,
      url: request.url,
      headers: headerList(request.headers),
      body: request.body !== undefined ? cleanTerminalText(request.body) : null,
    },
    response: null,
    timingsText: timingsText(exchange.timings),
    remote: exchange.remoteAddress ? (exchange.remotePort !== undefined ? `${exchange.remoteAddress} port ${exchange.remotePort}` : exchange.remoteAddress) : null,
    tlsText: exchange.tls ? tlsText(exchange.tls) : null,
    redirects: (exchange.redirects ?? []).map((r) => `${r.status} ${r.method} ${r.url} → ${r.location}`),
    curl: exchange.curl,
    error: error ? `${error.code}: ${error.message}${error.cause ? ` (${error.cause})` : ''}` : null,
    errorCode: error?.code ?? null,
    requestText: null,
    responseText: null,
  };
  if (response) {
    const body = clipText(cleanTerminalText(response.body), limits);
    view.response = {
      status: response.status,
      statusLine: [response.httpVersion ? `HTTP/${response.httpVersion}` : 'HTTP', String(response.status), response.statusText ?? ''].filter((p) => p !== '').join(' '),
      headers: headerList(response.headers),
      body: body.text,
      bodyClipped: body.clipped,
      bodySizeText: formatBytes(response.bodySize),
      bodySha256: response.bodySha256,
      truncated: response.truncated,
    };
  }
  view.requestText = messageText(`${request.method} ${request.url}`, view.request.headers, view.request.body);
  if (view.response) view.responseText = messageText(view.response.statusLine, view.response.headers, view.response.body);
  return view;
}

// An HTTP message as it would appear on the wire (after the start line), for fenced display.
function messageText(startLine: string, headers: HeaderView[], body: string | null): string {
  const lines = [cleanTerminalText(startLine), ...headers.map((h) => cleanTerminalText(`${h.name}: ${h.value}`))];
  return body ? `${lines.join('\n')}\n\n${body}` : lines.join('\n');
}
