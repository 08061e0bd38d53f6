// A fleet run: the same planned steps on many hosts, each host through its own long-lived shell
// session over the system OpenSSH client (`ssh HOST bash -s`), all into one bundle. Each host's
// steps are the plan's steps with the host in their id (`c3@web-1`) and header, so the journal,
// logs, record and reports keep every host apart while the fold stays the same.
//
// Where each step runs (placeSteps): a shell cell on every host, or on the host or inventory group
// its `host=` attribute (or the front matter's `host:`) names; HTTP and promql cells, and any cell
// with `host=local`, run once on the operator's machine (recorded without a host). A request pinned
// to hosts is sent from the operator's machine once for each of them, in that host's order.
//
// Steps on this machine are barriers: the plan is cut into stretches, and a stretch of host steps
// runs on every host (in parallel, `--parallel`) before the next step on this machine starts, so a
// health check after a restart sees every host restarted. Each host keeps one session from its
// first stretch to its last; `--canary K` runs each stretch on the first K hosts before the rest.
import { RunproofError, withoutRunproofSecrets } from '../core/index.js';
import type { Plan, PlanStep } from '../plan/index.js';
import { createShellSession, runNotebook, runStartEvent, runStatusFor, startStreamSession, StreamSessionError, type RunNotebookOptions, type RunOutcome, type RunProgress, type RunSink, type ShellSession, type StepDecider } from '../execute/index.js';
import { countStatuses, type HostResult, type JournalEventInput, type RunStatus, type StepStatus } from '../record/index.js';
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

/** Where one planned step runs in a fleet run: once on this machine, or on these hosts. */
export interface StepPlacement {
  step: PlanStep;
  /** Empty: once, on the operator's machine. */
  hosts: string[];
}

/**
 * Places every step of a plan on the run's hosts: see the top of this file. A pin that names
 * neither `local`, a host of the run, nor a group one of them belongs to is an error, before any
 * step runs (it would otherwise run nowhere, or somewhere nobody meant).
 * @throws RunproofError RP_BAD_HOSTS
 */
export function placeSteps(plan: Plan, targets: Target[]): StepPlacement[] {
  const names = targets.map((t) => t.name);
  return plan.steps.map((step) => {
    const pin = step.pin;
    if (pin === 'local') return { step, hosts: [] };
    if (pin === undefined) return { step, hosts: step.kind === 'shell' ? names : [] };
    if (names.includes(pin)) return { step, hosts: [pin] };
    const members = targets.filter((t) => t.groups?.includes(pin)).map((t) => t.name);
    if (members.length > 0) return { step, hosts: members };
    const groups = [...new Set(targets.flatMap((t) => t.groups ?? []))];
    throw new RunproofError('RP_BAD_HOSTS', `${step.name} (line ${step.line}) is pinned to host=${pin}, which is neither a host of this run nor a group of its hosts`, {
      hint: `this run's hosts: ${names.join(', ')}${groups.length > 0 ? `; their groups: ${groups.join(', ')}` : ' (no inventory groups: give --hosts INVENTORY)'}; host=local keeps a cell on this machine`,
    });
  });
}

/**
 * A run on this machine has no hosts: a step pinned to one is blocked, with the reason, rather
 * than run here (a `systemctl restart` meant for web-1 must not restart this machine's service).
 */
export function blockPinnedSteps(plan: Plan): void {
  for (const step of plan.steps) {
    if (step.pin === undefined || step.pin === 'local') continue;
    step.decision = { action: 'block', by: 'policy', reason: `pinned to host=${step.pin}: it runs only in a run on hosts (--host, --hosts)` };
  }
}

function hostStep(step: PlanStep, host: string): PlanStep {
  return { ...step, id: `${step.id}@${host}`, host };
}

// A stretch of consecutive steps: on this machine, or on hosts.
type Stretch = { local: true; steps: PlanStep[] } | { local: false; steps: StepPlacement[] };

// `oneByOne` (interactive runs): every step is its own stretch, asked once and run on every host
// before the next step is asked.
function stretchesOf(placed: StepPlacement[], oneByOne: boolean): Stretch[] {
  const out: Stretch[] = [];
  for (const p of placed) {
    const local = p.hosts.length === 0;
    const last = out.at(-1);
    if (last && last.local === local && !oneByOne) {
      if (last.local) last.steps.push(p.step);
      else last.steps.push(p);
    } else {
      out.push(local ? { local: true, steps: [p.step] } : { local: false, steps: [p] });
    }
  }
  return out;
}

