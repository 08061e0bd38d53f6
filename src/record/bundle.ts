// The evidence bundle on disk: a fresh directory per run, its journal, logs, record and reports,
// with every byte passing through the redactor first.
import { mkdir, open } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep, dirname } from 'node:path';
import { isRunproofError, RunproofError } from '../core/index.js';
import { journalChainStart, journalLineHash, JournalWriter, SYNCED_EVENT_TYPES } from './journal.js';
import { ensureRealDir } from './safe-dir.js';
import { formatBundleTimestamp, validateEvidenceName } from './names.js';
import { createOutputCapture, DEFAULT_INLINE_LIMIT, type OutputCapture } from './output.js';
import type { Redactor } from './redact.js';
import { JournalEventSchema, RunRecordSchema, type JournalEventInput, type RunRecord } from './types.js';
import { writeAtomic, writeFailed } from './write-atomic.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const LOGS_DIR = 'logs';
const MAX_SAME_SECOND = 1000;

/** Options of `openBundle`. */
export interface OpenBundleOptions {
  /** The evidence folder (created when missing); the bundle is a new directory inside it. */
  evidenceDir: string;
  /** `<name>` of the bundle; see `validateEvidenceName`. */
  name: string;
  /** The run's start, for the directory name (UTC). Defaults to now. */
  now?: Date;
  redactor: Redactor;
  /** Output larger than this (bytes) is inline as head and tail only. Default 64 KiB. */
  inlineLimit?: number;
  /** Cap of `OutputCapture.text()` in characters. Default 8 MiB. */
  textLimit?: number;
}

/** One run's evidence bundle being written. */
export interface Bundle {
  /** Absolute path of the bundle directory. */
  readonly dir: string;
  /** `<name>_<YYYYMMDD_HHMMSS>` or, when taken, `..._2`, `..._3`: also the record's file name. */
  readonly baseName: string;
  readonly evidenceName: string;
  readonly journalPath: string;
  readonly redactor: Redactor;
  /** Appends one event to journal.jsonl (numbered, timestamped, redacted, validated). */
  append(event: JournalEventInput): Promise<void>;
  /**
   * Captures one stream of one attempt into `logs/<stepId>.<attempt>.<stream>.log`. With
   * `keepText` false, `text()` holds no more than the inline output (nothing else reads it).
   */
  captureOutput(stepId: string, attempt: number, stream: 'stdout' | 'stderr', onText?: (text: string) => void, keepText?: boolean): OutputCapture;
  /** The path `captureOutput` uses, relative to the bundle. */
  logPathFor(stepId: string, attempt: number, stream: 'stdout' | 'stderr'): string;
  /** Validates, redacts and writes `<baseName>.json` (atomically); returns its path. */
  writeRecord(record: RunRecord): Promise<string>;
  /**
   * Writes a file inside the bundle (text is redacted); returns its absolute path. `rendered`:
   * the text is markup rendered from redacted data (the reports) and is written as it is, since
   * text rules run over markup would cut through its tags (SECURITY J1).
   */
  writeFile(relPath: string, content: string | Buffer, options?: { rendered?: boolean }): Promise<string>;
  /** Flushes and closes the journal. */
  close(): Promise<void>;
}

// Log files are named by step id; ids are `c7`, but anything unsafe for a file name is replaced.
function safeSegment(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
}

// Creates `<base>`, `<base>_2`, `<base>_3`... without `recursive`, so EEXIST means taken.
async function createUniqueDir(parent: string, base: string): Promise<string> {
  for (let n = 1; n <= MAX_SAME_SECOND; n++) {
    const name = n === 1 ? base : `${base}_${n}`;
    try {
      await mkdir(join(parent, name));
      return name;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailed(`bundle directory ${join(parent, name)}`, err);
    }
  }
  throw new RunproofError('RP_EVIDENCE_WRITE_FAILED', `more than ${MAX_SAME_SECOND} bundles named ${base} exist`, {
    hint: 'choose another --evidence-name',
  });
}

async function syncDir(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems cannot fsync a directory; the files themselves are synced.
  }
}

