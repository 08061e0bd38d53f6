import { describe, expect, test } from 'vitest';
import { buildHttpView } from '../../src/render/http-view.js';

const limits = { maxLines: 400, maxChars: 32 * 1024 };

describe('buildHttpView', () => {
  test('a full exchange: request and response as wire text, timings, TLS, redirects', () => {
    const view = buildHttpView(
      {
        request: { method: 'GET', url: 'https://api.test/ready', headers: [['Accept', 'application/json']] },
        response: {
          status: 503,
          statusText: 'Service Unavailable',
          httpVersion: '1.1',
          headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
          body: '{"ready":false}',
          bodySize: 15,
          bodySha256: 'a'.repeat(64),
          truncated: false,
        },
        timings: { totalMs: 12.4, firstByteMs: 10, connectMs: 1 },
        remoteAddress: '10.0.0.5',
        remotePort: 443,
        tls: { insecure: false, authorized: true, protocol: 'TLSv1.3', certificate: { subject: 'CN=api.test', issuer: 'CN=ca', validFrom: 'x', validTo: 'Jan 1 2027' } },
        redirects: [{ method: 'GET', url: 'http://api.test/ready', status: 301, location: 'https://api.test/ready' }],
        curl: "curl -sS https://api.test/ready",
      },
      limits,
    )!;
    expect(view.requestText).toBe('GET https://api.test/ready\nAccept: application/json');
    expect(view.responseText).toBe('HTTP/1.1 503 Service Unavailable\ncontent-type: application/json\nset-cookie: a=1\nset-cookie: b=2\n\n{"ready":false}');
    expect(view.timingsText).toBe('total 12 ms · first byte 10 ms · connect 1 ms');
    expect(view.remote).toBe('10.0.0.5 port 443');
    expect(view.tlsText).toBe('TLSv1.3 · certificate verified · subject CN=api.test, valid to Jan 1 2027');
    expect(view.redirects).toEqual(['301 GET http://api.test/ready → https://api.test/ready']);
    expect(view.error).toBeNull();
    expect(view.raw).toBeNull();
  });

  test('no exchange is null; an unknown shape is shown as JSON', () => {
    expect(buildHttpView(undefined, limits)).toBeNull();
    expect(buildHttpView(null, limits)).toBeNull();
    const promql = buildHttpView({ query: 'up == 1', skipped: 'no Prometheus configured' }, limits)!;
    expect(promql.raw).toBe('{\n  "query": "up == 1",\n  "skipped": "no Prometheus configured"\n}');
    expect(promql.requestText).toBeNull();
  });

  test('wrong types do not throw and are left out', () => {
    const view = buildHttpView({ request: { method: 5, headers: 'x' }, response: { status: 'x' }, timings: null, error: { code: 'TLS' } }, limits)!;
    expect(view.requestText).toBe('? ?');
    expect(view.response).toBeNull();
    expect(view.errorCode).toBe('TLS');
  });
});
