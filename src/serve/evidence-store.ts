// The server's index of an evidence folder: one small summary per bundle (never the record),
// refreshed incrementally by directory listing, and verify results cached per bundle under a
// key made of the manifest hash and the stat fingerprint of every file of the bundle.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { loadBundleRecord, readManifest, RunStatusSchema, verifyBundle, type Manifest, type VerifyOptions, type VerifyResult } from '../record/index.js';
import { isSafeSegment } from './safe-path.js';

/** What the index keeps of one bundle. */
export interface RunSummary {
  name: string;
  runbookPath: string;
  title: string;
  /** The chain key when sealed; the runbook path otherwise (groups runs of one runbook). */
  chainKey: string;
  sections: string[];
  /** The record's status, or `unfinished` for a bundle with only a journal. */
  status: string;
  user: string;
  host: string;
  startedAt: string;
  durationMs: number;
  counts: { passed: number; failed: number; blocked: number; skipped: number; notRun: number };
  sealed: boolean;
  seq: number | null;
  origin: boolean;
  previous: { bundle: string; seq: number; manifestSha256: string } | null;
  manifestSha256: string | null;
  /** Lowercased text the `q` filter searches: names, title, sections, operator, step names. */
  text: string;
  /** Directory mtime when loaded: a change (manifest written, files replaced) reloads it. */
  dirMtimeMs: number;
}

/** The verify state shown per row. */
export type VerifyState = 'verified' | 'unsigned' | 'unchecked' | 'broken' | 'unsealed';

export interface VerifyView {
  state: VerifyState;
  /** One line saying why (first problem, or what was checked). */
  detail: string;
  result: VerifyResult | null;
}

export interface StoreOptions {
  verify?: Pick<VerifyOptions, 'keyFiles' | 'hmacKey'>;
  /** Minimum milliseconds between two listings of the folder (default 1000). */
  refreshMs?: number;
}

const TEXT_LIMIT = 4096;
const LOAD_CONCURRENCY = 16;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function compareNewestFirst(a: RunSummary, b: RunSummary): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/** Loads one bundle's summary; null when the folder is not a bundle. */
export async function summarizeBundle(root: string, name: string, dirMtimeMs: number): Promise<RunSummary | null> {
  const dir = join(root, name);
  // A record or journal that is not a regular file (a symlink out of the folder) is never read.
  const odd = await Promise.all([`${name}.json`, 'journal.jsonl'].map(async (f) => {
    const info = await lstat(join(dir, f)).catch(() => null);
    return info !== null && !info.isFile();
  }));
  const manifest = await readManifest(dir);
  let record: IndexRecord | null = null;
  let fromJournal = false;
  if (!odd.some(Boolean)) {
    record = await readIndexRecord(join(dir, `${name}.json`));
    if (!record) {
      try {
        const loaded = await loadBundleRecord(dir);
        record = loaded.record;
        fromJournal = loaded.fromJournal;
      } catch {
        record = null;
      }
    }
  }
  // A sealed bundle whose record cannot be read is listed (verify shows it broken), not hidden.
  if (!record) return manifest ? unreadableSummary(name, manifest.manifest, manifest.sha256, dirMtimeMs) : null;
  const stepNames = record.steps.map((s) => s.name).join('\n');
  const text = [name, record.runbook.title, record.runbook.path, record.selection.sections.join(' '), record.operator.user, record.operator.host, stepNames]
    .join('\n')
    .toLowerCase()
    .slice(0, TEXT_LIMIT);
  return {
    name,
    runbookPath: record.runbook.path,
    title: record.runbook.title,
    chainKey: manifest?.manifest.chain.key ?? record.runbook.path,
    sections: record.selection.sections,
    status: fromJournal ? 'unfinished' : record.status,
    user: record.operator.user,
    host: record.operator.host,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    counts: { passed: record.counts.passed, failed: record.counts.failed, blocked: record.counts.blocked, skipped: record.counts.skipped, notRun: record.counts.notRun },
    sealed: manifest !== null,
    seq: manifest?.manifest.chain.seq ?? null,
    origin: manifest?.manifest.chain.origin ?? false,
    previous: manifest?.manifest.chain.previous ?? null,
    manifestSha256: manifest?.sha256 ?? null,
    text,
    dirMtimeMs,
  };
}

// The fields of a record the index keeps, validated without parsing the whole record (the
// record stage's full schema costs milliseconds per bundle: 10,000 bundles would take a minute).
const IndexRecordSchema = z.object({
  runbook: z.object({ path: z.string(), title: z.string() }),
  selection: z.object({ sections: z.array(z.string()) }),
  status: RunStatusSchema,
  operator: z.object({ user: z.string(), host: z.string() }),
  startedAt: z.string(),
  durationMs: z.number(),
  counts: z.object({ passed: z.number(), failed: z.number(), blocked: z.number(), skipped: z.number(), notRun: z.number() }),
  steps: z.array(z.object({ name: z.string() })),
});
type IndexRecord = z.infer<typeof IndexRecordSchema>;

