import { createHash } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Agent, buildConnector as BuildConnector, Dispatcher } from 'undici';
import { RunproofError, TOOL_NAME, TOOL_VERSION, parseJsonBounded } from '../core/index.js';
import type { HttpRequestSpec } from '../parse/index.js';
import { curlCommand } from './curl-command.js';
import type { HttpError, HttpErrorCode, HttpExchange, HttpRedirect, HttpResponse, HttpTls } from './http-types.js';

export type { HttpExchange } from './http-types.js';

// undici (~110 CommonJS files) loads when a run's first HTTP cell makes the client, not with the
// execute stage: a run of shell cells never reads it (start-up is module loading). require, as
// createHttpClient is synchronous; the same file and instance an import of 'undici' gets.
const requireUndici = createRequire(import.meta.url);
const undici = (): typeof import('undici') => requireUndici('undici') as typeof import('undici');

/** Options of one run's HTTP client; all off by default. */
export interface HttpClientOptions {
  /** Accept certificates that do not verify (`--insecure`); the record says so. */
  insecure?: boolean;
  /** A PEM file of CA certificates to trust instead of the system's (`--ca-file`). */
  caFile?: string;
  /** Connect timeout for new connections, ms (default 30 000; a send's own timeout still wins). */
  timeoutMs?: number;
  /** Body bytes kept per response (default 16 MiB); the rest is counted and hashed, then dropped. */
  maxBodyBytes?: number;
  /** Redirects followed per request (default 5); 0 returns the 3xx response as it is. */
  maxRedirects?: number;
}

export interface HttpSendOptions {
  /** The whole exchange, redirects included, must finish within this many ms. */
  timeoutMs: number;
  /** Aborts the exchange (Ctrl-C); the result's error is `ABORTED`. */
  signal?: AbortSignal;
}

