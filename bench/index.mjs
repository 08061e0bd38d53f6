#!/usr/bin/env node
// `npm run bench`: runs every bench of issue N side by side with its baseline and prints ONE table
// (measure | runproof | baseline | ratio | goal | met). `-- --quick` for a short run (smaller
// sizes, fewer rounds, no fleet); `-- --markdown` also writes bench/RESULTS.md with the table and
// the machine it ran on. `-- NAME...` runs only those benches (parse-scale, render and serve are
// run only by name: they print their own figures). Needs `npm run build`.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { COLUMNS, metText } from './table.mjs';

const here = dirname(fileURLToPath(import.meta.url));
/** The benches whose rows make the table, in the order of the table. */
const TABLE = ['startup', 'run', 'parse', 'verify', 'http', 'fleet'];
const available = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'index.mjs' && f !== 'table.mjs')
  .map((f) => f.replace(/\.mjs$/, ''))
  .sort();
const args = process.argv.slice(2);
const known = new Set(['--quick', '--markdown']);
const unknown = args.find((a) => a.startsWith('-') && !known.has(a));
if (unknown !== undefined) {
  console.error(`RP_BAD_FLAG unknown option ${unknown} (hint: options: --quick, --markdown)`);
  process.exit(2);
}
const quick = args.includes('--quick');
const markdown = args.includes('--markdown');
const wanted = args.filter((a) => !a.startsWith('-'));
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`RP_BAD_FLAG unknown bench ${name} (hint: benches: ${available.join(', ')})`);
    process.exit(2);
  }
}
const names = wanted.length > 0 ? wanted : TABLE;

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
  node: process.version,
  date: new Date().toISOString(),
  load: loadavg().map((l) => l.toFixed(2)).join(' '),
};
const rows = [];
for (const name of names) {
  console.error(`== bench ${name}${quick ? ' (quick)' : ''}`);
  const started = Date.now();
  const mod = await import(pathToFileURL(join(here, `${name}.mjs`)).href);
  const result = await mod.default({ quick });
  if (Array.isArray(result)) rows.push(...result);
  console.error(`   ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
const cells = (row) => COLUMNS.map((c) => (c === 'met' ? metText(row.met) : String(row[c])));

if (rows.length > 0) {
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => cells(r)[i].length)));
  const line = (values) => values.map((v, i) => v.padEnd(widths[i])).join(' | ');
  console.log(line(COLUMNS));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(cells(row)));
  console.log(`\n${machine.cpu}, ${machine.cores} cores, ${machine.memory}, node ${machine.node}, load average at start ${machine.load}${quick ? ', --quick' : ''}`);
}

if (markdown) {
  const escape = (v) => v.replace(/\|/g, '\\|');
  const text = [
    '# Bench results',
    '',
    `Written by \`npm run bench -- ${args.join(' ')}\` (bench/index.mjs); every ratio is taken side by side in the same run.`,
    quick ? 'This was a `--quick` run: smaller sizes and fewer rounds than the full bench, and no fleet.' : '',
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(escape).join(' | ')} |`),
    '',
    '## Machine',
    '',
    `- CPU: ${machine.cpu}`,
    `- cores: ${machine.cores}`,
    `- memory: ${machine.memory}`,
    `- node: ${machine.node}`,
    `- date: ${machine.date}`,
    `- load average at start (1, 5, 15 min): ${machine.load}`,
    '',
  ]
    .filter((l, i, all) => !(l === '' && all[i - 1] === ''))
    .join('\n');
  // The hand-written profile notes ("## Where the time goes" on) survive a new run of the table.
  const resultsPath = join(here, 'RESULTS.md');
  const previous = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '';
  const notesAt = previous.indexOf('\n## Where the time goes');
  writeFileSync(resultsPath, notesAt === -1 ? text : `${text}${previous.slice(notesAt)}`);
  console.error(`wrote ${join(here, 'RESULTS.md')}`);
}
