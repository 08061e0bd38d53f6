// Runs one checklist now: parameters resolved (env:NAME read at run time, secrets redacted), the
// runbook run unattended under the checklist's policy through `runRunbook` (which takes the run
// lock and writes the bundle), retried after a failure, then its evidence sinks (report stage).
// Exit codes are the CLI's (cli/exit.ts): the library reports statuses only.
import { hostname } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { sleep } from '../core/index.js';
import { runRunbook, type BeforeSealHook, type FleetOptions } from '../app/index.js';
import { resolveTargets } from '../fleet/index.js';
import { isRunproofError, RunproofError } from '../core/index.js';
import { isSecretName, type GivenValue } from '../plan/index.js';
import { archiveBundle, type RunRecord, type RunStatus } from '../record/index.js';
import type { Trigger } from '../record/index.js';
import { JUnitFiles, junitSink, postWebhook, runOutcome, textfileSink, webhookPayload, type EvidenceSink, type SinkStatus, type WebhookOutcome } from '../report/index.js';
import { latestCronTime } from './cron.js';
import { selectChecklists, type Checklist, type ChecklistFile, type ChecklistFleet } from './load.js';
import type { ChecklistLogger } from './log.js';
import { writeMarkerBundle } from './marker.js';

/** The file in a bundle that records the webhook's outcome (covered by the manifest). */
export const WEBHOOK_FILE = 'webhook.json';

/** How a checklist run was started. */
export interface ChecklistTrigger {
  kind: 'schedule' | 'manual';
  /** The time the schedule said the run was due (schedule only; default: the latest cron time). */
  scheduledAt?: Date;
  /** Who fired it: `runproof schedule`, `cron`, `systemd`, `kubernetes`... */
  via?: string;
}

/** Options shared by `runChecklist` and `runChecklists`. */
export interface ChecklistRunOptions {
  /** Environment of the runs and of `env:NAME` parameters (default process.env). */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  trigger?: ChecklistTrigger;
  /** Overrides every checklist's evidence folder (`--evidence-dir`, the k8s volume). */
  evidenceDir?: string;
  log?: ChecklistLogger;
  /** Shared JUnit state (a scheduler keeps one for its life). */
  junit?: JUnitFiles;
}

/** The result of one checklist. */
export interface ChecklistRunResult {
  checklist: string;
  /**
   * The run's status; `empty` when it ran no check (checklists fail it), `error` when it could not
   * start, `locked` when another run held the lock. The CLI maps it to an exit code (cli/exit.ts).
   */
  status: RunStatus | SinkStatus;
  record?: RunRecord;
  bundleDir?: string;
  /** Tries made (1 + retries used). */
  attempts: number;
  error?: RunproofError;
  webhook?: WebhookOutcome;
  archivePath?: string;
}

/**
 * The parameter values and the secrets of a checklist, `env:NAME` read from `env` now.
 * @throws RunproofError RP_MISSING_PARAMETER when a referenced variable is unset.
 */
export function resolveChecklistParams(checklist: Checklist, env: Record<string, string | undefined>): { values: GivenValue[]; secrets: string[] } {
  const values: GivenValue[] = [];
  const secrets: string[] = [];
  for (const p of checklist.params) {
    let value = p.value;
    if (p.env !== undefined) {
      value = env[p.env];
      if (value === undefined) {
        throw new RunproofError('RP_MISSING_PARAMETER', `checklist ${checklist.name}: parameter ${p.name} reads env:${p.env}, which is not set`, {
          hint: `set ${p.env} in the environment of the scheduler or unit`,
        });
      }
    }
    const secret = p.secret || isSecretName(p.name) || (p.env !== undefined && isSecretName(p.env));
    if (secret && value !== '') secrets.push(value!);
    values.push({ name: p.name, value: value!, source: p.env !== undefined ? 'environment' : 'flag' });
  }
  return { values, secrets };
}

function isFailure(status: string): boolean {
  return status === 'failed' || status === 'aborted' || status === 'error' || status === 'empty' || status === 'blocked';
}

