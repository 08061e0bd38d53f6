// `node bench/compare-startup.mjs '[["-e","0"],["dist/cli/main.js","list","RUNBOOK"],…]'`: runs each
// node command line N times (RUNPROOF_BENCH_RUNS, default 9), interleaved so a load spike hits all
// alike, after one warm-up each, and prints the median wall time and CPU time (user + system, read
// by the child at exit through an --import hook) with their ratios to the first line. CPU time
// moves less than wall time on a loaded machine. Used for bench/RESULTS.md's start-up figures
// (before/after builds side by side: give each build's dist/cli/main.js).
import { spawnSync } from 'node:child_process';

const N = Number(process.env.RUNPROOF_BENCH_RUNS ?? 9);
const cases = JSON.parse(process.argv[2] ?? '[]');
if (!Array.isArray(cases) || cases.length < 2) {
  console.error('usage: node bench/compare-startup.mjs \'[["-e","0"],["dist/cli/main.js","--version"]]\'');
  process.exit(2);
}
const HOOK = 'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("\\nRP_CPU_US "+(u.user+u.system)+"\\n")})';
const wall = cases.map(() => []);
const cpu = cases.map(() => []);
function once(args, k) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', HOOK, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  wall[k].push(ms);
  cpu[k].push(Number(/RP_CPU_US (\d+)/.exec(r.stderr)[1]) / 1000);
}
cases.forEach((args, k) => {
  once(args, k);
  wall[k].pop();
  cpu[k].pop();
});
for (let i = 0; i < N; i++) cases.forEach((args, k) => once(args, k));
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
cases.forEach((args, k) => {
  const w = median(wall[k]);
  const c = median(cpu[k]);
  console.log(`wall ${w.toFixed(0).padStart(5)} ms ${(w / median(wall[0])).toFixed(2)}x  cpu ${c.toFixed(0).padStart(5)} ms ${(c / median(cpu[0])).toFixed(2)}x  node ${args.join(' ')}`);
});
