// The audit sample: N bundles drawn from a period with a recorded seed, so another auditor can
// redraw exactly the same sample. The draw is a partial Fisher-Yates shuffle of the population
// sorted by bundle name, driven by SHA-256 in counter mode over the seed (no Math.random).
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Archiver, ArchiverOptions } from 'archiver';
import type { RunSummary, VerifyView } from './evidence-store.js';

// archiver 7 is CommonJS with a factory export (as src/record/archive.ts loads it).
type ArchiverFactory = (format: 'zip', options?: ArchiverOptions) => Archiver;
const archiver = (format: 'zip', options?: ArchiverOptions): Archiver => (createRequire(import.meta.url)('archiver') as ArchiverFactory)(format, options);

export const SAMPLE_ALGORITHM = 'runproof-sample/v1: population sorted by bundle name (code units); partial Fisher-Yates; uniform integers by rejection from SHA-256(seed ":" counter) 32-bit words';
export const SAMPLE_MAX = 1000;

/** A fresh seed: 128 random bits as 32 hex digits. */
export function newSeed(): string {
  return randomBytes(16).toString('hex');
}

/** True for a seed the server accepts: 1 to 64 characters of [A-Za-z0-9_-]. */
export function isValidSeed(seed: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(seed);
}

// A deterministic stream of 32-bit words from the seed.
function wordStream(seed: string): () => number {
  let counter = 0;
  let block: Buffer = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + 4 > block.length) {
      block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      offset = 0;
    }
    const word = block.readUInt32BE(offset);
    offset += 4;
    return word;
  };
}

// A uniform integer in [0, bound) by rejection sampling (no modulo bias).
function uniform(next: () => number, bound: number): number {
  const limit = Math.floor(0x1_0000_0000 / bound) * bound;
  for (;;) {
    const word = next();
    if (word < limit) return word % bound;
  }
}

/**
 * Draws `n` distinct items of `population` (sorted by name first), in draw order.
 * @example drawSample(['a', 'b', 'c'], 2, 'f00d') // the same two names for every caller
 */
export function drawSample(names: readonly string[], n: number, seed: string): string[] {
  const pool = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const take = Math.min(n, pool.length);
  const next = wordStream(seed);
  for (let i = 0; i < take; i++) {
    const j = i + uniform(next, pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, take);
}

/** The period and size an auditor asks for. */
export interface SampleRequest {
  from: string | null;
  to: string | null;
  n: number;
  seed: string;
}

/** Runs started within [from, to] (dates `YYYY-MM-DD`, inclusive, UTC). */
export function inPeriod(run: RunSummary, from: string | null, to: string | null): boolean {
  const day = run.startedAt.slice(0, 10);
  return (from === null || day >= from) && (to === null || day <= to);
}

/** What `sample.json` holds. */
export interface SampleManifest {
  schema: 'runproof.sample/v1';
  algorithm: string;
  seed: string;
  period: { from: string | null; to: string | null };
  n: number;
  population: { count: number; sha256: string };
  chainHeads: Array<{ chain: string; runbook: string; bundle: string; seq: number; manifestSha256: string }>;
  chosen: string[];
  createdAt: string;
}

/** Draws the sample of a period from the runs of the index. */
export function buildSample(runs: readonly RunSummary[], request: SampleRequest, now: Date = new Date()): SampleManifest {
  const population = runs.filter((r) => inPeriod(r, request.from, request.to)).map((r) => r.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const heads = new Map<string, RunSummary>();
  for (const r of runs) {
    if (!r.sealed || r.seq === null || r.manifestSha256 === null) continue;
    const head = heads.get(r.chainKey);
    if (!head || (head.seq ?? 0) < r.seq) heads.set(r.chainKey, r);
  }
  return {
    schema: 'runproof.sample/v1',
    algorithm: SAMPLE_ALGORITHM,
    seed: request.seed,
    period: { from: request.from, to: request.to },
    n: request.n,
    population: { count: population.length, sha256: createHash('sha256').update(population.join('\n')).digest('hex') },
    chainHeads: [...heads.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([chain, r]) => ({ chain, runbook: r.runbookPath, bundle: r.name, seq: r.seq!, manifestSha256: r.manifestSha256! })),
    chosen: drawSample(population, request.n, request.seed),
    createdAt: now.toISOString(),
  };
}

// Regular files of a bundle folder (symlinks and other entries are not followed or packed).
async function regularFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(rel === '' ? dir : join(dir, rel), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await regularFiles(dir, path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * Streams the sample zip to `out`: one folder `runproof-sample-<seed>/` holding `sample.json`,
 * `verify.json` and `bundles/<name>/` for each chosen bundle (regular files only). Nothing is written to disk.
 */
export async function streamSampleZip(out: Writable, root: string, sample: SampleManifest, verify: ReadonlyMap<string, VerifyView>): Promise<void> {
  const zip = archiver('zip', { zlib: { level: 6 } });
  const done = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('finish', resolve);
    zip.on('error', reject);
  });
  zip.pipe(out);
  const top = `runproof-sample-${sample.seed}`;
  zip.append(`${JSON.stringify(sample, null, 2)}\n`, { name: `${top}/sample.json` });
  const results = sample.chosen.map((name) => {
    const v = verify.get(name);
    return { bundle: name, state: v?.state ?? 'broken', detail: v?.detail ?? 'not verified', ok: v?.result?.ok ?? false, problems: v?.result?.problems ?? [], notes: v?.result?.notes ?? [] };
  });
  zip.append(`${JSON.stringify(results, null, 2)}\n`, { name: `${top}/verify.json` });
  for (const name of sample.chosen) {
    const dir = join(root, name);
    for (const rel of await regularFiles(dir).catch(() => [] as string[])) zip.file(join(dir, rel), { name: `${top}/bundles/${name}/${rel}` });
  }
  await zip.finalize();
  await done;
}
