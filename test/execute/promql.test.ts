import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/execute/http.js';
import type { HttpClient } from '../../src/execute/http.js';
import { PromqlResultSchema } from '../../src/execute/http-types.js';
import { runPromql, runPromqlBlock, splitPromqlQueries } from '../../src/execute/promql.js';
import { startPrometheusServer, startRoxyServer } from '../helpers/servers.js';
import type { PrometheusServer, PromSample, TestServer } from '../helpers/servers.js';

// The Unified System runbook's `promql` block, as written there.
const SEED_BLOCK = `# Essential agents status
up{job="unified_agents", required="true"}

# Memory usage by agent
process_resident_memory_bytes{job="unified_agents"} / 1024 / 1024

# LLM routing distribution
rate(llm_routing_decisions_total[5m])

# System health score
system_health_score
`;

describe('splitPromqlQueries', () => {
  test('the seed block: one query per comment, with its line and comment', () => {
    expect(splitPromqlQueries(SEED_BLOCK)).toEqual([
      { query: 'up{job="unified_agents", required="true"}', lineOffset: 1, comment: 'Essential agents status' },
      { query: 'process_resident_memory_bytes{job="unified_agents"} / 1024 / 1024', lineOffset: 4, comment: 'Memory usage by agent' },
      { query: 'rate(llm_routing_decisions_total[5m])', lineOffset: 7, comment: 'LLM routing distribution' },
      { query: 'system_health_score', lineOffset: 10, comment: 'System health score' },
    ]);
  });

  test('multi-line queries stay whole; a comment line also ends a query; no comment, no key', () => {
    const text = 'sum by (job) (\n  rate(x_total[5m])\n)\n# next\n# two lines\nup\n\n\nvector(1)';
    expect(splitPromqlQueries(text)).toEqual([
      { query: 'sum by (job) (\n  rate(x_total[5m])\n)', lineOffset: 0 },
      { query: 'up', lineOffset: 5, comment: 'next two lines' },
      { query: 'vector(1)', lineOffset: 8 },
    ]);
  });

  test('a comment separated by a blank line does not describe the next query', () => {
    expect(splitPromqlQueries('# orphan\n\nup')).toEqual([{ query: 'up', lineOffset: 2 }]);
    expect(splitPromqlQueries('# only comments\n\n')).toEqual([]);
  });
});

