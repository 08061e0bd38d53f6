import { request } from 'node:http';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildSample, drawSample, startEvidenceServer, type EvidenceServer } from '../../src/serve/index.js';
import { buildEvidenceFixture, type EvidenceFixture } from './evidence-fixture.js';
import { readZip } from './read-zip.js';
import { runCli } from '../helpers/cli.js';

// The evidence server over real sockets: raw requests (no URL normalisation by a client), so
// encoded traversal reaches the server exactly as an attacker would send it.

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function raw(origin: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: options.method ?? 'GET', path, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

let fx: EvidenceFixture;
let server: EvidenceServer;
const SECRET = 'TOP-SECRET-OUTSIDE-THE-EVIDENCE-FOLDER';

beforeAll(async () => {
  fx = await buildEvidenceFixture('serve-http');
  // Things outside DIR an attacker would try to reach, and symlinks inside DIR pointing at them.
  await writeFile(join(fx.work, 'secret.txt'), `${SECRET}\n`);
  await mkdir(join(fx.work, 'outside-bundle'));
  await writeFile(join(fx.work, 'outside-bundle', 'outside-bundle.html'), `<p>${SECRET}</p>`);
  await symlink(join(fx.work, 'outside-bundle'), join(fx.evidence, 'linked_bundle'));
  server = await startEvidenceServer({ dir: fx.evidence, refreshMs: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await fx?.cleanup();
});

describe('evidence serve over HTTP', () => {
  test('prints a loopback URL and needs no token there', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.token).toBeNull();
    const res = await raw(server.origin, '/');
    expect(res.status).toBe(200);
    for (const b of fx.bundles) expect(res.body.toString()).toContain(b);
  });

  test('every page and file carries the CSP, nosniff, no-referrer and framing headers', async () => {
    const [a] = fx.bundles;
    const pages = ['/', `/run/${a}`, '/chains', '/steps', '/diff', '/sample?n=2&seed=s1', '/static/serve.css', `/report/${a}`, `/file/${a}/journal.jsonl`, '/nope', '/..%2f'];
    for (const path of pages) {
      const res = await raw(server.origin, path);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
      const csp = String(res.headers['content-security-policy']);
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toMatch(/frame-ancestors '(none|self)'/);
      expect(csp, path).not.toContain('unsafe-eval');
      if (!path.startsWith('/report/')) expect(csp, path).not.toContain('unsafe-inline');
      else expect(csp, path).toMatch(/; sandbox$/);
    }
  });

  test('no method but GET and HEAD: 405 with Allow, and nothing in the folder changes', async () => {
    const before = (await readdir(fx.evidence)).sort();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL']) {
      for (const path of ['/', `/run/${fx.bundles[0]}`, `/file/${fx.bundles[0]}/journal.jsonl`, '/sample.zip?n=1&seed=x']) {
        const res = await raw(server.origin, path, { method });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.allow).toBe('GET, HEAD');
      }
    }
    const head = await raw(server.origin, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await readdir(fx.evidence)).sort()).toEqual(before);
  });

  test('traversal in every encoding is refused and never returns a byte from outside the folder', async () => {
    const b = fx.bundles[0]!;
    const attempts = [
      '/file/../secret.txt',
      `/file/${b}/../../secret.txt`,
      `/file/${b}/%2e%2e/%2e%2e/secret.txt`,
      `/file/${b}/%2E%2E/%2E%2E/secret.txt`,
      `/file/${b}/..%2f..%2fsecret.txt`,
      `/file/${b}/..%2F..%2Fsecret.txt`,
      `/file/${b}/..%5c..%5csecret.txt`,
      `/file/${b}/%252e%252e/%252e%252e/secret.txt`,
      '/file/%2e%2e/secret.txt',
      `/file/${b}//${fx.work}/secret.txt`,
      `/file/${b}/%2f${encodeURIComponent(fx.work.slice(1))}%2fsecret.txt`,
      `/file/${b}/journal.jsonl%00.html`,
      `/file/${b}/journal.jsonl%00`,
      `/file/${b}/./journal.jsonl`,
      `/file/${b}/%2e/journal.jsonl`,
      '/report/..',
      '/report/%2e%2e',
      '/report/linked_bundle',
      '/run/linked_bundle',
      '/file/linked_bundle/outside-bundle.html',
      '/run/..%2f..%2fetc',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/static/..%2f..%2fpackage.json',
      `/file/${b}/%ff%fe`,
      `/file/${b}/%`,
    ];
    for (const path of attempts) {
      const res = await raw(server.origin, path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body.toString(), path).not.toContain(SECRET);
      expect(res.body.toString(), path).not.toContain('root:x:0');
    }
  });

  test('a symlink inside a bundle (file or folder) is refused, the real file beside it is served', async () => {
    const b = fx.bundles[1]!;
    await symlink(join(fx.work, 'secret.txt'), join(fx.evidence, b, 'evil.txt'));
    await symlink(fx.work, join(fx.evidence, b, 'evil-dir'));
    try {
      for (const path of [`/file/${b}/evil.txt`, `/file/${b}/evil-dir/secret.txt`]) {
        const res = await raw(server.origin, path);
        expect(res.status, path).toBe(404);
        expect(res.body.toString()).not.toContain(SECRET);
      }
      const ok = await raw(server.origin, `/file/${b}/journal.jsonl`);
      expect(ok.status).toBe(200);
      expect(ok.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(ok.body.toString()).toContain('run-start');
    } finally {
      await rm(join(fx.evidence, b, 'evil.txt'));
      await rm(join(fx.evidence, b, 'evil-dir'));
    }
  });

  test('a Host header other than the loopback address is refused (DNS rebinding)', async () => {
    const port = new URL(server.origin).port;
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1.evil.example', `127.0.0.1:${Number(port) + 1}`]) {
      const res = await raw(server.origin, '/', { headers: { Host: host } });
      expect(res.status, host).toBe(421);
      expect(res.body.toString()).not.toContain(fx.bundles[0]);
    }
    expect((await raw(server.origin, '/', { headers: { Host: `localhost:${port}` } })).status).toBe(200);
  });

  test('bound beyond loopback, pages need the token: ?token= sets a cookie once, anything else is 401', async () => {
    const open = await startEvidenceServer({ dir: fx.evidence, host: '0.0.0.0' });
    try {
      expect(open.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(open.url).toContain(`?token=${open.token}`);
      const origin = open.origin.replace('0.0.0.0', '127.0.0.1');
      for (const path of ['/', `/run/${fx.bundles[0]}`, `/file/${fx.bundles[0]}/journal.jsonl`, '/sample.zip?n=1&seed=a', '/static/serve.css']) {
        const res = await raw(origin, path);
        expect(res.status, path).toBe(401);
        expect(res.body.toString()).not.toContain('run-start');
      }
      const token = open.token!;
      for (const wrong of [token.slice(0, -1), `${token}x`, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(), '']) {
        expect((await raw(origin, `/?token=${encodeURIComponent(wrong)}`)).status).toBe(401);
        expect((await raw(origin, '/', { headers: { Cookie: `runproof_serve_token=${wrong}` } })).status).toBe(401);
      }
      const login = await raw(origin, `/chains?token=${token}`);
      expect(login.status).toBe(303);
      expect(login.headers.location).toBe('/chains');
      // The redirect after login never leaves the server (no open redirect).
      for (const evil of ['//evil.example/x', '/%2f%2fevil.example', '/\\evil.example']) {
        const res = await raw(origin, `${evil}?token=${token}`);
        expect(res.status, evil).toBe(303);
        expect(res.headers.location, evil).toBe('/');
      }
      const cookie = String(login.headers['set-cookie']);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      const page = await raw(origin, '/', { headers: { Cookie: cookie.split(';')[0]! } });
      expect(page.status).toBe(200);
      expect(page.body.toString()).toContain(fx.bundles[0]);
    } finally {
      await open.close();
    }
  });

  test('the index picks up a bundle added while serving, and drops one removed', async () => {
    const added = await fx.runDaily();
    const res = await raw(server.origin, '/');
    expect(res.body.toString()).toContain(added);
    await rm(join(fx.evidence, added), { recursive: true });
    expect((await raw(server.origin, '/')).body.toString()).not.toContain(added);
    expect((await raw(server.origin, `/run/${added}`)).status).toBe(404);
  }, 60_000);

  test('the audit sample: same seed, same sample; the zip holds sample.json, verify.json and the bundles', async () => {
    const population = Array.from({ length: 200 }, (_, i) => `b_${String(i).padStart(3, '0')}`);
    const first = drawSample(population, 25, 'seed-1');
    expect(first).toHaveLength(25);
    expect(new Set(first).size).toBe(25);
    expect(drawSample([...population].reverse(), 25, 'seed-1')).toEqual(first);
    expect(drawSample(population, 25, 'seed-2')).not.toEqual(first);
    expect(drawSample(population, 500, 'x').sort()).toEqual(population);
    // Every item can be drawn: over 400 seeds each of 10 items is drawn as first pick.
    const firsts = new Set(Array.from({ length: 400 }, (_, i) => drawSample(population.slice(0, 10), 1, `s${i}`)[0]));
    expect(firsts.size).toBe(10);

    const page = (await raw(server.origin, '/sample?n=2&seed=audit-7')).body.toString();
    const again = (await raw(server.origin, '/sample?n=2&seed=audit-7')).body.toString();
    const chosen = (html: string): string[] => [...html.matchAll(/<tr data-bundle="([^"]+)"/g)].map((m) => m[1]!);
    expect(chosen(page)).toHaveLength(2);
    expect(chosen(again)).toEqual(chosen(page));
    expect(page).toContain('audit-7');

    const zip = await raw(server.origin, '/sample.zip?n=2&seed=audit-7');
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const files = readZip(zip.body);
    const names = [...files.keys()];
    expect(names.every((n) => n.startsWith('runproof-sample-audit-7/'))).toBe(true);
    const get = (rel: string): string => files.get(`runproof-sample-audit-7/${rel}`)!.toString('utf8');
    const sample = JSON.parse(get('sample.json'));
    expect(sample.seed).toBe('audit-7');
    expect(sample.chosen).toEqual(chosen(page));
    expect(sample.population.count).toBe(fx.bundles.length);
    expect(sample.chainHeads.length).toBe(2);
    const verify = JSON.parse(get('verify.json'));
    expect(verify.map((v: { bundle: string }) => v.bundle)).toEqual(sample.chosen);
    for (const name of sample.chosen) {
      const manifest = files.get(`runproof-sample-audit-7/bundles/${name}/manifest.json`);
      expect(manifest?.equals(await readFile(join(fx.evidence, name, 'manifest.json')))).toBe(true);
    }
    // A redraw from sample.json alone gives the same bundles.
    const redraw = buildSample(server.store.all(), { from: sample.period.from, to: sample.period.to, n: sample.n, seed: sample.seed });
    expect(redraw.chosen).toEqual(sample.chosen);
    // Nothing was written into the evidence folder.
    expect((await readdir(fx.evidence)).some((n) => n.endsWith('.zip'))).toBe(false);
  });

  test('chains are checked against a checkpoint file: extends it, then not once history is rewritten', async () => {
    const cp = join(fx.work, 'checkpoint.json');
    const made = await runCli(['evidence', 'checkpoint', fx.evidence, '--out', cp]);
    expect(made.code, made.stderr).toBe(0);
    const checked = await startEvidenceServer({ dir: fx.evidence, checkpointFile: cp });
    const manifest = join(fx.evidence, fx.bundles[2]!, 'manifest.json');
    const original = await readFile(manifest);
    try {
      const states = async (): Promise<string[]> => [...(await raw(checked.origin, '/chains')).body.toString().matchAll(/data-checkpoint="(\w+)"/g)].map((m) => m[1]!);
      expect(await states()).toEqual(['ok', 'ok']);
      await writeFile(manifest, `${original.toString().trimEnd()}\n\n`);
      expect(await states()).toEqual(['failed', 'ok']);
    } finally {
      await writeFile(manifest, original);
      await checked.close();
    }
  }, 60_000);

  test('the CLI: a bad --port or a missing folder is exit 2 with an RP_ code', async () => {
    const port = await runCli(['evidence', 'serve', fx.evidence, '--port', 'http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('RP_BAD_FLAG');
    const missing = await runCli(['evidence', 'serve', join(fx.work, 'no-such-folder')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('RP_BAD_BUNDLE');
  }, 60_000);

  test('a bundle whose record file is a symlink out of the folder is listed as broken, never read', async () => {
    const b = fx.bundles[3]!;
    const record = join(fx.evidence, b, `${b}.json`);
    const original = await readFile(record);
    await writeFile(join(fx.work, 'evil-record.json'), original.toString().replace(/Other runbook/g, SECRET));
    await rm(record);
    await symlink(join(fx.work, 'evil-record.json'), record);
    try {
      await server.store.refresh(true);
      // The folder changed (record replaced): a fresh server sees it from the start.
      const fresh = await startEvidenceServer({ dir: fx.evidence });
      try {
        const page = (await raw(fresh.origin, '/')).body.toString();
        expect(page).not.toContain(SECRET);
        expect(page).toMatch(new RegExp(`data-bundle="${b}" data-verify="broken"`));
      } finally {
        await fresh.close();
      }
    } finally {
      await rm(record);
      await writeFile(record, original);
    }
  });
});
