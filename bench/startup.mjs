// `npm run bench -- startup`: CLI cold start. `runproof --version` and `runproof list <runbook>`
// against `node -e 0`, each run RUNS times, interleaved (so a load spike hits all three alike);
// prints medians and ratios (goals: --version <= 1.5x, list <= 2x) and peak RSS (goal for
// --version < 50 MiB), read from the child's own process.resourceUsage().maxRSS at exit.
// Needs `npm run build` (runs dist/cli/main.js). RUNPROOF_BENCH_STARTUP_RUNS changes RUNS;
// `--quick` runs 5 of each and measures RSS once.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, ms, ratioRow, valueRow } from './table.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(root, 'dist/cli/main.js');
const RUNBOOK = join(root, 'test/fixtures/parse/roxy-like.md');

const cases = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'runproof --version', args: [CLI, '--version'], goal: { ratio: 1.5, rssMiB: 50 } },
  { name: 'runproof list <runbook>', args: [CLI, 'list', RUNBOOK], goal: { ratio: 2 } },
];

function timeOnce(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

// Peak RSS in KiB, reported by the child itself when it exits (a preload adds the exit hook only).
const RSS_HOOK = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nRUNPROOF_MAXRSS "+process.resourceUsage().maxRSS+"\\n"))';
function rssOnce(args) {
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const m = /RUNPROOF_MAXRSS (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no RSS from ${args.join(' ')}: ${r.stderr}`);
  return Number(m[1]);
}

export default async function startup({ quick = false } = {}) {
  const RUNS = Number(process.env.RUNPROOF_BENCH_STARTUP_RUNS ?? (quick ? 5 : 20));
  const RSS_RUNS = quick ? 1 : 3;
  const times = cases.map(() => []);
  for (const c of cases) timeOnce(c.args); // warm the page cache
  for (let i = 0; i < RUNS; i++) cases.forEach((c, k) => times[k].push(timeOnce(c.args)));
  const rss = cases.map((c) => median(Array.from({ length: RSS_RUNS }, () => rssOnce(c.args))) / 1024);
  const base = median(times[0]);
  const rows = [];
  cases.forEach((c, k) => {
    if (!c.goal) return;
    const t = median(times[k]);
    rows.push(ratioRow(`\`${c.name}\` start-up (median of ${RUNS})`, ms(t), `node -e 0: ${ms(base)}`, t / base, { max: c.goal.ratio }));
    if (c.goal.rssMiB) {
      rows.push(valueRow(`\`${c.name}\` peak RSS`, `${rss[k].toFixed(0)} MiB`, `node -e 0: ${rss[0].toFixed(0)} MiB`, `< ${c.goal.rssMiB} MiB`, rss[k] < c.goal.rssMiB));
    }
  });
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await startup());
