import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/record/index.js';
import { isRunproofError } from '../../src/core/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-journal-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// The child is a plain script over the built record stage (dist/ is built once before the suite).
const childScript = fileURLToPath(new URL('./fixtures/journal-child.mjs', import.meta.url));

// Starts the child, SIGKILLs it once `until` matches a stdout line; returns the journal path and the last ack.
function runAndKill(mode: string, until: (line: string) => boolean): Promise<{ journal: string; lastAck: number; signal: string | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [childScript, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let journal = '';
    let lastAck = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      buffered += b.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('journal ')) journal = line.slice(8);
        if (line.startsWith('ack ')) lastAck = Number(line.slice(4));
        if (until(line)) child.kill('SIGKILL');
      }
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') fail(new Error(`child ended with ${code}: ${stderr}`));
      else done({ journal, lastAck, signal });
    });
  });
}

describe('journal under SIGKILL', () => {
  it('keeps every event that had been appended and reports the torn last line', async () => {
    const { journal } = await runAndKill('torn', (line) => line === 'torn');
    const read = await readJournal(journal);
    expect(read.tornLastLine).toBe(true);
    expect(read.invalid).toEqual([]);
    expect(read.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(read.events.every((e) => e.type === 'step-end')).toBe(true);
  }, 30_000);

  it('loses nothing that had finished when killed in the middle of appending', async () => {
    const { journal, lastAck } = await runAndKill('busy', (line) => line === 'ack 61');
    expect(lastAck).toBeGreaterThanOrEqual(61);
    const read = await readJournal(journal);
    expect(read.invalid).toEqual([]);
    const seqs = read.events.map((e) => e.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(61);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  }, 30_000);
});

describe('readJournal', () => {
  it('lists invalid complete lines and keeps going', async () => {
    const p = join(dir, 'journal.jsonl');
    const ok = (seq: number): string => JSON.stringify({ seq, at: '2026-01-22T10:15:00.000Z', type: 'step-end', stepId: 'c1', status: 'passed' });
    writeFileSync(p, [ok(1), 'not json', JSON.stringify({ seq: 3, type: 'nonsense' }), ok(4), ''].join('\n'));
    const read = await readJournal(p);
    expect(read.events.map((e) => e.seq)).toEqual([1, 4]);
    expect(read.tornLastLine).toBe(false);
    expect(read.invalid.map((x) => x.line)).toEqual([2, 3]);
  });

  it('treats an unterminated but complete last line as an event, and an empty file as no events', async () => {
    const p = join(dir, 'journal.jsonl');
    writeFileSync(p, JSON.stringify({ seq: 1, at: '2026-01-22T10:15:00.000Z', type: 'run-end', status: 'aborted', endedAt: '2026-01-22T10:15:00.000Z' }));
    expect((await readJournal(p)).events).toHaveLength(1);
    writeFileSync(p, '');
    expect(await readJournal(p)).toMatchObject({ events: [], tornLastLine: false, invalid: [] });
  });

  it('throws RP_BAD_BUNDLE for a missing journal', async () => {
    await expect(readJournal(join(dir, 'nope.jsonl'))).rejects.toSatisfy((e: unknown) => isRunproofError(e) && e.code === 'RP_BAD_BUNDLE');
  });
});
