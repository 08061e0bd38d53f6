// Captures one stream of one attempt: redacts as it goes, streams everything to a log file,
// hashes incrementally and keeps only a bounded head, tail and text for checks in memory.
import { createHash, type Hash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync, renameSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { RunproofError } from '../core/index.js';
import type { RedactionStream } from './redact.js';
import type { Output } from './types.js';

/** The default inline limit: output larger than this is kept inline as head and tail only. */
export const DEFAULT_INLINE_LIMIT = 64 * 1024;
/** The default cap of `OutputCapture.text()`: checks see at most this many characters. */
export const DEFAULT_TEXT_LIMIT = 8 * 1024 * 1024;
const WRITE_BATCH = 256 * 1024;

/** One stream of one attempt being captured into the bundle. */
export interface OutputCapture {
  /**
   * Redacts (across chunk boundaries), appends to the log file, updates hash, head and tail.
   * A Buffer chunk may be kept (not copied) until the capture ends: it must not change after.
   */
  write(chunk: Buffer | string): void;
  /** The redacted text so far, for checks; only the first `textLimit` characters. */
  text(): string;
  /** True when `text()` holds only the beginning of the output. */
  readonly textTruncated: boolean;
  /**
   * True when `end()` found a secret learned while the output was written in text emitted before
   * (a value born in the cell, printed before it was known) and redacted the whole output again:
   * the log, hash, inline text and `text()` hide it, though the live view may have shown it.
   */
  readonly redactedAgain: boolean;
  /**
   * Flushes and closes; returns the record's Output entry (no log file is left when small).
   * Rejects with RP_DISK_FULL / RP_EVIDENCE_WRITE_FAILED when the log could not be written.
   */
  end(): Promise<Output>;
}

export interface OutputCaptureOptions {
  /** Absolute path of the log file. */
  logPath: string;
  /** The log's path relative to the bundle, as recorded in `Output.logFile`. */
  logRelPath: string;
  redaction: RedactionStream;
  inlineLimit?: number;
  textLimit?: number;
  /** Receives each piece of redacted text as it is emitted: the live terminal view reuses the capture's redaction. */
  onText?: (text: string) => void;
}

// Writes are synchronous on purpose: the caller's write() has no backpressure, so an async
// stream would buffer a fast producer's output in memory; a blocking write keeps memory flat.
class Capture implements OutputCapture {
  private readonly decoder = new StringDecoder('utf8');
  private hash: Hash = createHash('sha256');
  /** The log's descriptor: null until the first batch needs writing (most outputs never do). */
  private fd: number | null = null;
  private opened = false;
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private size = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private textParts: string[] = [];
  private textSize = 0;
  textTruncated = false;
  redactedAgain = false;
  private ended: Promise<Output> | null = null;
  private failure: unknown = null;
  /** The redactor's generation when this capture began: a later one means text may hold a value learned since. */
  private readonly generation: number;
  /** True while the output is redacted again at the end: nothing goes to the live view. */
  private replaying = false;

  constructor(private readonly opts: Required<Omit<OutputCaptureOptions, 'onText'>> & Pick<OutputCaptureOptions, 'onText'>) {
    this.headLimit = Math.floor(opts.inlineLimit / 2);
    this.tailLimit = opts.inlineLimit - this.headLimit;
    this.generation = opts.redaction.generation;
  }

  write(chunk: Buffer | string): void {
    if (this.ended) throw new Error(`output ${this.opts.logRelPath} written after end()`);
    const redaction = this.opts.redaction;
    // Fast path: a chunk of whole, valid UTF-8 characters is exactly the UTF-8 of its text. When
    // redaction hides nothing, what it emits is the held text's bytes plus a prefix of the chunk:
    // those bytes are hashed and written as they came, not encoded again from the text.
    if (typeof chunk !== 'string' && this.decoderIdle() && isUtf8(chunk)) {
      const before = redaction.held;
      const out = redaction.push(chunk.toString('utf8'));
      if (redaction.changed || out.length === 0) {
        this.emit(out);
        return;
      }
      const beforeBytes = before.length === 0 ? null : Buffer.from(before, 'utf8');
      const beforeSize = beforeBytes?.length ?? 0;
      const emitted = beforeSize + chunk.length - Buffer.byteLength(redaction.held, 'utf8');
      if (emitted <= beforeSize) this.emit(out, [beforeBytes!.subarray(0, emitted)]);
      else this.emit(out, beforeBytes ? [beforeBytes, chunk.subarray(0, emitted - beforeSize)] : [chunk.subarray(0, emitted)]);
      return;
    }
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.emit(redaction.push(text));
  }

  // Whether the decoder holds no part of a character from an earlier chunk.
  private decoderIdle(): boolean {
    return (this.decoder as unknown as { lastNeed?: number }).lastNeed === 0;
  }

  // Takes redacted text, and the UTF-8 of exactly that text when the caller has it: counts,
  // hashes, keeps head/tail/text and queues it for the log.
  private emit(text: string, pieces?: Buffer[]): void {
    if (text.length === 0) return;
    if (!this.replaying) this.opts.onText?.(text);
    this.keepText(text);
    for (const bytes of pieces ?? [Buffer.from(text, 'utf8')]) {
      if (bytes.length === 0) continue;
      this.size += bytes.length;
      this.hash.update(bytes);
      if (this.headSize < this.headLimit) {
        const take = bytes.subarray(0, this.headLimit - this.headSize);
        this.head.push(take);
        this.headSize += take.length;
      }
      this.tail.push(bytes);
      this.tailSize += bytes.length;
      // Whole pieces before the last tailLimit bytes are dropped; nothing is copied until end().
      while (this.tail.length > 1 && this.tailSize - this.tail[0]!.length >= this.tailLimit) this.tailSize -= this.tail.shift()!.length;
      this.pending.push(bytes);
      this.pendingSize += bytes.length;
    }
    if (this.pendingSize >= WRITE_BATCH) this.flushPending();
  }

  private keepText(text: string): void {
    if (this.textTruncated) return;
    const room = this.opts.textLimit - this.textSize;
    if (text.length > room) {
      this.textParts.push(text.slice(0, room));
      this.textSize += room;
      this.textTruncated = true;
    } else {
      this.textParts.push(text);
      this.textSize += text.length;
    }
  }

  // A failed write (disk full) must not throw into the producer's data handler: the capture
  // stops writing, keeps counting, and end() reports the failure. The log is created (exclusively)
  // by the first write: output that stays inline never touches the disk.
  private flushPending(): void {
    if (this.pendingSize === 0) return;
    const pieces = this.pending;
    const total = this.pendingSize;
    this.pending = [];
    this.pendingSize = 0;
    if (!this.opened) {
      this.opened = true;
      try {
        this.fd = openSync(this.opts.logPath, 'wx');
      } catch (err) {
        this.failure = err;
      }
    }
    if (this.fd === null) return;
    try {
      // One gathered write of the queued pieces; a short write finishes with the rest joined.
      const written = writevSync(this.fd, pieces);
      if (written < total) {
        const data = Buffer.concat(pieces).subarray(written);
        let off = 0;
        while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
      }
    } catch (err) {
      this.failure = err;
      try {
        closeSync(this.fd);
      } catch {
        // already failing; the first error is the one reported
      }
      this.fd = null;
    }
  }

  // A secret was learned while this output was written (SECURITY L2): what was emitted before may
  // hold it. Everything emitted (the log so far and what is pending) goes through redaction
  // again, into a new log that replaces the old one; size, hash, head, tail and text are
  // counted again. Redacting twice changes nothing else: `[REDACTED:X]` markers are kept.
  private redactAgain(): void {
    const before = this.hash.copy().digest('hex');
    let source: number | null = null;
    let pending: Buffer[] = this.pending;
    const temp = `${this.opts.logPath}.redacting`;
    if (this.opened) {
      this.flushPending();
      if (this.fd === null) return; // the write failed: end() reports it
      closeSync(this.fd);
      this.fd = null;
      source = openSync(this.opts.logPath, 'r');
      pending = [];
      try {
        this.fd = openSync(temp, 'wx');
      } catch {
        unlinkSync(temp); // not ours: a leftover or a planted link (unlink does not follow it)
        this.fd = openSync(temp, 'wx');
      }
    }
    this.hash = createHash('sha256');
    this.size = 0;
    this.head = [];
    this.headSize = 0;
    this.tail = [];
    this.tailSize = 0;
    this.textParts = [];
    this.textSize = 0;
    this.textTruncated = false;
    this.pending = [];
    this.pendingSize = 0;
    this.replaying = true;
    const decoder = new StringDecoder('utf8');
    try {
      const feed = (bytes: Buffer): void => this.emit(this.opts.redaction.push(decoder.write(bytes)));
      if (source !== null) {
        const buf = Buffer.alloc(1024 * 1024);
        for (let n = readSync(source, buf); n > 0; n = readSync(source, buf)) feed(buf.subarray(0, n));
      }
      for (const bytes of pending) feed(bytes);
      this.emit(this.opts.redaction.push(decoder.end()));
      this.emit(this.opts.redaction.flush());
      if (source !== null) this.flushPending();
    } finally {
      this.replaying = false;
      if (source !== null) closeSync(source);
    }
    if (source !== null && this.fd !== null && this.failure === null) {
      closeSync(this.fd);
      this.fd = null;
      renameSync(temp, this.opts.logPath);
    }
    // Only a change is news: a value learned before it was printed was hidden the first time.
    this.redactedAgain = this.hash.copy().digest('hex') !== before;
  }

  text(): string {
    if (this.textParts.length > 1) this.textParts = [this.textParts.join('')];
    return this.textParts[0] ?? '';
  }

  end(): Promise<Output> {
    this.ended ??= Promise.resolve().then(() => this.finish());
    return this.ended;
  }

  private finish(): Output {
    this.emit(this.opts.redaction.push(this.decoder.end()));
    this.emit(this.opts.redaction.flush());
    if (this.opts.redaction.generation !== this.generation && this.failure === null) this.redactAgain();
    const truncated = this.size > this.opts.inlineLimit;
    // Small output that never reached a full batch stays in memory only: no log file at all.
    if (truncated || this.opened) this.flushPending();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.failure !== null) {
      const code = (this.failure as NodeJS.ErrnoException).code;
      throw new RunproofError(
        code === 'ENOSPC' || code === 'EDQUOT' ? 'RP_DISK_FULL' : 'RP_EVIDENCE_WRITE_FAILED',
        `cannot write ${this.opts.logRelPath}: ${(this.failure as Error).message}`,
        { hint: 'free disk space or choose another --evidence-dir', cause: this.failure },
      );
    }
    const sha256 = this.hash.digest('hex');
    if (!truncated) {
      // Only when an inline limit above the write batch let a batch reach the disk first.
      if (this.opened) unlinkSync(this.opts.logPath);
      // size <= inlineLimit <= textLimit: text() holds all of it.
      return { inline: this.text(), size: this.size, sha256, truncated, encoding: 'utf8' };
    }
    const head = Buffer.concat(this.head);
    const tailAll = Buffer.concat(this.tail);
    const tail = tailAll.subarray(Math.max(0, tailAll.length - this.tailLimit));
    const omitted = this.size - head.length - tail.length;
    const inline =
      utf8Head(head) +
      `\n… [${omitted} bytes omitted; full output (${this.size} bytes) in ${this.opts.logRelPath}] …\n` +
      utf8Tail(tail);
    return { inline, size: this.size, sha256, truncated, logFile: this.opts.logRelPath, encoding: 'utf8' };
  }
}

// The head cut at a byte limit may end inside a character: drop the partial sequence.
function utf8Head(buf: Buffer): string {
  let end = buf.length;
  let i = end - 1;
  while (i >= 0 && i > end - 4 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i >= 0) {
    const lead = buf[i]!;
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (end - i < need) end = i;
  }
  return buf.subarray(0, end).toString('utf8');
}

// The tail cut may start inside a character: skip its continuation bytes.
function utf8Tail(buf: Buffer): string {
  let start = 0;
  while (start < buf.length && start < 3 && (buf[start]! & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString('utf8');
}

/**
 * Starts capturing one stream into `logPath`, created exclusively by the first write that needs
 * it: output within the inline limit never creates it. A log that cannot be created (it exists,
 * the disk is full) makes `end()` reject, as a failed write does.
 */
export function createOutputCapture(options: OutputCaptureOptions): OutputCapture {
  const inlineLimit = options.inlineLimit ?? DEFAULT_INLINE_LIMIT;
  const textLimit = Math.max(options.textLimit ?? DEFAULT_TEXT_LIMIT, inlineLimit);
  return new Capture({ ...options, inlineLimit, textLimit });
}
