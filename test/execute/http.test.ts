import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient } from '../../src/execute/http.js';
import type { HttpClient } from '../../src/execute/http.js';
import { HttpExchangeSchema } from '../../src/execute/http-types.js';
import {
  BIG_BODY_BYTES,
  FIXTURE_CERT_FILE,
  LATIN1_BODY,
  ROXY_HEALTH_BODY,
  ROXY_NOT_READY_BODY,
  ROXY_READY_BODY,
  ROXY_TOKEN,
  startRoxyServer,
} from '../helpers/servers.js';
import type { TestServer } from '../helpers/servers.js';

let healthy: TestServer;
let failing: TestServer;
let secure: TestServer;
let client: HttpClient;
const T = { timeoutMs: 5000 };

beforeAll(async () => {
  [healthy, failing, secure] = await Promise.all([startRoxyServer({ ready: true }), startRoxyServer({ ready: false }), startRoxyServer({ ready: true, tls: true })]);
  client = createHttpClient();
});
afterAll(async () => {
  await client.close();
  await Promise.all([healthy.close(), failing.close(), secure.close()]);
});

const get = (url: string, headers: [string, string][] = []) => ({ method: 'GET', url, headers });

describe('responses', () => {
  test('GET /ready (healthy): status, headers, text body, parsed JSON, address, timings, valid record', async () => {
    const exchange = await client.send(get(`${healthy.url}/ready`), T);
    expect(exchange.error).toBeUndefined();
    expect(exchange.response).toMatchObject({ status: 200, statusText: 'OK', truncated: false, json: ROXY_READY_BODY });
    expect(exchange.response!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(exchange.response!.body)).toEqual(ROXY_READY_BODY);
    expect(exchange.response!.bodySize).toBe(Buffer.byteLength(exchange.response!.body));
    expect(exchange.response!.bodySha256).toBe(createHash('sha256').update(exchange.response!.body).digest('hex'));
    expect(exchange.remoteAddress).toBe('127.0.0.1');
    expect(exchange.remotePort).toBe(healthy.port);
    expect(exchange.timings.totalMs).toBeGreaterThan(0);
    expect(exchange.timings.firstByteMs).toBeGreaterThan(0);
    expect(exchange.timings.firstByteMs!).toBeLessThanOrEqual(exchange.timings.totalMs);
    expect(exchange.request).toEqual({ method: 'GET', url: `${healthy.url}/ready`, headers: [['User-Agent', expect.stringMatching(/^runproof\//)]] });
    expect(exchange.curl).toBe(`curl -sS ${healthy.url}/ready`);
    expect(HttpExchangeSchema.parse(exchange)).toEqual(exchange);
  });

  test('GET /ready (failing): a 503 is a response, not an error', async () => {
    const exchange = await client.send(get(`${failing.url}/ready`), T);
    expect(exchange.error).toBeUndefined();
    expect(exchange.response).toMatchObject({ status: 503, statusText: 'Service Unavailable', json: ROXY_NOT_READY_BODY });
  });

  test('GET /metrics: Prometheus text, no json', async () => {
    const exchange = await client.send(get(`${healthy.url}/metrics`), T);
    expect(exchange.response!.body).toContain('roxy_pool_reachable{pool="6900xt"} 1');
    expect(exchange.response).not.toHaveProperty('json');
  });

  test('POST with headers and body reaches the server as written', async () => {
    const before = healthy.requests.length;
    const exchange = await client.send(
      { method: 'POST', url: `${healthy.url}/echo?x=1`, headers: [['Content-Type', 'application/json'], ['X-Trace', 'abc']], body: '{"a": [1, 2]}' },
      T,
    );
    expect(exchange.response!.status).toBe(200);
    const seen = healthy.requests[before]!;
    expect(seen).toMatchObject({ method: 'POST', url: '/echo?x=1', body: '{"a": [1, 2]}' });
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['x-trace']).toBe('abc');
    expect(seen.headers['user-agent']).toMatch(/^runproof\//);
    expect(exchange.request.body).toBe('{"a": [1, 2]}');
  });

  test('a User-Agent in the cell replaces runproof\'s', async () => {
    const before = healthy.requests.length;
    const exchange = await client.send(get(`${healthy.url}/health`, [['user-agent', 'ops-probe/1']]), T);
    expect(healthy.requests[before]!.headers['user-agent']).toBe('ops-probe/1');
    expect(exchange.request.headers).toEqual([['user-agent', 'ops-probe/1']]);
  });

  test('HEAD has a status and no body', async () => {
    const exchange = await client.send({ method: 'HEAD', url: `${healthy.url}/health`, headers: [] }, T);
    expect(exchange.response).toMatchObject({ status: 200, body: '', bodySize: 0 });
  });

  test('the token header gates /bench/cancel', async () => {
    const denied = await client.send({ method: 'POST', url: `${healthy.url}/bench/cancel`, headers: [] }, T);
    const allowed = await client.send({ method: 'POST', url: `${healthy.url}/bench/cancel`, headers: [['X-ROXY-Token', ROXY_TOKEN]] }, T);
    expect([denied.response!.status, allowed.response!.status]).toEqual([401, 200]);
  });

  test('keep-alive: several requests of one client share one connection', async () => {
    const server = await startRoxyServer({ ready: true });
    const own = createHttpClient();
    try {
      const exchanges = [];
      for (let i = 0; i < 5; i++) exchanges.push(await own.send(get(`${server.url}/health`), T));
      expect(exchanges.every((e) => e.response?.status === 200)).toBe(true);
      expect(server.connections()).toBe(1);
      expect(new Set(server.requests.map((r) => r.connection))).toEqual(new Set([1]));
      expect(exchanges.map((e) => e.reusedConnection)).toEqual([false, true, true, true, true]);
      expect(exchanges[0]!.timings.connectMs).toBeGreaterThanOrEqual(0);
      expect(exchanges[1]!.timings).not.toHaveProperty('connectMs');
    } finally {
      await own.close();
      await server.close();
    }
  });

  test('chunked body is read whole', async () => {
    const exchange = await client.send(get(`${healthy.url}/chunked`), T);
    expect(exchange.response!.headers['transfer-encoding']).toBe('chunked');
    expect(exchange.response!.json).toEqual({ items: [1, 2, 3], done: true });
  });

  test('5 MB body: kept whole under the limit', async () => {
    const exchange = await client.send(get(`${healthy.url}/big`), T);
    expect(exchange.response!.bodySize).toBe(BIG_BODY_BYTES);
    expect(exchange.response!.body.length).toBe(BIG_BODY_BYTES);
    expect(exchange.response!.truncated).toBe(false);
    expect(exchange.response!.body.slice(0, 28)).toBe('abcdefghijklmnopqrstuvwxyzab');
  });

  test('5 MB body past maxBodyBytes: head kept, all bytes counted and hashed', async () => {
    const small = createHttpClient({ maxBodyBytes: 1000 });
    try {
      const full = await client.send(get(`${healthy.url}/big`), T);
      const cut = await small.send(get(`${healthy.url}/big`), T);
      expect(cut.response).toMatchObject({ truncated: true, bodySize: BIG_BODY_BYTES, bodySha256: full.response!.bodySha256 });
      expect(cut.response!.body).toBe(full.response!.body.slice(0, 1000));
    } finally {
      await small.close();
    }
  });

  test('a body that is not UTF-8 is kept as base64 too', async () => {
    const exchange = await client.send(get(`${healthy.url}/latin1`), T);
    expect(exchange.response!.bodyBase64).toBe(LATIN1_BODY.toString('base64'));
    expect(exchange.response!.body).toBe('caf\uFFFD cr\uFFFDme\n');
    expect(exchange.response!.bodySize).toBe(LATIN1_BODY.length);
    const utf8 = await client.send(get(`${healthy.url}/health`), T);
    expect(utf8.response).not.toHaveProperty('bodyBase64');
  });
});

describe('redirects', () => {
  test('followed up to 5 and recorded', async () => {
    const exchange = await client.send(get(`${healthy.url}/redirect/3`), T);
    expect(exchange.error).toBeUndefined();
    expect(exchange.response!.json).toEqual(ROXY_HEALTH_BODY);
    expect(exchange.redirects).toEqual([
      { method: 'GET', url: `${healthy.url}/redirect/3`, status: 302, location: `${healthy.url}/redirect/2` },
      { method: 'GET', url: `${healthy.url}/redirect/2`, status: 302, location: `${healthy.url}/redirect/1` },
      { method: 'GET', url: `${healthy.url}/redirect/1`, status: 302, location: `${healthy.url}/health` },
    ]);
    expect(exchange.curl).toBe(`curl -sS -L --max-redirs 5 ${healthy.url}/redirect/3`);
  });

  test('more than 5: TOO_MANY_REDIRECTS with the last 3xx kept', async () => {
    const exchange = await client.send(get(`${healthy.url}/redirect/7`), T);
    expect(exchange.error?.code).toBe('TOO_MANY_REDIRECTS');
    expect(exchange.redirects).toHaveLength(5);
    expect(exchange.response!.status).toBe(302);
  });

  test('a loop is refused', async () => {
    const exchange = await client.send(get(`${healthy.url}/redirect-loop`), T);
    expect(exchange.error).toEqual({
      code: 'REDIRECT_LOOP',
      message: `redirect loop: ${healthy.url}/redirect-loop-b sends back to ${healthy.url}/redirect-loop, already requested`,
    });
  });

  test('303 after POST becomes GET without body', async () => {
    const exchange = await client.send({ method: 'POST', url: `${healthy.url}/see-other`, headers: [['Content-Type', 'text/plain']], body: 'x' }, T);
    expect(exchange.response!.json).toMatchObject({ method: 'GET', body: '' });
    expect((exchange.response!.json as { headers: Record<string, string> }).headers).not.toHaveProperty('content-type');
  });

  test('maxRedirects 0 returns the 3xx as it is', async () => {
    const own = createHttpClient({ maxRedirects: 0 });
    try {
      const exchange = await own.send(get(`${healthy.url}/redirect/1`), T);
      expect(exchange.error).toBeUndefined();
      expect(exchange.response!.status).toBe(302);
      expect(exchange.response!.headers.location).toBe('/health');
      expect(exchange).not.toHaveProperty('redirects');
    } finally {
      await own.close();
    }
  });
});

describe('failures are results, never throws', () => {
  test('slow server past the timeout: TIMEOUT', async () => {
    const exchange = await client.send(get(`${healthy.url}/slow?ms=5000`), { timeoutMs: 300 });
    expect(exchange.response).toBeUndefined();
    expect(exchange.error).toEqual({ code: 'TIMEOUT', message: `GET ${healthy.url}/slow?ms=5000 timed out after 300 ms while waiting for the response headers` });
    expect(exchange.timings.totalMs).toBeGreaterThanOrEqual(290);
    // The client is still usable after a timeout.
    const after = await client.send(get(`${healthy.url}/health`), T);
    expect(after.response!.status).toBe(200);
  });

  test('a body that stalls past the timeout: TIMEOUT while reading, with the status known', async () => {
    const exchange = await client.send(get(`${healthy.url}/slow-body?ms=5000`), { timeoutMs: 300 });
    expect(exchange.error!.code).toBe('TIMEOUT');
    expect(exchange.error!.message).toContain('while reading the response body');
    expect(exchange.response).toMatchObject({ status: 200, body: 'start\n' });
  });

  test('refused port: ECONNREFUSED', async () => {
    const port = await freePort();
    const exchange = await client.send(get(`http://127.0.0.1:${port}/ready`), T);
    expect(exchange.error).toEqual({
      code: 'ECONNREFUSED',
      message: `GET http://127.0.0.1:${port}/ready: connection refused by 127.0.0.1:${port} (is the service listening?)`,
      cause: 'ECONNREFUSED',
    });
    expect(exchange.response).toBeUndefined();
    expect(exchange.curl).toBe(`curl -sS http://127.0.0.1:${port}/ready`);
    expect(HttpExchangeSchema.safeParse(exchange).success).toBe(true);
  });

  test('unknown host: a DNS failure naming the host', async () => {
    const exchange = await client.send(get('http://nonexistent.invalid/ready'), T);
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(exchange.error?.code);
    expect(exchange.error!.message).toContain('"nonexistent.invalid"');
  });

  test('a URL that is not http(s): BAD_URL', async () => {
    const exchange = await client.send(get('ftp://127.0.0.1/x'), T);
    expect(exchange.error?.code).toBe('BAD_URL');
    const placeholder = await client.send(get('{{base}}/ready'), T);
    expect(placeholder.error?.code).toBe('BAD_URL');
    expect(placeholder.error!.message).toContain('"{{base}}/ready"');
  });

  test('a header value with a newline is refused, not injected', async () => {
    const before = healthy.requests.length;
    const exchange = await client.send(get(`${healthy.url}/echo`, [['X-A', 'a\r\nX-Injected: 1']]), T);
    expect(exchange.error?.code).toBe('BAD_REQUEST');
    expect(healthy.requests.length).toBe(before);
  });

  test('an aborted signal: ABORTED', async () => {
    const controller = new AbortController();
    const pending = client.send(get(`${healthy.url}/slow?ms=5000`), { timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const exchange = await pending;
    expect(exchange.error).toEqual({ code: 'ABORTED', message: `GET ${healthy.url}/slow?ms=5000 was aborted` });
  });

  test('a server that closes the connection: ECONNRESET', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const exchange = await client.send(get(`http://127.0.0.1:${port}/`), T);
      expect(exchange.error?.code).toBe('ECONNRESET');
      expect(exchange.error!.message).toContain('closed the connection');
    } finally {
      server.close();
    }
  });
});

describe('HTTPS with the committed self-signed certificate', () => {
  test('rejected by default: TLS error result', async () => {
    const exchange = await client.send(get(`${secure.url}/ready`), T);
    expect(exchange.response).toBeUndefined();
    expect(exchange.error?.code).toBe('TLS');
    expect(exchange.error!.message).toContain('--insecure');
    expect(exchange.tls).toMatchObject({ insecure: false, authorized: false });
  });

  test('accepted with insecure, and recorded as such', async () => {
    const insecure = createHttpClient({ insecure: true });
    try {
      const exchange = await insecure.send(get(`${secure.url}/ready`), T);
      expect(exchange.error).toBeUndefined();
      expect(exchange.response!.json).toEqual(ROXY_READY_BODY);
      expect(exchange.tls).toMatchObject({
        insecure: true,
        authorized: false,
        certificate: { subject: expect.stringContaining('CN=localhost'), issuer: expect.stringContaining('CN=localhost') },
      });
      expect(exchange.tls!.certificate!.validTo).toMatch(/21\d\d GMT$/);
      expect(exchange.curl).toBe(`curl -sS -k ${secure.url}/ready`);
      expect(exchange.timings.tlsMs).toBeGreaterThan(0);
      expect(exchange.timings.dnsMs).toBeGreaterThanOrEqual(0);
    } finally {
      await insecure.close();
    }
  });

  test('trusted through a CA file: authorized', async () => {
    const trusting = createHttpClient({ caFile: FIXTURE_CERT_FILE });
    try {
      const exchange = await trusting.send(get(`${secure.url}/health`), T);
      expect(exchange.error).toBeUndefined();
      expect(exchange.tls).toMatchObject({ insecure: false, authorized: true });
      expect(exchange.curl).toBe(`curl -sS --cacert ${FIXTURE_CERT_FILE} ${secure.url}/health`);
    } finally {
      await trusting.close();
    }
  });

  test('a CA file that does not exist is bad input, thrown before any request', () => {
    expect(() => createHttpClient({ caFile: '/nonexistent/ca.pem' })).toThrow(expect.objectContaining({ code: 'RP_FILE_NOT_FOUND' }));
  });
});

// A port nothing listens on: bind an ephemeral one, then free it.
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
