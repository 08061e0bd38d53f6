import { afterEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { DEMO_HOST, DEMO_TOKEN_HEADER, startDemoService, type DemoService } from '../../src/demo/index.js';
import { isRunproofError } from '../../src/core/index.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

// A plain node:http client, so these tests do not depend on runproof's own HTTP client.
function call(service: DemoService, method: string, path: string, options: { token?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers[DEMO_TOKEN_HEADER] = options.token;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = httpRequest(`${service.url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let service: DemoService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe('demo service', () => {
  it('listens on 127.0.0.1 on an ephemeral port', async () => {
    service = await startDemoService();
    expect(service.url).toBe(`http://${DEMO_HOST}:${service.port}`);
    expect(service.port).toBeGreaterThan(0);
    expect(service.token).toMatch(/^[0-9a-f]{32}$/);
    const other = await startDemoService();
    try {
      expect(other.port).not.toBe(service.port);
      expect(other.token).not.toBe(service.token);
    } finally {
      await other.close();
    }
  });

  it('answers /health with 200 JSON', async () => {
    service = await startDemoService();
    const health = await call(service, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).toMatch(/^application\/json/);
    expect(health.json).toMatchObject({ status: 'ok', service: 'demo-core', checks: { auth_token: 'ok' } });
  });

  it('answers /ready with 200 and both pools when healthy', async () => {
    service = await startDemoService();
    const ready = await call(service, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({
      ready: true,
      checks: { pool_invariants: { ok: true, pools: { alpha: { reachable: true }, beta: { reachable: true } } } },
    });
  });

  it('with fail, /ready is 503 naming pool beta, /health still 200, metrics agree', async () => {
    service = await startDemoService({ fail: true });
    const ready = await call(service, 'GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ ready: false, error_code: 'POOLS_UNREACHABLE', message: "Pools not reachable: ['beta']" });
    expect((await call(service, 'GET', '/health')).status).toBe(200);
    const metrics = await call(service, 'GET', '/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toContain('demo_pool_reachable{pool="alpha"} 1\n');
    expect(metrics.text).toContain('demo_pool_reachable{pool="beta"} 0\n');
    expect(metrics.text).toContain('demo_ready_checks_total{result="fail"} 1\n');
  });

  it('serves /metrics in Prometheus text: HELP and TYPE before each family, counters counting', async () => {
    service = await startDemoService();
    await call(service, 'GET', '/health');
    await call(service, 'GET', '/health');
    const metrics = await call(service, 'GET', '/metrics');
    const lines = metrics.text.trimEnd().split('\n');
    const families = new Set<string>();
    for (const line of lines) {
      const type = /^# TYPE (\w+) (gauge|counter)$/.exec(line);
      if (type) families.add(type[1]!);
      else if (!line.startsWith('# HELP ')) {
        const sample = /^(\w+)(\{[^}]*\})? (-?[0-9.]+)$/.exec(line);
        expect(sample, line).not.toBeNull();
        expect(families.has(sample![1]!), `${sample![1]} has a TYPE line before it`).toBe(true);
      }
    }
    expect(metrics.text).toContain('demo_requests_total{endpoint="/health"} 2\n');
    expect(service.requestCounts()['/metrics']).toBe(1);
  });

  it('POST /bench/run needs the token: 401 without, 401 with a wrong one, 202 with it', async () => {
    service = await startDemoService({ benchMs: 5000 });
    expect((await call(service, 'POST', '/bench/run', { body: '{}' })).status).toBe(401);
    expect((await call(service, 'POST', '/bench/run', { token: 'nope', body: '{}' })).status).toBe(401);
    expect((await call(service, 'POST', '/bench/run', { token: `${service.token}x`, body: '{}' })).status).toBe(401);
    const started = await call(service, 'POST', '/bench/run', { token: service.token, body: '{"requests": 50}' });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ accepted: true, status: 'running', requests: 50, run_id: 'bench-0001' });
    expect((await call(service, 'GET', '/bench/run')).status).toBe(405);
  });

  it('a benchmark runs for a while: running, 409 for a second one, then done with a result', async () => {
    service = await startDemoService({ benchMs: 400 });
    expect((await call(service, 'GET', '/bench/status')).json).toMatchObject({ status: 'idle', run_id: null });
    await call(service, 'POST', '/bench/run', { token: service.token, body: '{"requests": 10}' });
    const running = await call(service, 'GET', '/bench/status');
    expect(running.json).toMatchObject({ status: 'running', run_id: 'bench-0001' });
    expect((running.json as { result?: unknown }).result).toBeUndefined();
    expect((await call(service, 'POST', '/bench/run', { token: service.token })).status).toBe(409);
    let status: { status: string; result?: { requests: number; errors: number } } = { status: 'running' };
    for (let i = 0; i < 100 && status.status === 'running'; i++) {
      await sleep(50);
      status = (await call(service, 'GET', '/bench/status')).json as typeof status;
    }
    expect(status).toMatchObject({ status: 'done', result: { requests: 10, errors: 0 } });
  });

  it('rejects a benchmark body that is not {"requests": N}', async () => {
    service = await startDemoService();
    for (const body of ['nope', '[1]', '{"requests": 0}', '{"requests": "5"}', '{"requests": 1.5}']) {
      expect((await call(service, 'POST', '/bench/run', { token: service.token, body })).status, body).toBe(400);
    }
    expect((await call(service, 'GET', '/bench/status')).json).toMatchObject({ status: 'idle' });
  });

  it('cancels a running benchmark with the token', async () => {
    service = await startDemoService({ benchMs: 10_000 });
    expect((await call(service, 'POST', '/bench/cancel', { token: service.token })).status).toBe(409);
    await call(service, 'POST', '/bench/run', { token: service.token });
    expect((await call(service, 'POST', '/bench/cancel')).status).toBe(401);
    expect((await call(service, 'POST', '/bench/cancel', { token: service.token })).json).toMatchObject({ cancelled: true });
    expect((await call(service, 'GET', '/bench/status')).json).toMatchObject({ status: 'cancelled' });
  });

  it('restarting the failing pool makes /ready 200 again after restartMs', async () => {
    service = await startDemoService({ fail: true, restartMs: 100 });
    expect((await call(service, 'GET', '/pools/beta')).json).toMatchObject({ name: 'beta', reachable: false, restarts: 0 });
    expect((await call(service, 'POST', '/pools/beta/restart')).status).toBe(401);
    const restart = await call(service, 'POST', '/pools/beta/restart', { token: service.token });
    expect(restart.status).toBe(202);
    expect(restart.json).toMatchObject({ restarting: 'beta', ready_in_ms: 100 });
    expect((await call(service, 'GET', '/ready')).status).toBe(503);
    await sleep(300);
    expect((await call(service, 'GET', '/ready')).status).toBe(200);
    expect(service.pools().find((p) => p.name === 'beta')).toMatchObject({ reachable: true, restarts: 1 });
    expect((await call(service, 'POST', '/pools/gamma/restart', { token: service.token })).status).toBe(404);
  });

  it('setPoolReachable switches a pool; an unknown pool is RP_DEMO_FAILED naming the pools', async () => {
    service = await startDemoService();
    service.setPoolReachable('alpha', false);
    expect((await call(service, 'GET', '/ready')).json).toMatchObject({ message: "Pools not reachable: ['alpha']" });
    let error: unknown;
    try {
      service.setPoolReachable('gamma', false);
    } catch (e) {
      error = e;
    }
    expect(isRunproofError(error) && error.code).toBe('RP_DEMO_FAILED');
    expect(isRunproofError(error) && error.hint).toContain('alpha, beta');
  });

  it('unknown paths are 404 JSON listing the endpoints; wrong methods are 405 with Allow', async () => {
    service = await startDemoService();
    const missing = await call(service, 'GET', '/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: 'not found', path: '/nope' });
    const wrong = await call(service, 'POST', '/health');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    const head = await call(service, 'HEAD', '/ready');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('a port in use is RP_DEMO_FAILED with a hint', async () => {
    service = await startDemoService();
    let error: unknown;
    try {
      await startDemoService({ port: service.port });
    } catch (e) {
      error = e;
    }
    expect(isRunproofError(error) && error.code).toBe('RP_DEMO_FAILED');
    expect(isRunproofError(error) && error.hint).toContain('--port');
  });

  it('close() ends keep-alive connections and pending timers, and can be called twice', async () => {
    service = await startDemoService({ benchMs: 60_000, restartMs: 60_000 });
    await call(service, 'POST', '/bench/run', { token: service.token });
    await call(service, 'POST', '/pools/alpha/restart', { token: service.token });
    // An open keep-alive connection would keep server.close() waiting.
    const agentRes = await fetch(`${service.url}/health`, { headers: { connection: 'keep-alive' } });
    await agentRes.text();
    const s = service;
    service = undefined;
    await Promise.all([s.close(), s.close()]);
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });
});
