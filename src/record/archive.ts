// `--archive tgz|zip`: the whole sealed bundle as one archive beside it (written with archiver),
// and a reader that hashes every entry in one pass without extracting anything, refusing entries
// that could escape a folder (absolute paths, `..`, links, devices).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { createRequire } from 'node:module';
import type { Archiver, ArchiverOptions } from 'archiver';
import { RunproofError } from '../core/index.js';
import { listBundleFiles } from './manifest.js';

export type ArchiveFormat = 'tgz' | 'zip';

/** Bytes of one entry `scanArchive` keeps in memory (manifest, attestation, record): larger ones are refused. */
export const ARCHIVE_KEEP_LIMIT = 64 * 1024 * 1024;
// pax and GNU long-name headers are held in memory to be parsed: real ones are a few hundred bytes.
const META_LIMIT = 1024 * 1024;

// archiver 7 is CommonJS with a factory as its export, while @types/archiver 8 describes the
// class API of archiver 8: load the factory and type it by hand.
// Loaded on first use: archiver and its streams cost a tenth of every run's start-up otherwise.
type ArchiverFactory = (format: 'tar' | 'zip', options?: ArchiverOptions) => Archiver;
let archiverFactory: ArchiverFactory | undefined;
const archiver: ArchiverFactory = (format, options) => {
  archiverFactory ??= createRequire(import.meta.url)('archiver') as ArchiverFactory;
  return archiverFactory(format, options);
};

/** The archive file of a bundle directory: `<bundle>.tgz` or `<bundle>.zip` beside it. */
export function archivePathFor(bundleDir: string, format: ArchiveFormat): string {
  return `${resolve(bundleDir)}.${format}`;
}

/** Whether a path names an archive `verify` can read, and which kind. */
export function archiveFormatOf(path: string): ArchiveFormat | null {
  if (/\.(tgz|tar\.gz)$/i.test(path)) return 'tgz';
  if (/\.zip$/i.test(path)) return 'zip';
  return null;
}

/**
 * Writes the whole bundle as `<bundle>.tgz` or `<bundle>.zip` beside it, every entry under the
 * bundle's own folder name (`<bundle>/manifest.json`). Only regular files are added, by the
 * bundle-relative paths the manifest uses, so no entry can point outside that folder.
 * @example await archiveBundle('evidence/daily_20260122_101500', 'tgz') // '…/daily_20260122_101500.tgz'
 */
export async function archiveBundle(bundleDir: string, format: ArchiveFormat): Promise<string> {
  const dir = resolve(bundleDir);
  const root = basename(dir);
  const { files, odd } = await listBundleFiles(dir);
  if (odd.length > 0) {
    throw new RunproofError('RP_BAD_BUNDLE', `${odd[0]!.path} in ${dir} is a ${odd[0]!.kind}, not a file; refusing to archive it`, {
      hint: 'a bundle holds only regular files; remove the link and run `runproof verify`',
    });
  }
  const target = archivePathFor(dir, format);
  const tmp = `${target}.${process.pid}.tmp`;
  const archive = format === 'tgz' ? archiver('tar', { gzip: true, gzipOptions: { level: 6 } }) : archiver('zip', { zlib: { level: 6 } });
  const out = createWriteStream(tmp, { flags: 'wx' });
  const done = pipeline(archive, out);
  for (const path of files) archive.file(join(dir, path), { name: `${root}/${path}`, mode: 0o644 });
  try {
    await archive.finalize();
    await done;
    const handle = await open(tmp, 'r');
    await handle.sync().finally(() => handle.close());
    await rename(tmp, target);
  } catch (cause) {
    await unlink(tmp).catch(() => undefined);
    throw new RunproofError('RP_EVIDENCE_WRITE_FAILED', `cannot write the archive ${target}: ${(cause as Error).message}`, { cause });
  }
  return target;
}

