// A fleet run: the same planned steps on many hosts, each host through its own long-lived shell
// session over the system OpenSSH client (`ssh HOST bash -s`), all into one bundle. Each host's
// steps are the plan's steps with the host in their id (`c3@web-1`) and header, so the journal,
// logs, record and reports keep every host apart while the fold stays the same.
import { withoutRunproofSecrets } from '../core/index.js';
import type { Plan } from '../plan/index.js';
import { runNotebook, runStartEvent, runStatusFor, startStreamSession, StreamSessionError, type RunNotebookOptions, type RunOutcome, type RunSink } from '../execute/index.js';
import { countStatuses, type Counts, type HostResult, type JournalEventInput, type StepStatus } from '../record/index.js';
import type { Target } from '../fleet/index.js';

export interface FleetOptions {
  targets: Target[];
  /** `ssh -F FILE`: the fleet's own ssh_config. */
  sshConfig?: string;
  /** Hosts run at once (default 5). */
  parallel?: number;
  /** Stop starting new hosts once more than this many failed (a count, or `P%` of the hosts). */
  maxFail?: string;
  /** How long connecting to a host may take (default 30 s). */
  connectTimeoutMs?: number;
  /** Run on this many hosts first; the rest start only if every one of them passed (`--canary K`). */
  canary?: number;
  /** `--resume`: steps completed on each host in the resumed run, as `name@host`. */
  doneOnHost?: Set<string>;
}

/** The number of failed hosts past which no new host starts; Infinity when not given. */
export function maxFailCount(spec: string | undefined, hosts: number): number {
  if (spec === undefined) return Number.POSITIVE_INFINITY;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(spec);
  if (percent) return Math.floor((Number(percent[1]) / 100) * hosts);
  return Number(spec);
}

/** The ssh command line that gives a bash reading its script from stdin on `target`. */
export function sshArgs(target: Target, sshConfig: string | undefined): string[] {
  return [
    ...(sshConfig ? ['-F', sshConfig] : []),
    '-T',
    '-o', 'BatchMode=yes',
    ...target.sshOptions,
    '--',
    target.name,
    'exec bash --noprofile --norc -s',
  ];
}

// A host's counts as step statuses, to fold with the other hosts' into the run's counts and status.
function statusesOf(counts: Counts): StepStatus[] {
  const of = (n: number, status: StepStatus): StepStatus[] => Array.from({ length: n }, () => status);
  return [...of(counts.passed, 'passed'), ...of(counts.failed, 'failed'), ...of(counts.blocked, 'blocked'), ...of(counts.skipped, 'skipped'), ...of(counts.notRun, 'not-run')];
}

function planForHost(plan: Plan, host: string): Plan {
  return { ...plan, steps: plan.steps.map((step) => ({ ...step, id: `${step.id}@${host}`, host })) };
}

/**
 * Runs `base` (everything runNotebook needs) on every target, writing one journal: one
 * run-start naming the hosts, each host's steps, one run-end with a result per host.
 */
