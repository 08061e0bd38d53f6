import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { readRunbookFile } from './read-runbook.js';
import { parseRunbook, type Notebook, type RiskLevel } from '../parse/index.js';
import { planRun, type GivenValue, type Mode, type PlanResult } from '../plan/index.js';
import { runNotebook, type RunOutcome, type RunProgress, type StepDecider } from '../execute/index.js';
import { needsSandbox, probeSandbox, type SandboxMode, type SandboxProbe } from '../execute/index.js';
import { RunproofError } from '../core/index.js';
import {
  acquireLock,
  collectSecrets,
  createRedactor,
  evidenceNameFor,
  gitInfo,
  lockKeyFor,
  openBundle,
  validateEvidenceName,
  readJournal,
  type RunRecord,
} from '../record/index.js';
import { buildRecord } from '../record/index.js';
import { ensureRealDir } from '../record/index.js';
import { sealBundle, type SealResult } from '../record/index.js';
import { renderReports } from '../render/index.js';
import type { Trigger } from '../record/index.js';
import { prepareResume, type ResumePoint } from '../record/index.js';
import { archiveBundle, type ArchiveFormat } from '../record/index.js';

export interface RunRunbookOptions {
  runbookPath: string;
  sections?: string[];
  cells?: string[];
  tags?: string[];
  values?: GivenValue[];
  secrets?: string[];
  mode: Mode;
  allow?: RiskLevel[];
  timeoutMs?: number;
  evidenceDir?: string;
  evidenceName?: string;
  insecure?: boolean;
  caFile?: string;
  signal?: AbortSignal;
  progress?: RunProgress;
  decider?: StepDecider;
  /** Environment of the run (default process.env): the session's base and a source of secrets. */
  env?: Record<string, string>;
  /** Directory the shell session starts in (default: the current directory). */
  cwd?: string;
  now?: Date;
  /** Folder of the user's own report templates. */
  templateDir?: string;
  /** Ed25519 private key PEM file that signs the attestation. */
  signingKeyFile?: string;
  /** A bundle of an interrupted or failed run to continue (`--resume`): its completed steps are skipped. */
  resumeFrom?: string;
  /** Resume even though the runbook's SHA-256 changed (`--force`). */
  force?: boolean;
  /**
   * The bubblewrap sandbox of unattended read cells (`--sandbox`): `warn` (default) runs without
   * one, with a warning, where bwrap cannot work; `required` refuses the run (RP_SANDBOX_UNAVAILABLE)
   * before any step; `off` never sandboxes.
   */
  sandbox?: SandboxMode;
  /** Also write the sealed bundle as one archive beside it (`--archive tgz|zip`). */
  archive?: ArchiveFormat;
  /** Called with the plan before anything runs (interactive prompts for missing parameters). */
  onPlan?: (plan: PlanResult, notebook: Notebook) => void;
  /** How the run was started (checklists, schedules): kept in the run-start event and the record. */
  trigger?: Trigger;
  /** Called after the record and reports are written, before the bundle is sealed: a file written here is covered by the manifest. */
  beforeSeal?: BeforeSealHook;
}

/** See `RunRunbookOptions.beforeSeal`. */
export type BeforeSealHook = (context: { bundleDir: string; record: RunRecord; writeFile(relPath: string, content: string): Promise<string> }) => Promise<void>;

export interface RunRunbookResult extends RunOutcome {
  bundleDir: string;
  recordPath: string;
  reportPaths: { markdown: string; html: string };
  seal: SealResult;
  record: RunRecord;
  plan: PlanResult;
  /** The archive written by `archive`. */
  archivePath?: string;
}

/** Who runs it and where: RUNPROOF_OPERATOR, else the login user, and this host's name. */
export function operatorIdentity(env: Record<string, string | undefined>): { user: string; host: string } {
  let user = env.RUNPROOF_OPERATOR ?? env.USER ?? env.LOGNAME ?? '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { user, host: hostname() };
}

