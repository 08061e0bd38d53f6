// Hostile HTTP peers (issue I.6): an endless body, headers that never finish, a 1 GiB body,
// invalid JSON claimed as JSON, a redirect loop. Each must be a bounded result (time and memory)
// that the run records, never a hang, a crash or an unbounded buffer.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/app/run-runbook.js';
import { createHttpClient } from '../../src/execute/http.js';

// A raw TCP peer: each path answers with hand-written bytes, however wrong.
let server: Server;
let base: string;
const sockets = new Set<Socket>();
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

function answer(socket: Socket, path: string): void {
  const port = (server.address() as { port: number }).port;
  if (path === '/endless') {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
    const pump = (): void => {
      while (!socket.destroyed && socket.write(`${CHUNK.length.toString(16)}\r\n${CHUNK.toString()}\r\n`));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  } else if (path === '/slow-headers') {
    socket.write('HTTP/1.1 200 OK\r\n');
    const drip = setInterval(() => (socket.destroyed ? clearInterval(drip) : socket.write('X-Drip: 1\r\n')), 50);
    socket.on('close', () => clearInterval(drip));
  } else if (path === '/huge-headers') {
    socket.write('HTTP/1.1 200 OK\r\n');
    const line = `X-Big: ${'b'.repeat(8000)}\r\n`;
    const pump = (): void => {
      while (!socket.destroyed && socket.write(line));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  } else if (path === '/gigabyte') {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
    let sent = 0;
    const pump = (): void => {
      while (!socket.destroyed && sent < 1024 ** 3) {
        sent += CHUNK.length;
        if (!socket.write(CHUNK)) return void socket.once('drain', pump);
      }
    };
    pump();
  } else if (path === '/bad-json') {
    const body = '{"ready": true, "pools": [1, 2,, }\u0000 trailing';
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  } else if (path.startsWith('/loop')) {
    const next = path === '/loop-a' ? '/loop-b' : '/loop-a';
    socket.end(`HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${port}${next}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  } else if (path.startsWith('/chain/')) {
    const n = Number(path.slice('/chain/'.length));
    socket.end(`HTTP/1.1 302 Found\r\nLocation: /chain/${n + 1}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  } else if (path === '/garbage') {
    socket.end('NOT HTTP AT ALL\r\n\r\n');
  } else {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  }
}

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (d: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) answer(socket, head.split(' ')[1] ?? '/');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const MAX_BODY = 1024 * 1024;

describe('hostile HTTP peers, one exchange each', () => {
  it('an endless body ends at the timeout with at most maxBodyBytes kept, counted and truncated', async () => {
    const client = createHttpClient({ maxBodyBytes: MAX_BODY });
    const exchange = await client.send({ method: 'GET', url: `${base}/endless`, headers: [] }, { timeoutMs: 1500 });
    await client.close?.();
    expect(exchange.error?.code).toBe('TIMEOUT');
    expect(exchange.error?.message).toMatch(/timed out after 1\.5 s/);
    expect(exchange.response?.status).toBe(200);
    expect(exchange.response?.truncated).toBe(true);
    expect(Buffer.byteLength(exchange.response?.body ?? '')).toBeLessThanOrEqual(MAX_BODY);
    expect(exchange.response!.bodySize).toBeGreaterThan(MAX_BODY);
  });

  it('headers that never finish end at the timeout while waiting for headers', async () => {
    const client = createHttpClient();
    const exchange = await client.send({ method: 'GET', url: `${base}/slow-headers`, headers: [] }, { timeoutMs: 1000 });
    await client.close?.();
    expect(exchange.error?.code).toBe('TIMEOUT');
    expect(exchange.response).toBeUndefined();
  });

  it('an endless header section is cut by the header size limit, not buffered', async () => {
    const client = createHttpClient();
    const exchange = await client.send({ method: 'GET', url: `${base}/huge-headers`, headers: [] }, { timeoutMs: 10_000 });
    await client.close?.();
    expect(exchange.error).toBeDefined();
    expect(exchange.error!.code).not.toBe('TIMEOUT');
    expect(exchange.error!.message).toMatch(/header/i);
  });

  it('a 1 GiB body keeps at most maxBodyBytes in memory, whether it completes or times out', async () => {
    const client = createHttpClient({ maxBodyBytes: MAX_BODY });
    const exchange = await client.send({ method: 'GET', url: `${base}/gigabyte`, headers: [] }, { timeoutMs: 3000 });
    await client.close?.();
    expect(exchange.response?.status).toBe(200);
    expect(exchange.response?.truncated).toBe(true);
    expect(exchange.response?.bodyBase64 === undefined ? Buffer.byteLength(exchange.response!.body) : Buffer.from(exchange.response!.bodyBase64, 'base64').length).toBeLessThanOrEqual(MAX_BODY);
    if (exchange.error) expect(exchange.error.code).toBe('TIMEOUT');
    else expect(exchange.response!.bodySize).toBe(1024 ** 3);
  });

  it('invalid JSON claimed as JSON keeps the text, and has no parsed json', async () => {
    const client = createHttpClient();
    const exchange = await client.send({ method: 'GET', url: `${base}/bad-json`, headers: [] }, { timeoutMs: 5000 });
    await client.close?.();
    expect(exchange.error).toBeUndefined();
    expect(exchange.response?.status).toBe(200);
    expect(exchange.response?.json).toBeUndefined();
    expect(exchange.response?.body).toContain('"pools": [1, 2,, }');
  });

  it('a redirect loop is refused as REDIRECT_LOOP with the hops recorded', async () => {
    const client = createHttpClient();
    const exchange = await client.send({ method: 'GET', url: `${base}/loop-a`, headers: [] }, { timeoutMs: 5000 });
    await client.close?.();
    expect(exchange.error?.code).toBe('REDIRECT_LOOP');
    expect(exchange.redirects?.map((r) => new URL(r.url).pathname)).toEqual(['/loop-a', '/loop-b']);
  });

  it('an endless chain of new redirects stops at the redirect limit', async () => {
    const client = createHttpClient({ maxRedirects: 5 });
    const exchange = await client.send({ method: 'GET', url: `${base}/chain/0`, headers: [] }, { timeoutMs: 5000 });
    await client.close?.();
    expect(exchange.error?.code).toBe('TOO_MANY_REDIRECTS');
    expect(exchange.redirects).toHaveLength(5);
  });

  it('a peer that does not speak HTTP is a network error, not a crash', async () => {
    const client = createHttpClient();
    const exchange = await client.send({ method: 'GET', url: `${base}/garbage`, headers: [] }, { timeoutMs: 5000 });
    await client.close?.();
    expect(exchange.error).toBeDefined();
    expect(exchange.response).toBeUndefined();
  });
});

describe('hostile peers in a real run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rp-hostile-http-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each is a recorded, failed step of a finished, sealed run', { timeout: 120_000 }, async () => {
    const cell = (path: string, extra = ''): string => `\`\`\`http {"timeout":"2s"}\nGET ${base}${path}\n\`\`\`\n${extra}`;
    writeFileSync(
      join(dir, 'peers.md'),
      `# Peers\n\n## 1. Endless\n\n${cell('/endless')}\n## 2. Slow headers\n\n${cell('/slow-headers')}\n## 3. Bad JSON\n\n${cell('/bad-json', '\n```assert\njsonpath "$.ready" == true\n```\n')}\n## 4. Loop\n\n${cell('/loop-a')}\n`,
    );
    const result = await runRunbook({ runbookPath: join(dir, 'peers.md'), mode: 'unattended', evidenceDir: join(dir, 'ev'), cwd: dir, env: { PATH: process.env.PATH ?? '' } });
    expect(result.record.status).toBe('failed');
    expect(result.record.steps.map((s) => s.status)).toEqual(['timed-out', 'timed-out', 'failed', 'failed']);
    const recordText = readFileSync(result.recordPath, 'utf8');
    expect(recordText).toContain('REDIRECT_LOOP');
    expect(readdirSync(result.bundleDir)).toContain('manifest.json');
  });
});
