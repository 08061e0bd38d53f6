// Sealing a bundle: manifest.json (every file's hash, the chain link) and attestation.json (an
// in-toto Statement in a DSSE envelope), written last so that they cover every other file.
import { lstat, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { RunproofError } from '../core/index.js';
import { TOOL_VERSION } from '../core/index.js';
import { buildRunStatement, createEnvelope, IN_TOTO_PAYLOAD_TYPE, serializeEnvelope, statementBytes } from './attestation.js';
import { hmacSigner, loadSigningKey, type Signer } from './keys.js';
import { acquireLock } from './lock.js';
import {
  ATTESTATION_FILE,
  chainBundles,
  hashBundleFiles,
  listBundleFiles,
  listSealedBundles,
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  readManifest,
  serializeManifest,
  sha256Hex,
  type ChainLink,
  type Manifest,
} from './manifest.js';
import { RunRecordSchema, type RunRecord } from './types.js';
import { writeAtomic } from './write-atomic.js';

export interface SealOptions {
  /** The evidence folder holding this bundle and the earlier ones of the chain. */
  evidenceDir: string;
  /** Ed25519 private key PEM file (`--signing-key`). */
  signingKeyFile?: string;
  /** HMAC key (RUNPROOF_SIGNING_KEY). */
  hmacKey?: string;
  /**
   * The chain key: the runbook's absolute path. Default: the record's runbook path resolved
   * against the current directory.
   */
  chainKey?: string;
  /** Seal time (default now). */
  now?: Date;
}

export interface SealResult {
  manifestPath: string;
  manifestSha256: string;
  attestationPath?: string;
  signed: 'ed25519' | 'hmac-sha256' | 'unsigned';
  /** The bundle's place in its chain. */
  seq: number;
  previous: ChainLink | null;
}

const CHAIN_LOCK_WAIT_MS = 60_000;

/** Reads and validates the record `<bundle>.json` of a bundle directory. */
export async function readBundleRecord(bundleDir: string): Promise<{ record: RunRecord; file: string }> {
  const file = `${basename(bundleDir)}.json`;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(bundleDir, file), 'utf8'));
  } catch (cause) {
    throw new RunproofError('RP_BAD_BUNDLE', `cannot read the record ${file} of ${bundleDir}: ${(cause as Error).message}`, {
      hint: 'a bundle killed before its record was written can be rebuilt with `runproof recover BUNDLE`',
      file: join(bundleDir, file),
      cause,
    });
  }
  const parsed = RunRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new RunproofError('RP_BAD_RECORD', `${file} is not a valid run record: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
      hint: 'the record may have been edited; `runproof verify` says which files changed',
      file: join(bundleDir, file),
    });
  }
  return { record: parsed.data, file };
}

// Serialises chain extension per evidence folder and runbook: two selections of one runbook may
// run at once (their run locks differ), but they seal one after the other, so seq never forks.
async function withChainLock<T>(evidenceDir: string, key: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + CHAIN_LOCK_WAIT_MS;
  for (;;) {
    try {
      const lock = await acquireLock({ evidenceDir, key: `chain\u0000${key}` });
      try {
        return await fn();
      } finally {
        await lock.release();
      }
    } catch (error) {
      if (!(error instanceof RunproofError) || error.code !== 'RP_LOCKED' || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
  }
}

/** The signers a seal uses: the Ed25519 key file and/or the HMAC key. */
export async function signersFor(options: { signingKeyFile?: string; hmacKey?: string }): Promise<Signer[]> {
  const signers: Signer[] = [];
  if (options.signingKeyFile) signers.push(await loadSigningKey(options.signingKeyFile));
  if (options.hmacKey) signers.push(hmacSigner(options.hmacKey));
  return signers;
}

/**
 * The chain key of a record: the absolute path of its runbook. A relative path is resolved
 * against `cwd` when the runbook is there (the live run); otherwise (`recover` from another
 * folder) the newest chain in the evidence folder recorded with the same path and a key ending
 * in it is joined.
 */
export async function chainKeyFor(record: RunRecord, evidenceDir: string, cwd = process.cwd()): Promise<string> {
  if (isAbsolute(record.runbook.path)) return resolve(record.runbook.path);
  const here = resolve(cwd, record.runbook.path);
  if ((await lstat(here).catch(() => null))?.isFile()) return here;
  const tail = `${sep}${normalize(record.runbook.path)}`;
  const known = (await listSealedBundles(evidenceDir))
    .filter((b) => b.manifest.runbook.path === record.runbook.path && b.manifest.chain.key.endsWith(tail))
    .sort((a, b) => b.manifest.sealedAt.localeCompare(a.manifest.sealedAt));
  return known[0]?.manifest.chain.key ?? here;
}

/**
 * Seals a bundle: writes `manifest.json` (size and SHA-256 of every file, runbook hash, tool,
 * host and the link to the previous bundle of the same runbook in `evidenceDir`: `seq`, and
 * `origin: true, previous: null` for the first) and then `attestation.json` (DSSE envelope of an
 * in-toto Statement, signed when a key is given).
 * @example await sealBundle('evidence/daily_20260122_101500', { evidenceDir: 'evidence' })
 */
export async function sealBundle(bundleDir: string, options: SealOptions): Promise<SealResult> {
  const dir = resolve(bundleDir);
  const evidenceDir = resolve(options.evidenceDir);
  const signers = await signersFor(options);
  const { record, file: recordFile } = await readBundleRecord(dir);
  const key = options.chainKey ?? (await chainKeyFor(record, evidenceDir));
  const name = basename(dir);
  // Stale seal files (a killed seal, a recovered bundle) are rewritten, never hashed.
  await unlink(join(dir, ATTESTATION_FILE)).catch(() => undefined);
  await unlink(join(dir, MANIFEST_FILE)).catch(() => undefined);

  return withChainLock(evidenceDir, key, async () => {
    const inFolder = resolve(dirname(dir)) === evidenceDir;
    const chain = (await chainBundles(evidenceDir, key)).filter((b) => !(inFolder && b.name === name));
    const head = chain[chain.length - 1];
    const previous: ChainLink | null = head ? { bundle: head.name, seq: head.manifest.chain.seq, manifestSha256: head.manifestSha256 } : null;
    let resumedFrom: ChainLink | undefined;
    if (record.resumedFrom) {
      const old = (await listSealedBundles(evidenceDir)).find((b) => b.name === record.resumedFrom);
      if (old) resumedFrom = { bundle: old.name, seq: old.manifest.chain.seq, manifestSha256: old.manifestSha256 };
    }
    const { files } = await listBundleFiles(dir);
    const manifest: Manifest = {
      schema: MANIFEST_SCHEMA,
      bundle: name,
      record: recordFile,
      tool: { name: 'runproof', version: TOOL_VERSION },
      host: hostname(),
      sealedAt: (options.now ?? new Date()).toISOString(),
      runbook: { path: record.runbook.path, title: record.runbook.title, sha256: record.runbook.sha256 },
      chain: { key, seq: previous ? previous.seq + 1 : 1, origin: previous === null, previous },
      ...(resumedFrom ? { resumedFrom } : {}),
      files: await hashBundleFiles(dir, files),
    };
    const manifestText = serializeManifest(manifest);
    const manifestSha256 = sha256Hex(manifestText);
    const manifestPath = join(dir, MANIFEST_FILE);
    await writeAtomic(manifestPath, manifestText);
    const payload = statementBytes(buildRunStatement(manifest, manifestSha256, record));
    const envelope = createEnvelope(IN_TOTO_PAYLOAD_TYPE, payload, signers);
    const attestationPath = join(dir, ATTESTATION_FILE);
    await writeAtomic(attestationPath, serializeEnvelope(envelope));
    return {
      manifestPath,
      manifestSha256,
      attestationPath,
      signed: signers[0]?.method ?? 'unsigned',
      seq: manifest.chain.seq,
      previous,
    };
  });
}

/** Whether a bundle directory holds a valid manifest (it was sealed). */
export async function isSealed(bundleDir: string): Promise<boolean> {
  return (await readManifest(bundleDir)) !== null;
}
