// Real test servers on 127.0.0.1 (ephemeral ports) for HTTP cells, promql cells and anything that
// runs `curl` against a service: a ROXY-like service (seed ROXY runbook, section 2) and a fake
// Prometheus query API. Shared by every engineer's tests; no mocks, real sockets.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export const FIXTURE_CERT_FILE = fileURLToPath(new URL('../fixtures/http/cert.pem', import.meta.url));
export const FIXTURE_KEY_FILE = fileURLToPath(new URL('../fixtures/http/key.pem', import.meta.url));

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** 1-based number of the TCP connection that carried it. */
  connection: number;
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` (or `https://localhost:PORT` with `tls`), no trailing slash. */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** The seed's `/health` body (the `...` of `"ollama": {"ok": true, ...}` filled in). */
export const ROXY_HEALTH_BODY = {
  status: 'ok',
  service: 'roxy-core',
  checks: {
    auth_token: 'ok',
    rate_limiter: 'ok',
    chromadb: 'ok',
    ollama: { ok: true, pools: 2, version: '0.5.7' },
  },
};

/** The seed's healthy `/ready` body. */
export const ROXY_READY_BODY = {
  ready: true,
  message: 'All pools configured and reachable',
  checks: {
    pool_invariants: {
      ok: true,
      pools: {
        w5700x: { reachable: true, latency_ms: 0.4 },
        '6900xt': { reachable: true, latency_ms: 0.3 },
      },
    },
  },
};

/** The seed's `/ready` body with HTTP 503. */
export const ROXY_NOT_READY_BODY = {
  ready: false,
  error_code: 'POOLS_UNREACHABLE',
  message: "Pools not reachable: ['6900xt']",
  remediation_hint: 'Verify ollama responding: 6900xt (port 11435). See RUNBOOK.md section 3.',
};

/** The token `/bench/cancel` and `/run` expect in `X-ROXY-Token`. */
export const ROXY_TOKEN = 'test-roxy-token-5f2c';

/** Size of `/big`: 5 MiB of a repeating ASCII pattern. */
export const BIG_BODY_BYTES = 5 * 1024 * 1024;
/** `/latin1` body: "café crème" in ISO-8859-1, not valid UTF-8. */
export const LATIN1_BODY = Buffer.from('café crème\n', 'latin1');

export function roxyMetricsText(ready: boolean): string {
  return [
    '# HELP roxy_pool_reachable Whether a pool answers (1) or not (0).',
    '# TYPE roxy_pool_reachable gauge',
    'roxy_pool_reachable{pool="w5700x"} 1',
    `roxy_pool_reachable{pool="6900xt"} ${ready ? 1 : 0}`,
    '# HELP roxy_ready_checks Ready checks by result.',
    '# TYPE roxy_ready_checks counter',
    'roxy_ready_checks{result="ok"} 42',
    `roxy_ready_checks{result="fail"} ${ready ? 0 : 3}`,
    '# HELP roxy_requests_total Requests by endpoint.',
    '# TYPE roxy_requests_total counter',
    'roxy_requests_total{endpoint="/health"} 120',
    'roxy_requests_total{endpoint="/ready"} 45',
    '# HELP roxy_pool_latency_ms Pool latency.',
    '# TYPE roxy_pool_latency_ms gauge',
    'roxy_pool_latency_ms{pool="w5700x"} 0.4',
    'roxy_pool_latency_ms{pool="6900xt"} 0.3',
    '',
  ].join('\n');
}

export interface RoxyServerOptions {
  /** `/ready` answers 200 with the healthy body, or 503 with the failure body. */
  ready: boolean;
  /** Serve HTTPS with the committed self-signed certificate (test/fixtures/http). */
  tls?: boolean;
}

/**
 * A ROXY-like service. Routes: `GET /health`, `GET /ready`, `GET /metrics`, `GET /bench/status`,
 * `POST /bench/cancel` (needs `X-ROXY-Token: ROXY_TOKEN`), `ANY /echo` (the request back as
 * JSON), `/redirect/N` (N hops of 302, then `/health`), `/redirect-loop`, `/see-other` (303 to
 * `/echo`), `/chunked` (chunked JSON), `/big` (5 MiB), `/latin1` (not UTF-8), `/slow?ms=N`
 * (headers after N ms), `/slow-body?ms=N` (headers now, body after N ms), `/status/N`.
 */
export function startRoxyServer(options: RoxyServerOptions): Promise<TestServer> {
  const bigChunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < bigChunk.length; i++) bigChunk[i] = 97 + (i % 26);
  return startServer(options.tls === true, (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const json = (status: number, value: unknown) => {
      const text = JSON.stringify(value, null, 2);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (path === '/health') return json(200, ROXY_HEALTH_BODY);
    if (path === '/ready') return options.ready ? json(200, ROXY_READY_BODY) : json(503, ROXY_NOT_READY_BODY);
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      return res.end(roxyMetricsText(options.ready));
    }
    if (path === '/bench/status') return json(200, { status: 'idle', last_run: null });
    if (path === '/bench/cancel') {
      if (req.method !== 'POST') return json(405, { error: 'method not allowed' });
      if (req.headers['x-roxy-token'] !== ROXY_TOKEN) return json(401, { error: 'unauthorized' });
      return json(200, { cancelled: true });
    }
    if (path === '/echo') return json(200, { method: req.method, url: req.url, headers: req.headers, body });
    const redirect = /^\/redirect\/(\d+)$/.exec(path);
    if (redirect) {
      const n = Number(redirect[1]);
      res.writeHead(302, { location: n <= 1 ? '/health' : `/redirect/${n - 1}`, 'content-length': 0 });
      return res.end();
    }
    if (path === '/redirect-loop' || path === '/redirect-loop-b') {
      res.writeHead(302, { location: path === '/redirect-loop' ? '/redirect-loop-b' : '/redirect-loop', 'content-length': 0 });
      return res.end();
    }
    if (path === '/see-other') {
      res.writeHead(303, { location: '/echo', 'content-length': 0 });
      return res.end();
    }
    if (path === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const parts = ['{"items": [', '1, 2, ', '3], ', '"done": true}'];
      let i = 0;
      const next = () => {
        if (i < parts.length) {
          res.write(parts[i++]);
          setTimeout(next, 5);
        } else res.end();
      };
      return next();
    }
    if (path === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG_BODY_BYTES });
      let sent = 0;
      const pump = () => {
        while (sent < BIG_BODY_BYTES) {
          const chunk = bigChunk.subarray(0, Math.min(bigChunk.length, BIG_BODY_BYTES - sent));
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    if (path === '/latin1') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1', 'content-length': LATIN1_BODY.length });
      return res.end(LATIN1_BODY);
    }
    if (path === '/slow') {
      const timer = setTimeout(() => json(200, { slow: true }), Number(url.searchParams.get('ms') ?? 1000));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (path === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('start\n');
      const timer = setTimeout(() => res.end('end\n'), Number(url.searchParams.get('ms') ?? 1000));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) return json(Number(status[1]), { status: Number(status[1]) });
    return json(404, { error: 'not found', path });
  });
}

