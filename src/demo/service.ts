import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunproofError } from '../core/index.js';

// The embedded demo service: a small ROXY-like HTTP service that the project's own notebooks
// talk to, so a newcomer can see a run (and a failing run) without starting anything by hand.
// It listens on 127.0.0.1 only and never reaches out to anything.

/** The loopback address the demo service binds to; it never listens elsewhere. */
export const DEMO_HOST = '127.0.0.1';
/** Header carrying the service token on authenticated requests. */
export const DEMO_TOKEN_HEADER = 'X-Demo-Token';
/** The pool that `fail` makes unreachable. */
export const DEMO_FAILING_POOL = 'beta';

export interface DemoServiceOptions {
  /** Start with pool `beta` unreachable: `/ready` answers 503 and the metrics agree. */
  fail?: boolean;
  /** Token for `POST /bench/run`, `/bench/cancel` and `/pools/NAME/restart` (default: random). */
  token?: string;
  /** How long a benchmark runs, in milliseconds (default 2000). */
  benchMs?: number;
  /** How long a pool restart takes, in milliseconds (default 300). */
  restartMs?: number;
  /** TCP port on 127.0.0.1 (default 0: a free one). */
  port?: number;
}

export interface DemoPool {
  name: string;
  /** Port of the pool's (imaginary) backend, shown in hints. */
  port: number;
  reachable: boolean;
  latencyMs: number;
  restarts: number;
}

export interface DemoService {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  /** The token authenticated endpoints expect in `X-Demo-Token`. */
  token: string;
  /** A snapshot of the pools. */
  pools(): DemoPool[];
  /** Makes a pool reachable or not (what `--fail` does to `beta` at start). */
  setPoolReachable(name: string, reachable: boolean): void;
  /** Requests served so far, by endpoint (also in `/metrics`). */
  requestCounts(): Record<string, number>;
  /** Stops listening, drops keep-alive connections and cancels timers. */
  close(): Promise<void>;
}

interface BenchState {
  status: 'idle' | 'running' | 'done' | 'cancelled';
  runId: string | null;
  requests: number;
  startedAt: number;
  endedAt: number | null;
  timer: NodeJS.Timeout | null;
}

const ENDPOINTS = ['/health', '/ready', '/metrics', '/bench/run', '/bench/status', '/bench/cancel', '/pools', '/pools/restart', 'other'] as const;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Starts the demo service on a free 127.0.0.1 port. Routes: `GET /health`, `GET /ready` (200, or
 * 503 naming the unreachable pools), `GET /metrics` (Prometheus text), `POST /bench/run` (token;
 * 202, runs for `benchMs`), `GET /bench/status`, `POST /bench/cancel` (token), `GET /pools/NAME`,
 * `POST /pools/NAME/restart` (token; the pool is reachable again after `restartMs`).
 * @example
 * const service = await startDemoService({ fail: true });
 * // GET `${service.url}/ready` → 503 { ready: false, error_code: 'POOLS_UNREACHABLE', ... }
 * await service.close();
 */
