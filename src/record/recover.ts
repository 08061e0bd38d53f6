// `runproof recover`: a run killed by SIGKILL or a power cut leaves journal.jsonl (fsynced after
// every finished attempt and step) and no seal. From the journal alone the record is rebuilt with
// the live run's own fold (status `aborted` when there is no run-end), then reports and seal follow.
import { lstat, mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RunproofError } from '../core/index.js';
import { JOURNAL_FILE } from './bundle.js';
import { buildRecord } from './build-record.js';
import { readJournal } from './journal.js';
import { bootId, LOCK_STALE_MS, locksOfBundle, releaseLocksOfBundle, runLockDir } from './lock.js';
import { ATTESTATION_FILE, MANIFEST_FILE, readManifest } from './manifest.js';
import { sealBundle, type SealResult } from './seal.js';
import { RunRecordSchema, type RunRecord } from './types.js';
import { writeAtomic } from './write-atomic.js';

/** The bundle handle `finish` receives: what `finishBundle` of the app needs. */
export interface RecoveredBundle {
  dir: string;
  baseName: string;
  writeFile(relPath: string, content: string | Buffer): Promise<string>;
}

export interface RecoverOptions {
  /** The evidence folder of the chain (default: the bundle's parent folder). */
  evidenceDir?: string;
  /** Renders reports and seals (the app's `finishBundle`); default: seal only. */
  finish?: (bundle: RecoveredBundle, record: RunRecord) => Promise<{ reportPaths?: { markdown: string; html: string }; seal: SealResult }>;
  /** Used by the default finish. */
  signingKeyFile?: string;
  /** Folder of run locks (default `runLockDir()`): the killed run's lock there is released. */
  lockDir?: string;
  hmacKey?: string;
  /** Rebuild even when the bundle is already sealed. */
  force?: boolean;
  /**
   * Ends the cells' process groups that outlived the killed run (the execute stage's
   * `endSurvivingGroups`, given the journal's `process-start` events); its lines become record
   * warnings and `survivorsEnded`. Called only once the run is known not to be running.
   */
  endSurvivors?: (groups: Array<{ pgid: number; session: string; stepId: string }>) => Promise<string[]>;
}

export interface RecoverResult {
  /** Run lock files of the killed run that were released. */
  releasedLocks: string[];
  bundleDir: string;
  record: RunRecord;
  recordPath: string;
  /** The journal's last line was cut mid-write and left out. */
  tornLastLine: boolean;
  /** Complete journal lines that were not valid events (left out). */
  invalidLines: Array<{ line: number; error: string }>;
  /** Half-written temp files of the killed run that were removed. */
  removedTempFiles: string[];
  /** The journal's hash chain: `broken` when a line was edited, dropped or inserted (see `chainProblems`). */
  journalChain: 'chained' | 'unchained' | 'broken';
  chainProblems: Array<{ line: number; message: string }>;
  /** Whether the journal had a run-end (the run finished; only sealing was cut short). */
  finished: boolean;
  /** One line per process group of the run that was still running and was ended. */
  survivorsEnded: string[];
  reportPaths?: { markdown: string; html: string };
  seal: SealResult;
}

function bundleHandle(dir: string): RecoveredBundle {
  return {
    dir,
    baseName: basename(dir),
    async writeFile(relPath, content) {
      const path = resolve(dir, relPath);
      const rel = relative(dir, path);
      if (isAbsolute(relPath) || rel === '' || rel === '..' || rel.startsWith(`..${sep}`)) {
        throw new RunproofError('RP_EVIDENCE_WRITE_FAILED', `refusing to write ${JSON.stringify(relPath)}: outside the bundle`);
      }
      await mkdir(dirname(path), { recursive: true });
      await writeAtomic(path, content);
      return path;
    },
  };
}

