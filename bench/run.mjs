// `npm run bench -- run`: per-cell overhead and big-output memory of `runproof run`.
//  1. 200 trivial cells (`true`) through `runproof run --yes` (one process, whole run timed,
//     Node start included) against the same 200 commands spawned one by one as `bash -c true`
//     from a bare Node loop in this process. Ratio printed; goal at most 1.5.
//  2. One cell printing 1 GiB: throughput and peak RSS of the runproof process (goal < 150 MiB).
// Needs `npm run build` first.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

export default async function benchRun() {
  if (!existsSync(cli)) {
    console.log(`skipped: ${cli} is missing (run npm run build first)`);
    return;
  }
  const hasTime = existsSync('/usr/bin/time');
  const dir = mkdtempSync(join(tmpdir(), 'rp-bench-run-'));
  try {
    const cells = Array.from({ length: CELLS }, (_, i) => `\`\`\`bash {"name":"cell-${i + 1}"}\ntrue\n\`\`\`\n`).join('\n');
    writeFileSync(join(dir, 'trivial.md'), `# Trivial\n\n## 1. Cells\n\n${cells}`);
    const rounds = [];
    for (let round = 0; round < 3; round++) {
      const baseline = bashLoop(CELLS);
      const run = await runCli(['run', 'trivial.md', '--yes', '--evidence-dir', join(dir, 'ev')], dir);
      if (run.code !== 0) throw new Error(`runproof run exited ${run.code}: ${run.stderr}`);
      rounds.push({ baseline, runproof: run.ms });
    }
    rounds.sort((a, b) => a.runproof / a.baseline - b.runproof / b.baseline);
    const median = rounds[1];
    console.log(`200 trivial cells: runproof run --yes ${median.runproof.toFixed(0)} ms (${(median.runproof / CELLS).toFixed(2)} ms/cell, Node start and bundle included)`);
    console.log(`200 x bash -c true from a Node loop: ${median.baseline.toFixed(0)} ms (${(median.baseline / CELLS).toFixed(2)} ms/cell)`);
    console.log(`ratio runproof / bash loop: ${(median.runproof / median.baseline).toFixed(2)} (goal <= 1.5; median of 3 rounds)`);

    writeFileSync(join(dir, 'big.md'), '# Big\n\n## 1. Print\n\n```bash {"name":"gib"}\nhead -c 1073741824 /dev/zero | tr "\\0" "x"\n```\n');
    if (!hasTime) console.log('(no /usr/bin/time: peak RSS not measured; apt-get install time)');
    const big = await runCli(['run', 'big.md', '--yes', '--evidence-dir', join(dir, 'ev-big')], dir);
    if (big.code !== 0) throw new Error(`big run exited ${big.code}: ${big.stderr}`);
    const gib = 1024;
    console.log(`1 GiB cell: ${big.ms.toFixed(0)} ms, ${(gib / (big.ms / 1000)).toFixed(0)} MiB/s through capture, redaction, hashing and the log`);
    if (hasTime) console.log(`peak RSS of runproof: ${(big.peakKiB / 1024).toFixed(0)} MiB (goal < 150 MiB)`);
    const raw = process.hrtime.bigint();
    spawnSync('bash', ['-c', 'head -c 1073741824 /dev/zero | tr "\\0" "x" > /dev/null']);
    const rawMs = Number(process.hrtime.bigint() - raw) / 1e6;
    console.log(`baseline: the same pipeline to /dev/null ${rawMs.toFixed(0)} ms; ratio ${(big.ms / rawMs).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