/** One sample the fake Prometheus knows: `metric` holds `__name__` and the labels. */
export interface PromSample {
  metric: Record<string, string>;
  value: number | string;
}

export interface PrometheusServerOptions {
  /** Exact query text → the `data` to answer (for functions and arithmetic the fake cannot do). */
  responses?: Record<string, { resultType: string; result: unknown[] }>;
  /** Exact query text → Prometheus' own warnings to add to the answer. */
  warnings?: Record<string, string[]>;
  /** The instant every sample is reported at (default 1700000000). */
  time?: number;
}

export interface PrometheusServer extends TestServer {
  /** Every `query` received, in order. */
  queries: string[];
}

/**
 * A fake Prometheus HTTP API (`GET|POST /api/v1/query`) over `samples`. It evaluates plain
 * selectors (`name`, `name{a="b", c!="d", e=~"re", f!~"re"}`, `{__name__="x"}`) to an instant
 * vector; `options.responses` answers any other exact query; anything else is a 400 `bad_data`
 * error, as Prometheus answers a query it cannot parse.
 */
export function startPrometheusServer(samples: PromSample[], options: PrometheusServerOptions = {}): Promise<PrometheusServer> {
  const queries: string[] = [];
  const time = options.time ?? 1_700_000_000;
  return startServer(false, (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const reply = (status: number, value: unknown) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (url.pathname !== '/api/v1/query') return reply(404, { status: 'error', errorType: 'not_found', error: `no route ${url.pathname}` });
    const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    const query = params.get('query');
    if (query === null || query.trim() === '') {
      return reply(400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": no query given' });
    }
    queries.push(query);
    const warnings = options.warnings?.[query];
    const canned = options.responses?.[query];
    if (canned) return reply(200, { status: 'success', data: canned, ...(warnings ? { warnings } : {}) });
    const matchers = parseSelector(query.trim());
    if (!matchers) {
      return reply(400, { status: 'error', errorType: 'bad_data', error: `1:1: parse error: fake Prometheus cannot evaluate "${query}"` });
    }
    const result = samples
      .filter((s) => matchers.every((m) => m.test(s.metric[m.label] ?? '')))
      .map((s) => ({ metric: s.metric, value: [time, String(s.value)] }));
    return reply(200, { status: 'success', data: { resultType: 'vector', result }, ...(warnings ? { warnings } : {}) });
  }).then((server) => Object.assign(server, { queries }));
}

interface Matcher {
  label: string;
  test(value: string): boolean;
}

// Plain selectors only: enough for tests, and a parse error for anything else.
function parseSelector(query: string): Matcher[] | undefined {
  const m = /^([A-Za-z_:][\w:]*)?\s*(?:\{(.*)\})?$/s.exec(query);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  const matchers: Matcher[] = [];
  if (m[1] !== undefined) matchers.push({ label: '__name__', test: (v) => v === m[1] });
  const inner = (m[2] ?? '').trim();
  if (inner === '') return matchers;
  const re = /\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/gy;
  let consumed = 0;
  let part: RegExpExecArray | null;
  while (consumed < inner.length && (part = re.exec(inner)) !== null) {
    const [, label, op, raw] = part as unknown as [string, string, string, string];
    const value = raw.replace(/\\(.)/g, '$1');
    const anchored = new RegExp(`^(?:${value})$`);
    const test =
      op === '=' ? (v: string) => v === value : op === '!=' ? (v: string) => v !== value : op === '=~' ? (v: string) => anchored.test(v) : (v: string) => !anchored.test(v);
    matchers.push({ label: label!, test });
    consumed = re.lastIndex;
  }
  return consumed === inner.length ? matchers : undefined;
}

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

function startServer(tls: boolean, route: Route): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const numbers = new WeakMap<Socket, number>();
  let connections = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, connection: numbers.get(req.socket) ?? 0 });
      route(req, res, body);
    });
  };
  const server: Server = tls
    ? createHttpsServer({ cert: readFileSync(FIXTURE_CERT_FILE), key: readFileSync(FIXTURE_KEY_FILE) }, handle)
    : createHttpServer(handle);
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections++;
    numbers.set(socket, connections);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // TLS handshakes that fail (client refuses the certificate) end up here; they are expected.
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `${tls ? 'https://localhost' : 'http://127.0.0.1'}:${port}`,
        port,
        requests,
        connections: () => connections,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
