import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readRunbookFile } from './read-runbook.js';
import { loadTeamPolicy } from './team-policy.js';
import { preflightRun } from './preflight.js';
import { parseRunbook, type Notebook, type RiskLevel } from '../parse/index.js';
import { planRun, type GivenValue, type Mode, type PlanOptions, type PlanResult } from '../plan/index.js';
import { runNotebook, type RunNotebookOptions, type RunOutcome, type RunProgress, type StepDecider } from '../execute/index.js';
import { needsSandbox, probeSandbox, type SandboxMode, type SandboxProbe } from '../execute/index.js';
import { RunproofError } from '../core/index.js';
import { blockPinnedSteps, placeSteps, runOnHosts, type FleetOptions } from './run-fleet.js';
import {
  acquireLock,
  collectSecrets,
  createRedactor,
  evidenceNameFor,
  gitInfo,
  openBundle,
  LOCKS_DIR,
  runLockDir,
  runLockKey,
  validateEvidenceName,
  readJournal,
  type JournalEventInput,
  type Redactor,
  type RunRecord,
} from '../record/index.js';
import { buildRecord } from '../record/index.js';
import { ensureRealDir } from '../record/index.js';
import { sealBundle, type SealResult } from '../record/index.js';
import { renderReports } from '../render/index.js';
import type { Trigger } from '../record/index.js';
import { prepareResume, type ResumePoint } from '../record/index.js';
import { archiveBundle, type ArchiveFormat } from '../record/index.js';
import { stampBundle, type BundleTimestamp } from '../record/index.js';
import { createMissingAsker, type AskMissing } from './ask-missing.js';
import { applyApproval, loadApprovalForRun, withApprovedDefaults, writeApprovalFiles, type AcceptedApproval } from './approval-gate.js';

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
  /**
   * Interactive runs: asks the operator for the parameters a step needs that have no value, when
   * that step comes (not before the run). Without it, a missing parameter stops the run before its
   * first step (RP_MISSING_PARAMETER), as it does unattended.
   */
  askMissing?: AskMissing;
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
  /**
   * Called with the plan before anything runs (interactive prompts for missing parameters), and
   * the run's redactor: a screen that masks with it shows exactly what the bundle keeps.
   */
  onPlan?: (plan: PlanResult, notebook: Notebook, redactor: Redactor) => void;
  /** Sees each journal event as it is appended (raw: redact before showing), e.g. an HTTP attempt's status for the screen. */
  onEvent?: (event: JournalEventInput) => void;
  /** How the run was started (checklists, schedules): kept in the run-start event and the record. */
  trigger?: Trigger;
  /** Called after the record and reports are written, before the bundle is sealed: a file written here is covered by the manifest. */
  beforeSeal?: BeforeSealHook;
  /** Run the shell cells on these hosts over OpenSSH instead of this machine (`--host`, `--hosts`). */
  fleet?: FleetOptions;
  /** The team policy file (`--policy`); default `runproof.policy.yaml` beside the runbook when present. */
  policyFile?: string;
  /** `--approval FILE [--trust FILE]`: run the approved plan only (src/app/approval-gate.ts). */
  approval?: { file: string; trustFile?: string };
  /** The webhook the run's `beforeSeal` reports to (a checklist's): its URL is checked before the first step (RP_BAD_WEBHOOK). */
  webhookUrl?: string;
  /** `--tsa URL`: an RFC 3161 token over SHA-256(manifest.json) after sealing, kept as timestamp.tsr (record/timestamp.ts). */
  tsaUrl?: URL;
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
  /** With `tsaUrl`: the token obtained, or why there is none (the bundle stays sealed and valid). */
  timestamp?: BundleTimestamp;
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
  const teamPolicy = await loadTeamPolicy(options.runbookPath, options.policyFile);
  if (options.sandbox === undefined && teamPolicy?.policy.sandbox !== undefined) options = { ...options, sandbox: teamPolicy.policy.sandbox };
  const notebook = parseRunbook(text, { path: options.runbookPath, ...(teamPolicy ? { policy: teamPolicy.policy, policyPath: teamPolicy.path } : {}) });
  const runbookSha256 = createHash('sha256').update(text).digest('hex');
  // Four eyes: the approval is checked before anything is planned or written.
  let accepted: AcceptedApproval | undefined;
  if (options.approval) {
    accepted = await loadApprovalForRun({
      approvalFile: options.approval.file,
      ...(options.approval.trustFile ? { trustFile: options.approval.trustFile } : {}),
      ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}),
      operator: operatorIdentity(env),
      ...(options.now ? { now: options.now } : {}),
    });
    options = withApprovedDefaults(options, accepted);
  }
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
  const askMissing = options.mode === 'interactive' ? options.askMissing : undefined;
  const planOptions: PlanOptions = {
    mode: options.mode,
    ...(options.sections ? { sections: options.sections } : {}),
    ...(options.cells ? { cells: options.cells } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
    ...(options.values ? { values: options.values } : {}),
    ...(options.allow ? { allow: options.allow } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    // Dry runs show what is missing; an interactive run asks when the first cell needing it comes.
    onMissing: options.mode === 'dry-run' || askMissing ? 'keep' : 'throw',
    // {{RUNPROOF_HOST}}: the host a request pinned to hosts is sent for (a run on hosts fills it in).
    envNames: new Set([...Object.keys(env), 'RUNPROOF_HOST']),
    ...(teamPolicy ? { teamPolicy: teamPolicy.policy } : {}),
  };
  const plan = planRun(notebook, planOptions);
  // One redactor for the journal, logs, record, reports and the screen. It knows, before the first
  // cell runs, every credential written anywhere in the runbook (not only in the selection):
  // `PGPASSWORD=x`, `curl -u user:pass`, `Authorization: Bearer t`... (SECURITY L3).
  const redactor = createRedactor(collectSecrets({ env, params: plan.parameters, extra: options.secrets ?? [] }));
  redactor.learn(text);
  if (teamPolicy) plan.policy.file = { path: teamPolicy.path, sha256: teamPolicy.sha256, content: teamPolicy.content };
  if (accepted) applyApproval(plan, { path: options.runbookPath, title: notebook.title, sha256: runbookSha256 }, accepted);
  options.onPlan?.(plan, notebook, redactor);

  // Probed once per run, before the lock and the bundle: `required` refuses with nothing run.
  const fleet = fleetForRun(options.fleet, resume);
  // Where each step runs: a pin to no host nor group of the run is refused before anything is
  // written; a run on this machine blocks the steps pinned to a host.
  if (fleet) placeSteps(plan, fleet.targets);
  else blockPinnedSteps(plan);
  // Remote hosts run cells through their own shell, never in this machine's sandbox.
  const sandboxMode = fleet ? 'off' : options.sandbox ?? 'warn';
  if (fleet && options.sandbox === 'required' && plan.mode === 'unattended') {
    throw new RunproofError('RP_SANDBOX_UNAVAILABLE', 'the sandbox is required, and cells on remote hosts run without it', {
      hint: 'run on this machine, or set sandbox: warn (policy file) or --sandbox warn for runs on hosts',
    });
  }
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
  await preflightRun({
    evidenceDir,
    ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}),
    ...(options.templateDir ? { templateDir: options.templateDir } : {}),
    ...(options.webhookUrl !== undefined ? { webhookUrl: options.webhookUrl } : {}),
  });

  // The chain lock's folder in the evidence folder, checked before anything runs (a planted link is refused now, not at sealing).
  await ensureRealDir(join(evidenceDir, LOCKS_DIR), 'lock folder');
  const absoluteRunbook = await realpath(options.runbookPath);
  // One lock per runbook (real path) and resolved selection (the steps it selects), in one place
  // whatever --evidence-dir says or however the sections were spelled.
  const lock = await acquireLock({ dir: runLockDir(env), key: runLockKey(absoluteRunbook, plan.steps.map((s) => s.id)) });
  try {
    const bundle = await openBundle({ evidenceDir, name: evidenceName, redactor, ...(options.now ? { now: options.now } : {}) });
    // `recover` of this bundle (the run killed) releases the lock by this name.
    await lock.setBundle(bundle.dir);
    if (accepted) await writeApprovalFiles(bundle, accepted);
    const git = await gitInfo(absoluteRunbook);
    if (resume) plan.warnings.push(...resume.warnings);
    if (lock.tookOverFrom) {
      const t = lock.tookOverFrom;
      plan.warnings.push(`took over the run lock left by pid ${t.pid} on ${t.host} (taken ${t.since}${t.heartbeat ? `, last heartbeat ${t.heartbeat}` : ''}): ${t.reason}`);
    }
    const notebookOptions: RunNotebookOptions = {
      plan,
      runbook: {
        path: options.runbookPath,
        title: notebook.title,
        sha256: runbookSha256,
        git: { commit: git.commit, dirty: git.dirty, ...(git.root ? { root: git.root } : {}) },
      },
      sink: {
        append: async (event) => {
          await bundle.append(event.type === 'run-start' && options.trigger ? { ...event, trigger: options.trigger } : event);
          options.onEvent?.(event);
        },
        captureOutput: (stepId, attempt, stream, onText, keepText) => bundle.captureOutput(stepId, attempt, stream, onText, keepText),
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
      ...(askMissing && plan.missingParameters.length > 0
        ? { prepareStep: createMissingAsker({ notebook, plan, planOptions, redactor, append: (event) => bundle.append(event), ask: askMissing }) }
        : {}),
      ...(resume ? { resumedFrom: resume.bundleName, alreadyDone: new Set(plan.steps.filter((s) => resume!.doneStepNames.has(s.name || s.id)).map((s) => s.id)) } : {}),
    };
    const outcome = fleet ? await runOnHosts(notebookOptions, fleet) : await runNotebook(notebookOptions);
    // The record is folded from the journal as written, exactly as `recover` would rebuild it.
    const journal = await readJournal(bundle.journalPath);
    // Redacted with every secret known now (some were learned after their event was journaled):
    // the record in memory is the record file, and the reports are rendered from it.
    const record = redactor.redactValue({ ...buildRecord(journal.events), sealedBy: 'run' as const });
    // A journal line that does not read back is a bug in runproof: say so in the evidence, never hide it.
    for (const bad of journal.invalid) record.warnings.push(`journal line ${bad.line} could not be read back: ${bad.error}`);
    for (const warning of redactor.warnings) record.warnings.push(warning);
    const recordPath = await bundle.writeRecord(record);
    await bundle.close();
    const finished = await finishBundle(bundle, record, { evidenceDir, env, ...(options.templateDir ? { templateDir: options.templateDir } : {}), ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}), ...(options.beforeSeal ? { beforeSeal: options.beforeSeal } : {}) });
    // After sealing (it stamps the manifest), before the archive (which then carries the token).
    const timestamp = options.tsaUrl ? await stampBundle(bundle.dir, options.tsaUrl) : undefined;
    const archivePath = options.archive ? await archiveBundle(bundle.dir, options.archive) : undefined;
    return { ...outcome, bundleDir: bundle.dir, recordPath, record, plan, ...finished, ...(archivePath ? { archivePath } : {}), ...(timestamp ? { timestamp } : {}) };
  } finally {
    await lock.release();
  }
}

