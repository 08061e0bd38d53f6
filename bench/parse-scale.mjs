// `npm run bench -- parse-scale`: is parsing linear in the number of cells? Parses a 10,000-cell
// and a 100,000-cell runbook (the same seed-like unit repeated: headings, prose, shell, assert,
// expect and http cells) in one process and prints the time per cell of each and their ratio
// (goal: within 1.5). Also reads a ~100 MB runbook through the CLI (`runproof lint`) in a child
// process and prints its time and peak memory (the test suite does 20 MB; see
// test/hostile/parser-scale.test.ts). Needs `npm run build` (imports dist/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = 3;

// One unit: 10 cells under two headings, like an operator runbook section.
function unit(i) {
  return `## ${i}. Service ${i}

Check the service, then restart it when it is down.

\`\`\`bash {name=status-${i}}
systemctl status app-${i} --no-pager | head -n 5
\`\`\`

\`\`\`assert
exit == 0
stdout contains "active"
\`\`\`

**Expected output:**

\`\`\`text
active (running)
\`\`\`

\`\`\`bash
curl -fsS "http://127.0.0.1:8080/health?node=<node>" | jq -r .status
\`\`\`

\`\`\`http
GET http://127.0.0.1:8080/api/items/${i}
Accept: application/json
\`\`\`

### Restart ${i}

\`\`\`bash {risk=write}
sudo systemctl restart app-${i} && sleep 1
\`\`\`

\`\`\`console
$ journalctl -u app-${i} -n 3
-- Logs begin --
\`\`\`

\`\`\`bash
kubectl -n ns-${i} get pods -o wide
\`\`\`

\`\`\`promql
up{job="app-${i}"}
\`\`\`

\`\`\`json
{"ok": true}
\`\`\`

`;
}

/** A runbook of `cells` cells (10 per unit). */
export function scaleRunbook(cells) {
  const parts = ['# Scale\n\n'];
  for (let i = 0; i < cells / 10; i++) parts.push(unit(i));
  return parts.join('');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export default async function bench() {
  const { parseRunbook } = await import(join(here, '..', 'dist', 'parse', 'index.js'));
  const results = [];
  for (const cells of [10_000, 100_000]) {
    const text = scaleRunbook(cells);
    const notebook = parseRunbook(text, { path: 'scale.md' }); // warm-up, and the cell count
    const times = [];
    for (let r = 0; r < ROUNDS; r++) {
      const start = process.hrtime.bigint();
      parseRunbook(text, { path: 'scale.md' });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const ms = median(times);
    results.push({ cells: notebook.cells.length, mb: Buffer.byteLength(text) / 1048576, ms, perCell: (ms * 1000) / notebook.cells.length });
  }
  for (const r of results) {
    console.log(`${String(r.cells).padStart(7)} cells (${r.mb.toFixed(1)} MB): ${r.ms.toFixed(0)} ms, ${r.perCell.toFixed(1)} µs/cell (median of ${ROUNDS})`);
  }
  const ratio = results[1].perCell / results[0].perCell;
  console.log(`ratio of time per cell, 100k / 10k: ${ratio.toFixed(2)} (goal <= 1.5)`);

  // ~100 MB through the CLI: prose-heavy (a cell every ~4 KB), as a giant runbook would be.
  const dir = mkdtempSync(join(tmpdir(), 'rp-bench-scale-'));
  try {
    const file = join(dir, 'huge.md');
    const prose = `${'Operators read this paragraph before running anything; it explains the context of the step. '.repeat(40)}\n\n`;
    const chunk = `${prose}\`\`\`bash\necho step\n\`\`\`\n\n`;
    const target = 100 * 1048576;
    writeFileSync(file, `# Huge\n\n${chunk.repeat(Math.ceil(target / chunk.length))}`);
    const cli = join(here, '..', 'dist', 'cli', 'main.js');
    const timed = spawnSync('/usr/bin/time', ['-f', '%e s %M KB', process.execPath, cli, 'lint', file], { encoding: 'utf8', maxBuffer: 64 * 1048576 });
    if (timed.error) {
      const start = Date.now();
      const plain = spawnSync(process.execPath, [cli, 'lint', file], { encoding: 'utf8', maxBuffer: 64 * 1048576 });
      console.log(`100 MB runbook via runproof lint: exit ${plain.status}, ${((Date.now() - start) / 1000).toFixed(1)} s (no /usr/bin/time for memory)`);
    } else {
      const last = timed.stderr.trim().split('\n').at(-1);
      console.log(`100 MB runbook via runproof lint: exit ${timed.status}, ${last} (wall time, peak RSS)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
