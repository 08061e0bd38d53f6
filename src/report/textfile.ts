// The Prometheus textfile-collector file: a few gauges and counters per checklist, labelled by
// checklist (and step status) only, never by run id, so series stay few. Several checklists may
// share one file: the file is read back, the checklist's series replaced, and written atomically
// (temp file in the same folder, then rename) so node_exporter never reads half a file.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parsePrometheusText } from '../execute/index.js';
import { writeAtomic, type Counts } from '../record/index.js';
import { checksRun, isSuccess, REPORTED_STATUSES, runOutcome } from './outcome.js';
import type { EvidenceSink } from './sink.js';

/** The series of one checklist. */
export interface ChecklistSeries {
  lastRunTimestampSeconds?: number;
  lastRunSuccess?: 0 | 1;
  lastRunDurationSeconds?: number;
  lastSuccessTimestampSeconds?: number;
  /** Step counts of the last run by status. */
  steps?: Record<StepLabel, number>;
  skippedRunsTotal: number;
  missedRunsTotal: number;
  lastWebhookSuccess?: 0 | 1;
  /** The last run's status (one of REPORTED_STATUSES): `empty` tells "nothing checked" from a pass. */
  status?: ReportedStatus;
  /** Checks that ran in the last run (0 for an empty or all-blocked run). */
  checksRun?: number;
  /** A run on hosts: 1 for each host that passed in the last run, 0 for the others. */
  hosts?: Record<string, 0 | 1>;
}

type ReportedStatus = (typeof REPORTED_STATUSES)[number];

/** What one event changes in a checklist's series. */
export interface TextfileUpdate {
  /** A run that ran (or could not start: success 0, no steps). */
  run?: { startedAt: Date; success: boolean; durationMs: number; counts?: Counts; status?: string; hosts?: ReadonlyArray<{ name: string; status: string }> };
  skipped?: number;
  missed?: number;
  webhookDelivered?: boolean;
}

const STEP_LABELS = ['passed', 'failed', 'blocked', 'skipped', 'not-run'] as const;
type StepLabel = (typeof STEP_LABELS)[number];

const FAMILIES: Array<{ name: string; type: 'gauge' | 'counter'; help: string; get: (s: ChecklistSeries) => number | undefined }> = [
  { name: 'runproof_last_run_timestamp_seconds', type: 'gauge', help: 'Unix time the last run of the checklist started.', get: (s) => s.lastRunTimestampSeconds },
  { name: 'runproof_last_run_success', type: 'gauge', help: '1 when the last run of the checklist passed, else 0.', get: (s) => s.lastRunSuccess },
  { name: 'runproof_last_run_duration_seconds', type: 'gauge', help: 'Duration of the last run of the checklist.', get: (s) => s.lastRunDurationSeconds },
  { name: 'runproof_last_success_timestamp_seconds', type: 'gauge', help: 'Unix time the last passing run of the checklist started.', get: (s) => s.lastSuccessTimestampSeconds },
  { name: 'runproof_skipped_runs_total', type: 'counter', help: 'Scheduled runs skipped because the previous run was still running.', get: (s) => s.skippedRunsTotal },
  { name: 'runproof_missed_runs_total', type: 'counter', help: 'Scheduled runs missed while the scheduler was not running.', get: (s) => s.missedRunsTotal },
  { name: 'runproof_last_webhook_success', type: 'gauge', help: '1 when the last webhook of the checklist was delivered, else 0.', get: (s) => s.lastWebhookSuccess },
];
const STEPS_FAMILY = { name: 'runproof_steps', help: 'Steps of the last run of the checklist by status.' };
const STATUS_FAMILY = { name: 'runproof_checklist_status', help: 'Status of the last run of the checklist: 1 for its status, 0 for the others (empty: nothing was checked).' };
const HOST_FAMILY = { name: 'runproof_host_last_run_success', help: 'A run on hosts: 1 when the host passed in the last run of the checklist, else 0 (failed, unreachable, not started).' };
const CHECKS_RUN_FAMILY = { name: 'runproof_checklist_checks_run', help: 'Checks that ran (passed or failed) in the last run of the checklist; 0 means nothing was checked.' };

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Renders the exposition text of every checklist's series (families in a fixed order, checklists sorted).
 * @example renderTextfile(new Map([['daily', { lastRunSuccess: 1, skippedRunsTotal: 0, missedRunsTotal: 0 }]]))
 */