export async function runOnHosts(base: RunNotebookOptions, fleet: FleetOptions): Promise<RunOutcome> {
  const { plan, sink } = base;
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const hosts = fleet.targets.map((t) => t.name);
  const statuses: StepStatus[] = [];
  const results = new Map<string, HostResult>();
  const limit = maxFailCount(fleet.maxFail, hosts.length);
  let failedHosts = 0;
  let aborted = false;
  let canaryFailed: string | undefined;

  // One run-start and one run-end stand for the whole run: each host's own are dropped.
  const hostSink = (): RunSink => ({
    ...sink,
    append: async (event) => {
      if (event.type !== 'run-start' && event.type !== 'run-end') await sink.append(event);
    },
  });

  const runHost = async (target: Target): Promise<void> => {
    const host = target.name;
    const hostPlan = planForHost(plan, host);
    const at = new Date().toISOString();
    if (base.signal?.aborted || aborted || failedHosts > limit || canaryFailed) {
      const reason = canaryFailed
        ? `not started: the canary ${canaryFailed}`
        : failedHosts > limit ? `not started: more than ${fleet.maxFail} hosts failed (--max-fail)` : 'not started: the run was aborted';
      await recordNotRun(hostPlan, host, reason);
      results.set(host, { name: host, status: 'not-started', message: reason });
      statuses.push(...hostPlan.steps.map((): StepStatus => 'not-run'));
      return;
    }
    const alreadyDone = new Set(plan.steps.filter((s) => fleet.doneOnHost?.has(`${s.name || s.id}@${host}`)).map((s) => `${s.id}@${host}`));
    if (alreadyDone.size > 0 && alreadyDone.size === hostPlan.steps.length) {
      // Nothing left to do on this host: it is not even connected to.
      const outcome = await runNotebook({ ...base, plan: hostPlan, sink: hostSink(), alreadyDone });
      results.set(host, { name: host, status: 'passed', message: 'every step completed in the resumed run', startedAt: outcome.startedAt, endedAt: outcome.endedAt });
      statuses.push(...statusesOf(outcome.counts));
      return;
    }
    let session;
    try {
      session = await startStreamSession({
        command: 'ssh',
        args: sshArgs(target, fleet.sshConfig),
        // ssh, its ProxyCommand and askpass, and whatever SendEnv forwards never see runproof's own secrets (L5).
        env: withoutRunproofSecrets({ ...process.env, ...(base.env ?? {}) }) as Record<string, string>,
        startTimeoutMs: fleet.connectTimeoutMs ?? 30_000,
      });
    } catch (error) {
      const kind = error instanceof StreamSessionError ? error.kind : 'exited';
      const message = error instanceof Error ? error.message : String(error);
      failedHosts += 1;
      await recordNotRun(hostPlan, host, `host ${kind === 'exited' ? 'session failed' : kind}: ${message}`);
      results.set(host, { name: host, status: 'unreachable', failure: kind, message, startedAt: at, endedAt: new Date().toISOString() });
      statuses.push(...hostPlan.steps.map((): StepStatus => 'not-run'));
      return;
    }
    // Values given with --set or an env file that are not parameters reach the host's cells that
    // name them, per step, as on the local session (runNotebook).
    const outcome = await runNotebook({ ...base, plan: hostPlan, sink: hostSink(), session, ...(alreadyDone.size > 0 ? { alreadyDone } : {}) });
    if (outcome.status === 'failed') failedHosts += 1;
    if (outcome.status === 'aborted') aborted = true;
    const status: HostResult['status'] = outcome.status === 'failed' || outcome.status === 'aborted' || outcome.status === 'blocked' ? outcome.status : 'passed';
    results.set(host, { name: host, status, startedAt: outcome.startedAt, endedAt: outcome.endedAt });
    statuses.push(...statusesOf(outcome.counts));
  };

  async function recordNotRun(hostPlan: Plan, host: string, note: string): Promise<void> {
    for (const step of hostPlan.steps) {
      await sink.append({
        type: 'step-start',
        step: { id: step.id, name: step.name, sectionPath: step.sectionPath, sectionId: step.sectionId, line: step.line, kind: step.kind, risk: step.risk, source: step.display, host },
      });
      await sink.append({ type: 'step-end', stepId: step.id, status: 'not-run', note });
    }
  }

  // run-start first, from a plan of every host's steps.
  await sink.append(await firstRunStart(base, hosts, startedAt));
  const runAll = async (targets: Target[]): Promise<void> => {
    const queue = [...targets];
    const workers = Array.from({ length: Math.max(1, Math.min(fleet.parallel ?? 5, queue.length)) }, async () => {
      for (let target = queue.shift(); target; target = queue.shift()) await runHost(target);
    });
    await Promise.all(workers);
  };
  const canary = Math.min(fleet.canary ?? 0, fleet.targets.length);
  if (canary > 0) {
    const first = fleet.targets.slice(0, canary);
    await runAll(first);
    const bad = first.filter((t) => results.get(t.name)?.status !== 'passed').map((t) => t.name);
    if (bad.length > 0) canaryFailed = `${bad.join(', ')} did not pass (--canary ${canary})`;
    await runAll(fleet.targets.slice(canary));
  } else {
    await runAll(fleet.targets);
  }
  const endedAt = new Date().toISOString();
  const hostResults = hosts.map((h) => results.get(h)!);
  const anyHostFailed = hostResults.some((r) => r.status === 'unreachable' || r.status === 'failed');
  let status = runStatusFor(statuses, aborted || base.signal?.aborted === true, plan.mode === 'dry-run');
  // A host that failed or could not be reached fails the run, even when nothing else ran.
  if (anyHostFailed && (status === 'passed' || status === 'empty')) status = 'failed';
  const counts = countStatuses(statuses);
  const durationMs = Date.now() - started;
  await sink.append({ type: 'run-end', status, endedAt, durationMs, counts, hosts: hostResults });
  return { status, counts, startedAt, endedAt, durationMs };
}

// The run-start event of the whole fleet run: every host's steps in the plan, and the hosts.
async function firstRunStart(base: RunNotebookOptions, hosts: string[], startedAt: string): Promise<JournalEventInput> {
  const start = await runStartEvent(base, startedAt);
  const steps = hosts.flatMap((host) => planForHost(base.plan, host).steps);
  return { ...start, plan: steps.map((s) => ({ id: s.id, name: s.name, kind: s.kind, risk: s.risk.level, decision: s.decision.action })), hosts };
}
