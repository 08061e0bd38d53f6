// The data behind `runproof evidence list | show | diff`: what is in an evidence folder, one run
// in detail, and what changed between two runs of the same runbook (output compared after masking
// what changes on every run: timestamps, durations, UUIDs). cli/evidence-format.ts prints it.
import { constants } from 'node:fs';
import { lstat, open, readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { RunproofError } from '../core/index.js';
import { JOURNAL_FILE } from './bundle.js';
import { buildRecord } from './build-record.js';
import { readJournal } from './journal.js';
import { compareCodeUnits, readManifest } from './manifest.js';
import { RunRecordSchema, type Counts, type RunRecord, type Step } from './types.js';

/** One bundle in `evidence list`. */
export interface BundleSummary {
  name: string;
  dir: string;
  runbook: { path: string; title: string };
  sections: string[];
  /** The record's status; `unfinished` when only a journal exists (run `recover`). */
  status: RunRecord['status'] | 'unfinished';
  startedAt: string;
  durationMs: number;
  counts: Counts;
  sealed: boolean;
  /** Who sealed it (the record's `sealedBy`): `recover-force` is shown in the list. */
  sealedBy?: 'run' | 'recover' | 'recover-force';
  /** Place in its chain, when sealed. */
  seq: number | null;
}

/** A bundle's record: the record file, or (unfinished bundle) the journal folded as `recover` would. */
export async function loadBundleRecord(bundleDir: string): Promise<{ record: RunRecord; fromJournal: boolean; sealed: boolean; seq: number | null }> {
  const dir = resolve(bundleDir);
  const info = await lstat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new RunproofError('RP_BAD_BUNDLE', `${bundleDir} is not a bundle folder`, { hint: 'pass a folder evidence/<name>_<ts>; `runproof evidence list` shows them' });
  const manifest = await readManifest(dir);
  const seq = manifest?.manifest.chain.seq ?? null;
  try {
    const text = await readFile(join(dir, `${basename(dir)}.json`), 'utf8');
    const parsed = RunRecordSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { record: parsed.data, fromJournal: false, sealed: manifest !== null, seq };
  } catch {
    // fall back to the journal
  }
  const journal = await readJournal(join(dir, JOURNAL_FILE));
  if (!journal.events.some((e) => e.type === 'run-start')) {
    throw new RunproofError('RP_BAD_BUNDLE', `${bundleDir} has neither a record nor a started journal`, { hint: 'the run was killed before it started' });
  }
  return { record: buildRecord(journal.events, { unfinishedStatus: 'aborted' }), fromJournal: true, sealed: manifest !== null, seq };
}

/**
 * Every run in an evidence folder, newest first (by start time, then name).
 * @example for (const run of await listEvidence('evidence')) console.log(run.name, run.status)
 */
export async function listEvidence(evidenceDir: string): Promise<BundleSummary[]> {
  const dir = resolve(evidenceDir);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw new RunproofError('RP_BAD_BUNDLE', `cannot read the evidence folder ${evidenceDir}: ${(cause as Error).message}`, { hint: 'pass the folder given to --evidence-dir (default: evidence)', cause });
  }
  const out: BundleSummary[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const bundleDir = join(dir, entry.name);
    let loaded;
    try {
      loaded = await loadBundleRecord(bundleDir);
    } catch {
      continue; // not a bundle
    }
    const { record } = loaded;
    out.push({
      name: entry.name,
      dir: bundleDir,
      runbook: { path: record.runbook.path, title: record.runbook.title },
      sections: record.selection.sections,
      status: loaded.fromJournal ? 'unfinished' : record.status,
      startedAt: record.startedAt,
      durationMs: record.durationMs,
      counts: record.counts,
      sealed: loaded.sealed,
      ...(record.sealedBy ? { sealedBy: record.sealedBy } : {}),
      seq: loaded.seq,
    });
  }
  return out.sort((a, b) => compareCodeUnits(b.startedAt, a.startedAt) || compareCodeUnits(b.name, a.name));
}