describe('runPromql against a fake Prometheus query API', () => {
  let prometheus: PrometheusServer;
  let roxy: TestServer;
  let client: HttpClient;
  const samples: PromSample[] = [
    { metric: { __name__: 'up', job: 'unified_agents', required: 'true', instance: 'a:9100' }, value: 1 },
    { metric: { __name__: 'up', job: 'unified_agents', required: 'true', instance: 'b:9100' }, value: 0 },
    { metric: { __name__: 'up', job: 'other', required: 'false', instance: 'c:9100' }, value: 1 },
    { metric: { __name__: 'system_health_score' }, value: '0.97' },
  ];

  beforeAll(async () => {
    prometheus = await startPrometheusServer(samples, {
      responses: { 'rate(llm_routing_decisions_total[5m])': { resultType: 'vector', result: [{ metric: { route: 'local' }, value: [1_700_000_000, '0.5'] }] } },
      warnings: { system_health_score: ['PromQL info: metric might not be a counter'] },
    });
    roxy = await startRoxyServer({ ready: true });
    client = createHttpClient();
  });
  afterAll(async () => {
    await client.close();
    await Promise.all([prometheus.close(), roxy.close()]);
  });

  test('an instant query: the result vector, and the exchange', async () => {
    const result = await runPromql('up{job="unified_agents", required="true"}', { baseUrl: prometheus.url, client, timeoutMs: 5000 });
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({
      resultType: 'vector',
      result: [
        { metric: samples[0]!.metric, value: [1_700_000_000, '1'] },
        { metric: samples[1]!.metric, value: [1_700_000_000, '0'] },
      ],
    });
    expect(result.exchange!.request.url).toBe(`${prometheus.url}/api/v1/query?query=up%7Bjob%3D%22unified_agents%22%2C+required%3D%22true%22%7D`);
    expect(prometheus.queries.at(-1)).toBe('up{job="unified_agents", required="true"}');
    expect(PromqlResultSchema.parse(result)).toEqual(result);
  });

  test('an empty vector is data, not an error', async () => {
    const result = await runPromql('up{job="nope"}', { baseUrl: `${prometheus.url}/`, client, timeoutMs: 5000 });
    expect(result).toMatchObject({ data: { resultType: 'vector', result: [] } });
    expect(result.error).toBeUndefined();
  });

  test('a base URL with a path prefix keeps it', async () => {
    const result = await runPromql('up', { baseUrl: `${prometheus.url}/prom`, client, timeoutMs: 5000 });
    expect(result.exchange!.request.url.startsWith(`${prometheus.url}/prom/api/v1/query?`)).toBe(true);
    expect(result.error).toBe('Prometheus rejected the query (HTTP 404): not_found: no route /prom/api/v1/query');
  });

  test('Prometheus\' own error is reported with its type', async () => {
    const result = await runPromql('sum(', { baseUrl: prometheus.url, client, timeoutMs: 5000 });
    expect(result.data).toBeUndefined();
    expect(result.error).toBe('Prometheus rejected the query (HTTP 400): bad_data: 1:1: parse error: fake Prometheus cannot evaluate "sum("');
  });

  test('warnings are kept', async () => {
    const result = await runPromql('system_health_score', { baseUrl: prometheus.url, client, timeoutMs: 5000 });
    expect(result.warnings).toEqual(['PromQL info: metric might not be a counter']);
    expect(result.data!.result).toHaveLength(1);
  });

  test('without PROMETHEUS_URL: skipped with the reason, no request', async () => {
    const before = prometheus.queries.length;
    expect(await runPromql('up', { baseUrl: undefined, client, timeoutMs: 5000 })).toEqual({ query: 'up', skipped: 'PROMETHEUS_URL is not set' });
    expect(await runPromql('up', { baseUrl: '  ', client, timeoutMs: 5000 })).toMatchObject({ skipped: 'PROMETHEUS_URL is not set' });
    expect(prometheus.queries.length).toBe(before);
  });

  test('a base URL that is not http(s) is an error', async () => {
    expect((await runPromql('up', { baseUrl: 'prometheus:9090', client, timeoutMs: 5000 })).error).toBe('PROMETHEUS_URL "prometheus:9090" is not an http(s) URL');
  });

  test('nothing listening: the network error, one line', async () => {
    const result = await runPromql('up', { baseUrl: 'http://127.0.0.1:1', client, timeoutMs: 5000 });
    expect(result.error).toContain('connection refused by 127.0.0.1:1');
    expect(result.exchange!.error!.code).toBe('ECONNREFUSED');
  });

  test('a server that is not Prometheus', async () => {
    const notFound = await runPromql('up', { baseUrl: roxy.url, client, timeoutMs: 5000 });
    expect(notFound.error).toBe('Prometheus answered HTTP 404 Not Found: { "error": "not found", "path": "/api/v1/query" }');
    // The fragment swallows the API path: the server answers its /health JSON.
    const health = await runPromql('up', { baseUrl: `${roxy.url}/health#`, client, timeoutMs: 5000 });
    expect(health.error).toMatch(/^not a Prometheus query API answer: \{ "status": "ok", "service": "roxy-core",/);
    expect(health.exchange!.response!.status).toBe(200);
  });

  test('the seed block runs as one step with every query recorded', async () => {
    const results = await runPromqlBlock(SEED_BLOCK, { baseUrl: prometheus.url, client, timeoutMs: 5000 });
    expect(results.map((r) => [r.lineOffset, r.comment, r.error === undefined, r.data?.result.length])).toEqual([
      [1, 'Essential agents status', true, 2],
      [4, 'Memory usage by agent', false, undefined],
      [7, 'LLM routing distribution', true, 1],
      [10, 'System health score', true, 1],
    ]);
    const skipped = await runPromqlBlock(SEED_BLOCK, { baseUrl: undefined, client, timeoutMs: 5000 });
    expect(skipped.map((r) => r.skipped)).toEqual(Array(4).fill('PROMETHEUS_URL is not set'));
  });
});