// A run still writing this bundle holds its run lock (the lock names the bundle): recovering
// under it would seal a live run. A holder on this host is alive when its process is; one on
// another host while its heartbeat is fresh.
async function assertNotRunning(bundleDir: string, lockDir: string): Promise<void> {
  for (const owner of await locksOfBundle(bundleDir, lockDir)) {
    const beat = Date.parse(owner.heartbeat ?? owner.since);
    const staleMs = Number(process.env.RUNPROOF_LOCK_STALE_MS) > 0 ? Number(process.env.RUNPROOF_LOCK_STALE_MS) : LOCK_STALE_MS;
    const fresh = Number.isFinite(beat) && Date.now() - beat <= staleMs;
    let alive: boolean;
    if (owner.host === hostname() && (!owner.bootId || owner.bootId === bootId())) {
      try {
        process.kill(owner.pid, 0);
        alive = owner.pid !== process.pid;
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    } else {
      alive = owner.host !== hostname() && fresh;
    }
    if (alive) {
      throw new RunproofError('RP_LOCKED', `the run writing ${bundleDir} is still in progress (pid ${owner.pid} on ${owner.host}, alive at ${owner.heartbeat ?? owner.since}); refusing to recover while it may be writing`, {
        hint: owner.host === hostname() ? `wait for it to finish or stop it (kill ${owner.pid}), then recover` : 'wait for it to finish; a dead run\'s heartbeat goes stale and then recover works',
      });
    }
  }
}

/**
 * Rebuilds a killed run's record from `journal.jsonl` alone (status `aborted` without a run-end;
 * every finished step as it was journaled), writes it, then renders and seals via `finish`.
 * A torn last journal line is tolerated and reported (`tornLastLine`, and a record warning).
 * @throws RunproofError RP_BAD_BUNDLE when there is no readable journal or the bundle is already sealed (without `force`).
 * @example const { record, tornLastLine } = await recoverBundle('evidence/daily_20260122_101500')
 */
export async function recoverBundle(bundleDir: string, options: RecoverOptions = {}): Promise<RecoverResult> {
  const dir = resolve(bundleDir);
  const info = await lstat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new RunproofError('RP_BAD_BUNDLE', `${bundleDir} is not a bundle folder`, { hint: 'pass a folder evidence/<name>_<ts> holding journal.jsonl' });
  const sealed = (await readManifest(dir)) !== null && (await lstat(join(dir, ATTESTATION_FILE)).catch(() => null)) !== null;
  if (sealed && !options.force) {
    throw new RunproofError('RP_BAD_BUNDLE', `${bundleDir} is already sealed: nothing to recover`, { hint: 'check it with `runproof verify`; pass --force to rebuild and reseal it anyway' });
  }
  const journal = await readJournal(join(dir, JOURNAL_FILE));
  if (!journal.events.some((e) => e.type === 'run-start')) {
    throw new RunproofError('RP_BAD_BUNDLE', `${join(bundleDir, JOURNAL_FILE)} has no run-start event: the run was killed before it started`, {
      hint: 'nothing ran; the folder can be deleted',
    });
  }
  const evidenceDir = resolve(options.evidenceDir ?? dirname(dir));
  const record = buildRecord(journal.events, { unfinishedStatus: 'aborted' });
  const lockDir = options.lockDir ?? runLockDir();
  await assertNotRunning(dir, lockDir);
  const groups = journal.events.flatMap((e) => (e.type === 'process-start' ? [{ pgid: e.pgid, session: e.session, stepId: e.stepId }] : []));
  const survivorsEnded = options.endSurvivors && groups.length > 0 ? await options.endSurvivors(groups) : [];
  record.warnings.push(...survivorsEnded);
  if (journal.tornLastLine) record.warnings.push('journal.jsonl: the last line was cut mid-write (the process died while writing it) and was left out');
  for (const bad of journal.invalid) record.warnings.push(`journal.jsonl line ${bad.line} is not a valid event and was left out: ${bad.error}`);
  // The hash chain: an edited or dropped line is said in the record, which is then sealed as found.
  for (const p of journal.chain.problems) record.warnings.push(`journal.jsonl${p.line > 0 ? ` line ${p.line}` : ''}: hash chain broken: ${p.message}`);
  if (journal.chain.status === 'unchained') record.warnings.push('journal.jsonl is unchained (written before lines carried prev): edits to it cannot be detected from the journal alone');

  const removedTempFiles: string[] = [];
  for (const name of await readdir(dir)) {
    if (/\.\d+\.tmp$/.test(name)) {
      await unlink(join(dir, name));
      removedTempFiles.push(name);
    }
  }
  await unlink(join(dir, ATTESTATION_FILE)).catch(() => undefined);
  await unlink(join(dir, MANIFEST_FILE)).catch(() => undefined);

  const parsed = RunRecordSchema.safeParse({ ...record, sealedBy: sealed ? 'recover-force' : 'recover' });
  if (!parsed.success) throw new RunproofError('RP_BAD_RECORD', `the rebuilt record is invalid: ${parsed.error.issues[0]?.message ?? ''}`, { hint: 'this is a bug in runproof' });
  const recordPath = join(dir, `${basename(dir)}.json`);
  await writeAtomic(recordPath, `${JSON.stringify(parsed.data, null, 2)}\n`);
  const handle = bundleHandle(dir);
  const finish: NonNullable<RecoverOptions['finish']> =
    options.finish ??
    (async () => ({
      seal: await sealBundle(dir, { evidenceDir, ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}), ...(options.hmacKey ? { hmacKey: options.hmacKey } : {}) }),
    }));
  const finished = await finish(handle, parsed.data);
  // The killed run's lock names this bundle: released, so later runs are not refused (exit 4).
  const releasedLocks = await releaseLocksOfBundle(dir, lockDir);
  return {
    releasedLocks,
    bundleDir: dir,
    record: parsed.data,
    recordPath,
    tornLastLine: journal.tornLastLine,
    invalidLines: journal.invalid,
    journalChain: journal.chain.status,
    chainProblems: journal.chain.problems,
    removedTempFiles,
    finished: journal.events.some((e) => e.type === 'run-end'),
    survivorsEnded,
    ...(finished.reportPaths ? { reportPaths: finished.reportPaths } : {}),
    seal: finished.seal,
  };
}

