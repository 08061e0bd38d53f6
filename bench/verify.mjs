// `npm run bench -- verify`: `runproof verify` on a sealed bundle holding a 1 GiB log, against
// `sha256sum` of the same file (median of several rounds, page cache warm for both). The ratio
// is sha256sum time / verify time (goal >= 0.8). Needs `npm run build` (imports dist/).
// RUNPROOF_BENCH_VERIFY_MIB changes the log size (1024, 256 with --quick).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, ratioRow } from './table.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';


function writeBundle(evidenceDir, name, MIB) {
  const dir = join(evidenceDir, name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const record = {
    schemaVersion: 1,
    tool: { name: 'runproof', version: '0.1.0' },
    runbook: { path: 'bench.md', title: 'Bench', sha256: EMPTY, git: { commit: null, dirty: null } },
    selection: { sections: [], cells: [], tags: [] },
    mode: 'unattended',
    policy: { allow: ['read'] },
    operator: { user: 'bench', host: 'bench' },
    startedAt: '2026-01-22T10:15:00.000Z',
    endedAt: '2026-01-22T10:15:01.000Z',
    durationMs: 1000,
    status: 'passed',
    parameters: [],
    evidenceName: 'bench',
    bundleName: name,
    counts: { total: 0, passed: 0, failed: 0, blocked: 0, skipped: 0, notRun: 0 },
    steps: [],
    warnings: [],
  };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(dir, 'journal.jsonl'), '');
  // A log of MIB MiB: 16 MiB of random bytes written again and again.
  const block = randomBytes(16 * 1024 * 1024);
  const fd = openSync(join(dir, 'logs', 'c1.1.stdout.log'), 'w');
  for (let written = 0; written < MIB * 1024 * 1024; written += block.length) writeSync(fd, block, 0, Math.min(block.length, MIB * 1024 * 1024 - written));
  closeSync(fd);
  return dir;
}

export default async function bench({ quick = false } = {}) {
  const MIB = Number(process.env.RUNPROOF_BENCH_VERIFY_MIB ?? (quick ? 256 : 1024));
  const ROUNDS = quick ? 3 : 5;
  const { sealBundle, verifyBundle } = await import(pathToFileURL(join(here, '..', 'dist', 'record', 'index.js')).href);
  const root = mkdtempSync(join(tmpdir(), 'rp-bench-verify-'));
  try {
    const evidenceDir = join(root, 'evidence');
    const bundle = writeBundle(evidenceDir, 'bench_20260122_101500', MIB);
    const log = join(bundle, 'logs', 'c1.1.stdout.log');
    await sealBundle(bundle, { evidenceDir, chainKey: '/bench.md' });
    const verifyTimes = [];
    const shaTimes = [];
    for (let round = 0; round < ROUNDS; round++) {
      let t = process.hrtime.bigint();
      execFileSync('sha256sum', [log], { stdio: 'ignore' });
      shaTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      const result = await verifyBundle(bundle);
      verifyTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (!result.ok) throw new Error(`verify failed: ${JSON.stringify(result.problems)}`);
    }
    const v = median(verifyTimes);
    const s = median(shaTimes);
    return [
      ratioRow(`\`verify\` of a bundle with a ${MIB} MiB log vs \`sha256sum\` of the log (sha256sum time / verify time)`, `${(MIB / (v / 1000)).toFixed(0)} MiB/s`, `${(MIB / (s / 1000)).toFixed(0)} MiB/s`, s / v, { min: 0.8 }),
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.table(await bench({ quick: process.argv.includes('--quick') }));