async function readIndexRecord(file: string): Promise<IndexRecord | null> {
  try {
    const parsed = IndexRecordSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function unreadableSummary(name: string, manifest: Manifest, sha256: string, dirMtimeMs: number): RunSummary {
  return {
    name,
    runbookPath: manifest.runbook.path,
    title: manifest.runbook.title,
    chainKey: manifest.chain.key,
    sections: [],
    status: 'unreadable',
    user: '',
    host: manifest.host,
    startedAt: manifest.sealedAt,
    durationMs: 0,
    counts: { passed: 0, failed: 0, blocked: 0, skipped: 0, notRun: 0 },
    sealed: true,
    seq: manifest.chain.seq,
    origin: manifest.chain.origin,
    previous: manifest.chain.previous,
    manifestSha256: sha256,
    text: `${name}\n${manifest.runbook.title}\n${manifest.runbook.path}`.toLowerCase(),
    dirMtimeMs,
  };
}

// The stat fingerprint of every entry under a bundle folder: any write, rename, chmod or
// `touch -d` changes a ctime, so a cached verify result is never reused for edited files.
async function fingerprint(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(rel === '' ? dir : join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const info = await lstat(join(dir, path), { bigint: true });
      parts.push(`${path}\0${info.mode}\0${info.size}\0${info.mtimeNs}\0${info.ctimeNs}\0${info.ino}`);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk('');
  return parts.join('\n');
}

function viewOf(result: VerifyResult, sealed: boolean): VerifyView {
  if (!result.ok) {
    const p = result.problems[0];
    if (!sealed) return { state: 'unsealed', detail: 'not sealed: no manifest.json (run `runproof recover`)', result };
    return { state: 'broken', detail: p ? `${p.file}: expected ${p.expected}; actual ${p.actual}` : 'verify failed', result };
  }
  if (result.signature.verified.length > 0) return { state: 'verified', detail: `hashes, chain link and signature verified (${result.signature.verified.join(', ')})`, result };
  if (result.signature.present > 0) return { state: 'unchecked', detail: `hashes and chain link verified; ${result.signature.present} signature(s) not checked: start the server with --key`, result };
  return { state: 'unsigned', detail: 'hashes and chain link verified; the attestation is unsigned', result };
}

/** The index of one evidence folder. */
export class EvidenceStore {
  readonly root: string;
  private readonly runs = new Map<string, RunSummary>();
  private sorted: RunSummary[] | null = null;
  private lastRefresh = 0;
  private refreshing: Promise<void> | null = null;
  private readonly verifyCache = new Map<string, { key: string; view: VerifyView }>();
  private readonly options: StoreOptions;

  constructor(root: string, options: StoreOptions = {}) {
    this.root = root;
    this.options = options;
  }

  /** Lists the folder again (at most once per `refreshMs`), loading only new or changed bundles. */
  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.lastRefresh < (this.options.refreshMs ?? 1000)) return;
    this.refreshing ??= this.rescan().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
  }

  private async rescan(): Promise<void> {
    const entries = await readdir(this.root, { withFileTypes: true });
    const seen = new Set<string>();
    const candidates: string[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || !isSafeSegment(entry.name)) continue;
      seen.add(entry.name);
      candidates.push(entry.name);
    }
    let changed = false;
    for (const name of [...this.runs.keys()]) {
      if (!seen.has(name)) {
        this.runs.delete(name);
        this.verifyCache.delete(name);
        changed = true;
      }
    }
    // Known sealed bundles are reloaded only when their folder changed; new ones are loaded.
    const stats = await mapLimit(candidates, LOAD_CONCURRENCY, async (name) => {
      const known = this.runs.get(name);
      if (known?.sealed) return null; // edits to a sealed bundle show in its verify state

      const info = await lstat(join(this.root, name)).catch(() => null);
      if (!info?.isDirectory()) return null;
      if (known && known.dirMtimeMs === info.mtimeMs) return null;
      return { name, mtimeMs: info.mtimeMs };
    });
    const toLoad = stats.filter((s): s is { name: string; mtimeMs: number } => s !== null);
    const loaded = await mapLimit(toLoad, LOAD_CONCURRENCY, (s) => summarizeBundle(this.root, s.name, s.mtimeMs));
    for (const [i, summary] of loaded.entries()) {
      const name = toLoad[i]!.name;
      if (summary) this.runs.set(name, summary);
      else this.runs.delete(name);
      changed = true;
    }
    if (changed) this.sorted = null;
    this.lastRefresh = Date.now();
  }

  /** Every run, newest first. */
  all(): readonly RunSummary[] {
    this.sorted ??= [...this.runs.values()].sort(compareNewestFirst);
    return this.sorted;
  }

  get(name: string): RunSummary | undefined {
    return this.runs.get(name);
  }

  get size(): number {
    return this.runs.size;
  }

  /** The runs of one chain (or runbook), by seq then start time. */
  chainOf(key: string): RunSummary[] {
    return this.all()
      .filter((r) => r.chainKey === key)
      .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0) || (a.name < b.name ? -1 : 1));
  }

  /** `verifyBundle` of one bundle, cached while its manifest hash and files' stat fingerprint are unchanged. */
  async verify(name: string): Promise<VerifyView> {
    const summary = this.runs.get(name);
    const dir = join(this.root, name);
    let key: string;
    try {
      const manifest = await readManifest(dir);
      key = `${manifest?.sha256 ?? 'none'}\n${await fingerprint(dir)}`;
    } catch {
      key = `unreadable:${Date.now()}`;
    }
    const cached = this.verifyCache.get(name);
    if (cached && cached.key === key) return cached.view;
    let view: VerifyView;
    try {
      const result = await verifyBundle(dir, this.options.verify ?? {});
      view = viewOf(result, summary?.sealed ?? !result.problems.some((p) => p.file === 'manifest.json' && p.actual === 'missing'));
    } catch (error) {
      view = { state: 'broken', detail: `cannot verify: ${(error as Error).message}`, result: null };
    }
    this.verifyCache.set(name, { key, view });
    return view;
  }

  /** Verify views of several bundles (a page's rows), four at a time. */
  verifyMany(names: readonly string[]): Promise<VerifyView[]> {
    return mapLimit(names, 4, (n) => this.verify(n));
  }
}