export function lastAttempt(step: Step): Step['attempts'][number] | undefined {
  return step.attempts[step.attempts.length - 1];
}

/** One masking rule of `evidence diff`: what is replaced before outputs are compared. */
export interface MaskingRule {
  name: string;
  description: string;
  pattern: RegExp;
  replacement: string;
}

/** The masking rules, applied in this order. */
export const MASKING_RULES: readonly MaskingRule[] = [
  {
    name: 'iso-timestamp',
    description: 'ISO 8601 / RFC 3339 date-times (2026-01-22T10:15:00.123Z, 2026-01-22 10:15:00+01:00) → <TIMESTAMP>',
    pattern: /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b/g,
    replacement: '<TIMESTAMP>',
  },
  {
    name: 'http-date',
    description: 'RFC 1123 and date(1) dates (Thu, 22 Jan 2026 10:15:00 GMT; Thu Jan 22 10:15:00 UTC 2026) → <TIMESTAMP>',
    pattern: /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? (?:\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}(?: [A-Z]{2,5})?|[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}(?: [A-Z]{2,5})? \d{4})/g,
    replacement: '<TIMESTAMP>',
  },
  {
    name: 'clock-time',
    description: 'times of day (10:15:00, 10:15:00.123) → <TIME>',
    pattern: /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g,
    replacement: '<TIME>',
  },
  {
    name: 'uuid',
    description: 'UUIDs (8-4-4-4-12 hex digits, any case) → <UUID>',
    pattern: /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g,
    replacement: '<UUID>',
  },
  {
    name: 'duration',
    description: 'durations: a number with a time unit (12ms, 0.5s, 3 seconds, 1m2.003s, 250µs, 4 min) → <DURATION>',
    pattern: /\b\d+(?:\.\d+)?(?:h\d+m)?(?:m\d+(?:\.\d+)?)?\s?(?:ns|us|µs|ms|s|sec|secs|seconds?|min|mins|minutes?|h|hours?)\b/g,
    replacement: '<DURATION>',
  },
];

/** Applies every masking rule to a text. */
export function maskVolatile(text: string): string {
  let out = text;
  for (const rule of MASKING_RULES) out = out.replace(rule.pattern, rule.replacement);
  return out;
}

/** One difference of one step between run A and run B. */
export interface StepChange {
  field: 'status' | 'exitCode' | 'assertion' | 'expect' | 'stdout' | 'stderr' | 'presence';
  /** For assertions: the assertion text; for output: the first differing line number (1-based). */
  detail?: string;
  a: unknown;
  b: unknown;
}

/** What `evidence diff` reports. */
export interface EvidenceDiff {
  a: { bundle: string; runbook: string; sha256: string; status: string };
  b: { bundle: string; runbook: string; sha256: string; status: string };
  /** Set when A and B are runs of different runbooks or versions. */
  warnings: string[];
  maskingRules: Array<{ name: string; description: string }>;
  steps: Array<{ name: string; changes: StepChange[] }>;
}

const OUTPUT_READ_LIMIT = 16 * 1024 * 1024;

/** The full output of a step's last attempt: the log when the inline copy is only head and tail. */
export async function fullOutput(dir: string, step: Step, stream: 'stdout' | 'stderr'): Promise<string | null> {
  const attempt = lastAttempt(step);
  if (!attempt) return null;
  const output = attempt[stream];
  if (!output.truncated || !output.logFile) return output.inline;
  // The log is named by the record: only a plain relative path inside the bundle, no symlink.
  if (!/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/.test(output.logFile) || output.logFile.split('/').some((p) => p === '.' || p === '..')) return output.inline;
  try {
    const handle = await open(join(dir, output.logFile), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buffer = Buffer.alloc(Math.min(output.size, OUTPUT_READ_LIMIT));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return output.inline;
  }
}

function firstDifference(a: string, b: string): { line: number; a: string; b: string } | null {
  if (a === b) return null;
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return { line: i + 1, a: la[i] ?? '(no line)', b: lb[i] ?? '(no line)' };
  }
  return { line: 1, a, b };
}

