// The journal writer: lines are written at once (a SIGKILL loses none), synced appends resolve
// after fsync, the others are fsynced soon after; close() waits for a deferred fsync.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/errors.js';
import { JournalWriter, SOON_SYNC_MS, SYNCED_EVENT_TYPES } from '../../src/record/journal.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-journal-sync-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('JournalWriter', () => {
  it('writes each line before its append resolves, synced or not, in order', async () => {
    const journal = await JournalWriter.create(join(dir, 'journal.jsonl'));
    const pending = [journal.append('{"seq":1}', false), journal.append('{"seq":2}', false)];
    // Not awaited yet: the lines are already in the file.
    expect(readFileSync(journal.path, 'utf8')).toBe('{"seq":1}\n{"seq":2}\n');
    await Promise.all(pending);
    await journal.append('{"seq":3}', true);
    expect(readFileSync(journal.path, 'utf8')).toBe('{"seq":1}\n{"seq":2}\n{"seq":3}\n');
    await journal.close();
  });

  it('runs the deferred fsync, then closes; appends after close are refused', async () => {
    const journal = await JournalWriter.create(join(dir, 'journal.jsonl'));
    await journal.append(`{"text":"${'é'.repeat(5000)}"}`, false);
    await new Promise((resolve) => setTimeout(resolve, SOON_SYNC_MS + 50));
    await journal.append('{"seq":2}', false);
    await journal.close();
    await journal.close();
    expect(readFileSync(journal.path, 'utf8').split('\n')).toHaveLength(3);
    await expect(journal.append('{"seq":3}', true)).rejects.toSatisfy((e: unknown) => isRunproofError(e) && e.code === 'RP_INTERNAL');
  });

  it('refuses to create a journal that exists', async () => {
    await JournalWriter.create(join(dir, 'journal.jsonl')).then((j) => j.close());
    await expect(JournalWriter.create(join(dir, 'journal.jsonl'))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('fsyncs before resolving at the end of a step and of the run', () => {
    expect([...SYNCED_EVENT_TYPES].sort()).toEqual(['run-end', 'step-end']);
  });
});