/**
 * Parses, plans and runs a runbook, writing its evidence bundle: what `runproof run` does.
 * Bad input (unknown section, missing parameter) throws before any cell runs or any file is written.
 * @example await runRunbook({ runbookPath: 'ops/roxy.md', sections: ['2'], mode: 'unattended' })
 */
export async function runRunbook(options: RunRunbookOptions): Promise<RunRunbookResult> {
  const env = options.env ?? (process.env as Record<string, string>);
  const text = await readRunbookFile(options.runbookPath);
  const notebook = parseRunbook(text, { path: options.runbookPath });
  const runbookSha256 = createHash('sha256').update(text).digest('hex');
  let resume: ResumePoint | undefined;
  if (options.resumeFrom) {
    // Resuming keeps the old run's selection unless another is given, and its evidence folder.
    resume = await prepareResume(options.resumeFrom, {
      runbookSha256,
      ...(options.force ? { force: true } : {}),
      finish: (b, r) => finishBundle(b, r, { evidenceDir: dirname(resolve(options.resumeFrom!)), env, ...(options.templateDir ? { templateDir: options.templateDir } : {}), ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}) }),
    });
    const old = resume.record.selection;
    if (!options.sections?.length && !options.cells?.length && !options.tags?.length) options = { ...options, sections: old.sections, cells: old.cells, tags: old.tags };
  }
  const plan = planRun(notebook, {
    mode: options.mode,
    ...(options.sections ? { sections: options.sections } : {}),
    ...(options.cells ? { cells: options.cells } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
    ...(options.values ? { values: options.values } : {}),
    ...(options.allow ? { allow: options.allow } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    onMissing: options.mode === 'dry-run' ? 'keep' : 'throw',
  });
  options.onPlan?.(plan, notebook);

  // Probed once per run, before the lock and the bundle: `required` refuses with nothing run.
  const sandboxMode = options.sandbox ?? 'warn';
  let sandboxProbe: SandboxProbe | undefined;
  if (needsSandbox(plan, sandboxMode)) {
    sandboxProbe = await probeSandbox();
    if (!sandboxProbe.available) {
      if (sandboxMode === 'required') {
        throw new RunproofError('RP_SANDBOX_UNAVAILABLE', `the sandbox is required but not available: ${sandboxProbe.reason ?? 'bwrap failed'}`, {
          hint: 'install bubblewrap (apt-get install bubblewrap) and allow user namespaces, or run with --sandbox warn',
        });
      }
      plan.warnings.push(`no sandbox: ${sandboxProbe.reason ?? 'bwrap failed'}; read cells ran without it (--sandbox required refuses such runs)`);
    }
  }

  const sectionTitles = plan.selection.sections.length > 0
    ? plan.sectionIds
        .map((id) => notebook.sections.find((s) => s.id === id))
        .filter((s) => s !== undefined && plan.selection.sections.length > 0)
        .slice(0, 1)
        .map((s) => s!.title)
    : [];
  const evidenceName = validateEvidenceName(
    options.evidenceName ?? notebook.frontMatter.evidence ?? evidenceNameFor(notebook.frontMatter.title ? notebook.title : options.runbookPath, sectionTitles),
  );
  // Created here, before the lock; a folder that is a symbolic link is refused (RP_UNSAFE_PATH).
  const evidenceDir = await ensureRealDir(options.evidenceDir ?? resume?.evidenceDir ?? 'evidence', 'evidence folder');

  const absoluteRunbook = await realpath(options.runbookPath);
  const lock = await acquireLock({ evidenceDir, key: lockKeyFor(absoluteRunbook, plan.selection) });
  try {
    const redactor = createRedactor(
      collectSecrets({ env, params: plan.parameters, extra: options.secrets ?? [] }),
    );
    const bundle = await openBundle({ evidenceDir, name: evidenceName, redactor, ...(options.now ? { now: options.now } : {}) });
    const git = await gitInfo(absoluteRunbook);
    if (resume) plan.warnings.push(...resume.warnings);
    if (lock.tookOverFrom) {
      plan.warnings.push(`took over a stale lock left by pid ${lock.tookOverFrom.pid} on ${lock.tookOverFrom.host} since ${lock.tookOverFrom.since}`);
    }
    const outcome = await runNotebook({
      plan,
      runbook: {
        path: options.runbookPath,
        title: notebook.title,
        sha256: runbookSha256,
        git: { commit: git.commit, dirty: git.dirty, ...(git.root ? { root: git.root } : {}) },
      },
      sink: {
        append: (event) => bundle.append(event.type === 'run-start' && options.trigger ? { ...event, trigger: options.trigger } : event),
        captureOutput: (stepId, attempt, stream, onText) => bundle.captureOutput(stepId, attempt, stream, onText),
        logPathFor: (stepId, attempt, stream) => bundle.logPathFor(stepId, attempt, stream),
        addSecret: (name, value) => redactor.add(name, value),
      },
      evidenceName,
      bundleName: bundle.baseName,
      operator: operatorIdentity(env),
      cwd: options.cwd ?? process.cwd(),
      env,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.caFile ? { caFile: options.caFile } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.decider ? { decider: options.decider } : {}),
      sandbox: { mode: sandboxMode, ...(sandboxProbe ? { probe: sandboxProbe } : {}) },
      ...(resume ? { resumedFrom: resume.bundleName, alreadyDone: new Set(plan.steps.filter((s) => resume!.doneStepNames.has(s.name || s.id)).map((s) => s.id)) } : {}),
    });
    // The record is folded from the journal as written, exactly as `recover` would rebuild it.
    const journal = await readJournal(bundle.journalPath);
    const record = buildRecord(journal.events);
    // A journal line that does not read back is a bug in runproof: say so in the evidence, never hide it.
    for (const bad of journal.invalid) record.warnings.push(`journal line ${bad.line} could not be read back: ${bad.error}`);
    for (const warning of redactor.warnings) record.warnings.push(warning);
    const recordPath = await bundle.writeRecord(record);
    await bundle.close();
    const finished = await finishBundle(bundle, record, { evidenceDir, env, ...(options.templateDir ? { templateDir: options.templateDir } : {}), ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}), ...(options.beforeSeal ? { beforeSeal: options.beforeSeal } : {}) });
    const archivePath = options.archive ? await archiveBundle(bundle.dir, options.archive) : undefined;
    return { ...outcome, bundleDir: bundle.dir, recordPath, record, plan, ...finished, ...(archivePath ? { archivePath } : {}) };
  } finally {
    await lock.release();
  }
}