class BundleImpl implements Bundle {
  private seq = 0;
  /** The `prev` of the next journal line (undefined: the chain's start). */
  private prevHash: string | undefined;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly baseName: string,
    readonly evidenceName: string,
    readonly redactor: Redactor,
    private readonly journal: JournalWriter,
    private readonly inlineLimit: number,
    private readonly textLimit: number | undefined,
  ) {}

  get journalPath(): string {
    return this.journal.path;
  }

  async append(input: JournalEventInput): Promise<void> {
    const event = { ...input, seq: ++this.seq, at: input.at ?? new Date().toISOString() };
    const parsed = JournalEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new RunproofError('RP_BAD_RECORD', `journal event ${input.type} is invalid: ${describeIssues(parsed.error.issues)}`, {
        hint: 'this is a bug in the stage that produced the event',
      });
    }
    // The hash chain (journal.ts): `prev` is added after redaction, so it is the hash of the bytes as written.
    const line = JSON.stringify({ ...(this.redactor.redactValue(parsed.data) as object), prev: this.prevHash ?? journalChainStart(this.baseName) });
    try {
      // Set before the await: the line is written synchronously, so concurrent appends chain in write order.
      this.prevHash = journalLineHash(line);
      await this.journal.append(line, SYNCED_EVENT_TYPES.has(input.type));
    } catch (err) {
      throw isRunproofError(err) ? err : writeFailed(this.journal.path, err);
    }
  }

  logPathFor(stepId: string, attempt: number, stream: 'stdout' | 'stderr'): string {
    return `${LOGS_DIR}/${safeSegment(stepId)}.${attempt}.${stream}.log`;
  }

  captureOutput(stepId: string, attempt: number, stream: 'stdout' | 'stderr', onText?: (text: string) => void, keepText = true): OutputCapture {
    const rel = this.logPathFor(stepId, attempt, stream);
    try {
      return createOutputCapture({
        logPath: join(this.dir, rel),
        logRelPath: rel,
        redaction: this.redactor.stream(),
        inlineLimit: this.inlineLimit,
        // A text limit of 0 is raised to the inline limit: the inline output is made from it.
        ...(!keepText ? { textLimit: 0 } : this.textLimit === undefined ? {} : { textLimit: this.textLimit }),
        ...(onText ? { onText } : {}),
      });
    } catch (err) {
      throw writeFailed(join(this.dir, rel), err);
    }
  }

  async writeRecord(record: RunRecord): Promise<string> {
    const parsed = RunRecordSchema.safeParse(record);
    if (!parsed.success) {
      throw new RunproofError('RP_BAD_RECORD', `run record is invalid: ${describeIssues(parsed.error.issues)}`, {
        hint: 'this is a bug in the stage that built the record',
      });
    }
    const text = `${JSON.stringify(this.redactor.redactValue(parsed.data), null, 2)}\n`;
    const path = join(this.dir, `${this.baseName}.json`);
    await writeAtomic(path, text);
    return path;
  }

  async writeFile(relPath: string, content: string | Buffer, options: { rendered?: boolean } = {}): Promise<string> {
    const path = resolve(this.dir, relPath);
    const rel = relative(this.dir, path);
    if (isAbsolute(relPath) || rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new RunproofError('RP_EVIDENCE_WRITE_FAILED', `refusing to write ${JSON.stringify(relPath)}: outside the bundle`, {
        hint: 'pass a path relative to the bundle directory, e.g. report.md',
      });
    }
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (err) {
      throw writeFailed(path, err);
    }
    await writeAtomic(path, typeof content === 'string' && !options.rendered ? this.redactor.redact(content) : content);
    return path;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.journal.close();
    } catch (err) {
      throw writeFailed(this.journal.path, err);
    }
    await syncDir(this.dir);
  }
}

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return shown.join('; ') + (issues.length > 5 ? ` (and ${issues.length - 5} more)` : '');
}

/**
 * Creates a new bundle directory `<evidenceDir>/<name>_<YYYYMMDD_HHMMSS>` (UTC; `_2`, `_3`...
 * when taken, never overwriting) with `logs/` and an empty `journal.jsonl`.
 * @example const bundle = await openBundle({ evidenceDir: 'evidence', name: 'daily', redactor: createRedactor([]) });
 */
export async function openBundle(options: OpenBundleOptions): Promise<Bundle> {
  const name = validateEvidenceName(options.name);
  const evidenceDir = await ensureRealDir(options.evidenceDir, 'evidence folder');
  const baseName = await createUniqueDir(evidenceDir, `${name}_${formatBundleTimestamp(options.now ?? new Date())}`);
  const dir = join(evidenceDir, baseName);
  let journal: JournalWriter;
  try {
    await mkdir(join(dir, LOGS_DIR));
    journal = await JournalWriter.create(join(dir, JOURNAL_FILE));
  } catch (err) {
    throw writeFailed(dir, err);
  }
  await syncDir(dir);
  await syncDir(evidenceDir);
  return new BundleImpl(dir, baseName, name, options.redactor, journal, options.inlineLimit ?? DEFAULT_INLINE_LIMIT, options.textLimit);
}
