// `node bench/profile-top.mjs FILE.cpuprofile [N] [REGEX]`: reads a `node --cpu-prof` profile and prints
// the top N self-time functions, self time by file or package, and (with REGEX) the inclusive time
// of the matching functions, each as a share of the profile (meaningful under load, unlike times).
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] ?? 25);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
let total = 0; for (const v of dt.values()) total += v;
const self = new Map(), file = new Map();
const short = (u) => u.replace(/^.*\/(node_modules|dist)\//, '$1/');
for (const n of p.nodes) {
  const t = dt.get(n.id) ?? 0; if (!t) continue;
  const cf = n.callFrame; const key = `${cf.functionName || '(anon)'} ${short(cf.url)}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
  const f = cf.url ? short(cf.url).replace(/^(node_modules\/(@[^/]+\/)?[^/]+).*$/, '$1') : `(${cf.functionName})`;
  file.set(f, (file.get(f) ?? 0) + t);
}
// inclusive time per function name (for module-load shares)
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of dt) { const seen = new Set(); let cur = id; while (cur !== undefined) { const n = byId.get(cur); const k = `${n.callFrame.functionName || '(anon)'} ${short(n.callFrame.url)}`; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + t); } cur = parent.get(cur); } }
const pct = (v) => `${(100 * v / total).toFixed(1)}%`.padStart(6);
console.log(`total ${(total / 1000).toFixed(0)} ms, ${p.samples.length} samples`);
console.log('--- self time');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(pct(v), (v / 1000).toFixed(1).padStart(8), 'ms', k);
console.log('--- self time by file/package');
for (const [k, v] of [...file].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(pct(v), k);
if (process.argv[4]) { console.log('--- inclusive matching', process.argv[4]);
for (const [k, v] of [...incl].filter(([k]) => new RegExp(process.argv[4]).test(k)).sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(pct(v), k); }