/** What `runproof run --resume` needs from the interrupted or failed bundle. */
export interface ResumePoint {
  /** The old bundle's directory name: the new record's `resumedFrom`. */
  bundleName: string;
  bundleDir: string;
  /** The folder holding it: the default evidence folder of the new run, so the chain links. */
  evidenceDir: string;
  record: RunRecord;
  /** Names of the steps completed there (passed, or carried over as completed by an earlier resume); `name@host` for a step of a fleet run. */
  doneStepNames: Set<string>;
  /** What the new record should say about the resume. */
  warnings: string[];
}

const CARRIED_OVER = 'completed in the run this one resumes';

/**
 * Reads the bundle a run resumes: refuses it when the runbook's SHA-256 changed (unless `force`)
 * or when it passed; a killed, unsealed bundle is recovered (rebuilt and sealed) first.
 * @throws RunproofError RP_RUNBOOK_CHANGED, RP_BAD_BUNDLE
 * @example const point = await prepareResume('evidence/daily_20260122_101500', { runbookSha256 })
 */
export async function prepareResume(
  bundleDir: string,
  options: { runbookSha256: string; force?: boolean; finish?: RecoverOptions['finish']; signingKeyFile?: string; hmacKey?: string },
): Promise<ResumePoint> {
  const dir = resolve(bundleDir);
  const info = await lstat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new RunproofError('RP_BAD_BUNDLE', `--resume ${bundleDir}: not a bundle folder`, { hint: 'pass the folder of the interrupted run, e.g. evidence/<name>_<ts> (see `runproof evidence list`)' });
  const warnings: string[] = [];
  let record: RunRecord;
  const sealed = (await readManifest(dir)) !== null && (await lstat(join(dir, ATTESTATION_FILE)).catch(() => null)) !== null;
  if (!sealed) {
    const recovered = await recoverBundle(dir, {
      ...(options.finish ? { finish: options.finish } : {}),
      ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}),
      ...(options.hmacKey ? { hmacKey: options.hmacKey } : {}),
    });
    record = recovered.record;
    warnings.push(`the resumed bundle ${basename(dir)} was not sealed (killed run): it was recovered first`);
  } else {
    const text = await readFile(join(dir, `${basename(dir)}.json`), 'utf8').catch(() => null);
    const parsed = text === null ? null : RunRecordSchema.safeParse(JSON.parse(text));
    if (!parsed?.success) throw new RunproofError('RP_BAD_BUNDLE', `--resume ${bundleDir}: its record is missing or invalid`, { hint: 'check it with `runproof verify`' });
    record = parsed.data;
  }
  if (record.runbook.sha256 !== options.runbookSha256) {
    if (!options.force) {
      throw new RunproofError('RP_RUNBOOK_CHANGED', `the runbook changed since ${basename(dir)} ran (sha256 ${record.runbook.sha256.slice(0, 12)}… → ${options.runbookSha256.slice(0, 12)}…)`, {
        hint: 'resume only with the same runbook, or pass --force to resume anyway (steps are matched by name)',
      });
    }
    warnings.push(`resumed with --force although the runbook changed since ${basename(dir)} (sha256 ${record.runbook.sha256} → ${options.runbookSha256})`);
  }
  if (record.status === 'passed' || record.status === 'dry-run') {
    throw new RunproofError('RP_BAD_BUNDLE', `--resume ${bundleDir}: that run ${record.status === 'passed' ? 'passed' : 'was a dry run'}; there is nothing to resume`, {
      hint: 'start a new run without --resume',
    });
  }
  const done = new Set<string>();
  for (const step of record.steps) {
    const carried = step.status === 'skipped' && step.decisions.some((d) => d.reason === CARRIED_OVER);
    if (step.status === 'passed' || carried) done.add(step.host ? `${step.name || step.id}@${step.host}` : step.name || step.id);
  }
  return { bundleName: basename(dir), bundleDir: dir, evidenceDir: dirname(dir), record, doneStepNames: done, warnings };
}