// A resumed fleet run goes back to the hosts of the run it resumes unless hosts are given, and
// skips on each host the steps that completed there.
function fleetForRun(fleet: FleetOptions | undefined, resume: ResumePoint | undefined): FleetOptions | undefined {
  const oldHosts = resume?.record.hosts;
  if (!oldHosts) return fleet && fleet.targets.length > 0 ? fleet : undefined;
  const targets = fleet && fleet.targets.length > 0 ? fleet.targets : oldHosts.map((h) => ({ name: h.name, sshOptions: [], ...(h.groups ? { groups: h.groups } : {}) }));
  return { ...fleet, targets, doneOnHost: resume!.doneStepNames };
}

/**
 * The run-lock key `runRunbook` takes for a runbook and a selection: its real path and the steps
 * the selection resolves to (so `--section 1` and `--section First` are one lock).
 * @example await acquireLock({ dir: runLockDir(), key: await runLockKeyFor('ops/roxy.md', { sections: ['2'] }) })
 */
export async function runLockKeyFor(runbookPath: string, selection: { sections?: string[]; cells?: string[]; tags?: string[] }): Promise<string> {
  const notebook = parseRunbook(await readRunbookFile(runbookPath), { path: runbookPath });
  const plan = planRun(notebook, { mode: 'dry-run', ...selection, onMissing: 'keep' });
  return runLockKey(await realpath(runbookPath), plan.steps.map((s) => s.id));
}

/**
 * The last steps of every bundle, also for `recover`: the reports rendered from the record alone,
 * then the manifest and attestation, written last so that they cover every other file.
 */
export async function finishBundle(
  bundle: { dir: string; baseName: string; writeFile(relPath: string, content: string | Buffer, options?: { rendered?: boolean }): Promise<string>; redactor?: Redactor },
  record: RunRecord,
  options: { evidenceDir: string; env: Record<string, string | undefined>; templateDir?: string; signingKeyFile?: string; beforeSeal?: BeforeSealHook },
): Promise<{ reportPaths: { markdown: string; html: string }; seal: SealResult }> {
  // Redaction works on the record's data, before rendering, never on the rendered markup: a
  // pattern rule run over HTML would take `</code></pre>` for part of a header value (SECURITY J1).
  const shown = bundle.redactor ? bundle.redactor.redactValue(record) : record;
  const reports = await renderReports(shown, options.templateDir ? { templateDir: options.templateDir } : {});
  const markdown = await bundle.writeFile(`${bundle.baseName}.md`, reports.markdown, { rendered: true });
  const html = await bundle.writeFile(`${bundle.baseName}.html`, reports.html, { rendered: true });
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
