// `runproof schedule`: a long-lived process that runs each checklist on its cron schedule with
// croner. A checklist still running when its next time comes is not started twice: that time
// gets a `skipped` bundle. Times that passed while no scheduler ran (found at start from the
// newest bundle of the checklist) get `missed` bundles. stop() aborts running steps and waits
// for their bundles; reload() swaps in a new file only when it is valid.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Cron } from 'croner';
import { loadBundleRecord } from '../record/index.js';
import type { Trigger } from '../record/index.js';
import { cronTimesBetween, latestCronTime } from './cron.js';
import { loadChecklistFile, type Checklist, type ChecklistFile } from './load.js';
import type { ChecklistLogger } from './log.js';
import { writeMarkerBundle } from './marker.js';
import { JUnitFiles, updateTextfile } from '../report/index.js';
import { resolveChecklistParams, runChecklist, webhookHook, withOutputsUnder, type ChecklistRunResult } from './run.js';

/** At most this many `missed` bundles per checklist at start; the last one counts the rest. */
export const MAX_MISSED_BUNDLES = 24;
// Newest bundles of a checklist read to find its last scheduled time.
const MAX_BUNDLES_SCANNED = 50;

/** Options of `startScheduler`. */
export interface SchedulerOptions {
  /** The checklist file. */
  file: string;
  env?: Record<string, string | undefined>;
  log?: ChecklistLogger;
  /** Overrides every checklist's evidence folder. */
  evidenceDir?: string;
}

/** A running scheduler. */
export interface Scheduler {
  /** The checklist file in force. */
  readonly file: ChecklistFile;
  /** Re-reads the file; a bad file keeps the old one (logged). Resolves true when swapped. */
  reload(): Promise<boolean>;
  /** Stops scheduling, aborts running steps, waits for their bundles. Resolves with how many runs the stop aborted. */
  stop(reason?: string): Promise<{ interrupted: number }>;
  /** Runs in progress now, by checklist name. */
  running(): string[];
}

interface ChecklistState {
  running?: { controller: AbortController; promise: Promise<ChecklistRunResult> };
  /** The last fire time handled, to notice times croner never fired (a stalled event loop, a suspend). */
  lastDue?: Date;
  /** The time croner is waiting for: croner fires late under load, never early, and does not say which time it fired for. */
  expected?: Date | null;
}

/**
 * The newest scheduled time recorded by a bundle of this checklist (ran, skipped or missed), or null.
 */
export async function lastScheduledTime(checklist: Checklist, evidenceDir = checklist.evidenceDir): Promise<Date | null> {
  let names: string[];
  try {
    names = (await readdir(evidenceDir)).filter((n) => n.startsWith(`${checklist.evidenceName}_`));
  } catch {
    return null;
  }
  // Bundle names end in a UTC timestamp (and _n): newest last in code-unit order.
  names.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  let latest: Date | null = null;
  for (const name of names.slice(0, MAX_BUNDLES_SCANNED)) {
    try {
      const { record } = await loadBundleRecord(join(evidenceDir, name));
      const trigger = record.trigger;
      if (!trigger || trigger.checklist !== checklist.name || trigger.kind !== 'schedule' || !trigger.scheduledAt) continue;
      const at = new Date(trigger.scheduledAt);
      if (!latest || at > latest) latest = at;
    } catch {
      // not a bundle
    }
  }
  return latest;
}