/** Whether a webhook is sent for a run with this status. */
export function wantsWebhook(on: 'failure' | 'always', status: string): boolean {
  return on === 'always' || isFailure(status);
}

/** Builds the hook that sends the webhook before the bundle is sealed and writes its outcome into it. */
export function webhookHook(checklist: Checklist, env: Record<string, string | undefined>, onOutcome: (o: WebhookOutcome) => void, isFinal: (record: RunRecord) => boolean): BeforeSealHook | undefined {
  const config = checklist.webhook;
  if (!config) return undefined;
  return async ({ bundleDir, record, writeFile }) => {
    if (!isFinal(record) || !wantsWebhook(config.on, runOutcome(record.status, record))) return;
    let secret: string | undefined;
    let outcome: WebhookOutcome;
    if (config.secret?.env !== undefined && env[config.secret.env] === undefined) {
      outcome = { url: config.url, delivered: false, signed: false, attempts: [], error: `the signing key variable ${config.secret.env} is not set: nothing was sent` };
    } else {
      secret = config.secret?.env !== undefined ? env[config.secret.env] : config.secret?.value;
      outcome = await postWebhook(webhookPayload(checklist.name, record, bundleDir, hostname()), {
        url: config.url,
        timeoutMs: config.timeoutMs,
        retries: config.retries,
        ...(secret ? { secret } : {}),
      });
    }
    onOutcome(outcome);
    await writeFile(WEBHOOK_FILE, `${JSON.stringify({ on: config.on, ...outcome }, null, 2)}\n`);
  };
}

function triggerFor(checklist: Checklist, trigger: ChecklistTrigger | undefined, startedAt: Date, attempt: number): Trigger {
  const base: Trigger = { kind: trigger?.kind ?? 'manual', checklist: checklist.name, startedAt: startedAt.toISOString() };
  if (attempt > 1 || checklist.retries > 0) base.attempt = attempt;
  if (trigger?.via) base.via = trigger.via;
  if (base.kind === 'schedule' && checklist.schedule) {
    base.cron = checklist.schedule.cron;
    if (checklist.schedule.timezone) base.timezone = checklist.schedule.timezone;
    const due = trigger?.scheduledAt ?? latestCronTime(checklist.schedule, startedAt);
    if (due) base.scheduledAt = due.toISOString();
  }
  return base;
}

/**
 * The checklist with its JUnit and textfile paths moved under `evidenceDir` when the evidence
 * folder is overridden (`--evidence-dir`, the Kubernetes volume): a relative path of the checklist
 * file keeps its shape under the new folder, so outputs land with the bundles and are not lost
 * with a container. Absolute paths were chosen on purpose and stay.
 */
export function withOutputsUnder(checklist: Checklist, evidenceDir: string | undefined): Checklist {
  if (evidenceDir === undefined) return checklist;
  const move = (path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    const rel = relative(checklist.fileDir, path);
    return rel.startsWith('..') || isAbsolute(rel) ? path : resolve(evidenceDir, rel);
  };
  const out: Checklist = { ...checklist };
  const junit = move(checklist.junit);
  const textfile = move(checklist.textfile);
  if (junit) out.junit = junit;
  if (textfile) out.textfile = textfile;
  return out;
}

/** The evidence sinks a checklist writes to after each run (a new format is one more line here). */
export function sinksOf(checklist: Checklist, junit: JUnitFiles): EvidenceSink[] {
  return [...(checklist.junit ? [junitSink(checklist.junit, junit)] : []), ...(checklist.textfile ? [textfileSink(checklist.textfile)] : [])];
}

