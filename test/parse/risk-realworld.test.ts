import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/parse/index.js';
import type { RiskLevel } from '../../src/parse/types.js';

// Labelled real-world cells (OpenShift, GitLab.com, Kubernetes, Prometheus, Runme docs style), each
// through the whole parse as one `bash` block. realworld.txt is the tuning set; realworld-2.txt is
// held out (never tuned against) and must clear the same bars. bench/classifier.mjs prints the shares.
const dir = fileURLToPath(new URL('../fixtures/risk/', import.meta.url));

function readLabelledCells(name: string): { label: RiskLevel; body: string }[] {
  return readFileSync(`${dir}${name}`, 'utf8')
    .split(/^=== /m)
    .slice(1)
    .map((chunk) => {
      const [label, ...body] = chunk.split('\n');
      return { label: label!.trim() as RiskLevel, body: body.join('\n').trim() };
    });
}

function classify(body: string): RiskLevel {
  const notebook = parseRunbook(`# Real world\n\n\`\`\`bash\n${body}\n\`\`\`\n`, { path: 'realworld.md' });
  return notebook.cells[0]!.risk!.level;
}

for (const [file, minimum] of [['realworld.txt', 300], ['realworld-2.txt', 150]] as const) {
  describe(`real-world cells: ${file}`, () => {
    const cells = readLabelledCells(file);
    const results = cells.map((c) => ({ ...c, got: classify(c.body) }));
    const misses = (label: RiskLevel): string => JSON.stringify(results.filter((r) => r.label === label && r.got !== label).map((r) => `${r.got}: ${r.body}`), null, 1);
    const share = (label: RiskLevel): number => {
      const of = results.filter((r) => r.label === label);
      return of.filter((r) => r.got === label).length / of.length;
    };
    it(`has at least ${minimum} labelled cells, with every label`, () => {
      expect(cells.length).toBeGreaterThanOrEqual(minimum);
      for (const label of ['read', 'write', 'destructive'] as const) expect(cells.filter((c) => c.label === label).length).toBeGreaterThanOrEqual(25);
      for (const c of cells) expect(['read', 'write', 'destructive']).toContain(c.label);
    });
    it('never classifies a write or destructive cell read', () => {
      expect(results.filter((r) => r.label !== 'read' && r.got === 'read').map((r) => `${r.label}: ${r.body}`)).toEqual([]);
    });
    it('classifies at least 90% of the destructive cells destructive', () => {
      expect(share('destructive'), misses('destructive')).toBeGreaterThanOrEqual(0.9);
    });
    it('classifies at least 85% of the read cells read', () => {
      expect(share('read'), misses('read')).toBeGreaterThanOrEqual(0.85);
    });
  });
}
