// manifest.json: the SHA-256 and size of every file of a bundle, and its link in the chain of
// bundles of the same runbook in the same evidence folder. Written last (before the attestation).
import { createHash } from 'node:crypto';
import { lstat, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { RunbookInfoSchema, Sha256Schema, ToolSchema } from './types.js';

export const MANIFEST_FILE = 'manifest.json';
export const ATTESTATION_FILE = 'attestation.json';
/** Files a bundle holds that the manifest cannot list: itself, the attestation over it, and the RFC 3161 request and token over it (timestamp.ts). */
export const SEAL_FILES: ReadonlySet<string> = new Set([MANIFEST_FILE, ATTESTATION_FILE, 'timestamp.tsq', 'timestamp.tsr']);
export const MANIFEST_SCHEMA = 'runproof.manifest/v1';


export const ManifestFileSchema = z.strictObject({
  /** Relative to the bundle, `/`-separated. */
  path: z.string().min(1),
  size: z.number().int().min(0),
  sha256: Sha256Schema,
});
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

export const ChainLinkSchema = z.strictObject({
  bundle: z.string().min(1),
  seq: z.number().int().min(1),
  manifestSha256: Sha256Schema,
});
export type ChainLink = z.infer<typeof ChainLinkSchema>;

export const ManifestSchema = z.strictObject({
  schema: z.literal(MANIFEST_SCHEMA),
  /** The bundle directory's name. */
  bundle: z.string().min(1),
  /** The record file, relative to the bundle. */
  record: z.string().min(1),
  tool: ToolSchema,
  /** The host that sealed the bundle. */
  host: z.string(),
  sealedAt: z.iso.datetime(),
  runbook: RunbookInfoSchema.pick({ path: true, title: true, sha256: true }),
  chain: z.strictObject({
    /** What bundles of one chain share: the runbook's absolute path when sealed. */
    key: z.string().min(1),
    seq: z.number().int().min(1),
    /** True only for the first bundle of a chain (then `previous` is null). */
    origin: z.boolean(),
    previous: ChainLinkSchema.nullable(),
  }),
  /** The sealed bundle this run resumed. */
  resumedFrom: ChainLinkSchema.optional(),
  files: z.array(ManifestFileSchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** The manifest's bytes on disk: 2-space JSON and a newline; its SHA-256 is the chain link. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** SHA-256 (hex) of bytes or text. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const CHUNK = 4 * 1024 * 1024;

/**
 * Size and SHA-256 of a file, read in 4 MiB chunks into one reused buffer (memory stays flat,
 * and the hash runs near `sha256sum` speed).
 */
export async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const handle = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    // Small files get a small buffer: allocating 4 MiB per file costs more than hashing it.
    const { size: expected } = await handle.stat();
    const length = Math.max(1, Math.min(CHUNK, expected + 1));
    const buffer = Buffer.allocUnsafe(length);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, length, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { size, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/** One thing in a bundle directory that is not a regular file or a directory. */
export interface OddEntry {
  path: string;
  kind: 'symlink' | 'other';
}

/**
 * Every regular file under `dir` (relative `/` paths, sorted by code unit), and anything that is
 * neither a file nor a directory (symlinks are never followed).
 */
export async function listBundleFiles(dir: string): Promise<{ files: string[]; odd: OddEntry[] }> {
  const files: string[] = [];
  const odd: OddEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(rel === '' ? dir : join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(path);
      else odd.push({ path, kind: entry.isSymbolicLink() ? 'symlink' : 'other' });
    }
  };
  await walk('');
  files.sort(compareCodeUnits);
  odd.sort((a, b) => compareCodeUnits(a.path, b.path));
  return { files, odd };
}

/** Plain code-unit order: the same on every machine and locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Hashes every listed file of a bundle except the seal files. */
export async function hashBundleFiles(dir: string, files: readonly string[]): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  for (const path of files) {
    if (SEAL_FILES.has(path)) continue;
    const { size, sha256 } = await hashFile(join(dir, path));
    out.push({ path, size, sha256 });
  }
  return out;
}

/** A sealed bundle found in an evidence folder, with its parsed manifest. */
export interface SealedBundle {
  /** Directory name. */
  name: string;
  dir: string;
  manifest: Manifest;
  manifestSha256: string;
}

/** Reads and validates `manifest.json` of a bundle; null when missing or invalid. */
export async function readManifest(bundleDir: string): Promise<{ manifest: Manifest; sha256: string; bytes: Buffer } | null> {
  let bytes: Buffer;
  try {
    const info = await lstat(join(bundleDir, MANIFEST_FILE));
    if (!info.isFile()) return null;
    bytes = await readFile(join(bundleDir, MANIFEST_FILE));
  } catch {
    return null;
  }
  const parsed = parseManifest(bytes);
  return parsed ? { manifest: parsed, sha256: sha256Hex(bytes), bytes } : null;
}

/** Parses manifest bytes; null when they are not a valid manifest. */
export function parseManifest(bytes: Buffer): Manifest | null {
  try {
    const result = ManifestSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

/** Every sealed bundle (valid manifest.json) directly inside an evidence folder. */
export async function listSealedBundles(evidenceDir: string): Promise<SealedBundle[]> {
  let entries;
  try {
    entries = await readdir(evidenceDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: SealedBundle[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(evidenceDir, entry.name);
    const read = await readManifest(dir);
    if (read) out.push({ name: entry.name, dir, manifest: read.manifest, manifestSha256: read.sha256 });
  }
  return out;
}

/**
 * The bundles of one chain (same `chain.key`) in an evidence folder, by `seq` (then name).
 */
export async function chainBundles(evidenceDir: string, key: string): Promise<SealedBundle[]> {
  const all = await listSealedBundles(evidenceDir);
  return all
    .filter((b) => b.manifest.chain.key === key)
    .sort((a, b) => a.manifest.chain.seq - b.manifest.chain.seq || compareCodeUnits(a.name, b.name));
}