/** Writes a result to every sink of the checklist; failures are logged, never thrown. */
export async function writeChecklistOutputs(checklist: Checklist, result: ChecklistRunResult, startedAt: Date, options: { junit: JUnitFiles; log?: ChecklistLogger }): Promise<void> {
  const run = {
    name: checklist.name,
    status: result.status as SinkStatus,
    at: startedAt,
    ...(result.record ? { record: result.record } : {}),
    ...(result.bundleDir ? { bundleDir: result.bundleDir } : {}),
    ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
    ...(result.webhook ? { webhookDelivered: result.webhook.delivered } : {}),
  };
  await Promise.all(
    sinksOf(checklist, options.junit).map((sink) =>
      sink.write(run).catch((error: Error) => options.log?.({ event: 'output-error', checklist: checklist.name, file: sink.target, message: `${sink.name}: ${error.message}` })),
    ),
  );
}

// The hosts of a checklist, read when it runs (the inventory may have changed since it was loaded).
function fleetOf(fleet: ChecklistFleet): FleetOptions {
  const targets = resolveTargets({ hosts: fleet.hosts, ...(fleet.inventory ? { hostsFile: fleet.inventory } : {}), ...(fleet.group ? { group: fleet.group } : {}) });
  return {
    targets,
    ...(fleet.sshConfig ? { sshConfig: fleet.sshConfig } : {}),
    ...(fleet.parallel !== undefined ? { parallel: fleet.parallel } : {}),
    ...(fleet.maxFail !== undefined ? { maxFail: fleet.maxFail } : {}),
    ...(fleet.canary !== undefined ? { canary: fleet.canary } : {}),
  };
}

/**
 * Runs one checklist now, unattended, with its retries; writes its bundle(s), JUnit, textfile and
 * webhook. Never throws for a failing run, a held lock or bad input: those are in the result.
 * @example const result = await runChecklist(file.checklists[0], { trigger: { kind: 'manual' } })
 */
