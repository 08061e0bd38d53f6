// journal.jsonl: one event per line, appended in order, fsynced at the points that must
// survive a power cut (a SIGKILL loses nothing written), and read back tolerantly (the last
// line may be torn).
import { closeSync, fsync, fsyncSync, openSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { RunproofError } from '../core/index.js';
import { JournalEventSchema, type JournalEvent, type JournalEventType } from './types.js';

/**
 * Event types whose append resolves only once the journal is on disk (fsync): a finished step
 * (its step-end) and the run's end survive a power cut. Every other event is on disk at most
 * SOON_SYNC_MS later (see JournalWriter.append): an attempt-end followed at once by its step-end
 * costs one fsync, not two. A SIGKILL loses nothing written either way.
 */
export const SYNCED_EVENT_TYPES: ReadonlySet<JournalEventType> = new Set(['step-end', 'run-end']);

/** The longest an appended line waits for its fsync when no synced append comes first. */
export const SOON_SYNC_MS = 200;

// Writes are synchronous (one writeSync per line): lines stay whole and in order without a
// promise chain, and no thread-pool round trip is paid per event.
export class JournalWriter {
  private closed = false;
  /** Bytes written since the last fsync started. */
  private dirty = false;
  private soonTimer: NodeJS.Timeout | null = null;
  /** A deferred fsync running in the thread pool; close() waits for it. */
  private syncing: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  /** Creates the journal file (exclusively) and returns its writer. */
  static async create(path: string): Promise<JournalWriter> {
    return new JournalWriter(path, openSync(path, 'wx'));
  }

  /**
   * Appends one serialized line. With `sync`, resolves only once it is on disk; without, it is
   * written at once and fsynced within SOON_SYNC_MS (sooner when a synced append follows).
   */
  append(line: string, sync: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new RunproofError('RP_INTERNAL', `journal ${this.path} appended after close`));
    try {
      const data = Buffer.from(`${line}\n`, 'utf8');
      let off = 0;
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
      this.dirty = true;
      if (sync) {
        this.cancelSoon();
        this.dirty = false;
        fsyncSync(this.fd);
      } else {
        this.soonTimer ??= setTimeout(() => this.syncNow(), SOON_SYNC_MS).unref();
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve();
  }

  private cancelSoon(): void {
    if (this.soonTimer === null) return;
    clearTimeout(this.soonTimer);
    this.soonTimer = null;
  }

  // The deferred fsync, in the thread pool so the caller goes on. A failure is not reported
  // here: the next synced append or close() fsyncs again and reports it to its caller.
  private syncNow(): void {
    this.soonTimer = null;
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    const current: Promise<void> = (this.syncing ?? Promise.resolve()).then(
      () =>
        new Promise<void>((resolve) => {
          fsync(this.fd, (err) => {
            if (err) this.dirty = true;
            resolve();
          });
        }),
    );
    this.syncing = current;
    void current.then(() => {
      if (this.syncing === current) this.syncing = null;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelSoon();
    if (this.syncing) await this.syncing;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }
}

/** What `readJournal` found: valid events in order, and what it had to leave out. */
export interface JournalReadResult {
  events: JournalEvent[];
  /** The last line was cut short (no newline and not valid JSON): the writer died mid-line. */
  tornLastLine: boolean;
  /** Complete lines that were not valid events, by 1-based line number. */
  invalid: Array<{ line: number; error: string }>;
  /** The hash chain of the lines (`prev`): see `checkJournalChain`. */
  chain: JournalChainCheck;
}

// ---------------------------------------------------------------------------------------------
// The journal's hash chain: every line carries `prev`, the SHA-256 of the previous line's bytes
// (without its newline); the first line's `prev` is `journalChainStart(bundle name)`. An edited,
// dropped, reordered or inserted line breaks the link of the line after it; `seq` must count
// 1, 2, 3… so a dropped line is named. The last line has no successor: an edit of it alone is
// caught by the manifest (sealed bundles), not by the chain.

/** SHA-256 (hex) of bytes or UTF-8 text. */
function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The `prev` of a journal's first line: SHA-256 of `runproof-journal:` and the bundle's name (its run id). */
export function journalChainStart(bundleName: string): string {
  return sha256(`runproof-journal:${bundleName}`);
}

/** The `prev` of the line after `line` (the serialized line, without newline). */
export function journalLineHash(line: string): string {
  return sha256(line);
}

/** What checking a journal's hash chain found. */
export interface JournalChainCheck {
  /** `chained`: every line links; `unchained`: an old journal without `prev`; `broken`: see problems. */
  status: 'chained' | 'unchained' | 'broken';
  /** Lines checked (complete lines; a torn last line is not). */
  lines: number;
  problems: Array<{ line: number; message: string }>;
}

/**
 * Checks the hash chain and the `seq` numbering of a journal's text. A torn last line (no
 * newline, not JSON) is left out, as `readJournal` leaves it out.
 * @example checkJournalChain(await readFile('evidence/x/journal.jsonl', 'utf8'), 'x')
 */
export function checkJournalChain(text: string, bundleName: string): JournalChainCheck {
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();
  const problems: JournalChainCheck['problems'] = [];
  let expectedPrev = journalChainStart(bundleName);
  let expectedSeq = 1;
  let withPrev = 0;
  let without = 0;
  let checked = 0;
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    let value: { prev?: unknown; seq?: unknown } | null = null;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) value = parsed as { prev?: unknown; seq?: unknown };
    } catch {
      if (i === lines.length - 1 && !endsWithNewline) break; // torn last line: the writer died mid-line
    }
    checked++;
    if (value === null) {
      problems.push({ line: n, message: 'not a JSON object' });
    } else {
      if (value.prev === undefined) without++;
      else {
        withPrev++;
        if (value.prev !== expectedPrev) {
          problems.push({ line: n, message: n === 1 ? `prev ${String(value.prev)} is not the start of this bundle's journal (${expectedPrev})` : `prev ${String(value.prev)} is not the hash of line ${n - 1} (${expectedPrev}): a line before it was edited, dropped or inserted` });
        }
      }
      if (value.seq !== expectedSeq) problems.push({ line: n, message: `seq ${String(value.seq)}, expected ${expectedSeq}${typeof value.seq === 'number' && value.seq > expectedSeq ? `: ${value.seq - expectedSeq} line(s) missing before it` : ''}` });
      if (typeof value.seq === 'number') expectedSeq = value.seq + 1;
      else expectedSeq++;
    }
    expectedPrev = journalLineHash(line);
  }
  if (withPrev > 0 && without > 0) problems.push({ line: 0, message: `${without} line(s) without prev in a chained journal` });
  const status = problems.length > 0 ? 'broken' : withPrev === 0 && checked > 0 ? 'unchained' : 'chained';
  // An old journal without any prev has only its seq numbering checked.
  return { status, lines: checked, problems };
}

/**
 * Reads a journal back, tolerating a torn last line (reported) and skipping invalid lines
 * (listed), for `recover` and `evidence show`.
 * @example const { events, tornLastLine } = await readJournal('evidence/x_20260122_101500/journal.jsonl');
 */
export async function readJournal(path: string, bundleName?: string): Promise<JournalReadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new RunproofError('RP_BAD_BUNDLE', `cannot read journal ${path}`, {
      hint: 'a bundle holds journal.jsonl beside its record',
      file: path,
      cause,
    });
  }
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();
  const result: JournalReadResult = { events: [], tornLastLine: false, invalid: [], chain: checkJournalChain(text, bundleName ?? basename(dirname(path))) };
  lines.forEach((line, i) => {
    const isLast = i === lines.length - 1;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      if (isLast && !endsWithNewline) result.tornLastLine = true;
      else result.invalid.push({ line: i + 1, error: `not JSON: ${(err as Error).message}` });
      return;
    }
    const parsed = JournalEventSchema.safeParse(value);
    if (parsed.success) result.events.push(parsed.data);
    else result.invalid.push({ line: i + 1, error: parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ') });
  });
  return result;
}