interface HostState {
  target: Target;
  /** Every step of this host, in order (ids with `@host`): for `[i/n]` on screen. */
  steps: PlanStep[];
  session?: ShellSession;
  /** Why the session could not start. */
  unreachable?: { kind: string; message: string; at: string };
  started: boolean;
  startedAt?: string;
  endedAt?: string;
  statuses: StepStatus[];
  aborted: boolean;
  /** Why the host was stopped before its last step (`--canary`, `--max-fail`, an abort). */
  stopped?: string;
  /** Index of the last stretch with steps on this host: its session closes after it. */
  lastStretch: number;
}

/**
 * Runs `base` (everything runNotebook needs) on every target, writing one journal: one
 * run-start naming the hosts, each host's steps, one run-end with a result per host.
 */
export async function runOnHosts(given: RunNotebookOptions, fleet: FleetOptions): Promise<RunOutcome> {
  const { plan, sink } = given;
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const hosts = fleet.targets.map((t) => t.name);
  const placed = placeSteps(plan, fleet.targets);
  const stretches = stretchesOf(placed, given.decider !== undefined);
  // Interactive: one operator for every host (see fleetInteraction).
  const base: RunNotebookOptions = given.decider
    ? { ...given, ...fleetInteraction(given.decider, given.progress, (id) => (placed.find((p) => p.step.id === id)?.hosts ?? []).filter((h) => !state.get(h)?.unreachable && !state.get(h)?.stopped)) }
    : given;
  const localSteps = placed.filter((p) => p.hosts.length === 0).map((p) => p.step);
  const statuses: StepStatus[] = [];
  const limit = maxFailCount(fleet.maxFail, hosts.length);
  let failedHosts = 0;
  let aborted = false;
  let canaryFailed: string | undefined;

  const state = new Map<string, HostState>(fleet.targets.map((target) => {
    const mine = placed.filter((p) => p.hosts.includes(target.name)).map((p) => hostStep(p.step, target.name));
    const lastStretch = stretches.reduce((last, s, i) => (!s.local && s.steps.some((p) => p.hosts.includes(target.name)) ? i : last), -1);
    return [target.name, { target, steps: mine, started: false, statuses: [], aborted: false, lastStretch }];
  }));

  // One run-start and one run-end stand for the whole run: each stretch's own are dropped.
  const quietSink: RunSink = {
    ...sink,
    append: async (event) => {
      if (event.type !== 'run-start' && event.type !== 'run-end') await sink.append(event);
    },
  };
  // `[i/n]` counts a host's (or this machine's) own steps across the stretches.
  const numbered = (all: PlanStep[]): RunProgress | undefined => {
    const progress = base.progress;
    if (!progress) return undefined;
    const index = new Map(all.map((s, i) => [s.id, i]));
    return { ...progress, stepStart: (step) => progress.stepStart?.(step, index.get(step.id) ?? 0, all.length) };
  };

  async function recordNotRun(steps: PlanStep[], note: string): Promise<void> {
    for (const step of steps) {
      await sink.append({
        type: 'step-start',
        step: { id: step.id, name: step.name, sectionPath: step.sectionPath, sectionId: step.sectionId, line: step.line, kind: step.kind, risk: step.risk, source: step.display, ...(step.host ? { host: step.host } : {}) },
      });
      await sink.append({ type: 'step-end', stepId: step.id, status: 'not-run', note });
      statuses.push('not-run');
    }
  }

  const stopReason = (): string | undefined =>
    base.signal?.aborted || aborted ? 'the run was aborted' : canaryFailed ? `the canary ${canaryFailed}` : undefined;

  // This machine's stretch: once, through one local session kept for the run.
  let localSession: ShellSession | undefined;
  const localCaptured: Record<string, string> = {};
  const localProgress = numbered(localSteps);
  async function runLocal(steps: PlanStep[]): Promise<void> {
    if (base.signal?.aborted || aborted) {
      await recordNotRun(steps, 'the run was aborted before this step');
      return;
    }
    if (!localSession && steps.some((s) => s.kind === 'shell' && !base.alreadyDone?.has(s.id))) {
      const env = withoutRunproofSecrets(base.env ?? (process.env as Record<string, string>));
      // --env-file and --set values reach only the cells that name them (per step, in runNotebook).
      localSession = await createShellSession({ cwd: base.cwd, env });
    }
    const outcome = await runNotebook({
      ...base,
      plan: { ...plan, steps },
      sink: quietSink,
      ...(localSession ? { session: localSession, keepSession: true } : {}),
      captured: localCaptured,
      ...(localProgress ? { progress: localProgress } : {}),
    });
    statuses.push(...statusesOf(outcome));
    if (outcome.status === 'aborted') aborted = true;
  }

  // One host's part of a stretch of host steps.
  async function runHostStretch(host: HostState, index: number, steps: PlanStep[]): Promise<{ passed: boolean }> {
    const name = host.target.name;
    if (host.unreachable) {
      await recordNotRun(steps, `not run: the host could not be reached (${host.unreachable.kind})`);
      return { passed: false };
    }
    const stop = stopReason() ?? (!host.started && failedHosts > limit ? `more than ${fleet.maxFail} hosts failed (--max-fail)` : undefined);
    if (stop !== undefined || host.stopped) {
      host.stopped ??= stop;
      await recordNotRun(steps, `not ${host.started ? 'run' : 'started'}: ${host.stopped}`);
      await closeIfLast(host, index);
      return { passed: false };
    }
    const alreadyDone = new Set(steps.filter((s) => fleet.doneOnHost?.has(`${s.name || s.id.slice(0, s.id.lastIndexOf('@'))}@${name}`)).map((s) => s.id));
    const needsSession = steps.some((s) => s.kind === 'shell' && !alreadyDone.has(s.id));
    const at = new Date().toISOString();
    host.startedAt ??= at;
    host.started = true;
    if (needsSession && !host.session) {
      try {
        host.session = await startStreamSession({
          command: 'ssh',
          args: sshArgs(host.target, fleet.sshConfig),
          // ssh, its ProxyCommand and askpass, and whatever SendEnv forwards never see runproof's own secrets (L5).
          env: withoutRunproofSecrets({ ...process.env, ...(base.env ?? {}) }) as Record<string, string>,
          startTimeoutMs: fleet.connectTimeoutMs ?? 30_000,
        });
      } catch (error) {
        const kind = error instanceof StreamSessionError ? error.kind : 'exited';
        const message = error instanceof Error ? error.message : String(error);
        failedHosts += 1;
        host.unreachable = { kind, message, at };
        await recordNotRun(steps, `host ${kind === 'exited' ? 'session failed' : kind}: ${message}`);
        return { passed: false };
      }
      // Values given with --set or an env file that are not parameters reach the host's cells that
      // name them, per step, as on the local session (runNotebook).
      // Cells may say which host they run on: the name of the run (an alias), not the machine's.
      host.session.setVariable('RUNPROOF_HOST', name);
    }
    const progress = numbered(host.steps);
    const outcome = await runNotebook({
      ...base,
      plan: { ...plan, steps },
      sink: quietSink,
      ...(host.session ? { session: host.session, keepSession: true } : {}),
      alreadyDone,
      ...(progress ? { progress } : {}),
    });
    const wasFailed = hostFailed(host);
    host.statuses.push(...statusesOf(outcome));
    statuses.push(...statusesOf(outcome));
    if (outcome.status === 'aborted') {
      host.aborted = true;
      aborted = true;
    }
    if (!wasFailed && hostFailed(host)) failedHosts += 1;
    host.endedAt = outcome.endedAt;
    await closeIfLast(host, index);
    return { passed: outcome.status === 'passed' || outcome.status === 'empty' };
  }

  async function closeIfLast(host: HostState, index: number): Promise<void> {
    if (index >= host.lastStretch && host.session) {
      await host.session.close();
      host.session = undefined;
    }
  }

  const runHosts = async (index: number, stretch: StepPlacement[], targets: HostState[]): Promise<Map<string, boolean>> => {
    const passed = new Map<string, boolean>();
    const queue = [...targets];
    const workers = Array.from({ length: Math.max(1, Math.min(fleet.parallel ?? 5, queue.length)) }, async () => {
      for (let host = queue.shift(); host; host = queue.shift()) {
        const name = host.target.name;
        const steps = stretch.filter((p) => p.hosts.includes(name)).map((p) => hostStep(p.step, name));
        passed.set(name, (await runHostStretch(host, index, steps)).passed);
      }
    });
    await Promise.all(workers);
    return passed;
  };

  // run-start first, from a plan of every step where it runs.
  await sink.append(await firstRunStart(base, hosts, placed, startedAt));
  try {
    for (const [index, stretch] of stretches.entries()) {
      if (stretch.local) {
        await runLocal(stretch.steps);
        continue;
      }
      const on = fleet.targets.filter((t) => stretch.steps.some((p) => p.hosts.includes(t.name))).map((t) => state.get(t.name)!);
      const canary = Math.min(fleet.canary ?? 0, on.length);
      if (canary > 0 && canary < on.length) {
        const first = on.slice(0, canary);
        const passed = await runHosts(index, stretch.steps, first);
        const bad = first.filter((h) => passed.get(h.target.name) !== true).map((h) => h.target.name);
        if (bad.length > 0) canaryFailed ??= `${bad.join(', ')} did not pass (--canary ${canary})`;
        await runHosts(index, stretch.steps, on.slice(canary));
      } else {
        await runHosts(index, stretch.steps, on);
      }
    }
  } finally {
    for (const host of state.values()) await host.session?.close();
    await localSession?.close();
  }

  const endedAt = new Date().toISOString();
  const hostResults = fleet.targets.map((t) => hostResult(state.get(t.name)!, fleet.doneOnHost));
  const anyHostFailed = hostResults.some((r) => r.status === 'unreachable' || r.status === 'failed');
  let status = runStatusFor(statuses, aborted || base.signal?.aborted === true, plan.mode === 'dry-run');
  // A host that failed or could not be reached fails the run, even when nothing else ran.
  if (anyHostFailed && (status === 'passed' || status === 'empty')) status = 'failed';
  const counts = countStatuses(statuses);
  const durationMs = Date.now() - started;
  await sink.append({ type: 'run-end', status, endedAt, durationMs, counts, hosts: hostResults });
  return { status, counts, startedAt, endedAt, durationMs };
}