export async function runChecklist(given: Checklist, options: ChecklistRunOptions = {}): Promise<ChecklistRunResult> {
  const checklist = withOutputsUnder(given, options.evidenceDir);
  const env = (options.env ?? process.env) as Record<string, string | undefined>;
  const log = options.log;
  const junit = options.junit ?? new JUnitFiles();
  const firstStart = new Date();
  let result: ChecklistRunResult = { checklist: checklist.name, status: 'error', attempts: 0 };
  let secrets: string[] = [];
  for (let attempt = 1; attempt <= checklist.retries + 1; attempt++) {
    const startedAt = new Date();
    const trigger = triggerFor(checklist, options.trigger, startedAt, attempt);
    const isLast = (status: string): boolean => status !== 'failed' || attempt > checklist.retries || options.signal?.aborted === true;
    let webhook: WebhookOutcome | undefined;
    const onOutcome = (o: WebhookOutcome): void => {
      webhook = o;
      log?.({ event: 'webhook', checklist: checklist.name, delivered: o.delivered, attempts: o.attempts.length, ...(o.error ? { message: o.error } : o.delivered ? {} : { message: o.attempts.map((a) => a.error).join('; ') }) });
    };
    log?.({ event: 'run-start', checklist: checklist.name, trigger: trigger.kind, ...(trigger.scheduledAt ? { scheduledAt: trigger.scheduledAt } : {}), ...(checklist.retries > 0 ? { attempt } : {}) });
    const signals = [options.signal, checklist.maxDurationMs !== undefined ? AbortSignal.timeout(checklist.maxDurationMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
    try {
      const params = resolveChecklistParams(checklist, env);
      secrets = params.secrets;
      const run = await runRunbook({
        runbookPath: checklist.runbookPath,
        sections: checklist.sections,
        cells: checklist.cells,
        tags: checklist.tags,
        values: params.values,
        secrets: params.secrets,
        mode: 'unattended',
        allow: checklist.allow,
        ...(checklist.timeoutMs !== undefined ? { timeoutMs: checklist.timeoutMs } : {}),
        evidenceDir: options.evidenceDir ?? checklist.evidenceDir,
        evidenceName: checklist.evidenceName,
        env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
        cwd: checklist.cwd,
        ...(signals.length > 0 ? { signal: signals.length === 1 ? signals[0]! : AbortSignal.any(signals) } : {}),
        trigger,
        ...(checklist.fleet ? { fleet: fleetOf(checklist.fleet) } : {}),
        ...(checklist.webhook ? { beforeSeal: webhookHook(checklist, env, onOutcome, (r) => isLast(r.status))!, webhookUrl: checklist.webhook.url } : {}),
      });
      // A run that ran no check is `empty` (also when an older record says passed): never a pass.
      const status = runOutcome(run.status, run.record);
      result = { checklist: checklist.name, status, record: run.record, bundleDir: run.bundleDir, attempts: attempt };
      if (webhook) result.webhook = webhook;
      if (checklist.archive) {
        try {
          result.archivePath = await archiveBundle(run.bundleDir, checklist.archive);
        } catch (error) {
          log?.({ event: 'output-error', checklist: checklist.name, file: run.bundleDir, message: `archive: ${(error as Error).message}` });
        }
      }
      log?.({ event: 'run-end', checklist: checklist.name, status, bundle: run.bundleDir, durationMs: run.record.durationMs, passed: run.counts.passed, failed: run.counts.failed, blocked: run.counts.blocked });
    } catch (caught) {
      const error = isRunproofError(caught)
        ? caught
        : new RunproofError('RP_INTERNAL', (caught as Error)?.message ?? String(caught), { hint: 'this is a bug in runproof', cause: caught });
      const locked = error.code === 'RP_LOCKED';
      result = { checklist: checklist.name, status: locked ? 'locked' : 'error', attempts: attempt, error };
      log?.({ event: 'run-error', checklist: checklist.name, code: error.code, message: error.message });
      // A scheduled run that did not happen still leaves evidence: skipped (lock held) or failed.
      if (trigger.kind === 'schedule') {
        try {
          const status = locked ? 'skipped' : 'failed';
          const marker = await writeMarkerBundle(checklist, {
            status,
            trigger: { ...trigger, reason: locked ? `another run holds the lock: ${error.message}` : `${error.code}: ${error.message}` },
            reason: locked ? `skipped: another run of this checklist holds the lock (${error.message})` : `the run could not start: ${error.code} ${error.message}`,
            env,
            secrets,
            ...(options.evidenceDir ? { evidenceDir: options.evidenceDir } : {}),
            ...(checklist.webhook ? { beforeSeal: webhookHook(checklist, env, onOutcome, () => true)! } : {}),
          });
          result.bundleDir = marker.bundleDir;
          result.record = marker.record;
          if (webhook) result.webhook = webhook;
          log?.({ event: locked ? 'skipped' : 'run-end', checklist: checklist.name, status, bundle: marker.bundleDir, ...(trigger.scheduledAt ? { scheduledAt: trigger.scheduledAt } : {}) });
        } catch (markerError) {
          log?.({ event: 'output-error', checklist: checklist.name, message: `cannot write the ${locked ? 'skipped' : 'failed'} bundle: ${(markerError as Error).message}` });
        }
      }
      break;
    }
    if (isLast(result.status)) break;
    log?.({ event: 'retry', checklist: checklist.name, attempt: attempt + 1, delayMs: checklist.retryDelayMs });
    await sleep(checklist.retryDelayMs, options.signal);
    if (options.signal?.aborted) break;
  }
  await writeChecklistOutputs(checklist, result, firstStart, { junit, ...(log ? { log } : {}) });
  return result;
}

/**
 * Runs checklists of a file one after another (all when `names` is empty).
 * @throws RunproofError RP_BAD_CHECKLIST for a name the file does not have, before anything runs.
 * @example const { results } = await runChecklists(file, ['daily'], { trigger: { kind: 'manual' } })
 */
export async function runChecklists(file: ChecklistFile, names: readonly string[] = [], options: ChecklistRunOptions = {}): Promise<{ results: ChecklistRunResult[] }> {
  const checklists = selectChecklists(file, names);
  const junit = options.junit ?? new JUnitFiles();
  const results: ChecklistRunResult[] = [];
  for (const checklist of checklists) {
    if (options.signal?.aborted) break;
    results.push(await runChecklist(checklist, { ...options, junit }));
  }
  return { results };
}
