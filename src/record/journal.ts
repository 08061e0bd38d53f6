// journal.jsonl: one event per line, appended in order, fsynced at the points that must
// survive a SIGKILL or power cut, and read back tolerantly (the last line may be torn).
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { RunproofError } from '../core/errors.js';
import { JournalEventSchema, type JournalEvent, type JournalEventType } from './types.js';

/** Event types after which the journal is fsynced: what had finished survives a crash. */
export const SYNCED_EVENT_TYPES: ReadonlySet<JournalEventType> = new Set(['attempt-end', 'step-end', 'run-end']);

// Serialises appends: callers may fire events without awaiting, lines must stay whole and ordered.
export class JournalWriter {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates the journal file (exclusively) and returns its writer. */
  static async create(path: string): Promise<JournalWriter> {
    const handle = await open(path, 'wx');
    return new JournalWriter(path, handle);
  }

  /** Appends one serialized line; with `sync`, resolves only once it is on disk. */
  append(line: string, sync: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new RunproofError('RP_INTERNAL', `journal ${this.path} appended after close`));
    const next = this.chain.then(async () => {
      await this.handle.appendFile(`${line}\n`, 'utf8');
      if (sync) await this.handle.sync();
    });
    // A failed write must not wedge later appends; the caller of this one sees the error.
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.handle.sync();
    await this.handle.close();
  }
}

/** What `readJournal` found: valid events in order, and what it had to leave out. */
export interface JournalReadResult {
  events: JournalEvent[];
  /** The last line was cut short (no newline and not valid JSON): the writer died mid-line. */
  tornLastLine: boolean;
  /** Complete lines that were not valid events, by 1-based line number. */
  invalid: Array<{ line: number; error: string }>;
}

/**
 * Reads a journal back, tolerating a torn last line (reported) and skipping invalid lines
 * (listed), for `recover` and `evidence show`.
 * @example const { events, tornLastLine } = await readJournal('evidence/x_20260122_101500/journal.jsonl');
 */
export async function readJournal(path: string): Promise<JournalReadResult> {
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
  const result: JournalReadResult = { events: [], tornLastLine: false, invalid: [] };
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
