import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { curlCommand, shellQuote } from '../../src/execute/curl-command.js';
import { createHttpClient } from '../../src/execute/http.js';
import type { HttpClient } from '../../src/execute/http.js';
import { FIXTURE_CERT_FILE, ROXY_TOKEN, startRoxyServer } from '../helpers/servers.js';
import type { TestServer } from '../helpers/servers.js';

// bash prints each argument it received on its own line, NUL-separated: what a pasted line becomes.
function bashArgs(line: string): string[] {
  const out = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  test('safe words stay bare, the rest is single-quoted', () => {
    expect(shellQuote('http://127.0.0.1:8766/ready')).toBe('http://127.0.0.1:8766/ready');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellQuote('a!b')).toBe("'a!b'");
  });

  test('bash gets back exactly the string, whatever it holds', () => {
    // One bash for all generated cases (a bash per case is slow on a loaded machine).
    const cases = fc.sample(fc.string({ unit: 'grapheme', maxLength: 12 }).filter((x) => !x.includes('\0')), { numRuns: 200, seed: 42 });
    expect(bashArgs(cases.map(shellQuote).join(' '))).toEqual(cases);
    const random = fc.sample(fc.string({ unit: 'binary', maxLength: 8 }).filter((x) => !x.includes('\0')), 100);
    expect(bashArgs(random.map(shellQuote).join(' '))).toEqual(random);
    const nasty = [`$(touch /tmp/x)'";rm -rf /`, '`id`', 'a\nb', '*', '~', '{a,b}', '!!', '\\', '-X'];
    expect(bashArgs(nasty.map(shellQuote).join(' '))).toEqual(nasty);
  });
});

describe('curlCommand', () => {
  test('GET is plain; HEAD uses --head; POST with a body needs no -X', () => {
    expect(curlCommand({ method: 'GET', url: 'http://h/ready', headers: [] })).toBe('curl -sS http://h/ready');
    expect(curlCommand({ method: 'HEAD', url: 'http://h/', headers: [] })).toBe('curl -sS --head http://h/');
    expect(curlCommand({ method: 'POST', url: 'http://h/a', headers: [['Content-Type', 'application/json']], body: '{"a":1}' })).toBe(
      `curl -sS -H 'Content-Type: application/json' --data-raw '{"a":1}' http://h/a`,
    );
  });

  test('POST without body, PUT with body, empty header, no content type, globbing', () => {
    expect(curlCommand({ method: 'POST', url: 'http://h/bench/cancel', headers: [['X-ROXY-Token', 't']] })).toBe("curl -sS -X POST -H 'X-ROXY-Token: t' http://h/bench/cancel");
    expect(curlCommand({ method: 'PUT', url: 'http://h/c', headers: [['X-Empty', '']], body: '@/etc/passwd' })).toBe(
      "curl -sS -X PUT -H 'X-Empty;' -H Content-Type: --data-raw @/etc/passwd http://h/c",
    );
    expect(curlCommand({ method: 'GET', url: 'http://h/q?x={a}[1]', headers: [] })).toBe("curl -sS -g 'http://h/q?x={a}[1]'");
  });

  test('TLS and redirect options', () => {
    expect(curlCommand({ method: 'GET', url: 'https://h/', headers: [] }, { insecure: true, caFile: '/etc/ca dir/ca.pem', followRedirects: 3 })).toBe(
      "curl -sS -k --cacert '/etc/ca dir/ca.pem' -L --max-redirs 3 https://h/",
    );
    expect(curlCommand({ method: 'GET', url: 'https://h/', headers: [] }, { followRedirects: true })).toBe('curl -sS -L --max-redirs 5 https://h/');
  });

  test('holds nothing the request does not: the token appears once, where the request has it', () => {
    const line = curlCommand({ method: 'POST', url: 'http://h/run', headers: [['X-ROXY-Token', ROXY_TOKEN]], body: 'ls' });
    expect(line.split(ROXY_TOKEN)).toHaveLength(2);
  });
});

// curl is a test prerequisite (.ci/run installs it with apt when missing).
describe('the curl line re-runs the request for real', () => {
  test('curl is installed', () => {
    expect(spawnSync('curl', ['--version']).status, 'install curl (apt-get install curl)').toBe(0);
  });

  let server: TestServer;
  let secure: TestServer;
  let client: HttpClient;
  beforeAll(async () => {
    [server, secure] = await Promise.all([startRoxyServer({ ready: false }), startRoxyServer({ ready: true, tls: true })]);
    client = createHttpClient();
  });
  afterAll(async () => {
    await client.close();
    await Promise.all([server.close(), secure.close()]);
  });

  // Async: the servers live in this process, a synchronous child would block them.
  const rerun = async (line: string) => (await promisify(execFile)('bash', ['-c', line], { encoding: 'utf8' })).stdout;

  test('GET /ready: same body', async () => {
    const exchange = await client.send({ method: 'GET', url: `${server.url}/ready`, headers: [] }, { timeoutMs: 5000 });
    expect(await rerun(exchange.curl)).toBe(exchange.response!.body);
  });

  test('POST with quotes, $ and newlines in headers and body: the server sees the same request', async () => {
    const spec = {
      method: 'POST',
      url: `${server.url}/echo?q=a%20b&r=$x`,
      headers: [['X-Note', `it's "$HOME" \`id\``], ['Content-Type', 'text/plain']] as [string, string][],
      body: `line one\n'two' $(whoami) "three"\n@four`,
    };
    const exchange = await client.send(spec, { timeoutMs: 5000 });
    const ours = exchange.response!.json as { method: string; url: string; headers: Record<string, string>; body: string };
    const theirs = JSON.parse(await rerun(exchange.curl)) as typeof ours;
    expect(theirs.method).toBe(ours.method);
    expect(theirs.url).toBe(ours.url);
    expect(theirs.body).toBe(ours.body);
    expect(theirs.body).toBe(spec.body);
    expect(theirs.headers['x-note']).toBe(ours.headers['x-note']);
    expect(theirs.headers['content-type']).toBe('text/plain');
  });

  test('a body without Content-Type: curl sends none either', async () => {
    const exchange = await client.send({ method: 'PUT', url: `${server.url}/echo`, headers: [], body: 'k=v' }, { timeoutMs: 5000 });
    const theirs = JSON.parse(await rerun(exchange.curl)) as { method: string; headers: Record<string, string>; body: string };
    expect(theirs).toMatchObject({ method: 'PUT', body: 'k=v' });
    expect(theirs.headers).not.toHaveProperty('content-type');
    expect((exchange.response!.json as { headers: Record<string, string> }).headers).not.toHaveProperty('content-type');
  });

  test('redirects: -L reaches the same final body', async () => {
    const exchange = await client.send({ method: 'GET', url: `${server.url}/redirect/2`, headers: [] }, { timeoutMs: 5000 });
    expect(exchange.curl).toContain(' -L ');
    expect(await rerun(exchange.curl)).toBe(exchange.response!.body);
  });

  test('HTTPS with --insecure and with the CA file', async () => {
    const insecure = createHttpClient({ insecure: true });
    const trusting = createHttpClient({ caFile: FIXTURE_CERT_FILE });
    try {
      const a = await insecure.send({ method: 'GET', url: `${secure.url}/health`, headers: [] }, { timeoutMs: 5000 });
      const b = await trusting.send({ method: 'GET', url: `${secure.url}/health`, headers: [] }, { timeoutMs: 5000 });
      expect(await rerun(a.curl)).toBe(a.response!.body);
      expect(await rerun(b.curl)).toBe(b.response!.body);
    } finally {
      await insecure.close();
      await trusting.close();
    }
  });
});