/** One run's HTTP client: one undici Agent, so requests to the same origin reuse connections. */
export interface HttpClient {
  /** Sends one request; never rejects for network failures, which come back as `error`. */
  send(spec: HttpRequestSpec, opts: HttpSendOptions): Promise<HttpExchange>;
  /** Closes every connection; the client cannot be used afterwards. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
const DEFAULT_CONNECT_TIMEOUT = 30_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Headers that carry credentials: not forwarded when a redirect leaves the origin (as curl and fetch).
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

// What runproof learns about a connection it opened: phase times and the peer's certificate.
interface ConnectionInfo {
  startedAt: number;
  lookupAt?: number;
  connectAt?: number;
  secureAt?: number;
  requests: number;
}
const connections = new WeakMap<Socket, ConnectionInfo>();

// undici does not tell a handler which socket carries its request. It calls the handler's
// onRequestStart and then, synchronously in the same function, publishes
// `undici:client:sendHeaders` with the socket, so the handler that just started claims it.
let awaitingSocket: SendState | undefined;
let subscribed = false;
function ensureSocketChannel(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('undici:client:sendHeaders', (message) => {
    const state = awaitingSocket;
    if (!state) return;
    awaitingSocket = undefined;
    const { socket } = message as { socket: Socket };
    state.socket = socket;
  });
}

// Per-hop state shared by the dispatch handler and the timeout / abort logic.
interface SendState {
  startedAt: number;
  socket?: Socket;
  controller?: Dispatcher.DispatchController;
  firstByteAt?: number;
  status?: number;
  statusText?: string;
  headers?: Record<string, string | string[]>;
  chunks: Buffer[];
  kept: number;
  size: number;
  hash: ReturnType<typeof createHash>;
  phase: 'connecting' | 'waiting' | 'reading';
  settle?: (outcome: { error?: unknown }) => void;
  cancel?: unknown;
}

/**
 * Creates the HTTP client of one run: one undici Agent (keep-alive, HTTP/1.1), a connector that
 * times DNS, TCP and TLS on each new connection, and the run's TLS policy.
 * Throws `RP_FILE_NOT_FOUND` when `caFile` cannot be read (bad input, before anything runs).
 *
 * @example
 * const client = createHttpClient({ insecure: false });
 * const exchange = await client.send({ method: 'GET', url: 'http://127.0.0.1:8766/ready', headers: [] }, { timeoutMs: 10_000 });
 * await client.close();
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  ensureSocketChannel();
  const insecure = options.insecure === true;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const maxRedirects = options.maxRedirects ?? 5;
  let ca: string | undefined;
  if (options.caFile !== undefined) {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (cause) {
      throw new RunproofError('RP_FILE_NOT_FOUND', `cannot read CA file ${options.caFile}`, {
        hint: 'give a PEM file of CA certificates',
        cause,
      });
    }
  }
  const { Agent, buildConnector } = undici();
  const connector = buildConnector({
    rejectUnauthorized: !insecure,
    timeout: options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT,
    ...(ca === undefined ? {} : { ca }),
  });
  // Wraps undici's connector to time the phases of each new connection on the socket it returns.
  const timedConnector: BuildConnector.connector = (connectOptions, callback) => {
    const info: ConnectionInfo = { startedAt: performance.now(), requests: 0 };
    const socket = (connector as unknown as (o: typeof connectOptions, cb: typeof callback) => Socket)(connectOptions, callback);
    connections.set(socket, info);
    socket.once('lookup', () => (info.lookupAt = performance.now()));
    socket.once('connect', () => (info.connectAt = performance.now()));
    socket.once('secureConnect', () => (info.secureAt = performance.now()));
    return socket;
  };
  const agent = new Agent({ connect: timedConnector, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });
  let closed = false;

  async function send(spec: HttpRequestSpec, opts: HttpSendOptions): Promise<HttpExchange> {
    const startedAt = performance.now();
    const sentHeaders = withDefaultHeaders(spec.headers);
    const request = { method: spec.method.toUpperCase(), url: spec.url, headers: sentHeaders, ...(spec.body === undefined ? {} : { body: spec.body }) };
    const redirects: HttpRedirect[] = [];
    const exchange = (): HttpExchange => ({
      request,
      timings: { totalMs: round(performance.now() - startedAt) },
      curl: curlCommand(spec, { insecure, ...(options.caFile === undefined ? {} : { caFile: options.caFile }), ...(redirects.length > 0 ? { followRedirects: maxRedirects } : {}) }),
    });
    if (closed) throw new RunproofError('RP_INTERNAL', 'HTTP client used after close()');

    let hop = { method: request.method, url: spec.url, headers: sentHeaders, body: spec.body };
    const seen = new Set<string>([`${hop.method} ${hop.url}`]);
    const deadline = startedAt + opts.timeoutMs;
    for (;;) {
      let target: URL;
      try {
        target = new URL(hop.url);
        if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported scheme ${target.protocol}`);
      } catch (err) {
        return finish(exchange(), { error: { code: 'BAD_URL', message: `"${hop.url}" is not an http(s) URL: ${messageOf(err)}` } });
      }
      const state = await dispatchOnce(agent, hop, target, Math.max(0, deadline - performance.now()), opts.signal, maxBodyBytes);
      const result = exchange();
      describeConnection(result, state, insecure, target);
      if (state.firstByteAt !== undefined) result.timings.firstByteMs = round(state.firstByteAt - startedAt);
      if (state.error !== undefined) {
        result.error = classifyError(state.error, { method: hop.method, url: target, timeoutMs: opts.timeoutMs, phase: state.phase });
        if (result.error.code === 'TLS') result.tls = { insecure, authorized: false, ...(result.error.cause ? { authorizationError: result.error.cause } : {}) };
        if (state.status !== undefined) result.response = buildResponse(state, maxBodyBytes);
        return finish(result, {}, redirects);
      }
      const response = buildResponse(state, maxBodyBytes);
      result.response = response;
      const location = headerValue(response.headers, 'location');
      if (maxRedirects > 0 && REDIRECT_STATUSES.has(response.status) && location !== undefined) {
        let next: URL;
        try {
          next = new URL(location, target);
        } catch {
          return finish(result, { error: { code: 'BAD_URL', message: `redirect from ${target.href} to an invalid Location "${location}"` } }, redirects);
        }
        if (redirects.length >= maxRedirects) {
          return finish(result, { error: { code: 'TOO_MANY_REDIRECTS', message: `more than ${maxRedirects} redirects, last from ${target.href} to ${next.href}` } }, redirects);
        }
        // 303 always, and 301/302 after POST, become GET without a body (as curl -L and browsers do).
        const toGet = response.status === 303 ? hop.method !== 'HEAD' : (response.status === 301 || response.status === 302) && hop.method === 'POST';
        const method = toGet ? 'GET' : hop.method;
        redirects.push({ method: hop.method, url: target.href, status: response.status, location: next.href });
        const key = `${method} ${next.href}`;
        if (seen.has(key)) {
          return finish(result, { error: { code: 'REDIRECT_LOOP', message: `redirect loop: ${target.href} sends back to ${next.href}, already requested` } }, redirects);
        }
        seen.add(key);
        const sameOrigin = next.origin === target.origin;
        hop = {
          method,
          url: next.href,
          headers: hop.headers.filter(([name]) => {
            const lower = name.toLowerCase();
            if (!sameOrigin && CREDENTIAL_HEADERS.has(lower)) return false;
            if (toGet && (lower === 'content-type' || lower === 'content-length')) return false;
            return lower !== 'host';
          }),
          body: toGet ? undefined : hop.body,
        };
        continue;
      }
      return finish(result, {}, redirects);
    }
  }

  return {
    send,
    async close() {
      if (closed) return;
      closed = true;
      // destroy, not close: close() would wait for a connection attempt that a timed-out send left behind.
      await agent.destroy();
    },
  };
}

// The record's final touches: error, redirects, and one key order for every exchange, so that
// records and their diffs read the same way (request, response, error, timings, connection, curl).
function finish(result: HttpExchange, extra: { error?: HttpError }, redirects: HttpRedirect[] = []): HttpExchange {
  if (extra.error) result.error = extra.error;
  if (redirects.length > 0) result.redirects = redirects;
  const order: (keyof HttpExchange)[] = ['request', 'response', 'error', 'redirects', 'timings', 'remoteAddress', 'remotePort', 'reusedConnection', 'tls', 'curl'];
  const ordered: Record<string, unknown> = {};
  for (const key of order) if (result[key] !== undefined) ordered[key] = result[key];
  return ordered as HttpExchange;
}

interface Hop {
  method: string;
  url: string;
  headers: [string, string][];
  body: string | undefined;
}

// One request on the agent, no redirect handling; resolves (never rejects) when it ends.
function dispatchOnce(
  agent: Agent,
  hop: Hop,
  target: URL,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  maxBodyBytes: number,
): Promise<SendState & { error?: unknown }> {
  const state: SendState & { error?: unknown } = {
    startedAt: performance.now(),
    chunks: [],
    kept: 0,
    size: 0,
    hash: createHash('sha256'),
    phase: 'connecting',
  };
  return new Promise((resolve) => {
    let done = false;
    const end = (error?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) state.error = error;
      resolve(state);
    };
    // Before undici hands us a controller (still connecting) we cannot abort the request itself:
    // we answer now and abort it as soon as it starts.
    let complete = false;
    const cancel = (reason: unknown) => {
      if (complete) return;
      state.cancel = reason;
      if (state.controller) state.controller.abort(reason as Error);
      end(reason);
    };
    const timer = setTimeout(() => cancel(new HopTimeout()), timeoutMs);
    const onAbort = () => cancel(new HopAborted());
    if (signal?.aborted) {
      cancel(new HopAborted());
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(controller) {
        state.controller = controller;
        if (state.cancel !== undefined) {
          controller.abort(state.cancel as Error);
          return;
        }
        awaitingSocket = state;
        state.phase = 'waiting';
      },
      onResponseStarted() {
        state.firstByteAt ??= performance.now();
      },
      onResponseStart(_controller, statusCode, headers, statusMessage) {
        if (statusCode < 200) return;
        state.firstByteAt ??= performance.now();
        state.status = statusCode;
        if (statusMessage) state.statusText = statusMessage;
        state.headers = headers as Record<string, string | string[]>;
        state.phase = 'reading';
      },
      onResponseData(_controller, chunk) {
        state.size += chunk.length;
        state.hash.update(chunk);
        if (state.kept < maxBodyBytes) {
          const room = maxBodyBytes - state.kept;
          const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
          state.chunks.push(part);
          state.kept += part.length;
        }
      },
      onResponseEnd() {
        // undici frees the connection in a setImmediate it schedules right after this call (a full
        // event-loop turn before reuse); answering after it lets the run's next request reuse the
        // connection instead of opening a second one.
        complete = true;
        clearTimeout(timer);
        process.nextTick(() => setImmediate(end));
      },
      onResponseError(_controller, error) {
        if (awaitingSocket === state) awaitingSocket = undefined;
        end(error);
      },
    };
    const headers: string[] = [];
    for (const [name, value] of hop.headers) headers.push(name, value);
    try {
      agent.dispatch(
        {
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: hop.method as Dispatcher.HttpMethod,
          headers,
          ...(hop.body === undefined ? {} : { body: hop.body }),
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        handler,
      );
    } catch (error) {
      end(error);
    }
  });
}

class HopTimeout extends Error {
  constructor() {
    super('timeout');
  }
}
class HopAborted extends Error {
  constructor() {
    super('aborted');
  }
}

// The socket's address, its TLS state and, when this request opened it, the phase timings.
function describeConnection(result: HttpExchange, state: SendState, insecure: boolean, target: URL): void {
  const socket = state.socket;
  if (!socket) return;
  if (socket.remoteAddress) result.remoteAddress = socket.remoteAddress;
  if (socket.remotePort) result.remotePort = socket.remotePort;
  const info = connections.get(socket);
  if (info) {
    info.requests++;
    result.reusedConnection = info.requests > 1;
    if (info.requests === 1) {
      const connectFrom = info.lookupAt ?? info.startedAt;
      if (info.lookupAt !== undefined) result.timings.dnsMs = round(info.lookupAt - info.startedAt);
      if (info.connectAt !== undefined) result.timings.connectMs = round(info.connectAt - connectFrom);
      if (info.secureAt !== undefined && info.connectAt !== undefined) result.timings.tlsMs = round(info.secureAt - info.connectAt);
    }
  }
  if (target.protocol === 'https:' && 'getPeerCertificate' in socket) {
    const tlsSocket = socket as TLSSocket;
    const tls: HttpTls = { insecure, authorized: tlsSocket.authorized };
    if (tlsSocket.authorizationError) tls.authorizationError = String(tlsSocket.authorizationError);
    const protocol = tlsSocket.getProtocol();
    if (protocol) tls.protocol = protocol;
    const cert = tlsSocket.getPeerCertificate();
    if (cert && Object.keys(cert).length > 0) {
      tls.certificate = {
        subject: distinguishedName(cert.subject),
        issuer: distinguishedName(cert.issuer),
        validFrom: cert.valid_from,
        validTo: cert.valid_to,
        ...(cert.fingerprint256 ? { fingerprint256: cert.fingerprint256 } : {}),
      };
    }
    result.tls = tls;
  }
}

function distinguishedName(name: unknown): string {
  if (!name || typeof name !== 'object') return '';
  return Object.entries(name as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');

// Body as text (and base64 when not UTF-8), size and hash of everything, JSON when it parses.
function buildResponse(state: SendState, maxBodyBytes: number): HttpResponse {
  const bytes = Buffer.concat(state.chunks, state.kept);
  const truncated = state.size > maxBodyBytes;
  let body: string;
  let bodyBase64: string | undefined;
  try {
    // `stream: true` on a truncated head: a character cut at the limit is not an encoding error.
    body = truncated ? new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true }) : utf8.decode(bytes);
  } catch {
    body = utf8Lossy.decode(bytes);
    bodyBase64 = bytes.toString('base64');
  }
  const headers = state.headers ?? {};
  const response: HttpResponse = {
    status: state.status ?? 0,
    headers,
    body,
    bodySize: state.size,
    bodySha256: state.hash.copy().digest('hex'),
    truncated,
  };
  if (state.statusText) response.statusText = state.statusText;
  if (bodyBase64 !== undefined) response.bodyBase64 = bodyBase64;
  if (!truncated && bodyBase64 === undefined && looksLikeJson(headerValue(headers, 'content-type'), body)) {
    // Not JSON after all, or nested too deep to check and record: the text stays, `json` stays absent.
    const parsed = parseJsonBounded(body);
    if (parsed.ok) response.json = parsed.value;
  }
  return response;
}

function looksLikeJson(contentType: string | undefined, body: string): boolean {
  if (contentType !== undefined && /[/+]json\b/i.test(contentType)) return true;
  const first = body.trimStart()[0];
  return first === '{' || first === '[';
}

function headerValue(headers: Record<string, string | string[]>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// runproof names itself to servers (their logs show what probed them) unless the cell says otherwise.
function withDefaultHeaders(headers: [string, string][]): [string, string][] {
  const out = headers.map(([k, v]) => [k, v] as [string, string]);
  if (!out.some(([name]) => name.toLowerCase() === 'user-agent')) out.push(['User-Agent', `${TOOL_NAME}/${TOOL_VERSION}`]);
  return out;
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME|EPROTO/;

// Turns whatever undici, Node or OpenSSL threw into one code and one line an operator can act on.
function classifyError(error: unknown, ctx: { method: string; url: URL; timeoutMs: number; phase: SendState['phase'] }): HttpError {
  const where = `${ctx.method} ${ctx.url.href}`;
  const hostPort = `${ctx.url.hostname}:${ctx.url.port || (ctx.url.protocol === 'https:' ? 443 : 80)}`;
  const codes = errorCodes(error);
  const cause = codes.find((c) => c !== 'UND_ERR_SOCKET' && c !== 'UND_ERR_CONNECT_TIMEOUT') ?? codes[0];
  const make = (code: HttpErrorCode, message: string): HttpError => (cause ? { code, message, cause } : { code, message });
  if (error instanceof HopTimeout) {
    const during = ctx.phase === 'connecting' ? 'connecting' : ctx.phase === 'waiting' ? 'waiting for the response headers' : 'reading the response body';
    return { code: 'TIMEOUT', message: `${where} timed out after ${formatMs(ctx.timeoutMs)} while ${during}` };
  }
  if (error instanceof HopAborted) return { code: 'ABORTED', message: `${where} was aborted` };
  const has = (code: string) => codes.includes(code);
  if (has('UND_ERR_CONNECT_TIMEOUT')) return make('TIMEOUT', `${where}: connecting to ${hostPort} timed out`);
  if (has('UND_ERR_HEADERS_TIMEOUT') || has('UND_ERR_BODY_TIMEOUT')) return make('TIMEOUT', `${where} timed out waiting for the server`);
  if (has('ECONNREFUSED')) return make('ECONNREFUSED', `${where}: connection refused by ${hostPort} (is the service listening?)`);
  if (has('ENOTFOUND')) return make('ENOTFOUND', `${where}: host "${ctx.url.hostname}" not found (DNS)`);
  if (has('EAI_AGAIN')) return make('EAI_AGAIN', `${where}: DNS lookup of "${ctx.url.hostname}" failed (resolver unavailable)`);
  if (has('EHOSTUNREACH') || has('ENETUNREACH')) return make('EHOSTUNREACH', `${where}: ${hostPort} is unreachable`);
  const tlsCode = codes.find((c) => TLS_CODE.test(c));
  if (tlsCode !== undefined) {
    return {
      code: 'TLS',
      message: `${where}: TLS certificate of ${hostPort} rejected (${tlsCode}: ${oneLine(messageOf(error))}); trust it with a CA file or allow it with --insecure`,
      cause: tlsCode,
    };
  }
  if (has('ECONNRESET') || has('UND_ERR_SOCKET') || has('EPIPE')) {
    return make('ECONNRESET', `${where}: ${hostPort} closed the connection before the response was complete`);
  }
  if (has('UND_ERR_ABORTED')) return make('ABORTED', `${where} was aborted`);
  if (has('UND_ERR_INVALID_ARG') || has('ERR_INVALID_CHAR') || has('ERR_INVALID_HTTP_TOKEN')) {
    return make('BAD_REQUEST', `${where} cannot be sent: ${oneLine(messageOf(error))}`);
  }
  return make('NETWORK', `${where}: ${oneLine(messageOf(error))}`);
}

// Node and undici nest the useful code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`) in causes
// and AggregateErrors (happy-eyeballs tries several addresses): collect them all.
function errorCodes(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 5) return [];
  const out: string[] = [];
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') out.push(code);
  const cause = (error as { cause?: unknown }).cause;
  if (cause) out.push(...errorCodes(cause, depth + 1));
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) for (const inner of errors) out.push(...errorCodes(inner, depth + 1));
  return out;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
