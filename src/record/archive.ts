// `--archive tgz|zip`: the whole sealed bundle as one archive beside it (written with archiver),
// and a reader that hashes every entry in one pass without extracting anything (tar-stream and
// yauzl parse the formats), refusing entries that could escape a folder (absolute paths, `..`,
// links, devices) and archive bombs (entry and byte limits, overlapping or lying zip entries).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Entry as YauzlEntry, ZipFile as YauzlZipFile } from 'yauzl';
import { createRequire } from 'node:module';
import type { Archiver, ArchiverOptions } from 'archiver';
import { RunproofError } from '../core/index.js';
import { listBundleFiles } from './manifest.js';

export type ArchiveFormat = 'tgz' | 'zip';

/** Bytes of one entry `scanArchive` keeps in memory (manifest, attestation, record): larger ones are refused. */
export const ARCHIVE_KEEP_LIMIT = 64 * 1024 * 1024;
/** tar-stream holds a pax or GNU long-name header in memory up to this size and refuses larger ones (real ones are a few hundred bytes). */
export const TAR_HEADER_LIMIT = 4 * 1024 * 1024;

/** How much of an archive `scanArchive` reads before refusing it as a bomb. */
export interface ArchiveLimits {
  /** Entries (files, folders, links): a bundle has a few per cell. */
  entries: number;
  /** Bytes of entry data after decompression, all entries together. */
  totalBytes: number;
}

/** The limits verify uses: far above any bundle (a cell's 1 GiB output included), far below a bomb. */
export const ARCHIVE_LIMITS: ArchiveLimits = { entries: 100_000, totalBytes: 16 * 1024 * 1024 * 1024 };

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

// tar entry types (tar-stream's names) as the sink sees them; contiguous files are plain files.
function tarKind(type: string | null | undefined): 'file' | 'dir' | 'symlink' | 'hardlink' | 'other' {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

// tar-stream's errors, in our words: the ones an archive can cause on purpose get their own message.
function tarError(error: Error): RunproofError {
  const message = error.message;
  if (message === 'Header exceeds max size') {
    return new RunproofError('RP_BAD_BUNDLE', `the tar archive holds a pax or long-name header of more than ${TAR_HEADER_LIMIT} bytes: refused`, {
      hint: 'runproof archives never hold such headers; the archive was crafted or damaged',
    });
  }
  if (message === 'Unexpected end of data') return new RunproofError('RP_BAD_BUNDLE', 'the tar archive ends in the middle of an entry', { hint: 'the archive was cut short; copy it again' });
  if (message.startsWith('Invalid tar header')) return new RunproofError('RP_BAD_BUNDLE', `the tar archive is corrupt (${message})`, { hint: 'the archive was damaged or is not a runproof archive', cause: error });
  return new RunproofError('RP_BAD_BUNDLE', `cannot read the tar archive: ${message}`, { hint: 'the archive was damaged or is not a tgz/zip', cause: error });
}

// tar-stream (gunzip → extract) parses the headers, checksums, pax and GNU long names; each
// entry's data is hashed as it streams, nothing is written anywhere. Our checks: the sink's
// name and type policy, and the entry and byte limits (a gzip bomb stops at the byte limit).
async function scanTar(path: string, sink: EntrySink, limits: ArchiveLimits): Promise<void> {
  const tar = await import('tar-stream');
  const extract = tar.extract();
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  const piping = pipeline(source, createGunzip({ chunkSize: 1 << 20 }), extract);
  // Observed below; this only keeps an early failure from being reported as unhandled.
  piping.catch(() => undefined);
  let entries = 0;
  let total = 0;
  try {
    for await (const entry of extract as unknown as AsyncIterable<TarEntry>) {
      entries++;
      if (entries > limits.entries) throw limitError(`the tar archive holds more than ${limits.entries} entries`);
      const rel = sink.accept(entry.header.name, tarKind(entry.header.type));
      const hasher = rel !== null ? new EntryHasher(rel, sink.wantsContent(rel)) : null;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > limits.totalBytes) throw limitError(`the tar archive holds more than ${limits.totalBytes} bytes`);
        hasher?.update(chunk);
      }
      if (hasher) sink.add(hasher.finish(), hasher);
    }
    await piping;
  } catch (error) {
    source.destroy();
    extract.destroy();
    if (error instanceof RunproofError) throw error;
    throw tarError(error as Error);
  }
}

type TarEntry = AsyncIterable<Buffer> & { header: { name: string; type?: string | null } };

function limitError(what: string): RunproofError {
  return new RunproofError('RP_BAD_BUNDLE', `${what}, more than verify reads (an archive bomb): refused`, {
    hint: 'a runproof bundle is far smaller; the archive was crafted or is not a bundle',
  });
}

interface ZipEntry {
  entry: YauzlEntry;
  name: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  compressed: number;
  uncompressed: number;
  local: number;
  overlaps: boolean;
}

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

/** Deflate turns at most 258 bytes into 2 bits: no real entry inflates to more than 1032 times its size. */
const DEFLATE_MAX_RATIO = 1032;

