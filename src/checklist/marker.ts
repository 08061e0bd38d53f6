// The small bundle of a scheduled run that did not run (skipped, missed) or could not start
// (failed before any step: a broken runbook, a missing parameter): a journal with run-start and
// run-end only, the record, the reports and the seal, so the evidence chain has no silent holes.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { finishBundle, operatorIdentity, type BeforeSealHook } from '../app/index.js';
import { TOOL_VERSION } from '../core/index.js';
import { parseRunbook } from '../parse/index.js';
import { collectSecrets, createRedactor, gitInfo, openBundle, readJournal, type RunRecord } from '../record/index.js';
import { buildRecord } from '../record/index.js';
import type { Trigger } from '../record/index.js';
import type { Checklist } from './load.js';

/** What `writeMarkerBundle` needs besides the checklist. */
export interface MarkerBundleOptions {
  status: 'skipped' | 'missed' | 'failed';
  trigger: Trigger;
  /** Why the run did not run: kept as the record's first warning. */
  reason: string;
  env: Record<string, string | undefined>;
  /** Values to redact (the checklist's secret parameters). */
  secrets?: string[];
  evidenceDir?: string;
  now?: Date;
  beforeSeal?: BeforeSealHook;
}

/**
 * Writes a sealed bundle with no steps and the given status for a checklist run that did not run.
 * @example await writeMarkerBundle(checklist, { status: 'skipped', trigger, reason: 'the previous run was still running', env: process.env })
 */
export async function writeMarkerBundle(checklist: Checklist, options: MarkerBundleOptions): Promise<{ bundleDir: string; record: RunRecord }> {
  const now = options.now ?? new Date();
  let text = '';
  let title = checklist.runbook;
  try {
    text = await readFile(checklist.runbookPath, 'utf8');
    title = parseRunbook(text, { path: checklist.runbook }).title;
  } catch {
    // The reason says what went wrong; the record keeps the runbook path and the digest read.
  }
  const git = await gitInfo(checklist.runbookPath).catch(() => ({ commit: null, dirty: null, root: undefined }));
  const redactor = createRedactor(collectSecrets({ env: options.env, params: [], extra: options.secrets ?? [] }));
  const evidenceDir = options.evidenceDir ?? checklist.evidenceDir;
  const bundle = await openBundle({ evidenceDir, name: checklist.evidenceName, redactor, now });
  const at = now.toISOString();
  await bundle.append({
    type: 'run-start',
    at,
    tool: { name: 'runproof', version: TOOL_VERSION },
    runbook: {
      path: checklist.runbook,
      title,
      sha256: createHash('sha256').update(text).digest('hex'),
      git: { commit: git.commit, dirty: git.dirty, ...(git.root ? { root: git.root } : {}) },
    },
    selection: { sections: checklist.sections, cells: checklist.cells, tags: checklist.tags },
    mode: 'unattended',
    policy: { allow: checklist.allow },
    operator: operatorIdentity(options.env),
    parameters: [],
    evidenceName: checklist.evidenceName,
    bundleName: bundle.baseName,
    trigger: options.trigger,
    startedAt: at,
    plan: [],
    warnings: [options.reason],
  });
  await bundle.append({
    type: 'run-end',
    at,
    status: options.status,
    endedAt: at,
    durationMs: 0,
    counts: { total: 0, passed: 0, failed: 0, blocked: 0, skipped: 0, notRun: 0 },
  });
  const journal = await readJournal(bundle.journalPath);
  const record = buildRecord(journal.events);
  await bundle.writeRecord(record);
  await bundle.close();
  await finishBundle(bundle, record, { evidenceDir, env: options.env, ...(options.beforeSeal ? { beforeSeal: options.beforeSeal } : {}) });
  return { bundleDir: bundle.dir, record };
}