const baseIdOf = (step: PlanStep): string => (step.host && step.id.endsWith(`@${step.host}`) ? step.id.slice(0, -(step.host.length + 1)) : step.id);

// The step as the plan has it, without a host: what the operator is asked about once.
function baseStep(step: PlanStep): PlanStep {
  const { host: _host, ...rest } = step;
  return { ...rest, id: baseIdOf(step) };
}

/**
 * An interactive run on hosts: every host's copy of a step asks the operator's decider, and only
 * the first of them really asks (showing the hosts); the others take the same answer, call for
 * call (the n-th question about a step on one host gets the n-th answer). Every host's attempt of
 * a step shares one Ctrl-C signal, so Ctrl-C stops the step on every host at once, and the
 * question after it (go on, retry, quit) is asked once. On screen each step has one header and
 * one spinner, and one result line per host.
 */
function fleetInteraction(decider: StepDecider, progress: RunProgress | undefined, hostsOf: (id: string) => string[]): { decider: StepDecider; progress?: RunProgress } {
  const answers = new Map<string, unknown>();
  const calls = new Map<string, number>();
  let runAll = false;
  // The n-th call of `kind` for this host's step: its key among all hosts' calls.
  const keyOf = (kind: string, step: PlanStep): string => {
    const n = (calls.get(`${kind}\0${step.id}`) ?? 0) + 1;
    calls.set(`${kind}\0${step.id}`, n);
    return `${kind}\0${baseIdOf(step)}\0${n}`;
  };
  const once = <T>(key: string, ask: () => T): T => {
    if (!answers.has(key)) answers.set(key, ask());
    return answers.get(key) as T;
  };
  const shared: StepDecider = {
    beforeStep(step, context) {
      const key = keyOf('before', step);
      if (!step.host) return decider.beforeStep(step, context);
      if (runAll && step.risk.level !== 'destructive' && context?.notice === undefined) {
        return Promise.resolve({ action: 'run', by: 'operator', reason: 'run the rest without asking (chosen earlier)' });
      }
      return once(key, () =>
        decider.beforeStep(baseStep(step), { ...context, hosts: hostsOf(baseIdOf(step)) }).then((answer) => {
          if (answer.action === 'run-all') runAll = true;
          return answer;
        }),
      );
    },
  };
  if (decider.afterFailure) {
    const after = decider.afterFailure.bind(decider);
    shared.afterFailure = (step, summary, failure) => {
      const key = keyOf('after', step);
      if (!step.host) return after(step, summary, failure);
      return once(key, () => after(baseStep(step), `${summary} (on ${step.host}; the answer goes for every host where it did not pass)`, failure));
    };
  }
  if (decider.cellSignal) {
    const cellSignal = decider.cellSignal.bind(decider);
    shared.cellSignal = (step) => (step.host ? once(keyOf('signal', step), () => cellSignal(baseStep(step))) : cellSignal(step));
  }
  if (!progress) return { decider: shared };
  const headed = new Set<string>();
  const running = new Map<string, number>();
  return {
    decider: shared,
    progress: {
      stepStart(step, index, total) {
        if (!step.host) return progress.stepStart?.(step, index, total);
        if (headed.has(baseIdOf(step))) return undefined;
        headed.add(baseIdOf(step));
        return progress.stepStart?.(baseStep(step), index, total);
      },
      attemptStart(step, n) {
        if (!step.host) return progress.attemptStart?.(step, n);
        const id = baseIdOf(step);
        running.set(id, (running.get(id) ?? 0) + 1);
        return running.get(id) === 1 ? progress.attemptStart?.(baseStep(step), n) : undefined;
      },
      output(step, stream, text) {
        // Many hosts at once: their output is in the bundle, not interleaved on the screen.
        if (!step.host) progress.output?.(step, stream, text);
      },
      attemptEnd(step, n) {
        if (!step.host) return progress.attemptEnd?.(step, n);
        const id = baseIdOf(step);
        running.set(id, (running.get(id) ?? 1) - 1);
        return running.get(id) === 0 ? progress.attemptEnd?.(baseStep(step), n) : undefined;
      },
      stepEnd(step, status, detail) {
        progress.stepEnd?.(step.host ? baseStep(step) : step, status, step.host ? `${step.host}${detail ? `: ${detail}` : ''}` : detail);
      },
    },
  };
}

