// `npm run bench -- parse`: MB/s of parseRunbook and of bare markdown-it.parse on the same
// seed-like text (the parse fixtures repeated to at least 5 MB), measured in one process, and
// their ratio. Needs `npm run build` (imports dist/).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'test', 'fixtures', 'parse');
// The four seed replicas: no front matter and no explicit names, so they can be repeated.
const SEED_LIKE = ['roxy-like.md', 'archillx-like.md', 'unified-like.md', 'aos-like.md'];
const TARGET_BYTES = 5 * 1024 * 1024;
const ROUNDS = 7;

function corpus() {
  const unit = SEED_LIKE.map((f) => readFileSync(join(fixtures, f), 'utf8')).join('\n\n');
  const parts = [];
  let size = 0;
  while (size < TARGET_BYTES) {
    parts.push(unit);
    size += Buffer.byteLength(unit) + 2;
  }
  return parts.join('\n\n');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export default async function bench() {
  const { parseRunbook } = await import(join(here, '..', 'dist', 'parse', 'index.js'));
  const { PARSE_RULES } = await import(join(here, '..', 'dist', 'parse', 'parse-runbook.js'));
  const text = corpus();
  const megabytes = Buffer.byteLength(text) / (1024 * 1024);
  const md = new MarkdownIt();
  const time = (fn) => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  // Warm-up, then alternate the two so both see the same machine state.
  const notebook = parseRunbook(text, { path: 'bench.md' });
  md.parse(text, {});
  const ours = [];
  const theirs = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(time(() => parseRunbook(text, { path: 'bench.md' })));
    theirs.push(time(() => md.parse(text, {})));
  }
  const oursMBs = megabytes / median(ours);
  const theirsMBs = megabytes / median(theirs);
  console.log(`input: ${megabytes.toFixed(1)} MB (${notebook.sections.length} sections, ${notebook.cells.length} cells), median of ${ROUNDS} rounds`);
  console.log(`parseRunbook:      ${oursMBs.toFixed(1)} MB/s`);
  console.log(`markdown-it.parse: ${theirsMBs.toFixed(1)} MB/s`);
  console.log(`ratio: ${(oursMBs / theirsMBs).toFixed(2)} (goal >= 0.80)`);
  // Where parseRunbook's time goes, rule by rule (one extra timed run): params lexes each cell's
  // shell text once and computes the risk and variable answers with it (src/parse/rules/
  // shell-analysis.ts), so risk and variables only read them; tokenize is markdown-it's block parse.
  const spent = new Map();
  const originals = PARSE_RULES.map((rule) => rule.run);
  PARSE_RULES.forEach((rule, i) => {
    rule.run = (state) => {
      const start = process.hrtime.bigint();
      originals[i](state);
      spent.set(rule.name, Number(process.hrtime.bigint() - start) / 1e9);
    };
  });
  const total = time(() => parseRunbook(text, { path: 'bench.md' }));
  PARSE_RULES.forEach((rule, i) => (rule.run = originals[i]));
  const shares = [...spent].map(([name, seconds]) => `${name} ${Math.round((100 * seconds) / total)}%`);
  console.log(`time by rule: ${shares.join(', ')}`);
}
