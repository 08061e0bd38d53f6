import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/execute/index.js';
import { substituteTemplateVars } from '../../src/parse/index.js';

// L7, more positions found by attack: a value that starts a new part of a multipart body, and
// header values with line ends other than CR and LF (NEL, U+2028, U+2029). A real server on
// 127.0.0.1 reports what arrived.
let server: Server;
let base: string;
let client: HttpClient;
const bodies: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createHttpClient();
});
afterAll(async () => {
  await client.close();
  await new Promise((resolve) => server.close(resolve));
});

const multipart = (v: string) => ({
  method: 'POST',
  url: `${base}/upload`,
  headers: [['Content-Type', 'multipart/form-data; boundary=XX']] as [string, string][],
  body: '--XX\r\nContent-Disposition: form-data; name="note"\r\n\r\n{{v}}\r\n--XX--\r\n',
});

describe('multipart bodies', () => {
  test('a value with a line end could start a new part: refused, nothing sent', () => {
    for (const v of ['x\r\n--XX\r\nContent-Disposition: form-data; name="admin"\r\n\r\ntrue', 'x\n--XX\nname="admin"', 'a\rb']) {
      const { refused } = substituteTemplateVars(multipart(v), { v });
      expect(refused, JSON.stringify(v)).toHaveLength(1);
      expect(refused[0]).toMatch(/^\{\{v\}\}: /);
    }
  });
  test('a value on one line arrives as the part\'s content', async () => {
    const v = 'hello --XX "quoted" name="admin"';
    const { spec, refused } = substituteTemplateVars(multipart(v), { v });
    expect(refused).toEqual([]);
    bodies.length = 0;
    const exchange = await client.send(spec, { timeoutMs: 5000 });
    expect(exchange.error).toBeUndefined();
    expect(bodies[0]!.split('\r\n--XX').length).toBe(2);
    expect(bodies[0]).toContain(v);
  });
});

describe('header values', () => {
  test('NEL, U+2028, U+2029 and other C1 controls are refused like CR and LF', () => {
    for (const v of ['a\u0085X-Admin: 1', 'a\u2028X-Admin: 1', 'a\u2029X-Admin: 1', 'a\u009bX']) {
      const { refused } = substituteTemplateVars({ method: 'GET', url: `${base}/x`, headers: [['X-Note', '{{v}}']] }, { v });
      expect(refused, JSON.stringify(v)).toHaveLength(1);
      expect(refused[0]).toMatch(/^\{\{v\}\}: /);
    }
    const { refused } = substituteTemplateVars({ method: 'GET', url: `${base}/x`, headers: [['X-Note', '{{v}}']] }, { v: 'plain é value' });
    expect(refused).toEqual([]);
  });
});
