import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/parse/index.js';
import type { RiskLevel } from '../../src/parse/types.js';

// A labelled corpus of multi-line cells in the style of public runbooks; each cell goes through the
// whole parse (so the notebook pass and pasted-output rule apply), one runbook per cell.
const text = readFileSync(fileURLToPath(new URL('../fixtures/risk/corpus.txt', import.meta.url)), 'utf8');
const cells = text
  .split(/^=== /m)
  .slice(1)
  .map((chunk) => {
    const [label, ...body] = chunk.split('\n');
    return { label: label!.trim() as RiskLevel, body: body.join('\n').trim() };
  });

function classify(body: string): RiskLevel {
  const notebook = parseRunbook(`# Corpus\n\n\`\`\`bash\n${body}\n\`\`\`\n`, { path: 'corpus.md' });
  return notebook.cells[0]!.risk!.level;
}

describe('labelled runbook corpus', () => {
  const results = cells.map((c) => ({ ...c, got: classify(c.body) }));
  const share = (label: RiskLevel): number => {
    const of = results.filter((r) => r.label === label);
    return of.filter((r) => r.got === label).length / of.length;
  };
  it('has cells of every label', () => {
    for (const label of ['read', 'write', 'destructive'] as const) expect(results.filter((r) => r.label === label).length).toBeGreaterThanOrEqual(10);
  });
  it('never calls a write or destructive cell read', () => {
    expect(results.filter((r) => r.label !== 'read' && r.got === 'read').map((r) => r.body)).toEqual([]);
  });
  it('classifies at least 85% of the read cells read', () => {
    expect(share('read'), JSON.stringify(results.filter((r) => r.label === 'read' && r.got !== 'read').map((r) => r.body))).toBeGreaterThanOrEqual(0.85);
  });
  it('classifies at least 90% of the destructive cells destructive', () => {
    expect(share('destructive'), JSON.stringify(results.filter((r) => r.label === 'destructive' && r.got !== 'destructive').map((r) => r.body))).toBeGreaterThanOrEqual(0.9);
  });
});