function hostFailed(host: HostState): boolean {
  return host.statuses.some((s) => s === 'failed' || s === 'timed-out' || s === 'interrupted');
}

function statusesOf(outcome: RunOutcome): StepStatus[] {
  const c = outcome.counts;
  const of = (n: number, status: StepStatus): StepStatus[] => Array.from({ length: n }, () => status);
  return [...of(c.passed, 'passed'), ...of(c.failed, 'failed'), ...of(c.blocked, 'blocked'), ...of(c.skipped, 'skipped'), ...of(c.notRun, 'not-run')];
}

// How a host ended: unreachable, never started, or the verdict of its steps.
function hostResult(host: HostState, doneOnHost: Set<string> | undefined): HostResult {
  const name = host.target.name;
  const groups = host.target.groups && host.target.groups.length > 0 ? { groups: host.target.groups } : {};
  return { ...hostVerdict(host, doneOnHost), ...groups };
}

function hostVerdict(host: HostState, doneOnHost: Set<string> | undefined): HostResult {
  const name = host.target.name;
  const times = { ...(host.startedAt ? { startedAt: host.startedAt } : {}), ...(host.endedAt ? { endedAt: host.endedAt } : {}) };
  if (host.unreachable) return { name, status: 'unreachable', failure: host.unreachable.kind, message: host.unreachable.message, startedAt: host.unreachable.at, endedAt: host.endedAt ?? host.unreachable.at };
  if (!host.started) return { name, status: 'not-started', message: host.stopped ? `not started: ${host.stopped}` : host.steps.length === 0 ? 'no step of the selection is placed on this host (host= pins)' : 'not started' };
  const verdict: RunStatus = runStatusFor(host.statuses, host.aborted, false);
  if (host.stopped && verdict !== 'failed') return { name, status: 'aborted', message: `stopped before its last step: ${host.stopped}`, ...times };
  if (verdict === 'failed' || verdict === 'aborted' || verdict === 'blocked') return { name, status: verdict, ...times };
  const resumed = doneOnHost !== undefined && host.statuses.every((s) => s === 'skipped');
  return { name, status: 'passed', ...(resumed ? { message: 'every step completed in the resumed run' } : {}), ...times };
}

// The run-start event of the whole fleet run: every step where it runs, and the hosts.
async function firstRunStart(base: RunNotebookOptions, hosts: string[], placed: StepPlacement[], startedAt: string): Promise<JournalEventInput> {
  const start = await runStartEvent(base, startedAt);
  const steps = [
    ...placed.filter((p) => p.hosts.length === 0).map((p) => p.step),
    ...hosts.flatMap((host) => placed.filter((p) => p.hosts.includes(host)).map((p) => hostStep(p.step, host))),
  ];
  return { ...start, plan: steps.map((s) => ({ id: s.id, name: s.name, kind: s.kind, risk: s.risk.level, decision: s.decision.action })), hosts };
}
