import { RunHeaderSchema, SCHEMA_VERSION, type Counts, type JournalEvent, type RunHeader, type RunRecord, type RunStatus, type Step, type StepStatus } from './types.js';

export interface BuildRecordOptions {
  /** Status to give a run whose journal has no `run-end` (killed, power cut): `aborted`. */
  unfinishedStatus?: RunStatus;
  /** When the journal is unfinished, the end time to record (default: the last event's time). */
  endedAt?: string;
}

/** Folds step statuses into the counts the record and every summary show. */
export function countStatuses(statuses: readonly StepStatus[]): Counts {
  const counts: Counts = { total: 0, passed: 0, failed: 0, blocked: 0, skipped: 0, notRun: 0 };
  for (const s of statuses) {
    counts.total += 1;
    if (s === 'passed') counts.passed += 1;
    else if (s === 'failed' || s === 'timed-out' || s === 'interrupted') counts.failed += 1;
    else if (s === 'blocked') counts.blocked += 1;
    else if (s === 'skipped') counts.skipped += 1;
    else counts.notRun += 1;
  }
  return counts;
}

/**
 * The line that says a run checked nothing, or null when something ran: `empty` (no check
 * executed) and `blocked` (policy refused every runnable step, with how to allow them). Every
 * summary (terminal, reports) shows it, so that "nothing checked" never reads like a pass.
 * @example nothingRanNote({ status: 'blocked', counts, steps }) // "nothing ran: 2 steps blocked by policy (...)"
 */
export function nothingRanNote(record: { status: string; counts: Counts; steps: ReadonlyArray<{ status: string; risk: { level: string } }> }): string | null {
  if (record.status === 'empty') {
    return record.counts.total === 0
      ? 'nothing ran: the selection has no runnable step, so nothing was checked'
      : `nothing ran: no step executed (${record.counts.skipped} skipped, ${record.counts.notRun} not run), so nothing was checked`;
  }
  if (record.status === 'blocked') {
    const levels = [...new Set(record.steps.filter((s) => s.status === 'blocked').map((s) => s.risk.level))].filter((l) => l !== 'read').sort();
    const how = levels.length > 0
      ? `allow them with ${levels.map((l) => `--allow ${l}`).join(' ')}, or run at a terminal without --yes to decide each one`
      : 'run at a terminal without --yes to decide each one';
    const n = record.counts.blocked;
    return `nothing ran: ${n} ${n === 1 ? 'step' : 'steps'} blocked by policy (${how})`;
  }
  return null;
}

/**
 * Folds journal events into the run record. The live run and `recover` use the same fold, so a
 * record rebuilt from the journal of a killed run says exactly what had finished.
 */
export function buildRecord(events: JournalEvent[], options: BuildRecordOptions = {}): RunRecord {
  const start = events.find((e): e is Extract<JournalEvent, { type: 'run-start' }> => e.type === 'run-start');
  if (!start) throw new Error('journal has no run-start event');
  const steps = new Map<string, Step>();
  const order: string[] = [];
  const warnings = [...(start.warnings ?? [])];
  let end: Extract<JournalEvent, { type: 'run-end' }> | undefined;
  const open = new Set<string>();
  const parameters = [...start.parameters];

  for (const event of events) {
    switch (event.type) {
      case 'step-start': {
        if (!steps.has(event.step.id)) order.push(event.step.id);
        steps.set(event.step.id, { ...event.step, status: 'not-run', decisions: [], attempts: [], assertions: [] });
        open.add(event.step.id);
        break;
      }
      case 'decision': {
        const step = event.stepId ? steps.get(event.stepId) : undefined;
        if (step) {
          step.decisions.push(event.decision);
          // An edit: the step records what runs (its source and risk), the original beside it.
          if (event.decision.edit) {
            step.edit = {
              originalSource: step.edit?.originalSource ?? step.source,
              originalRisk: step.edit?.originalRisk ?? step.risk,
              reason: event.decision.reason,
            };
            step.source = event.decision.edit.source;
            step.risk = event.decision.edit.risk;
            delete step.boundCommand;
          }
        }
        break;
      }
      case 'parameter': {
        // A value given during the run: the latest one for a name stands.
        const at = parameters.findIndex((p) => p.name === event.parameter.name);
        if (at === -1) parameters.push(event.parameter);
        else parameters[at] = event.parameter;
        break;
      }
      case 'attempt-end': {
        const step = steps.get(event.stepId);
        if (step) {
          step.attempts = step.attempts.filter((a) => a.n !== event.attempt.n);
          step.attempts.push(event.attempt);
        }
        break;
      }
      case 'assertions': {
        const step = steps.get(event.stepId);
        if (step) {
          // The last attempt's checks are the verdict; earlier attempts' are in the journal.
          step.assertions = event.assertions;
          if (event.expect) step.expect = event.expect;
          else delete step.expect;
        }
        break;
      }
      case 'step-end': {
        const step = steps.get(event.stepId);
        if (step) {
          step.status = event.status;
          if (event.note) step.note = event.note;
          open.delete(event.stepId);
        }
        break;
      }
      case 'run-end':
        end = event;
        break;
      default:
        break;
    }
  }

  const unfinished = end === undefined;
  if (unfinished) {
    for (const id of open) {
      const step = steps.get(id);
      if (!step) continue;
      const interrupted: StepStatus = step.attempts.length > 0 || step.decisions.some((d) => d.action === 'run') ? 'interrupted' : 'not-run';
      step.status = interrupted;
      step.note = 'the run ended before this step finished; rebuilt from the journal';
    }
    // Steps the plan announced but the run never reached.
    for (const entry of start.plan) {
      if (steps.has(entry.id)) continue;
      order.push(entry.id);
      steps.set(entry.id, {
        id: entry.id,
        name: entry.name,
        sectionPath: [],
        sectionId: '',
        line: 1,
        kind: entry.kind,
        risk: { level: entry.risk, classified: entry.risk, reason: 'from the plan announced at run start', overridden: false },
        source: '',
        status: 'not-run',
        decisions: [],
        attempts: [],
        assertions: [],
        note: 'the run ended before this step started',
      });
    }
    warnings.push('this record was rebuilt from journal.jsonl: the run did not finish');
  }

  const stepList = order.map((id) => steps.get(id)!);
  const last = events[events.length - 1];
  const endedAt = end?.endedAt ?? options.endedAt ?? last?.at ?? start.startedAt;
  const durationMs = end?.durationMs ?? Math.max(0, Date.parse(endedAt) - Date.parse(start.startedAt));
  const record: RunRecord = {
    schemaVersion: SCHEMA_VERSION,
    ...headerOf(start),
    endedAt,
    durationMs,
    status: end?.status ?? options.unfinishedStatus ?? 'aborted',
    // Values asked during the run (journal `parameter` events) replace or join the announced ones.
    parameters,
    counts: end?.counts ?? countStatuses(stepList.map((s) => s.status)),
    steps: stepList,
    warnings,
  };
  if (end?.hosts) record.hosts = end.hosts;
  else if (start.hosts) record.hosts = start.hosts.map((name) => ({ name, status: 'aborted' as const, message: 'the run ended before this host finished' }));
  return record;
}

/** The run's header as `run-start` announced it: each field of `RunHeaderSchema` it has, nothing else. */
function headerOf(start: Extract<JournalEvent, { type: 'run-start' }>): RunHeader {
  const header: Record<string, unknown> = {};
  for (const key of Object.keys(RunHeaderSchema.shape) as (keyof RunHeader)[]) {
    if (start[key] !== undefined) header[key] = start[key];
  }
  return header as RunHeader;
}