/**
 * Compares two runs of the same runbook step by step (matched by step name): status, exit code,
 * assertion results, expected-output result and output after `MASKING_RULES`.
 * @example const diff = await diffBundles('evidence/a_20260122_101500', 'evidence/a_20260123_101500')
 */
export async function diffBundles(bundleA: string, bundleB: string): Promise<EvidenceDiff> {
  const A = await loadBundleRecord(bundleA);
  const B = await loadBundleRecord(bundleB);
  const ra = A.record;
  const rb = B.record;
  const warnings: string[] = [];
  if (ra.runbook.path !== rb.runbook.path && ra.runbook.title !== rb.runbook.title) warnings.push(`A and B are runs of different runbooks (${ra.runbook.path}, ${rb.runbook.path})`);
  else if (ra.runbook.sha256 !== rb.runbook.sha256) warnings.push('the runbook changed between A and B (different SHA-256): steps are matched by name');
  const dirA = resolve(bundleA);
  const dirB = resolve(bundleB);
  const stepsA = new Map(ra.steps.map((s) => [s.name || s.id, s] as const));
  const stepsB = new Map(rb.steps.map((s) => [s.name || s.id, s] as const));
  const names = [...stepsA.keys(), ...[...stepsB.keys()].filter((n) => !stepsA.has(n))];
  const steps: EvidenceDiff['steps'] = [];
  for (const name of names) {
    const sa = stepsA.get(name);
    const sb = stepsB.get(name);
    const changes: StepChange[] = [];
    if (!sa || !sb) {
      changes.push({ field: 'presence', a: sa ? sa.status : 'absent', b: sb ? sb.status : 'absent' });
      steps.push({ name, changes });
      continue;
    }
    if (sa.status !== sb.status) changes.push({ field: 'status', a: sa.status, b: sb.status });
    const ea = lastAttempt(sa)?.exitCode ?? null;
    const eb = lastAttempt(sb)?.exitCode ?? null;
    if (ea !== eb) changes.push({ field: 'exitCode', a: ea, b: eb });
    const assertsA = new Map(sa.assertions.map((x) => [x.text, x] as const));
    const assertsB = new Map(sb.assertions.map((x) => [x.text, x] as const));
    for (const text of new Set([...assertsA.keys(), ...assertsB.keys()])) {
      const xa = assertsA.get(text);
      const xb = assertsB.get(text);
      if (xa?.passed !== xb?.passed) changes.push({ field: 'assertion', detail: text, a: xa ? (xa.passed ? 'passed' : 'failed') : 'absent', b: xb ? (xb.passed ? 'passed' : 'failed') : 'absent' });
    }
    if ((sa.expect?.passed ?? null) !== (sb.expect?.passed ?? null)) changes.push({ field: 'expect', a: sa.expect?.passed ?? null, b: sb.expect?.passed ?? null });
    for (const stream of ['stdout', 'stderr'] as const) {
      const oa = await fullOutput(dirA, sa, stream);
      const ob = await fullOutput(dirB, sb, stream);
      if (oa === null || ob === null) continue;
      const diff = firstDifference(maskVolatile(oa), maskVolatile(ob));
      if (diff) changes.push({ field: stream, detail: `line ${diff.line}`, a: diff.a, b: diff.b });
    }
    if (changes.length > 0) steps.push({ name, changes });
  }
  return {
    a: { bundle: basename(dirA), runbook: ra.runbook.path, sha256: ra.runbook.sha256, status: ra.status },
    b: { bundle: basename(dirB), runbook: rb.runbook.path, sha256: rb.runbook.sha256, status: rb.status },
    warnings,
    maskingRules: MASKING_RULES.map((r) => ({ name: r.name, description: r.description })),
    steps,
  };
}