/** One file found in an archive: its bundle-relative path, size and SHA-256. */
export interface ArchiveFile {
  path: string;
  size: number;
  sha256: string;
  /** The bytes, for the few files `scanArchive` was asked to keep (manifest, attestation, record). */
  content?: Buffer;
}

/** Something in an archive that `verify` refuses. */
export interface ArchiveProblem {
  entry: string;
  message: string;
}

/** What `scanArchive` read. */
export interface ArchiveScan {
  format: ArchiveFormat;
  /** The single top folder every entry is under (the bundle's name), or null. */
  root: string | null;
  files: Map<string, ArchiveFile>;
  problems: ArchiveProblem[];
}

// Entry names are checked before anything else: an archive that could write outside its folder
// when extracted is refused, whatever its hashes say.
function unsafeReason(name: string): string | null {
  if (name === '') return 'an empty entry name';
  if (name.includes('\u0000')) return 'a NUL byte in the name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  if (name.includes('\\')) return 'a backslash in the name';
  const segments = name.replace(/\/+$/, '').split('/');
  if (segments.includes('..')) return 'a ".." path segment';
  if (segments.some((s) => s === '' || s === '.')) return 'an empty or "." path segment';
  return null;
}

class EntrySink {
  readonly files = new Map<string, ArchiveFile>();
  readonly problems: ArchiveProblem[] = [];
  root: string | null = null;
  private roots = new Set<string>();

  constructor(private readonly keep: (path: string) => boolean) {}

  // Decides what to do with one entry: null (skip its data) or the bundle-relative path to hash.
  accept(name: string, kind: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other'): string | null {
    const unsafe = unsafeReason(name);
    if (unsafe) {
      this.problems.push({ entry: name, message: `refused: ${unsafe}` });
      return null;
    }
    if (kind === 'symlink' || kind === 'hardlink' || kind === 'other') {
      this.problems.push({ entry: name, message: `refused: a ${kind === 'other' ? 'device, fifo or unknown entry type' : kind}` });
      return null;
    }
    const segments = name.replace(/\/+$/, '').split('/');
    const top = segments[0]!;
    if (!this.roots.has(top)) {
      this.roots.add(top);
      if (this.root === null) this.root = top;
      else this.problems.push({ entry: name, message: `outside the bundle folder ${this.root}/` });
    }
    if (kind === 'dir') return null;
    if (segments.length < 2) {
      this.problems.push({ entry: name, message: 'a file outside any bundle folder' });
      return null;
    }
    const rel = segments.slice(1).join('/');
    if (this.files.has(rel)) {
      this.problems.push({ entry: name, message: 'appears twice in the archive' });
      return null;
    }
    return rel;
  }

  wantsContent(rel: string): boolean {
    return this.keep(rel);
  }

  add(file: ArchiveFile, hasher?: EntryHasher): void {
    this.files.set(file.path, file);
    if (hasher?.tooLargeToKeep) this.problems.push({ entry: file.path, message: `refused: ${file.size} bytes, more than the ${ARCHIVE_KEEP_LIMIT} bytes a seal or record file may have (not read)` });
  }
}

// Hashes the bytes of one entry as they stream, keeping them only when asked.
class EntryHasher {
  private hash = createHash('sha256');
  size = 0;
  private chunks: Buffer[] | null;

  constructor(
    readonly rel: string,
    keep: boolean,
  ) {
    this.chunks = keep ? [] : null;
  }

  /** Set when a kept entry grew past ARCHIVE_KEEP_LIMIT: its bytes were dropped. */
  tooLargeToKeep = false;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.chunks && this.size > ARCHIVE_KEEP_LIMIT) {
      this.chunks = null;
      this.tooLargeToKeep = true;
    }
    this.chunks?.push(Buffer.from(chunk));
  }

  finish(): ArchiveFile {
    return { path: this.rel, size: this.size, sha256: this.hash.digest('hex'), ...(this.chunks ? { content: Buffer.concat(this.chunks) } : {}) };
  }
}

