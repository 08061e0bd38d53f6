import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyRisk } from '../../src/parse/risk.js';
import type { RiskLevel } from '../../src/parse/types.js';

// Fixture tables (STYLE rule 15): one shell cell per line (`␤` is a newline), one test per line.
// read.txt must classify `read`; write.txt `write` or `destructive`; destructive.txt `destructive`.
const dir = fileURLToPath(new URL('../fixtures/risk/', import.meta.url));

function table(name: string): { line: number; cell: string }[] {
  return readFileSync(`${dir}${name}`, 'utf8')
    .split('\n')
    .map((text, i) => ({ line: i + 1, cell: text.replace(/␤/g, '\n') }))
    .filter(({ cell }) => cell.trim() !== '' && !cell.startsWith('#'));
}

const TABLES: [string, RiskLevel[], number][] = [
  ['read.txt', ['read'], 150],
  ['write.txt', ['write', 'destructive'], 150],
  ['destructive.txt', ['destructive'], 100],
];

for (const [name, allowed, minimum] of TABLES) {
  describe(`risk fixtures: ${name}`, () => {
    const rows = table(name);
    it(`has at least ${minimum} forms`, () => {
      expect(rows.length).toBeGreaterThanOrEqual(minimum);
    });
    for (const { line, cell } of rows) {
      it(`${name}:${line} ${cell.replace(/\n/g, ' ⏎ ')}`, () => {
        const finding = classifyRisk('shell', cell);
        expect(allowed, finding.reason).toContain(finding.level);
      });
    }
  });
}
