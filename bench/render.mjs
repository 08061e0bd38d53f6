// `npm run bench -- render`: time to render both reports of a 1,000-step record (one step in ten
// carrying 64 KiB of inline output, like a long log), median of several rounds, beside the time
// to JSON.stringify the same record as a baseline. Needs `npm run build` (imports dist/).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const STEPS = 1000;
const ROUNDS = 5;

function bigRecord() {
  const base = JSON.parse(readFileSync(join(here, '..', 'test', 'fixtures', 'render', 'failed.record.json'), 'utf8'));
  const long = base.steps.find((s) => s.attempts[0]?.stdout.truncated);
  const short = base.steps.filter((s) => s !== long);
  const steps = Array.from({ length: STEPS }, (_, i) => {
    const model = i % 10 === 0 ? long : short[i % short.length];
    return {
      ...model,
      id: `c${i + 1}`,
      name: `step-${i + 1}`,
      sectionId: `s${Math.floor(i / 25) + 1}`,
      sectionPath: ['Bench runbook', `${Math.floor(i / 25) + 1}. Section`],
    };
  });
  const count = (status) => steps.filter((s) => s.status === status).length;
  const failed = count('failed') + count('timed-out') + count('interrupted');
  return {
    ...base,
    steps,
    counts: { total: STEPS, passed: count('passed'), failed, blocked: count('blocked'), skipped: count('skipped'), notRun: count('not-run') },
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export default async function bench() {
  const { renderReports } = await import(pathToFileURL(join(here, '..', 'dist', 'render', 'index.js')).href);
  const record = bigRecord();
  const seconds = async (fn) => {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  let sizes = { markdown: 0, html: 0 };
  // The first render also reads and compiles the templates: report it apart.
  const first = await seconds(async () => {
    const out = await renderReports(record);
    sizes = { markdown: Buffer.byteLength(out.markdown), html: Buffer.byteLength(out.html) };
  });
  const renders = [];
  const stringify = [];
  for (let i = 0; i < ROUNDS; i++) {
    renders.push(await seconds(() => renderReports(record)));
    stringify.push(await seconds(() => JSON.stringify(record, null, 2)));
  }
  const recordBytes = Buffer.byteLength(JSON.stringify(record, null, 2));
  console.log(`record: ${STEPS} steps, ${(recordBytes / 1048576).toFixed(1)} MiB of JSON`);
  console.log(`first render (templates compiled): ${first.toFixed(3)} s`);
  console.log(`renderReports, median of ${ROUNDS}: ${median(renders).toFixed(3)} s (Markdown ${(sizes.markdown / 1048576).toFixed(1)} MiB, HTML ${(sizes.html / 1048576).toFixed(1)} MiB)`);
  console.log(`JSON.stringify baseline:           ${median(stringify).toFixed(3)} s`);
  console.log(`goal: under a few seconds`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await bench();