export function renderTextfile(series: ReadonlyMap<string, ChecklistSeries>): string {
  const names = [...series.keys()].sort();
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const rows = names.flatMap((name) => {
      const value = family.get(series.get(name)!);
      return value === undefined ? [] : [`${family.name}{checklist="${escapeLabel(name)}"} ${formatValue(value)}`];
    });
    if (rows.length > 0) lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`, ...rows);
    // Written also when no run ever passed (a checklist that never succeeded has no last success).
    if (family.name === 'runproof_last_success_timestamp_seconds') lines.push(...stepLines(names, series), ...statusLines(names, series));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function stepLines(names: string[], series: ReadonlyMap<string, ChecklistSeries>): string[] {
  const rows = names.flatMap((name) => {
    const steps = series.get(name)!.steps;
    return steps ? STEP_LABELS.map((status) => `${STEPS_FAMILY.name}{checklist="${escapeLabel(name)}",status="${status}"} ${steps[status]}`) : [];
  });
  return rows.length === 0 ? [] : [`# HELP ${STEPS_FAMILY.name} ${STEPS_FAMILY.help}`, `# TYPE ${STEPS_FAMILY.name} gauge`, ...rows];
}

function statusLines(names: string[], series: ReadonlyMap<string, ChecklistSeries>): string[] {
  const status = names.flatMap((name) => {
    const s = series.get(name)!.status;
    return s ? REPORTED_STATUSES.map((label) => `${STATUS_FAMILY.name}{checklist="${escapeLabel(name)}",status="${label}"} ${label === s ? 1 : 0}`) : [];
  });
  const run = names.flatMap((name) => {
    const n = series.get(name)!.checksRun;
    return n === undefined ? [] : [`${CHECKS_RUN_FAMILY.name}{checklist="${escapeLabel(name)}"} ${n}`];
  });
  const hosts = names.flatMap((name) => Object.entries(series.get(name)!.hosts ?? {}).map(([host, v]) => `${HOST_FAMILY.name}{checklist="${escapeLabel(name)}",host="${escapeLabel(host)}"} ${v}`));
  return [
    ...(hosts.length > 0 ? [`# HELP ${HOST_FAMILY.name} ${HOST_FAMILY.help}`, `# TYPE ${HOST_FAMILY.name} gauge`, ...hosts] : []),
    ...(status.length > 0 ? [`# HELP ${STATUS_FAMILY.name} ${STATUS_FAMILY.help}`, `# TYPE ${STATUS_FAMILY.name} gauge`, ...status] : []),
    ...(run.length > 0 ? [`# HELP ${CHECKS_RUN_FAMILY.name} ${CHECKS_RUN_FAMILY.help}`, `# TYPE ${CHECKS_RUN_FAMILY.name} gauge`, ...run] : []),
  ];
}

