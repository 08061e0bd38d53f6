import { afterEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { postWebhook, signWebhookBody } from '../../src/report/index.js';

interface Receiver {
  url: string;
  seen: Array<{ headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

const servers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// A webhook receiver on 127.0.0.1: answers with the statuses given in turn, or never when 'hang'.
async function receiver(answers: Array<number | 'hang'>): Promise<Receiver> {
  const seen: Receiver['seen'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const r: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen,
    close: () => new Promise((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    }),
  };
  servers.push(r);
  return r;
}

describe('postWebhook', () => {
  it('POSTs the exact JSON body with an HMAC-SHA256 signature over it', async () => {
    const hook = await receiver([204]);
    const payload = { checklist: 'daily', status: 'failed', counts: { total: 2, failed: 1 }, text: 'ünïcode ✓' };
    const outcome = await postWebhook(payload, { url: hook.url, secret: 'k3y', timeoutMs: 5000 });
    expect(outcome).toMatchObject({ delivered: true, signed: true });
    expect(outcome.attempts).toHaveLength(1);
    expect(outcome.attempts[0]!.status).toBe(204);
    const [req] = hook.seen;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req!.body)).toEqual(payload);
    const expected = `sha256=${createHmac('sha256', 'k3y').update(Buffer.from(req!.body, 'utf8')).digest('hex')}`;
    expect(req!.headers['x-runproof-signature']).toBe(expected);
    expect(signWebhookBody(req!.body, 'k3y')).toBe(expected);
    expect(signWebhookBody(req!.body, 'other')).not.toBe(expected);
  });

  it('sends no signature without a key, and retries after a 503', async () => {
    const hook = await receiver([503, 200]);
    const outcome = await postWebhook({ a: 1 }, { url: hook.url, timeoutMs: 5000, retries: 2, retryDelayMs: 10 });
    expect(outcome.delivered).toBe(true);
    expect(outcome.signed).toBe(false);
    expect(outcome.attempts.map((a) => a.status)).toEqual([503, 200]);
    expect(hook.seen[0]!.headers['x-runproof-signature']).toBeUndefined();
    expect(hook.seen[1]!.body).toBe(hook.seen[0]!.body);
  });

  it('does not retry a 400', async () => {
    const hook = await receiver([400]);
    const outcome = await postWebhook({ a: 1 }, { url: hook.url, timeoutMs: 5000, retries: 3, retryDelayMs: 10 });
    expect(outcome.delivered).toBe(false);
    expect(outcome.attempts).toHaveLength(1);
    expect(outcome.attempts[0]!.error).toBe('HTTP 400');
  });

  it('records a receiver that never answers as a timeout, per attempt, and returns', async () => {
    const hook = await receiver(['hang']);
    const outcome = await postWebhook({ a: 1 }, { url: hook.url, timeoutMs: 400, retries: 1, retryDelayMs: 10 });
    expect(outcome.delivered).toBe(false);
    expect(outcome.attempts).toHaveLength(2);
    for (const a of outcome.attempts) expect(a.error).toBe('no answer within 400 ms');
    expect(hook.seen).toHaveLength(2);
  });

  it('records a refused connection without throwing', async () => {
    const hook = await receiver([200]);
    const url = hook.url;
    await hook.close();
    servers.length = 0;
    const outcome = await postWebhook({ a: 1 }, { url, timeoutMs: 2000, retries: 0 });
    expect(outcome.delivered).toBe(false);
    expect(outcome.attempts[0]!.error).toMatch(/ECONNREFUSED/);
  });
});