/**
 * The last steps of every bundle, also for `recover`: the reports rendered from the record alone,
 * then the manifest and attestation, written last so that they cover every other file.
 */
export async function finishBundle(
  bundle: { dir: string; baseName: string; writeFile(relPath: string, content: string | Buffer): Promise<string> },
  record: RunRecord,
  options: { evidenceDir: string; env: Record<string, string | undefined>; templateDir?: string; signingKeyFile?: string; beforeSeal?: BeforeSealHook },
): Promise<{ reportPaths: { markdown: string; html: string }; seal: SealResult }> {
  const reports = await renderReports(record, options.templateDir ? { templateDir: options.templateDir } : {});
  const markdown = await bundle.writeFile(`${bundle.baseName}.md`, reports.markdown);
  const html = await bundle.writeFile(`${bundle.baseName}.html`, reports.html);
  if (options.beforeSeal) await options.beforeSeal({ bundleDir: bundle.dir, record, writeFile: (relPath, content) => bundle.writeFile(relPath, content) });
  const hmacKey = options.env.RUNPROOF_SIGNING_KEY;
  const seal = await sealBundle(bundle.dir, {
    evidenceDir: options.evidenceDir,
    ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}),
    ...(hmacKey ? { hmacKey } : {}),
  });
  return { reportPaths: { markdown, html }, seal };
}

/** The directory a runbook's relative `cwd` attributes resolve against. */
export function runbookDir(path: string): string {
  return dirname(resolve(path));
}
