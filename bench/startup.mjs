// `npm run bench -- startup`: CLI cold start. `runproof --version` and `runproof list <runbook>`
// against `node -e 0`, each run RUNS times, interleaved (so a load spike hits all three alike);
// prints medians and ratios (goals: --version <= 1.5x, list <= 2x) and peak RSS (goal for
// --version < 50 MiB), read from the child's own process.resourceUsage().maxRSS at exit.
// Needs `npm run build` (runs dist/cli/main.js). RUNPROOF_BENCH_STARTUP_RUNS changes RUNS.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(root, 'dist/cli/main.js');
const RUNBOOK = join(root, 'test/fixtures/parse/roxy-like.md');
const RUNS = Number(process.env.RUNPROOF_BENCH_STARTUP_RUNS ?? 20);
const RSS_RUNS = 3;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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

export default async function startup() {
  const times = cases.map(() => []);
  for (const c of cases) timeOnce(c.args); // warm the page cache
  for (let i = 0; i < RUNS; i++) cases.forEach((c, k) => times[k].push(timeOnce(c.args)));
  const rss = cases.map((c) => median(Array.from({ length: RSS_RUNS }, () => rssOnce(c.args))));
  const base = median(times[0]);
  const rows = cases.map((c, k) => {
    const ms = median(times[k]);
    const ratio = ms / base;
    const rssMiB = rss[k] / 1024;
    const goals = [];
    if (c.goal?.ratio) goals.push(`ratio <= ${c.goal.ratio}: ${ratio <= c.goal.ratio ? 'met' : 'NOT met'}`);
    if (c.goal?.rssMiB) goals.push(`RSS < ${c.goal.rssMiB} MiB: ${rssMiB < c.goal.rssMiB ? 'met' : 'NOT met'}`);
    return { measure: c.name, 'median ms': ms.toFixed(1), ratio: ratio.toFixed(2), 'peak RSS MiB': rssMiB.toFixed(1), goal: goals.join('; ') || 'baseline' };
  });
  console.log(`startup: ${RUNS} runs each, interleaved; medians (node ${process.version})`);
  console.table(rows);
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await startup();
