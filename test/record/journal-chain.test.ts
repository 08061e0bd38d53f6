// The journal's hash chain against every single-line attack on a real bundle's journal: edit,
// drop, insert, swap or replace of any line but the last is caught by the chain alone; the
// first line belongs to its bundle; old journals read as unchained.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJournalChain, journalChainStart } from '../../src/record/journal.js';
import { createRedactor, openBundle } from '../../src/record/index.js';

let dir: string;
let text: string;
let name: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-journal-chain-'));
  const bundle = await openBundle({ evidenceDir: dir, name: 'chain', redactor: createRedactor([]) });
  name = bundle.baseName;
  const at = '2026-01-22T10:15:00.000Z';
  // Concurrent appends must still chain in write order.
  await Promise.all(
    Array.from({ length: 8 }, (_, i) => bundle.append({ type: 'step-end', stepId: `c${i}`, status: 'passed', note: `step ${i}`, at })),
  );
  await bundle.append({ type: 'run-end', status: 'passed', endedAt: at, at });
  await bundle.close();
  text = readFileSync(bundle.journalPath, 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const linesOf = (t: string): string[] => t.slice(0, -1).split('\n');
const join1 = (lines: string[]): string => `${lines.join('\n')}\n`;

describe('checkJournalChain', () => {
  it('links every line written by a bundle, the first to the bundle name', () => {
    const result = checkJournalChain(text, name);
    expect(result).toEqual({ status: 'chained', lines: 9, problems: [] });
    expect(JSON.parse(linesOf(text)[0]!).prev).toBe(journalChainStart(name));
    expect(checkJournalChain(text, 'another_bundle').status).toBe('broken');
  });

  it('catches an edit, drop, duplicate, swap or foreign insert of any line that has a successor', () => {
    const lines = linesOf(text);
    for (let i = 0; i < lines.length - 1; i++) {
      const edited = [...lines];
      edited[i] = edited[i]!.replace(`step ${i}`, `step ${i}!`);
      expect(edited[i]).not.toBe(lines[i]);
      expect(checkJournalChain(join1(edited), name).status, `edit of line ${i + 1}`).toBe('broken');
      expect(checkJournalChain(join1(lines.filter((_, j) => j !== i)), name).status, `drop of line ${i + 1}`).toBe('broken');
      expect(checkJournalChain(join1([...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)]), name).status, `duplicate of line ${i + 1}`).toBe('broken');
      const swapped = [...lines];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      expect(checkJournalChain(join1(swapped), name).status, `swap of lines ${i + 1}, ${i + 2}`).toBe('broken');
      // A well-formed line with a valid-looking prev and seq (copied from the line it displaces) inserted before line i+1.
      const foreign = JSON.stringify({ ...JSON.parse(lines[i]!), note: 'inserted' });
      expect(checkJournalChain(join1([...lines.slice(0, i), foreign, ...lines.slice(i)]), name).status, `insert before line ${i + 1}`).toBe('broken');
    }
    // Dropping a line and renumbering seq still breaks the chain.
    const renumbered = lines.filter((_, j) => j !== 3).map((l, j) => JSON.stringify({ ...JSON.parse(l), seq: j + 1 }));
    expect(checkJournalChain(join1(renumbered), name).status).toBe('broken');
  });

  it('leaves out a torn last line, and reads an old journal without prev as unchained (seq still checked)', () => {
    const lines = linesOf(text);
    expect(checkJournalChain(`${text}{"seq":10,"at":"2026`, name)).toMatchObject({ status: 'chained', lines: 9 });
    const old = lines.map((l) => {
      const { prev: _prev, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    expect(checkJournalChain(join1(old), name)).toMatchObject({ status: 'unchained', problems: [] });
    expect(checkJournalChain(join1(old.filter((_, j) => j !== 2)), name).status).toBe('broken');
    // Stripping prev from one line of a chained journal is not "old": it is broken.
    const mixed = [...lines];
    mixed[4] = old[4]!;
    expect(checkJournalChain(join1(mixed), name).status).toBe('broken');
  });
});
