import { describe, expect, test } from 'vitest';
import { buildHttpView } from '../../src/render/http-view.js';
import { AttemptSchema } from '../../src/record/index.js';

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
  });

  test('no exchange is null; a refused connection shows the request, the error and no response', () => {
    expect(buildHttpView(undefined, limits)).toBeNull();
    const view = buildHttpView(
      {
        request: { method: 'POST', url: 'http://127.0.0.1:9/x', headers: [], body: '{"a":1}' },
        timings: { totalMs: 3 },
        curl: 'curl -sS -X POST http://127.0.0.1:9/x',
        error: { code: 'ECONNREFUSED', message: 'nothing listens on 127.0.0.1:9', cause: 'ECONNREFUSED' },
      },
      limits,
    )!;
    expect(view.requestText).toBe('POST http://127.0.0.1:9/x\n\n{"a":1}');
    expect(view.response).toBeNull();
    expect(view.responseText).toBeNull();
    expect(view.error).toBe('ECONNREFUSED: nothing listens on 127.0.0.1:9 (ECONNREFUSED)');
    expect(view.errorCode).toBe('ECONNREFUSED');
    expect(view.timingsText).toBe('total 3 ms');
  });

  test('the record schema refuses an attempt whose exchange is not an exchange (the report reads only valid records)', () => {
    const attempt = {
      n: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      exitCode: 0,
      signal: null,
      timedOut: false,
      interrupted: false,
      stdout: { inline: '', size: 0, sha256: '0'.repeat(64), truncated: false, encoding: 'utf8' },
      stderr: { inline: '', size: 0, sha256: '0'.repeat(64), truncated: false, encoding: 'utf8' },
    };
    expect(AttemptSchema.safeParse(attempt).success).toBe(true);
    expect(AttemptSchema.safeParse({ ...attempt, http: { query: 'up == 1', skipped: 'no Prometheus configured' } }).success).toBe(false);
    expect(AttemptSchema.safeParse({ ...attempt, http: { request: { method: 5, headers: 'x' }, response: { status: 'x' }, timings: null } }).success).toBe(false);
  });
});