function octal(field: Buffer): number {
  // GNU base-256 for sizes of 8 GiB and more: high bit of the first byte set.
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(field: Buffer): string {
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? field.length : nul).toString('utf8');
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const len = parseInt(data.subarray(at, space).toString('latin1'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

// A streaming ustar/pax/GNU tar reader: headers are checked (checksum), data is hashed as it
// arrives, nothing is written anywhere.
async function scanTar(source: AsyncIterable<Buffer>, sink: EntrySink): Promise<void> {
  let pending = Buffer.alloc(0);
  let dataLeft = 0;
  let padLeft = 0;
  const state: { current: EntryHasher | null; meta: Buffer[] | null } = { current: null, meta: null };
  let metaType = '';
  let paxNext: Record<string, string> = {};
  let longName: string | null = null;
  let ended = false;

  const finishData = (): void => {
    if (state.current) sink.add(state.current.finish(), state.current);
    state.current = null;
    if (state.meta) {
      const data = Buffer.concat(state.meta);
      if (metaType === 'x') paxNext = { ...paxNext, ...parsePax(data) };
      else if (metaType === 'L') longName = cString(data);
      state.meta = null;
    }
  };

  const onHeader = (header: Buffer): void => {
    if (header.every((b) => b === 0)) {
      ended = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    if (sum !== octal(header.subarray(148, 156))) throw new RunproofError('RP_BAD_BUNDLE', 'the tar archive is corrupt (header checksum)', { hint: 'the archive was damaged or is not a runproof archive' });
    const type = String.fromCharCode(header[156]!);
    let size = octal(header.subarray(124, 136));
    const ustar = header.subarray(257, 262).toString('latin1') === 'ustar';
    const prefix = ustar ? cString(header.subarray(345, 500)) : '';
    let name = cString(header.subarray(0, 100));
    if (prefix) name = `${prefix}/${name}`;
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      // A huge pax or long-name header would be held in memory whole: refuse it.
      if (size > META_LIMIT) throw new RunproofError('RP_BAD_BUNDLE', `the tar archive holds a ${size}-byte ${type === 'L' || type === 'K' ? 'long-name' : 'pax'} header (more than ${META_LIMIT}): refused`, { hint: 'runproof archives never hold such headers; the archive was crafted or damaged' });
      dataLeft = size;
      padLeft = (512 - (size % 512)) % 512;
      state.meta = type === 'x' || type === 'L' ? [] : null;
      metaType = type;
      if (dataLeft === 0) finishData();
      return;
    }
    if (paxNext.path !== undefined) name = paxNext.path;
    if (longName !== null) name = longName;
    if (paxNext.size !== undefined) size = Number(paxNext.size);
    paxNext = {};
    longName = null;
    const kind = type === '0' || type === '\u0000' || type === '7' ? 'file' : type === '5' ? 'dir' : type === '2' ? 'symlink' : type === '1' ? 'hardlink' : 'other';
    const rel = sink.accept(name, kind);
    dataLeft = size;
    padLeft = (512 - (size % 512)) % 512;
    state.current = rel !== null ? new EntryHasher(rel, sink.wantsContent(rel)) : null;
    if (dataLeft === 0) finishData();
  };

  for await (const chunk of source) {
    let buf: Buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    while (buf.length > 0 && !ended) {
      if (dataLeft > 0) {
        const take = Math.min(dataLeft, buf.length);
        const part = buf.subarray(0, take);
        state.current?.update(part);
        state.meta?.push(Buffer.from(part));
        dataLeft -= take;
        buf = buf.subarray(take);
        if (dataLeft === 0) finishData();
        continue;
      }
      if (padLeft > 0) {
        const take = Math.min(padLeft, buf.length);
        padLeft -= take;
        buf = buf.subarray(take);
        continue;
      }
      if (buf.length < 512) {
        pending = Buffer.from(buf);
        break;
      }
      onHeader(buf.subarray(0, 512));
      buf = buf.subarray(512);
    }
    if (ended) break;
  }
  if (!ended && (dataLeft > 0 || pending.length > 0)) {
    throw new RunproofError('RP_BAD_BUNDLE', 'the tar archive ends in the middle of an entry', { hint: 'the archive was cut short; copy it again' });
  }
}

interface ZipEntry {
  name: string;
  nameBytes: Buffer;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  flags: number;
  method: number;
  compressed: number;
  uncompressed: number;
  local: number;
  overlaps: boolean;
}

class DeclaredSizeExceeded extends Error {}

// Marks entries whose local header and data [local, local + 30 + compressed) overlap another
// entry's, or run past the end of the file (offsets sorted, so one pass).
function markOverlaps(entries: ZipEntry[], fileSize: number): void {
  const byOffset = [...entries].sort((a, b) => a.local - b.local);
  let prevEnd = -1;
  let prev: ZipEntry | null = null;
  for (const e of byOffset) {
    const end = e.local + 30 + e.compressed;
    if (end > fileSize) e.overlaps = true;
    if (e.local < prevEnd) {
      e.overlaps = true;
      if (prev) prev.overlaps = true;
    }
    if (end > prevEnd) {
      prevEnd = end;
      prev = e;
    }
  }
}

// The zip reader works from the central directory (what unzip tools trust), then streams each
// entry's data from its local header through inflate into the hash.
async function scanZip(path: string, sink: EntrySink): Promise<void> {
  const handle = await open(path, 'r');
  const corrupt = (why: string): RunproofError => new RunproofError('RP_BAD_BUNDLE', `the zip archive is corrupt: ${why}`, { hint: 'the archive was damaged or is not a runproof archive' });
  try {
    const { size } = await handle.stat();
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    await handle.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd === -1) throw corrupt('no end of central directory');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) throw corrupt('zip64 locator missing');
      const z64Offset = Number(tail.readBigUInt64LE(locator + 8));
      const z64 = Buffer.alloc(56);
      await handle.read(z64, 0, 56, z64Offset);
      if (z64.readUInt32LE(0) !== 0x06064b50) throw corrupt('zip64 end record missing');
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > size) throw corrupt('central directory out of range');
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    // First the whole central directory, so entries whose data overlap (the non-recursive zip
    // bomb: many entries sharing one compressed stream) are seen before anything is inflated.
    const entries: ZipEntry[] = [];
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw corrupt('bad central directory entry');
      const madeBy = cd.readUInt16LE(at + 4);
      const flags = cd.readUInt16LE(at + 8);
      const method = cd.readUInt16LE(at + 10);
      let compressed = cd.readUInt32LE(at + 20);
      let uncompressed = cd.readUInt32LE(at + 24);
      const nameLen = cd.readUInt16LE(at + 28);
      const extraLen = cd.readUInt16LE(at + 30);
      const commentLen = cd.readUInt16LE(at + 32);
      const external = cd.readUInt32LE(at + 38);
      let local = cd.readUInt32LE(at + 42);
      const nameBytes = cd.subarray(at + 46, at + 46 + nameLen);
      const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
      const extra = cd.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen);
      at += 46 + nameLen + extraLen + commentLen;
      for (let e = 0; e + 4 <= extra.length; ) {
        const id = extra.readUInt16LE(e);
        const len = extra.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let f = e + 4;
          if (uncompressed === 0xffffffff) (uncompressed = Number(extra.readBigUInt64LE(f))), (f += 8);
          if (compressed === 0xffffffff) (compressed = Number(extra.readBigUInt64LE(f))), (f += 8);
          if (local === 0xffffffff) local = Number(extra.readBigUInt64LE(f));
        }
        e += 4 + len;
      }
      const unixMode = madeBy >> 8 === 3 ? (external >>> 16) & 0o170000 : 0;
      const isDir = name.endsWith('/') || unixMode === 0o040000;
      const kind = unixMode === 0o120000 ? 'symlink' : isDir ? 'dir' : unixMode === 0 || unixMode === 0o100000 ? 'file' : 'other';
      entries.push({ name, nameBytes, kind, flags, method, compressed, uncompressed, local, overlaps: false });
    }
    markOverlaps(entries, size);
    for (const entry of entries) {
      const { name, flags, method, compressed, uncompressed, local } = entry;
      const rel = sink.accept(name, entry.kind);
      if (rel === null) continue;
      if (entry.overlaps) {
        sink.problems.push({ entry: name, message: 'refused: its data overlaps another entry or lies outside the archive (a zip bomb)' });
        continue;
      }
      if (flags & 0x1) {
        sink.problems.push({ entry: name, message: 'refused: encrypted entry' });
        continue;
      }
      if (method !== 0 && method !== 8) {
        sink.problems.push({ entry: name, message: `refused: compression method ${method}` });
        continue;
      }
      const header = Buffer.alloc(30);
      await handle.read(header, 0, 30, local);
      if (header.readUInt32LE(0) !== 0x04034b50) throw corrupt(`bad local header for ${name}`);
      const localNameLen = header.readUInt16LE(26);
      const localName = Buffer.alloc(localNameLen);
      await handle.read(localName, 0, localNameLen, local + 30);
      // Extractors disagree on which name wins; an archive whose two names differ is refused.
      if (!localName.equals(entry.nameBytes)) {
        sink.problems.push({ entry: name, message: `refused: its local header names ${JSON.stringify(localName.toString('utf8'))}` });
        continue;
      }
      const start = local + 30 + localNameLen + header.readUInt16LE(28);
      const hasher = new EntryHasher(rel, sink.wantsContent(rel));
      let overflow = false;
      if (compressed > 0) {
        const raw = createReadStream(path, { start, end: start + compressed - 1, highWaterMark: 1 << 20 });
        // Inflating stops at the declared size: a lying header cannot make verify hash (or keep) more.
        const collect = async function* (input: AsyncIterable<Buffer>): AsyncGenerator<never> {
          for await (const chunk of input) {
            if (hasher.size + chunk.length > uncompressed) {
              overflow = true;
              throw new DeclaredSizeExceeded();
            }
            hasher.update(chunk);
          }
        };
        try {
          if (method === 8) await pipeline(raw, createInflateRaw(), collect);
          else await pipeline(raw, collect);
        } catch (error) {
          if (!(error instanceof DeclaredSizeExceeded)) throw error;
        }
      }
      if (overflow) {
        sink.problems.push({ entry: name, message: `refused: inflates to more than the ${uncompressed} bytes its header declares (a zip bomb); stopped reading` });
        continue;
      }
      const file = hasher.finish();
      if (file.size !== uncompressed) sink.problems.push({ entry: name, message: `holds ${file.size} bytes, its header says ${uncompressed}` });
      sink.add(file, hasher);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads an archive written by `archiveBundle` (or any tgz/zip of one bundle folder) without
 * extracting it: every file's size and SHA-256 by bundle-relative path, and every entry refused
 * (absolute, `..`, symlink, hard link, device, outside the single top folder).
 * @param keep which bundle-relative files to return the bytes of (small ones: manifest, attestation, record)
 */
export async function scanArchive(path: string, keep: (rel: string) => boolean = () => false): Promise<ArchiveScan> {
  const format = archiveFormatOf(path);
  if (!format) {
    throw new RunproofError('RP_BAD_BUNDLE', `${path} is not a .tgz, .tar.gz or .zip archive`, { hint: 'pass a bundle folder or the archive written by --archive' });
  }
  const sink = new EntrySink(keep);
  try {
    if (format === 'tgz') {
      const gunzip = createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
      await scanTar(gunzip, sink);
    } else {
      await scanZip(path, sink);
    }
  } catch (cause) {
    if (cause instanceof RunproofError) throw cause;
    throw new RunproofError('RP_BAD_BUNDLE', `cannot read the archive ${path}: ${(cause as Error).message}`, { hint: 'the archive was damaged or is not a tgz/zip', cause });
  }
  return { format, root: sink.root, files: sink.files, problems: sink.problems };
}
