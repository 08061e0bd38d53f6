import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/execute/index.js';
import { parseRunbook, substituteTemplateVars } from '../../src/parse/index.js';
import { planRun } from '../../src/plan/index.js';
import { isRunproofError } from '../../src/core/errors.js';

// L7: a value in an HTTP cell stays data where it lands. A real server on 127.0.0.1 reports what arrived.
interface Arrived {
  method: string;
  rawUrl: string;
  path: string;
  query: Array<[string, string]>;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let client: HttpClient;
const arrivals: Arrived[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      arrivals.push({ method: req.method ?? '', rawUrl: req.url ?? '', path: url.pathname, query: [...url.searchParams], headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
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

async function send(spec: { method: string; url: string; headers: [string, string][]; body?: string }, values: Record<string, string>): Promise<Arrived> {
  const { spec: filled, missing, refused } = substituteTemplateVars(spec, values);
  expect(missing).toEqual([]);
  expect(refused).toEqual([]);
  arrivals.length = 0;
  const exchange = await client.send(filled, { timeoutMs: 5000 });
  expect(exchange.error).toBeUndefined();
  expect(arrivals).toHaveLength(1);
  return arrivals[0]!;
}

describe('URL', () => {
  test('a path value is one segment: ../../admin does not reach /admin', async () => {
    for (const id of ['../../admin', '..%2F..%2Fadmin', 'a/b', '%2e%2e', 'x?admin=true', 'x#y', ' a b ', '\\..\\admin']) {
      const got = await send({ method: 'GET', url: `${base}/api/users/{{id}}/profile`, headers: [] }, { id });
      expect(got.path.startsWith('/api/users/'), id).toBe(true);
      expect(got.path.endsWith('/profile'), id).toBe(true);
      expect(decodeURIComponent(got.path.slice('/api/users/'.length, -'/profile'.length)), id).toBe(id);
      expect(got.query, id).toEqual([]);
    }
  });

  test('a value that would make a . or .. segment is refused', () => {
    for (const id of ['..', '.', '%2e%2e'.replace(/%2e/g, '.')]) {
      expect(substituteTemplateVars({ method: 'GET', url: `${base}/users/{{id}}`, headers: [] }, { id }).refused, id).toHaveLength(1);
    }
    expect(substituteTemplateVars({ method: 'GET', url: `${base}/users/{{id}}.`, headers: [] }, { id: '.' }).refused).toHaveLength(1);
  });

  test('a query value is one value: a&admin=true adds no parameter', async () => {
    for (const q of ['a&admin=true', 'a=b', '#frag', 'x+y', '%26admin%3Dtrue', 'a\nb']) {
      const got = await send({ method: 'GET', url: `${base}/search?q={{q}}&page=1`, headers: [] }, { q });
      expect(got.query, q).toEqual([['q', q], ['page', '1']]);
    }
  });

  test('property: any string as a path segment or query value arrives as itself', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => s !== '.' && s !== '..' && !/[\ud800-\udfff]/.test(s)), async (v) => {
        const got = await send({ method: 'GET', url: `${base}/p/{{v}}/end?k={{v}}`, headers: [] }, { v });
        expect(decodeURIComponent(got.path.slice(3, -4))).toBe(v);
        expect(got.query).toEqual([['k', v]]);
      }),
      { numRuns: 60 },
    );
  });

  test('origin and host take only host shapes', () => {
    const url = 'http://{{host}}/ready';
    expect(substituteTemplateVars({ method: 'GET', url, headers: [] }, { host: '127.0.0.1:8766' }).refused).toEqual([]);
    for (const host of ['evil.example/x?', 'a@evil.example', 'evil.example#', '127.0.0.1:80/admin', 'x y', '']) {
      expect(substituteTemplateVars({ method: 'GET', url, headers: [] }, { host }).refused, host).toHaveLength(1);
    }
    const origin = '{{base}}/ready';
    expect(substituteTemplateVars({ method: 'GET', url: origin, headers: [] }, { base: 'https://api.example:8443/v1' }).refused).toEqual([]);
    for (const b of ['file:///etc/passwd', 'http://u:p@evil', 'http://x/../admin', 'http://x/?a=1', 'gopher://x', 'javascript:alert(1)']) {
      expect(substituteTemplateVars({ method: 'GET', url: origin, headers: [] }, { base: b }).refused, b).toHaveLength(1);
    }
  });

  test('userinfo and fragment values are percent-encoded', () => {
    const { spec } = substituteTemplateVars({ method: 'GET', url: 'http://{{user}}@127.0.0.1/x#{{f}}', headers: [] }, { user: 'a@b:c/d', f: 'x y#z' });
    expect(spec.url).toBe('http://a%40b%3Ac%2Fd@127.0.0.1/x#x%20y%23z');
  });
});

describe('headers', () => {
  test('a header value with CR or LF is refused; other values arrive as themselves', async () => {
    for (const token of ['a\r\nX-Admin: true', 'a\nb', 'a\rb', 'a\0b']) {
      expect(substituteTemplateVars({ method: 'GET', url: `${base}/`, headers: [['X-Token', '{{t}}']] }, { t: token }).refused, JSON.stringify(token)).toHaveLength(1);
    }
    const got = await send({ method: 'GET', url: `${base}/`, headers: [['X-Token', 'Bearer {{t}}']] }, { t: 'abc; X-Admin: true' });
    expect(got.headers['x-token']).toBe('Bearer abc; X-Admin: true');
    expect(got.headers['x-admin']).toBeUndefined();
  });
});

