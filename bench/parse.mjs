// `npm run bench -- parse`: MB/s of parseRunbook and of bare markdown-it.parse on the same
// seed-like text (the parse fixtures repeated to at least 5 MB, 2 MB with --quick), measured in
// one process (CPU time), and their ratio; once as repeated, once with every cell's text distinct.
// The time by rule goes to stderr (full run only). Needs `npm run build` (imports dist/).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { median, ratioRow } from './table.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'test', 'fixtures', 'parse');
// The four seed replicas: no front matter and no explicit names, so they can be repeated.
const SEED_LIKE = ['roxy-like.md', 'archillx-like.md', 'unified-like.md', 'aos-like.md'];
const TARGET_BYTES = 5 * 1024 * 1024;
const ROUNDS = 7;

// `distinct`: each copy of the unit gets its own comment line in every shell and promql cell, so
// no two cells share a text (parse shares shell facts per text: this row shows the cost without).
function corpus(targetBytes, distinct) {
  const unit = SEED_LIKE.map((f) => readFileSync(join(fixtures, f), 'utf8')).join('\n\n');
  const parts = [];
  let size = 0;
  for (let copy = 0; size < targetBytes; copy++) {
    const text = distinct ? unit.replace(/^```(bash|sh|shell|promql)\b(.*)\n/gm, (line) => `${line}# copy ${copy}\n`) : unit;
    parts.push(text);
    size += Buffer.byteLength(text) + 2;
  }
  return parts.join('\n\n');
}

export default async function bench({ quick = false } = {}) {
  const { parseRunbook } = await import(join(here, '..', 'dist', 'parse', 'index.js'));
  const { PARSE_RULES } = await import(join(here, '..', 'dist', 'parse', 'parse-runbook.js'));
  const md = new MarkdownIt();
  const rounds = quick ? 3 : ROUNDS;
  const target = quick ? 2 * 1024 * 1024 : TARGET_BYTES;
  // CPU time of this process (both sides are single-threaded parses in it): on a loaded machine
  // wall time counts the waits for a core, which land on either side at random.
  const time = (fn) => {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  };
  const rows = [];
  for (const distinct of [false, true]) {
    const text = corpus(target, distinct);
    const megabytes = Buffer.byteLength(text) / (1024 * 1024);
    // Warm-up, then alternate the two so both see the same machine state.
    const notebook = parseRunbook(text, { path: 'bench.md' });
    md.parse(text, {});
    const ours = [];
    const theirs = [];
    for (let i = 0; i < rounds; i++) {
      ours.push(time(() => parseRunbook(text, { path: 'bench.md' })));
      theirs.push(time(() => md.parse(text, {})));
    }
    const oursMBs = megabytes / median(ours);
    const theirsMBs = megabytes / median(theirs);
    const what = distinct ? 'every cell text distinct' : 'the seed replicas repeated';
    rows.push(
      ratioRow(
        `\`parseRunbook\` vs bare \`markdown-it.parse\` (bare/ours), ${megabytes.toFixed(1)} MB, ${notebook.cells.length} cells, ${what}`,
        `${oursMBs.toFixed(1)} MB/s`,
        `${theirsMBs.toFixed(1)} MB/s`,
        oursMBs / theirsMBs,
        { min: 0.8 },
      ),
    );
    if (!quick && !distinct) console.error(`parse, time by rule: ${timeByRule(PARSE_RULES, () => parseRunbook(text, { path: 'bench.md' }), time)}`);
  }
  return rows;
}

// Where parseRunbook's time goes, rule by rule (one extra timed run): params lexes each cell's
// shell text once and computes the risk and variable answers with it (src/parse/rules/
// shell-analysis.ts), so risk and variables only read them; tokenize is markdown-it's block parse.
function timeByRule(rules, parse, time) {
  const spent = new Map();
  const originals = rules.map((rule) => rule.run);
  rules.forEach((rule, i) => {
    rule.run = (state) => {
      const start = process.cpuUsage();
      originals[i](state);
      const used = process.cpuUsage(start);
      spent.set(rule.name, (used.user + used.system) / 1e6);
    };
  });
  const total = time(parse);
  rules.forEach((rule, i) => (rule.run = originals[i]));
  return [...spent].map(([name, seconds]) => `${name} ${Math.round((100 * seconds) / total)}%`).join(', ');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await bench({ quick: process.argv.includes('--quick') }));
