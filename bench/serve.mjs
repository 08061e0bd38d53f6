// `npm run bench -- serve`: `runproof evidence serve` over a folder of 10,000 bundles. One real
// bundle is written by the CLI; the others are copies with a patched record (name, start time,
// status, operator), their unchanged files hard-linked. The newest 200 are sealed for real
// (HMAC-signed, one valid chain) so the first page's verify states are real verifications;
// the older ones carry a copied manifest (indexed, shown broken when verified).
// Measures: index build (server start), first Runs page (cold verify of 50 rows), the same page
// warm (verify cached), a filtered page, the verify of a page of 50 rows, an added bundle showing
// up, and heap per bundle. Goal: a warm page of 50 rows under 1 s. Needs `npm run build`.
// RUNPROOF_BENCH_SERVE_BUNDLES changes the count.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const COUNT = Number(process.env.RUNPROOF_BENCH_SERVE_BUNDLES ?? 10_000);
const SEALED = Math.min(200, COUNT);
const HMAC = 'bench-serve-hmac-key';

const RUNBOOK = `---
title: Bench daily checks
evidence: bench_daily
---
# Bench

## 1. Health

\`\`\`bash
echo health ok
\`\`\`

## 2. Disk

\`\`\`bash
echo disk ok
\`\`\`

## 3. Queue

\`\`\`bash
echo queue ok
\`\`\`
`;