/** Reads the series back from a textfile written before (unknown lines are ignored). */
export function readTextfileSeries(text: string): Map<string, ChecklistSeries> {
  const out = new Map<string, ChecklistSeries>();
  const get = (name: string): ChecklistSeries => {
    let s = out.get(name);
    if (!s) out.set(name, (s = { skippedRunsTotal: 0, missedRunsTotal: 0 }));
    return s;
  };
  for (const sample of parsePrometheusText(text).samples) {
    const checklist = sample.labels.checklist;
    if (checklist === undefined) continue;
    const s = get(checklist);
    const bit = sample.value >= 1 ? 1 : 0;
    switch (sample.name) {
      case 'runproof_last_run_timestamp_seconds': s.lastRunTimestampSeconds = sample.value; break;
      case 'runproof_last_run_success': s.lastRunSuccess = bit; break;
      case 'runproof_last_run_duration_seconds': s.lastRunDurationSeconds = sample.value; break;
      case 'runproof_last_success_timestamp_seconds': s.lastSuccessTimestampSeconds = sample.value; break;
      case 'runproof_skipped_runs_total': s.skippedRunsTotal = sample.value; break;
      case 'runproof_missed_runs_total': s.missedRunsTotal = sample.value; break;
      case 'runproof_last_webhook_success': s.lastWebhookSuccess = bit; break;
      case 'runproof_checklist_status': {
        const status = sample.labels.status as ReportedStatus | undefined;
        if (status && (REPORTED_STATUSES as readonly string[]).includes(status) && sample.value >= 1) s.status = status;
        break;
      }
      case 'runproof_checklist_checks_run': s.checksRun = sample.value; break;
      case 'runproof_host_last_run_success': {
        const host = sample.labels.host;
        if (host !== undefined) s.hosts = { ...(s.hosts ?? {}), [host]: bit };
        break;
      }
      case 'runproof_steps': {
        const status = sample.labels.status as StepLabel | undefined;
        if (status && (STEP_LABELS as readonly string[]).includes(status)) {
          s.steps ??= { passed: 0, failed: 0, blocked: 0, skipped: 0, 'not-run': 0 };
          s.steps[status] = sample.value;
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Applies one event to a checklist's series; the last success time is carried over a failure. */
export function applyTextfileUpdate(previous: ChecklistSeries | undefined, update: TextfileUpdate): ChecklistSeries {
  const s: ChecklistSeries = previous ? { ...previous } : { skippedRunsTotal: 0, missedRunsTotal: 0 };
  if (update.run) {
    const started = update.run.startedAt.getTime() / 1000;
    s.lastRunTimestampSeconds = started;
    s.lastRunSuccess = update.run.success ? 1 : 0;
    s.lastRunDurationSeconds = update.run.durationMs / 1000;
    if (update.run.success) s.lastSuccessTimestampSeconds = started;
    const c = update.run.counts ?? { total: 0, passed: 0, failed: 0, blocked: 0, skipped: 0, notRun: 0 };
    s.steps = { passed: c.passed, failed: c.failed, blocked: c.blocked, skipped: c.skipped, 'not-run': c.notRun };
    s.checksRun = checksRun(update.run.counts);
    const status = update.run.status ?? (update.run.success ? 'passed' : 'failed');
    s.status = (REPORTED_STATUSES as readonly string[]).includes(status) ? (status as ReportedStatus) : 'failed';
    // The last run's hosts only: a host dropped from the inventory leaves no stale series.
    if (update.run.hosts && update.run.hosts.length > 0) s.hosts = Object.fromEntries(update.run.hosts.map((h) => [h.name, h.status === 'passed' ? 1 : 0] as const));
    else delete s.hosts;
  }
  if (update.skipped) s.skippedRunsTotal += update.skipped;
  if (update.missed) s.missedRunsTotal += update.missed;
  if (update.webhookDelivered !== undefined) s.lastWebhookSuccess = update.webhookDelivered ? 1 : 0;
  return s;
}

const queues = new Map<string, Promise<unknown>>();

// Updates to one file from one process happen one after another (read, change, rename).
function serialized<T>(path: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.then(task, task);
  queues.set(path, next.catch(() => undefined));
  return next;
}

/**
 * Applies an update to one checklist's series in the textfile at `path` and rewrites it atomically.
 * @example await updateTextfile('/var/lib/node_exporter/runproof.prom', 'daily', { run: { startedAt, success: true, durationMs: 1200, counts } })
 */
export function updateTextfile(path: string, checklist: string, update: TextfileUpdate): Promise<string> {
  return serialized(path, async () => {
    let previous = '';
    try {
      previous = await readFile(path, 'utf8');
    } catch {
      // first write
    }
    const series = readTextfileSeries(previous);
    series.set(checklist, applyTextfileUpdate(series.get(checklist), update));
    const text = renderTextfile(series);
    await mkdir(dirname(path), { recursive: true });
    await writeAtomic(path, text);
    return text;
  });
}

/**
 * The textfile sink: the checklist's series in the Prometheus file at `path` (shared by checklists).
 * A `locked` run counts as a skipped run and leaves the last run's series as they were.
 * @example await textfileSink('/var/lib/node_exporter/runproof.prom').write({ name: 'daily', status: 'empty', record, at })
 */
export function textfileSink(path: string): EvidenceSink {
  return {
    name: 'textfile',
    target: path,
    write: async (run) => {
      const update: TextfileUpdate = {};
      if (run.status === 'locked') update.skipped = 1;
      else {
        const status = runOutcome(run.status, run.record);
        update.run = {
          startedAt: run.record ? new Date(run.record.startedAt) : run.at,
          success: isSuccess(status),
          durationMs: run.record?.durationMs ?? 0,
          status,
          ...(run.record ? { counts: run.record.counts } : {}),
          ...(run.record?.hosts ? { hosts: run.record.hosts } : {}),
        };
      }
      if (run.webhookDelivered !== undefined) update.webhookDelivered = run.webhookDelivered;
      await updateTextfile(path, run.name, update);
    },
  };
}
