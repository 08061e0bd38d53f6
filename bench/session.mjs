// `npm run bench -- session`: what one cell costs inside runproof's two local shell sessions,
// from Node, without the CLI around them: 200 `true` cells through createShellSession (a fresh
// bash per cell: spawn, restore the state, run, save it) and through startStreamSession over one
// long-lived `bash -s` (each cell a job in its own process group), against a Node loop of
// `bash -c true` (spawnSync). Median of 3 rounds (1 with --quick). Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, ratioRow, skippedRow } from './table.mjs';

const CELLS = 200;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'dist', 'execute', 'index.js');
const sink = { onStdout() {}, onStderr() {} };

async function perCell(session) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CELLS; i++) {
    const outcome = await session.run({ command: 'true', timeoutMs: 60_000 }, sink);
    if (outcome.exitCode !== 0) throw new Error(`cell ${i} ended ${JSON.stringify(outcome)}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e6 / CELLS;
}

function bashLoop() {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CELLS; i++) spawnSync('bash', ['-c', 'true']);
  return Number(process.hrtime.bigint() - started) / 1e6 / CELLS;
}

export default async function benchSession({ quick = false } = {}) {
  if (!existsSync(lib)) return [skippedRow('per-cell cost of the shell sessions', 'dist/execute/index.js missing: npm run build')];
  const { createShellSession, startStreamSession } = await import(pathToFileURL(lib).href);
  const dir = mkdtempSync(join(tmpdir(), 'rp-bench-session-'));
  const rounds = { fresh: [], stream: [], loop: [] };
  try {
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      rounds.loop.push(bashLoop());
      const fresh = await createShellSession({ cwd: dir });
      try {
        rounds.fresh.push(await perCell(fresh));
      } finally {
        await fresh.close();
      }
      const stream = await startStreamSession({ command: 'bash', args: ['--noprofile', '--norc', '-s'], cwd: dir });
      try {
        rounds.stream.push(await perCell(stream));
      } finally {
        await stream.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const loop = median(rounds.loop);
  const fresh = median(rounds.fresh);
  const stream = median(rounds.stream);
  const f = (v) => `${v.toFixed(2)} ms/cell`;
  return [
    ratioRow(`${CELLS} \`true\` cells, createShellSession (fresh bash per cell) vs a Node loop of \`bash -c true\``, f(fresh), f(loop), fresh / loop, { max: 1.0 }),
    ratioRow(`${CELLS} \`true\` cells, startStreamSession (one long-lived bash -s) vs a Node loop of \`bash -c true\``, f(stream), f(loop), stream / loop, { max: 1.0 }),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await benchSession({ quick: process.argv.includes('--quick') }));