function get(origin, path) {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pad = (n, w) => String(n).padStart(w, '0');
function nameAt(i) {
  // i = 0 is the oldest; one bundle every 10 minutes.
  const t = new Date(Date.UTC(2026, 0, 1) + i * 600_000);
  const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1, 2)}${pad(t.getUTCDate(), 2)}_${pad(t.getUTCHours(), 2)}${pad(t.getUTCMinutes(), 2)}${pad(t.getUTCSeconds(), 2)}`;
  return { name: `bench_daily_${stamp}`, iso: t.toISOString() };
}

export default async function bench() {
  const { sealBundle } = await import(pathToFileURL(join(dist, 'record', 'index.js')).href);
  const { startEvidenceServer } = await import(pathToFileURL(join(dist, 'serve', 'index.js')).href);
  const root = mkdtempSync(join(tmpdir(), 'rp-bench-serve-'));
  try {
    // One real bundle from the CLI.
    writeFileSync(join(root, 'bench.md'), RUNBOOK);
    execFileSync(process.execPath, [join(dist, 'cli', 'main.js'), 'run', 'bench.md', '--yes', '--evidence-dir', 'seed'], { cwd: root, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const seedName = readdirSync(join(root, 'seed')).find((n) => !n.startsWith('.'));
    const seedDir = join(root, 'seed', seedName);
    const record = JSON.parse(readFileSync(join(seedDir, `${seedName}.json`), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(seedDir, 'manifest.json'), 'utf8'));
    const evidence = join(root, 'evidence');
    const staging = join(root, 'staging');
    mkdirSync(evidence);
    mkdirSync(staging);

    const genStart = performance.now();
    const names = [];
    for (let i = 0; i < COUNT; i++) {
      const { name, iso } = nameAt(i);
      names.push(name);
      const sealed = i >= COUNT - SEALED;
      const dir = join(sealed ? staging : evidence, name);
      mkdirSync(dir);
      const failed = i % 17 === 0;
      const patched = {
        ...record,
        bundleName: name,
        startedAt: iso,
        endedAt: iso,
        status: failed ? 'failed' : record.status,
        operator: { user: i % 3 === 0 ? 'alice' : 'bob', host: `host-${i % 5}` },
      };
      writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(patched, null, 2)}\n`);
      for (const f of ['journal.jsonl', `${seedName}.html`, `${seedName}.md`]) linkSync(join(seedDir, f), join(dir, f.replace(seedName, name)));
      if (sealed) continue;
      writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify({ ...manifest, bundle: name, record: `${name}.json`, chain: { key: '/bench-old.md', seq: i + 1, origin: i === 0, previous: i === 0 ? null : { bundle: nameAt(i - 1).name, seq: i, manifestSha256: '0'.repeat(64) } } }, null, 2)}\n`);
    }
    // The newest bundles: sealed for real, in order, then moved beside the others.
    for (const name of names.slice(COUNT - SEALED)) {
      await sealBundle(join(staging, name), { evidenceDir: staging, chainKey: '/bench.md', hmacKey: HMAC });
    }
    for (const name of names.slice(COUNT - SEALED)) renameSync(join(staging, name), join(evidence, name));
    const genMs = performance.now() - genStart;

    // A real collection before each heap reading (the bench runs without --expose-gc).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc');
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let t = performance.now();
    const server = await startEvidenceServer({ dir: evidence, hmacKey: HMAC });
    const indexMs = performance.now() - t;
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    try {
      const first = await get(server.origin, '/');
      const verifiedRows = (first.body.match(/data-verify="verified"/g) ?? []).length;
      const warm = [];
      for (let i = 0; i < 5; i++) warm.push((await get(server.origin, '/')).ms);
      const filteredPath = '/?status=failed&operator=alice&host=host-2&q=bench';
      const filteredCold = await get(server.origin, filteredPath);
      const filteredRows = (filteredCold.body.match(/<tr data-bundle=/g) ?? []).length;
      const filteredWarm = [];
      for (let i = 0; i < 5; i++) filteredWarm.push((await get(server.origin, filteredPath)).ms);
      const page2 = await get(server.origin, '/?page=2');
      // A rescan of the folder with nothing new (done at most once a second, on a request).
      const rescans = [];
      for (let i = 0; i < 5; i++) {
        t = performance.now();
        await server.store.refresh(true);
        rescans.push(performance.now() - t);
      }
      // Verify of 50 rows alone, cold (a fresh cache) and cached.
      const rows = server.store.all().slice(0, 50).map((r) => r.name);
      const { EvidenceStore } = await import(pathToFileURL(join(dist, 'serve', 'index.js')).href);
      const coldStore = new EvidenceStore(evidence, { verify: { hmacKey: HMAC } });
      t = performance.now();
      const views = await coldStore.verifyMany(rows);
      const verifyColdMs = performance.now() - t;
      t = performance.now();
      await coldStore.verifyMany(rows);
      const verifyCachedMs = performance.now() - t;
      // An added bundle: copied beside the others, then the next page load.
      const added = `bench_daily_29990101_000000`;
      mkdirSync(join(evidence, added));
      writeFileSync(join(evidence, added, `${added}.json`), `${JSON.stringify({ ...record, bundleName: added, startedAt: '2999-01-01T00:00:00.000Z' }, null, 2)}\n`);
      t = performance.now();
      await server.store.refresh(true);
      const after = await get(server.origin, '/');
      const addedMs = performance.now() - t;
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const rowsOk = views.filter((v) => v.state === 'verified').length;
      console.log(`bundles                      ${COUNT} (${SEALED} sealed and signed for real), generated in ${(genMs / 1000).toFixed(1)} s`);
      console.log(`index build (server start)   ${indexMs.toFixed(0)} ms`);
      console.log(`first Runs page (cold)       ${first.ms.toFixed(0)} ms  (50 rows, ${verifiedRows} verified)`);
      console.log(`Runs page, warm              ${median(warm).toFixed(1)} ms median of 5`);
      console.log(`filtered page, first         ${filteredCold.ms.toFixed(0)} ms  (${filteredRows} rows: status=failed operator=alice host=host-2 q=bench)`);
      console.log(`filtered page, warm          ${median(filteredWarm).toFixed(1)} ms median of 5`);
      console.log(`page 2 (old bundles, cold)   ${page2.ms.toFixed(0)} ms`);
      console.log(`rescan, nothing new          ${median(rescans).toFixed(1)} ms median of 5 (directory listing only)`);
      console.log(`verify of 50 rows, cold      ${verifyColdMs.toFixed(0)} ms  (${rowsOk}/50 verified)`);
      console.log(`verify of 50 rows, cached    ${verifyCachedMs.toFixed(1)} ms  (stat fingerprint only)`);
      console.log(`rescan + page, 1 bundle added ${addedMs.toFixed(1)} ms  (shows it: ${after.body.includes(added)})`);
      console.log(`heap for the index           ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB  (~${Math.round((heapAfter - heapBefore) / COUNT)} bytes per bundle, no records kept)`);
      console.log(`goal: warm page of 50 rows < 1000 ms: ${median(warm) < 1000 && median(filteredWarm) < 1000 ? 'met' : 'NOT met'}`);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