export async function startDemoService(options: DemoServiceOptions = {}): Promise<DemoService> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const benchMs = options.benchMs ?? 2000;
  const restartMs = options.restartMs ?? 300;
  const startedAt = Date.now();
  const pools: DemoPool[] = [
    { name: 'alpha', port: 11434, reachable: true, latencyMs: 0.4, restarts: 0 },
    { name: DEMO_FAILING_POOL, port: 11435, reachable: options.fail !== true, latencyMs: 0.3, restarts: 0 },
  ];
  const counts = new Map<string, number>(ENDPOINTS.map((e) => [e, 0]));
  const readyChecks = { ok: 0, fail: 0 };
  const bench: BenchState = { status: 'idle', runId: null, requests: 0, startedAt: 0, endedAt: null, timer: null };
  const timers = new Set<NodeJS.Timeout>();
  let benchRuns = 0;

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const poolNamed = (name: string): DemoPool | undefined => pools.find((p) => p.name === name);
  const authorized = (req: IncomingMessage): boolean => {
    const given = req.headers[DEMO_TOKEN_HEADER.toLowerCase()];
    if (typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const json = (status: number, value: unknown): void => {
      const text = `${JSON.stringify(value, null, 2)}\n`;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(method === 'HEAD' ? undefined : text);
    };
    const only = (allowed: string): boolean => {
      if (method === allowed || (allowed === 'GET' && method === 'HEAD')) return true;
      res.setHeader('allow', allowed === 'GET' ? 'GET, HEAD' : allowed);
      json(405, { error: 'method not allowed', allow: allowed });
      return false;
    };
    const needToken = (): boolean => {
      if (authorized(req)) return true;
      json(401, { error: 'unauthorized', hint: `send the service token in ${DEMO_TOKEN_HEADER}` });
      return false;
    };
    const count = (endpoint: (typeof ENDPOINTS)[number]): void => {
      counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
    };

    if (path === '/health') {
      count('/health');
      if (!only('GET')) return;
      return json(200, {
        status: 'ok',
        service: 'demo-core',
        uptime_s: Math.floor((Date.now() - startedAt) / 1000),
        checks: { auth_token: 'ok', bench: bench.status === 'running' ? 'busy' : 'ok', pools: { configured: pools.length } },
      });
    }
    if (path === '/ready') {
      count('/ready');
      if (!only('GET')) return;
      const down = pools.filter((p) => !p.reachable);
      const poolView = Object.fromEntries(pools.map((p) => [p.name, p.reachable ? { reachable: true, latency_ms: p.latencyMs } : { reachable: false, error: `connection refused on port ${p.port}` }]));
      if (down.length === 0) {
        readyChecks.ok += 1;
        return json(200, { ready: true, message: 'All pools configured and reachable', checks: { pool_invariants: { ok: true, pools: poolView } } });
      }
      readyChecks.fail += 1;
      return json(503, {
        ready: false,
        error_code: 'POOLS_UNREACHABLE',
        message: `Pools not reachable: [${down.map((p) => `'${p.name}'`).join(', ')}]`,
        remediation_hint: `Restart the pool: POST /pools/${down[0]!.name}/restart (port ${down[0]!.port}). See notebooks/incident-ready-503.md.`,
        checks: { pool_invariants: { ok: false, pools: poolView } },
      });
    }
    if (path === '/metrics') {
      count('/metrics');
      if (!only('GET')) return;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(method === 'HEAD' ? undefined : metricsText());
      return;
    }
    if (path === '/bench/run') {
      count('/bench/run');
      if (!only('POST') || !needToken()) return;
      if (bench.status === 'running') return json(409, { error: 'a benchmark is already running', run_id: bench.runId });
      const requests = requestedCount(body);
      if (requests === null) return json(400, { error: 'body must be JSON like {"requests": 200} (1 to 100000)' });
      benchRuns += 1;
      Object.assign(bench, { status: 'running', runId: `bench-${String(benchRuns).padStart(4, '0')}`, requests, startedAt: Date.now(), endedAt: null });
      bench.timer = later(benchMs, () => {
        bench.status = 'done';
        bench.endedAt = Date.now();
        bench.timer = null;
      });
      return json(202, { accepted: true, run_id: bench.runId, status: 'running', requests, poll: '/bench/status' });
    }
    if (path === '/bench/status') {
      count('/bench/status');
      if (!only('GET')) return;
      return json(200, benchView());
    }
    if (path === '/bench/cancel') {
      count('/bench/cancel');
      if (!only('POST') || !needToken()) return;
      if (bench.status !== 'running') return json(409, { error: 'no benchmark is running', status: bench.status });
      if (bench.timer) clearTimeout(bench.timer);
      bench.timer = null;
      bench.status = 'cancelled';
      bench.endedAt = Date.now();
      return json(200, { cancelled: true, run_id: bench.runId });
    }
    const poolRoute = /^\/pools\/([a-z0-9-]+)(\/restart)?$/.exec(path);
    if (poolRoute) {
      const pool = poolNamed(poolRoute[1]!);
      if (poolRoute[2]) {
        count('/pools/restart');
        if (!only('POST') || !needToken()) return;
        if (!pool) return json(404, { error: `no pool ${poolRoute[1]}`, pools: pools.map((p) => p.name) });
        pool.restarts += 1;
        pool.reachable = false;
        later(restartMs, () => {
          pool.reachable = true;
        });
        return json(202, { restarting: pool.name, ready_in_ms: restartMs });
      }
      count('/pools');
      if (!only('GET')) return;
      if (!pool) return json(404, { error: `no pool ${poolRoute[1]}`, pools: pools.map((p) => p.name) });
      return json(200, { name: pool.name, port: pool.port, reachable: pool.reachable, latency_ms: pool.reachable ? pool.latencyMs : null, restarts: pool.restarts });
    }
    count('other');
    return json(404, { error: 'not found', path, endpoints: ['/health', '/ready', '/metrics', '/bench/run', '/bench/status', '/bench/cancel', '/pools/NAME', '/pools/NAME/restart'] });
  };

  const benchView = (): Record<string, unknown> => {
    const view: Record<string, unknown> = { status: bench.status, run_id: bench.runId };
    if (bench.status === 'running') view.progress = Math.min(0.99, Math.round(((Date.now() - bench.startedAt) / Math.max(1, benchMs)) * 100) / 100);
    if (bench.status === 'done') {
      const healthy = pools.filter((p) => p.reachable);
      view.progress = 1;
      view.result = {
        requests: bench.requests,
        errors: 0,
        pools_used: healthy.map((p) => p.name),
        p50_ms: 12.5,
        p95_ms: 31.2,
        duration_ms: (bench.endedAt ?? Date.now()) - bench.startedAt,
      };
    }
    return view;
  };

  const metricsText = (): string => {
    const lines = [
      '# HELP demo_pool_reachable Whether a pool answers (1) or not (0).',
      '# TYPE demo_pool_reachable gauge',
      ...pools.map((p) => `demo_pool_reachable{pool="${p.name}"} ${p.reachable ? 1 : 0}`),
      '# HELP demo_pool_latency_ms Latency of the last pool probe.',
      '# TYPE demo_pool_latency_ms gauge',
      ...pools.filter((p) => p.reachable).map((p) => `demo_pool_latency_ms{pool="${p.name}"} ${p.latencyMs}`),
      '# HELP demo_ready_checks_total /ready answers by result.',
      '# TYPE demo_ready_checks_total counter',
      `demo_ready_checks_total{result="ok"} ${readyChecks.ok}`,
      `demo_ready_checks_total{result="fail"} ${readyChecks.fail}`,
      '# HELP demo_requests_total Requests by endpoint.',
      '# TYPE demo_requests_total counter',
      ...[...counts].map(([endpoint, n]) => `demo_requests_total{endpoint="${endpoint}"} ${n}`),
      '# HELP demo_bench_runs_total Benchmarks started.',
      '# TYPE demo_bench_runs_total counter',
      `demo_bench_runs_total ${benchRuns}`,
      '',
    ];
    return lines.join('\n');
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"error": "body too large"}\n');
        return;
      }
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new RunproofError('RP_DEMO_FAILED', `the demo service cannot listen on ${DEMO_HOST}:${options.port ?? 0}: ${error.message}`, {
          hint: error.code === 'EADDRINUSE' ? 'choose another --port, or leave it out for a free one' : 'check that the loopback interface is up',
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, DEMO_HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${DEMO_HOST}:${port}`,
    port,
    token,
    pools: () => pools.map((p) => ({ ...p })),
    setPoolReachable(name, reachable) {
      const pool = poolNamed(name);
      if (!pool) throw new RunproofError('RP_DEMO_FAILED', `the demo service has no pool ${name}`, { hint: `pools: ${pools.map((p) => p.name).join(', ')}` });
      pool.reachable = reachable;
    },
    requestCounts: () => Object.fromEntries(counts),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

// `{"requests": N}` with 1 ≤ N ≤ 100000; an empty body means the default of 100.
function requestedCount(body: string): number | null {
  if (body.trim() === '') return 100;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const requests = (value as Record<string, unknown>).requests ?? 100;
  return typeof requests === 'number' && Number.isInteger(requests) && requests >= 1 && requests <= 100_000 ? requests : null;
}