describe('bodies', () => {
  const hostileStrings = ['x", "admin": true, "y": "', '\\', '"', '\u2028', '</script>', 'a\nb', '\u0000', '{{other}}'];

  test('JSON: a value inside a string stays inside it', async () => {
    for (const n of hostileStrings) {
      const got = await send({ method: 'POST', url: `${base}/users`, headers: [['Content-Type', 'application/json']], body: '{"name": "{{n}}", "role": "viewer"}' }, { n });
      expect(JSON.parse(got.body), JSON.stringify(n)).toEqual({ name: n, role: 'viewer' });
    }
  });

  test('JSON with no content type but a JSON shape is treated as JSON', async () => {
    const got = await send({ method: 'POST', url: `${base}/users`, headers: [], body: '{"name": "{{n}}"}' }, { n: 'x", "admin": true, "y": "' });
    expect(Object.keys(JSON.parse(got.body))).toEqual(['name']);
  });

  test('JSON outside a string: only a JSON scalar', async () => {
    const template = { method: 'POST', url: `${base}/scale`, headers: [['Content-Type', 'application/json']] as [string, string][], body: '{"replicas": {{n}}, "dry": {{d}}}' };
    const got = await send(template, { n: '3', d: 'false' });
    expect(JSON.parse(got.body)).toEqual({ replicas: 3, dry: false });
    for (const n of ['1, "admin": true', '"x"', '{}', '[1]', '1e', 'NaN', '']) {
      expect(substituteTemplateVars(template, { n, d: 'true' }).refused, n).toHaveLength(1);
    }
  });

  test('form bodies are form-encoded', async () => {
    const got = await send({ method: 'POST', url: `${base}/login`, headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'user={{u}}&remember=1' }, { u: 'a&admin=true b+c' });
    expect([...new URLSearchParams(got.body)]).toEqual([['user', 'a&admin=true b+c'], ['remember', '1']]);
  });

  test('XML bodies are XML-escaped', () => {
    const { spec } = substituteTemplateVars({ method: 'POST', url: `${base}/x`, headers: [['Content-Type', 'application/xml']], body: '<a>{{v}}</a>' }, { v: '</a><admin/>&' });
    expect(spec.body).toBe('<a>&lt;/a&gt;&lt;admin/&gt;&amp;</a>');
  });
});

describe('before the run', () => {
  const plan = (runbook: string, values: Record<string, string>) =>
    planRun(parseRunbook(runbook, { path: 'h.md' }), { mode: 'unattended', allow: ['destructive'], values: Object.entries(values).map(([name, value]) => ({ name, value, source: 'flag' as const })) });
  const codeOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      if (isRunproofError(error)) return error.code;
      throw error;
    }
    return 'no error';
  };

  test('a header name from a value is refused, whatever the value', () => {
    expect(['RP_BAD_HTTP_CELL', 'RP_UNSAFE_PARAMETER_CONTEXT']).toContain(codeOf(() => plan('# T\n\n```http\nGET http://127.0.0.1:1/\n{{h}}: 1\n```\n', { h: 'X-Ok' })));
    expect(substituteTemplateVars({ method: 'GET', url: 'http://127.0.0.1:1/', headers: [['X-{{h}}', '1']] }, { h: 'Ok' }).refused).toHaveLength(1);
  });
  test('a known value that cannot be encoded where it lands stops the plan, naming the cell', () => {
    let message = '';
    try {
      plan('# T\n\n```http\nGET http://{{host}}/x\n```\n', { host: 'evil.example/#' });
    } catch (error) {
      if (isRunproofError(error)) message = `${error.code} ${error.message}`;
    }
    expect(message).toMatch(/^RP_UNSAFE_PARAMETER_CONTEXT cell .* \(h\.md:4\)/);
  });
  test('a missing {{NAME}} in an HTTP cell is a missing parameter before the run; a captured one is not', () => {
    expect(codeOf(() => plan('# T\n\n```http\nGET http://127.0.0.1:1/\nX-Demo-Token: {{DEMO_TOKEN}}\n```\n', {}))).toBe('RP_MISSING_PARAMETER');
    expect(codeOf(() => plan('# T\n\n```bash {name=DEMO_TOKEN}\necho t\n```\n\n```http\nGET http://127.0.0.1:1/\nX-Demo-Token: {{DEMO_TOKEN}}\n```\n', {}))).toBe('no error');
    expect(codeOf(() => plan('# T\n\n```http\n@host = 127.0.0.1:1\nGET http://{{host}}/\n```\n', {}))).toBe('no error');
  });
});

// More positions found by attack: a value that starts a new part of a multipart body, and header
// values with line ends other than CR and LF (NEL, U+2028, U+2029).
const multipart = (v: string): { method: string; url: string; headers: [string, string][]; body: string } => ({
  method: 'POST',
  url: `${base}/upload`,
  headers: [['Content-Type', 'multipart/form-data; boundary=XX']],
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
    const got = await send(multipart(v), { v });
    expect(got.body.split('\r\n--XX').length).toBe(2);
    expect(got.body).toContain(v);
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
