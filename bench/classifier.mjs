// `npm run bench -- classifier`: the classifier's shares on the labelled real-world cells
// (test/fixtures/risk/realworld.txt, tuned against, and realworld-2.txt, held out): the share of
// read cells classified read, of destructive cells classified destructive, of write cells classified
// write, and the unsafe count (a write or destructive cell classified read). Needs `npm run build`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'test', 'fixtures', 'risk');
const FILES = ['realworld.txt', 'realworld-2.txt', 'corpus.txt'];

function cells(file) {
  return readFileSync(join(fixtures, file), 'utf8')
    .split(/^=== /m)
    .slice(1)
    .map((chunk) => {
      const [label, ...body] = chunk.split('\n');
      return { label: label.trim(), body: body.join('\n').trim() };
    });
}

export default async function bench() {
  const { parseRunbook } = await import(join(here, '..', 'dist', 'parse', 'index.js'));
  const classify = (body) => parseRunbook(`# Bench\n\n\`\`\`bash\n${body}\n\`\`\`\n`, { path: 'bench.md' }).cells[0].risk.level;
  let failed = false;
  for (const file of FILES) {
    const results = cells(file).map((c) => ({ ...c, got: classify(c.body) }));
    const share = (label) => {
      const of = results.filter((r) => r.label === label);
      const hit = of.filter((r) => r.got === label).length;
      return `${label} ${hit}/${of.length} ${((100 * hit) / of.length).toFixed(1)}%`;
    };
    const unsafe = results.filter((r) => r.label !== 'read' && r.got === 'read');
    console.log(`${file.padEnd(16)} ${share('read').padEnd(20)} ${share('destructive').padEnd(27)} ${share('write').padEnd(20)} unsafe ${unsafe.length}`);
    for (const r of unsafe) console.log(`  UNSAFE ${r.label}: ${r.body.replace(/\n/g, ' ⏎ ')}`);
    if (unsafe.length > 0) failed = true;
  }
  if (failed) process.exitCode = 1;
}