/**
 * Starts the scheduler: detects missed runs, then schedules every checklist that has a `schedule`.
 * @throws RunproofError when the file cannot be loaded at start (later reloads keep the old file instead).
 * @example const scheduler = await startScheduler({ file: 'checklists.yaml', log: console.log }); process.on('SIGTERM', () => scheduler.stop())
 */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const env = (options.env ?? process.env) as Record<string, string | undefined>;
  const log: ChecklistLogger = options.log ?? (() => undefined);
  const junit = new JUnitFiles();
  const states = new Map<string, ChecklistState>();
  const pending = new Set<Promise<unknown>>();
  let file = await loadChecklistFile(options.file);
  let jobs: Cron[] = [];
  let stopping = false;

  const stateOf = (name: string): ChecklistState => {
    let state = states.get(name);
    if (!state) states.set(name, (state = {}));
    return state;
  };
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => undefined);
    return promise;
  };
  const evidenceDirOf = (c: Checklist): string => options.evidenceDir ?? c.evidenceDir;
  const secretsOf = (c: Checklist): string[] => {
    try {
      return resolveChecklistParams(c, env).secrets;
    } catch {
      return [];
    }
  };

  // A small bundle for a time that did not run, plus its log line and textfile counter.
  const writeMarker = async (c: Checklist, status: 'skipped' | 'missed', due: Date, reason: string, extra?: string): Promise<void> => {
    const trigger: Trigger = {
      kind: 'schedule',
      checklist: c.name,
      cron: c.schedule!.cron,
      ...(c.schedule!.timezone ? { timezone: c.schedule!.timezone } : {}),
      scheduledAt: due.toISOString(),
      startedAt: new Date().toISOString(),
      via: 'runproof schedule',
      reason,
    };
    try {
      const marker = await writeMarkerBundle(c, {
        status,
        trigger,
        reason: extra ? `${reason}; ${extra}` : reason,
        env,
        secrets: secretsOf(c),
        evidenceDir: evidenceDirOf(c),
        ...(c.webhook ? { beforeSeal: webhookHook(c, env, (o) => log({ event: 'webhook', checklist: c.name, delivered: o.delivered, attempts: o.attempts.length }), () => true)! } : {}),
      });
      log({ event: status, checklist: c.name, scheduledAt: due.toISOString(), bundle: marker.bundleDir, message: reason });
    } catch (error) {
      log({ event: 'output-error', checklist: c.name, message: `cannot write the ${status} bundle for ${due.toISOString()}: ${(error as Error).message}` });
    }
  };

  const countInTextfile = async (given: Checklist, kind: 'skipped' | 'missed', n: number): Promise<void> => {
    const c = withOutputsUnder(given, options.evidenceDir);
    if (!c.textfile || n === 0) return;
    await updateTextfile(c.textfile, c.name, { [kind]: n }).catch((error: Error) => log({ event: 'output-error', checklist: c.name, file: c.textfile, message: error.message }));
  };

  // Times between the last recorded scheduled time and now that nobody ran.
  const recordMissed = async (c: Checklist, after: Date, until: Date, why: string): Promise<void> => {
    const { times, total } = cronTimesBetween(c.schedule!, after, until, MAX_MISSED_BUNDLES);
    for (const [index, due] of times.entries()) {
      const last = index === times.length - 1 && total > times.length;
      await writeMarker(c, 'missed', due, why, last ? `${total - times.length} more scheduled times up to ${until.toISOString()} were missed too (one bundle each is written for the first ${MAX_MISSED_BUNDLES})` : undefined);
    }
    await countInTextfile(c, 'missed', total);
  };

  const onTick = (name: string, job: Cron): void => {
    if (stopping) return;
    const c = file.checklists.find((x) => x.name === name);
    if (!c?.schedule) return;
    const now = new Date();
    const state = stateOf(name);
    // Croner computed this fire time from the previous fire; it computes the next one from now.
    const due = state.expected && state.expected.getTime() <= now.getTime() ? state.expected : (latestCronTime(c.schedule, now) ?? now);
    state.expected = job.nextRun();
    if (state.lastDue && due.getTime() <= state.lastDue.getTime()) return; // this time was handled
    const previous = state.lastDue;
    state.lastDue = due;
    // A skip is decided now, synchronously, so two ticks can never both start a run.
    if (state.running) {
      void track(
        (async () => {
          if (previous) await recordMissed(c, previous, new Date(due.getTime() - 1), 'the scheduler did not fire at this time (the process was stalled or suspended)');
          await writeMarker(c, 'skipped', due, 'the previous run of this checklist was still running');
          await countInTextfile(c, 'skipped', 1);
        })(),
      );
      return;
    }
    const controller = new AbortController();
    const runPromise = (async (): Promise<ChecklistRunResult> => {
      if (previous) await recordMissed(c, previous, new Date(due.getTime() - 1), 'the scheduler did not fire at this time (the process was stalled or suspended)');
      return runChecklist(c, {
        env,
        signal: controller.signal,
        trigger: { kind: 'schedule', scheduledAt: due, via: 'runproof schedule' },
        log,
        junit,
        ...(options.evidenceDir ? { evidenceDir: options.evidenceDir } : {}),
      });
    })();
    state.running = { controller, promise: runPromise };
    void track(
      runPromise
        .catch((error: Error) => log({ event: 'run-error', checklist: name, code: 'RP_INTERNAL', message: error.message }))
        .finally(() => {
          if (state.running?.promise === runPromise) state.running = undefined;
        }),
    );
  };

  const schedule = (f: ChecklistFile): void => {
    for (const c of f.checklists) {
      if (!c.schedule) {
        log({ event: 'unscheduled', checklist: c.name, message: 'no schedule: run it with runproof checklist run' });
        continue;
      }
      const job = new Cron(c.schedule.cron, { ...(c.schedule.timezone ? { timezone: c.schedule.timezone } : {}), catch: true }, (self: Cron) => onTick(c.name, self));
      jobs.push(job);
      const next = job.nextRun();
      stateOf(c.name).expected = next;
      log({ event: 'scheduled', checklist: c.name, cron: c.schedule.cron, ...(c.schedule.timezone ? { timezone: c.schedule.timezone } : {}), next: next?.toISOString() });
    }
  };

  const startedAt = new Date();
  log({ event: 'scheduler-start', file: file.path, checklists: file.checklists.length, pid: process.pid });
  // Missed times first, so their bundles come before the next run's in the chain.
  for (const c of file.checklists) {
    if (!c.schedule) continue;
    const last = await lastScheduledTime(c, evidenceDirOf(c));
    const state = stateOf(c.name);
    if (last) await recordMissed(c, last, startedAt, 'the scheduler was not running at this time');
    state.lastDue = latestCronTime(c.schedule, startedAt) ?? undefined;
  }
  schedule(file);

  return {
    get file() {
      return file;
    },
    running: () => [...states.entries()].filter(([, s]) => s.running).map(([n]) => n),
    async reload() {
      let next: ChecklistFile;
      try {
        next = await loadChecklistFile(options.file);
      } catch (error) {
        const problems = (error as { problems?: Array<{ path: string; line: number; message: string }> }).problems;
        log({
          event: 'reload-failed',
          file: options.file,
          message: `${(error as Error).message}; keeping the checklists loaded before`,
          ...(problems ? { problems: problems.map((p) => `${p.line}: ${p.path ? `${p.path}: ` : ''}${p.message}`) } : {}),
        });
        return false;
      }
      for (const job of jobs) job.stop();
      jobs = [];
      const previous = file;
      file = next;
      const now = new Date();
      const before = new Map(previous.checklists.map((c) => [c.name, c.schedule]));
      for (const c of file.checklists) {
        const state = stateOf(c.name);
        const old = before.get(c.name);
        // An unchanged schedule keeps its place, so a time due during the reload still runs.
        if (old && c.schedule && old.cron === c.schedule.cron && old.timezone === c.schedule.timezone) continue;
        state.lastDue = c.schedule ? (latestCronTime(c.schedule, now) ?? undefined) : undefined;
      }
      log({ event: 'reload', file: file.path, checklists: file.checklists.length });
      schedule(file);
      return true;
    },
    async stop(reason = 'stop') {
      stopping = true;
      for (const job of jobs) job.stop();
      jobs = [];
      const runs: Array<Promise<ChecklistRunResult>> = [];
      for (const state of states.values()) {
        if (state.running) {
          runs.push(state.running.promise);
          state.running.controller.abort(reason);
        }
      }
      // Interrupted: runs the stop aborted (one already sealing its bundle keeps its status).
      const results = await Promise.allSettled(runs);
      const interrupted = results.filter((r) => r.status === 'fulfilled' && r.value.status === 'aborted').length;
      while (pending.size > 0) await Promise.allSettled([...pending]);
      log({ event: 'scheduler-stop', reason, interrupted });
      return { interrupted };
    },
  };
}