// yauzl reads the central directory (what unzip tools trust), zip64 included, and checks each
// entry's inflated size against its header. Our checks come first, from the whole directory,
// before anything is inflated: the entry and byte limits, entries whose data overlap (the
// non-recursive zip bomb: many entries sharing one compressed stream), sizes deflate cannot
// reach, a local header or Unicode path field naming another file, then the sink's name policy.
async function scanZip(path: string, sink: EntrySink, limits: ArchiveLimits): Promise<void> {
  const yauzl = (await import('yauzl')).default;
  let zip: YauzlZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw zipError(error as Error);
  }
  try {
    if (zip.entryCount > limits.entries) throw limitError(`the zip archive holds ${zip.entryCount} entries`);
    const entries: ZipEntry[] = [];
    try {
      for await (const entry of zip.eachEntry()) {
        const raw = entry.fileNameRaw;
        const name = raw.toString(entry.generalPurposeBitFlag & 0x800 ? 'utf8' : 'latin1');
        const unixMode = entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & 0o170000 : 0;
        const isDir = name.endsWith('/') || unixMode === 0o040000;
        const kind = unixMode === 0o120000 ? 'symlink' : isDir ? 'dir' : unixMode === 0 || unixMode === 0o100000 ? 'file' : 'other';
        entries.push({ entry, name, kind, compressed: entry.compressedSize, uncompressed: entry.uncompressedSize, local: entry.relativeOffsetOfLocalHeader, overlaps: false });
      }
    } catch (error) {
      throw zipError(error as Error);
    }
    const declared = entries.reduce((sum, e) => sum + e.uncompressed, 0);
    if (declared > limits.totalBytes) throw limitError(`the zip archive's entries declare ${declared} bytes`);
    markOverlaps(entries, zip.fileSize);
    for (const e of entries) await scanZipEntry(zip, e, sink, yauzl);
  } finally {
    zip.close();
  }
}

async function scanZipEntry(zip: YauzlZipFile, e: ZipEntry, sink: EntrySink, yauzl: typeof import('yauzl')): Promise<void> {
  const { entry, name, uncompressed, compressed } = e;
  const rel = sink.accept(name, e.kind);
  if (rel === null) return;
  const refuse = (message: string): void => void sink.problems.push({ entry: name, message: `refused: ${message}` });
  if (e.overlaps) return refuse('its data overlaps another entry or lies outside the archive (a zip bomb)');
  if (entry.isEncrypted()) return refuse('encrypted entry');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return refuse(`compression method ${entry.compressionMethod}`);
  if (entry.compressionMethod === 8 && uncompressed > DEFLATE_MAX_RATIO * compressed + 1024) {
    return refuse(`declares ${uncompressed} bytes from ${compressed} deflated bytes, more than deflate can produce (a zip bomb)`);
  }
  // Extractors disagree on which name wins; an archive whose names differ is refused.
  const unicode = entry.extraFields.some((f) => f.id === 0x7075) ? yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false) : name;
  if (unicode !== name) return refuse(`its Unicode path field names ${JSON.stringify(unicode)}`);
  let localName: Buffer;
  try {
    localName = (await zip.readLocalFileHeaderPromise(entry)).fileName;
  } catch (error) {
    throw zipError(error as Error);
  }
  if (!localName.equals(entry.fileNameRaw)) return refuse(`its local header names ${JSON.stringify(localName.toString('utf8'))}`);
  const hasher = new EntryHasher(rel, sink.wantsContent(rel));
  try {
    const stream = await zip.openReadStreamPromise(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) hasher.update(chunk);
  } catch (error) {
    const message = (error as Error).message;
    // yauzl stops an entry at the size its header declares, either way.
    if (message.startsWith('too many bytes in the stream')) return refuse(`inflates to more than the ${uncompressed} bytes its header declares (a zip bomb); stopped reading`);
    if (!message.startsWith('not enough bytes in the stream')) throw zipError(error as Error);
    sink.problems.push({ entry: name, message: `holds ${hasher.size} bytes, its header says ${uncompressed}` });
  }
  sink.add(hasher.finish(), hasher);
}

function zipError(error: Error): RunproofError {
  return new RunproofError('RP_BAD_BUNDLE', `the zip archive is corrupt: ${error.message}`, { hint: 'the archive was damaged or is not a runproof archive', cause: error });
}

/**
 * Reads an archive written by `archiveBundle` (or any tgz/zip of one bundle folder) without
 * extracting it: every file's size and SHA-256 by bundle-relative path, and every entry refused
 * (absolute, `..`, symlink, hard link, device, outside the single top folder).
 * @param keep which bundle-relative files to return the bytes of (small ones: manifest, attestation, record)
 * @param limits entries and decompressed bytes read before the archive is refused as a bomb (tests pass small ones)
 */
export async function scanArchive(path: string, keep: (rel: string) => boolean = () => false, limits: ArchiveLimits = ARCHIVE_LIMITS): Promise<ArchiveScan> {
  const format = archiveFormatOf(path);
  if (!format) {
    throw new RunproofError('RP_BAD_BUNDLE', `${path} is not a .tgz, .tar.gz or .zip archive`, { hint: 'pass a bundle folder or the archive written by --archive' });
  }
  const sink = new EntrySink(keep);
  try {
    if (format === 'tgz') await scanTar(path, sink, limits);
    else await scanZip(path, sink, limits);
  } catch (cause) {
    if (cause instanceof RunproofError) throw cause;
    throw new RunproofError('RP_BAD_BUNDLE', `cannot read the archive ${path}: ${(cause as Error).message}`, { hint: 'the archive was damaged or is not a tgz/zip', cause });
  }
  return { format, root: sink.root, files: sink.files, problems: sink.problems };
}
