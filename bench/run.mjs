// `npm run bench -- run`: per-cell overhead and big-output memory of `runproof run`.
//  1. 200 trivial cells (`true`) through `runproof run --yes` (one process, whole run timed,
//     Node start included) against the same 200 commands spawned one by one as `bash -c true`
//     from a bare Node loop in this process (median of 3 rounds, 1 with --quick). Goal ≤ 1.0.
//  2. One cell printing 1 GiB (256 MiB with --quick): throughput (goal ≥ 400 MiB/s) against the
//     same pipe to /dev/null, and peak RSS of the runproof process (goal < 100 MiB).
// Needs `npm run build` first.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioRow, skippedRow, valueRow } from './table.mjs';

const CELLS = 200;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');

function runCli(args, cwd) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, cli, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const lines = stderr.trim().split('\n');
      const peakKiB = Number(lines[lines.length - 1]);
      resolve({ code, ms, peakKiB, stderr });
    });
  });
}

function bashLoop(n) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) spawnSync('bash', ['-c', 'true']);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export default async function benchRun({ quick = false } = {}) {
  if (!existsSync(cli)) return [skippedRow('per-cell overhead and 1 GiB output', 'dist/cli/main.js missing: npm run build')];
  const hasTime = existsSync('/usr/bin/time');
  const dir = mkdtempSync(join(tmpdir(), 'rp-bench-run-'));
  const rows = [];
  try {
    const cells = Array.from({ length: CELLS }, (_, i) => `\`\`\`bash {"name":"cell-${i + 1}"}\ntrue\n\`\`\`\n`).join('\n');
    writeFileSync(join(dir, 'trivial.md'), `# Trivial\n\n## 1. Cells\n\n${cells}`);
    const rounds = [];
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      const baseline = bashLoop(CELLS);
      const run = await runCli(['run', 'trivial.md', '--yes', '--evidence-dir', join(dir, `ev${round}`)], dir);
      if (run.code !== 0) throw new Error(`runproof run exited ${run.code}: ${run.stderr}`);
      rounds.push({ baseline, runproof: run.ms });
    }
    rounds.sort((a, b) => a.runproof / a.baseline - b.runproof / b.baseline);
    const mid = rounds[Math.floor(rounds.length / 2)];
    rows.push(
      ratioRow(
        `${CELLS} trivial cells, \`run --yes\` (Node start and bundle included) vs a Node loop of \`bash -c true\``,
        `${(mid.runproof / CELLS).toFixed(2)} ms/cell`,
        `${(mid.baseline / CELLS).toFixed(2)} ms/cell`,
        mid.runproof / mid.baseline,
        { max: 1.0 },
      ),
    );

    // --quick prints 256 MiB instead of 1 GiB: the rate is what the goal reads.
    const mib = quick ? 256 : 1024;
    const bytes = mib * 1024 * 1024;
    writeFileSync(join(dir, 'big.md'), `# Big\n\n## 1. Print\n\n\`\`\`bash {"name":"gib"}\nhead -c ${bytes} /dev/zero | tr "\\0" "x"\n\`\`\`\n`);
    const big = await runCli(['run', 'big.md', '--yes', '--evidence-dir', join(dir, 'ev-big')], dir);
    if (big.code !== 0) throw new Error(`big run exited ${big.code}: ${big.stderr}`);
    const raw = process.hrtime.bigint();
    spawnSync('bash', ['-c', `head -c ${bytes} /dev/zero | tr "\\0" "x" > /dev/null`]);
    const rawMs = Number(process.hrtime.bigint() - raw) / 1e6;
    const rate = mib / (big.ms / 1000);
    const row = ratioRow(`one cell printing ${mib} MiB (runproof time / pipe time) vs the same pipe to /dev/null`, `${rate.toFixed(0)} MiB/s`, `${(mib / (rawMs / 1000)).toFixed(0)} MiB/s`, big.ms / rawMs);
    rows.push({ ...row, goal: '≥ 400 MiB/s', met: rate >= 400 });
    if (hasTime) rows.push(valueRow(`one cell printing ${mib} MiB: peak RSS of runproof`, `${(big.peakKiB / 1024).toFixed(0)} MiB`, '–', '< 100 MiB', big.peakKiB / 1024 < 100));
    else rows.push(skippedRow(`one cell printing ${mib} MiB: peak RSS`, 'no /usr/bin/time (apt-get install time)'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await benchRun({ quick: process.argv.includes('--quick') }));
