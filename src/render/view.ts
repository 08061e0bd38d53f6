import type { Attempt, Decision, Output, RunRecord, Step, StepStatus, RunStatus } from '../record/index.js';
import { nothingRanNote } from '../record/index.js';
import { cleanTerminalText } from './ansi.js';
import { clipText, DEFAULT_CLIP_LIMITS, type ClipLimits } from './clip.js';
import { formatBytes, formatDuration, formatTime, formatValue, plural } from './format.js';
import { buildHttpView, type HttpView } from './http-view.js';

// The templates never compute: every string they show is prepared here from the record alone,
// so a user's own templates (`--template-dir`) get the same facts, and the same record always
// renders the same bytes. Every field is present (null when absent): templates compile strict.

/** One output stream of an attempt as shown in a report. */
export interface OutputView {
  stream: 'stdout' | 'stderr';
  /** The text shown: ANSI codes stripped, control characters made visible, clipped to the report's limits. */
  text: string;
  empty: boolean;
  size: number;
  sizeText: string;
  sha256: string;
  /** The record holds only head and tail; the full output is in `logFile`. */
  truncated: boolean;
  /** The report shows less than the record holds. */
  clipped: boolean;
  logFile: string | null;
  /** `logFile` when it is a plain relative path inside the bundle, else null (never a `javascript:` or absolute URL). */
  logHref: string | null;
}

export interface DecisionView {
  action: string;
  by: string;
  at: string;
  atText: string;
  reason: string;
  input: string | null;
}

export interface AttemptView {
  n: number;
  startedAt: string;
  startedText: string;
  durationMs: number;
  durationText: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  interrupted: boolean;
  /** `exit 0`, `HTTP 503`, `killed by SIGTERM`, `timed out`, `no response (ECONNREFUSED)`, `could not run`. */
  resultText: string;
  /** Why the attempt could not run at all (null when the HTTP exchange's error already says it). */
  error: string | null;
  stdout: OutputView;
  stderr: OutputView;
  /** Non-empty streams, in order, for templates that loop. */
  outputs: OutputView[];
  http: HttpView | null;
}

export interface AssertionView {
  text: string;
  line: number;
  passed: boolean;
  mark: string;
  expected: string;
  actual: string;
  message: string | null;
}

export interface StepView {
  id: string;
  /** The host of a fleet run's step; null on this machine. */
  host: string | null;
  /** The HTML id / Markdown anchor of the step: `step-c7`. */
  anchor: string;
  /** 1-based position in the report. */
  index: number;
  name: string;
  sectionPath: string[];
  sectionText: string;
  sectionId: string;
  line: number;
  kind: string;
  /** The fence language used to show `source`. */
  language: string;
  risk: { level: string; classified: string; reason: string; overridden: boolean };
  status: StepStatus;
  statusLabel: string;
  /** CSS tone: `ok`, `bad`, `warn`, `muted`. */
  tone: string;
  /** Failed, timed out, interrupted or blocked: listed among the failures and open by default. */
  needsAttention: boolean;
  /** The step is shown expanded in the HTML report. */
  open: boolean;
  source: string;
  boundCommand: string | null;
  /** The operator edited the command: `source`/`risk` are the edit's; the original is here. */
  edit: { originalSource: string; originalRiskLevel: string; originalRiskReason: string; reason: string } | null;
  decisions: DecisionView[];
  /** The first decision in one phrase: `run, by policy: read-only`. */
  decisionText: string;
  /** Whether the step ran in the bubblewrap sandbox, for steps where that was the question; else null. */
  sandboxText: string | null;
  attempts: AttemptView[];
  hasAttempts: boolean;
  multipleAttempts: boolean;
  lastAttempt: AttemptView | null;
  /** The outcome in a few words, e.g. `exit 7 after 2 attempts`; the status when nothing ran. */
  resultText: string;
  durationMs: number;
  durationText: string;
  assertions: AssertionView[];
  hasAssertions: boolean;
  expect: { passed: boolean; mark: string; diffs: { path: string; expected: string; actual: string; message: string | null }[] } | null;
  note: string | null;
}

/** A fleet run: how each host ended, and a host × step matrix linking each cell to its step. */
export interface FleetView {
  hosts: { name: string; status: string; statusLabel: string; tone: string; message: string | null }[];
  /** The matrix's columns: the plan's steps by name. */
  columns: { name: string }[];
  rows: { host: string; cells: { statusLabel: string; tone: string; anchor: string | null }[] }[];
}

/** A run of consecutive steps of one section, for section headings. */
export interface StepGroupView {
  sectionId: string;
  sectionText: string;
  steps: StepView[];
}

export interface CountView {
  key: string;
  label: string;
  value: number;
  tone: string;
}

/**
 * Everything a report template can use. This is the contract for `--template-dir` templates:
 * the default templates in `templates/` use every part of it.
 */
export interface ReportView {
  title: string;
  status: RunStatus;
  statusLabel: string;
  /** Set when the run checked nothing (`empty`, or every runnable step `blocked`): says so and how to allow them. */
  nothingRanText: string | null;
  tone: string;
  mode: string;
  tool: { name: string; version: string };
  runbook: { path: string; title: string; sha256: string; gitCommit: string | null; gitDirty: boolean | null; gitText: string };
  operator: { user: string; host: string };
  selectionText: string;
  policyText: string;
  /** The run's sandbox setting and whether bubblewrap worked; null when the record has none. */
  sandboxText: string | null;
  startedAt: string;
  endedAt: string;
  startedText: string;
  endedText: string;
  durationMs: number;
  durationText: string;
  counts: RunRecord['counts'];
  /** The counts in display order with labels: total, passed, failed, blocked, skipped, not run. */
  countList: CountView[];
  countsText: string;
  parameters: { name: string; value: string; source: string; secret: boolean }[];
  hasParameters: boolean;
  warnings: string[];
  hasWarnings: boolean;
  resumedFrom: string | null;
  /** How the run started (`scheduled by checklist nightly, cron 0 6 * * *...`); null for a plain `runproof run`. */
  triggerText: string | null;
  evidenceName: string;
  bundleName: string;
  steps: StepView[];
  hasSteps: boolean;
  /** Set for a run on many hosts (`--host`, `--hosts`). */
  fleet: FleetView | null;
  groups: StepGroupView[];
  failures: StepView[];
  hasFailures: boolean;
  decisions: (DecisionView & { stepId: string; stepName: string; anchor: string })[];
  hasDecisions: boolean;
  /** The "Change approval" panel (`run --approval`; partials md-approval / html-approval); null without one. */
  changeApproval: ChangeApprovalView | null;
  integrity: {
    recordFile: string;
    recordSha256: string;
    markdownFile: string;
    htmlFile: string;
    manifestFile: string;
    manifestSha256: string | null;
    signed: string | null;
    verifyCommand: string;
  };
}

const STEP_LABELS: Record<StepStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  blocked: 'blocked',
  skipped: 'skipped',
  'not-run': 'not run',
  'timed-out': 'timed out',
  interrupted: 'interrupted',
  planned: 'planned',
};

const STEP_TONES: Record<StepStatus, string> = {
  passed: 'ok',
  failed: 'bad',
  'timed-out': 'bad',
  interrupted: 'bad',
  blocked: 'warn',
  skipped: 'muted',
  'not-run': 'muted',
  planned: 'muted',
};

// Keyed by string, not RunStatus: a record from a newer runproof may carry a status this one
// does not know, and it must still render (upper-cased, muted).
const RUN_LABELS: Record<string, string> = {
  passed: 'PASSED',
  failed: 'FAILED',
  aborted: 'ABORTED',
  blocked: 'BLOCKED',
  'dry-run': 'DRY RUN',
  skipped: 'SKIPPED',
  missed: 'MISSED',
  empty: 'NOTHING CHECKED',
};

const RUN_TONES: Record<string, string> = { passed: 'ok', failed: 'bad', aborted: 'bad', blocked: 'bad', 'dry-run': 'muted', skipped: 'warn', missed: 'bad', empty: 'bad' };

// The language a step's source is shown in, for every cell kind (a new kind must name its own).
const LANGUAGES: Record<Step['kind'], string> = { shell: 'bash', http: 'http', promql: 'promql', script: 'text', assert: 'text', expect: 'json', doc: 'text' };

// An HTML id / fragment that no record value can break out of.
function anchorFor(id: string, taken: Set<string>): string {
  const base = `step-${id.replace(/[^A-Za-z0-9_.-]/g, '-') || 'x'}`;
  let anchor = base;
  for (let n = 2; taken.has(anchor); n += 1) anchor = `${base}-${n}`;
  taken.add(anchor);
  return anchor;
}

// A log link is shown only as a relative path inside the bundle: no scheme, no absolute path, no `..`.
function safeLogHref(logFile: string | undefined): string | null {
  if (!logFile) return null;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(logFile)) return null;
  if (logFile.split('/').some((part) => part === '..' || part === '')) return null;
  return logFile;
}

function outputView(stream: 'stdout' | 'stderr', output: Output, limits: ClipLimits): OutputView {
  const clipped = clipText(cleanTerminalText(output.inline), limits);
  return {
    stream,
    text: clipped.text,
    empty: output.size === 0 && output.inline === '',
    size: output.size,
    sizeText: formatBytes(output.size),
    sha256: output.sha256,
    truncated: output.truncated,
    clipped: clipped.clipped,
    logFile: output.logFile ?? null,
    logHref: safeLogHref(output.logFile),
  };
}

function decisionView(decision: Decision): DecisionView {
  return {
    action: decision.action,
    by: decision.by,
    at: decision.at,
    atText: formatTime(decision.at),
    reason: decision.reason,
    input: decision.input ?? null,
  };
}

function httpStatusOf(http: HttpView | null): number | null {
  return http?.response ? http.response.status : null;
}

function attemptResultText(attempt: Attempt, http: HttpView | null): string {
  if (http?.errorCode) return `no response (${http.errorCode})`;
  if (attempt.error !== undefined) return 'could not run';
  if (attempt.end === 'expected-timeout') return 'ran until its timeout (expected end)';
  if (attempt.end === 'stopped-by-operator') return 'stopped by the operator (expected end)';
  if (attempt.timedOut) return 'timed out';
  if (attempt.interrupted) return 'interrupted';
  const status = httpStatusOf(http);
  if (status !== null) return `HTTP ${status}`;
  if (attempt.signal) return `killed by ${attempt.signal}`;
  if (attempt.exitCode !== null) return `exit ${attempt.exitCode}`;
  return 'no exit status';
}

function attemptView(attempt: Attempt, limits: ClipLimits): AttemptView {
  const http = buildHttpView(attempt.http, limits);
  const stdout = outputView('stdout', attempt.stdout, limits);
  const stderr = outputView('stderr', attempt.stderr, limits);
  return {
    n: attempt.n,
    startedAt: attempt.startedAt,
    startedText: formatTime(attempt.startedAt),
    durationMs: attempt.durationMs,
    durationText: formatDuration(attempt.durationMs),
    exitCode: attempt.exitCode,
    signal: attempt.signal,
    timedOut: attempt.timedOut,
    interrupted: attempt.interrupted,
    resultText: attemptResultText(attempt, http),
    // The HTTP exchange's own error says the same thing with more detail.
    error: http?.error ? null : (attempt.error ?? null),
    stdout,
    stderr,
    outputs: [stdout, stderr].filter((o) => !o.empty),
    http,
  };
}

/** What the run's record says about the sandbox, in one line for an auditor. */
function runSandboxText(record: RunRecord): string | null {
  const sandbox = record.sandbox;
  if (sandbox === undefined) return null;
  if (sandbox.mode === 'off') return 'off: unattended read steps ran without bubblewrap (--sandbox off)';
  if (sandbox.available === true) {
    return `bubblewrap (setting ${sandbox.mode}): unattended read steps ran on a read-only filesystem with a private /tmp, in their own process namespace`;
  }
  if (sandbox.available === false) {
    return `not available (setting ${sandbox.mode}): ${sandbox.reason ?? 'bwrap could not start'}; unattended read steps ran without it`;
  }
  return `setting ${sandbox.mode}: no step needed it`;
}

// Only where the sandbox was the question: unattended read shell steps, and any step that used it.
function stepSandboxText(step: Step, record: RunRecord): string | null {
  if (step.sandboxed === true) return 'yes: bubblewrap, read-only filesystem, private /tmp, own process namespace';
  if (step.sandboxed === false && record.mode === 'unattended' && step.risk.level === 'read' && step.attempts.length > 0) {
    const sandbox = record.sandbox;
    if (sandbox?.mode === 'off') return 'no: the sandbox was off for this run';
    if (sandbox?.available === false) return `no: the sandbox was not available (${sandbox.reason ?? 'bwrap could not start'})`;
    return 'no';
  }
  return null;
}

function stepView(step: Step, index: number, anchors: Set<string>, limits: ClipLimits, record: RunRecord): StepView {
  const attempts = step.attempts.map((a) => attemptView(a, limits));
  const last = attempts.at(-1) ?? null;
  const label = STEP_LABELS[step.status];
  const needsAttention = step.status === 'failed' || step.status === 'timed-out' || step.status === 'interrupted' || step.status === 'blocked';
  const durationMs = step.attempts.reduce((sum, a) => sum + a.durationMs, 0);
  const decisions = step.decisions.map(decisionView);
  const first = decisions[0];
  let resultText: string;
  if (last) {
    resultText = attempts.length > 1 ? `${last.resultText} after ${plural(attempts.length, 'attempt')}` : last.resultText;
  } else {
    resultText = label;
  }
  const sectionText = step.sectionPath.join(' › ');
  return {
    id: step.id,
    host: step.host ?? null,
    anchor: anchorFor(step.id, anchors),
    index,
    name: step.name,
    sectionPath: step.sectionPath,
    sectionText,
    sectionId: step.sectionId,
    line: step.line,
    kind: step.kind,
    language: LANGUAGES[step.kind],
    risk: { level: step.risk.level, classified: step.risk.classified, reason: step.risk.reason, overridden: step.risk.overridden },
    status: step.status,
    statusLabel: label,
    tone: STEP_TONES[step.status],
    needsAttention,
    open: needsAttention,
    source: cleanTerminalText(step.source),
    boundCommand: step.boundCommand !== undefined && step.boundCommand !== step.source ? cleanTerminalText(step.boundCommand) : null,
    edit: step.edit
      ? { originalSource: cleanTerminalText(step.edit.originalSource), originalRiskLevel: step.edit.originalRisk.level, originalRiskReason: step.edit.originalRisk.reason, reason: step.edit.reason }
      : null,
    decisions,
    decisionText: first ? `${first.action}, by ${first.by}${first.reason ? `: ${first.reason}` : ''}` : 'no decision recorded',
    sandboxText: stepSandboxText(step, record),
    attempts,
    hasAttempts: attempts.length > 0,
    multipleAttempts: attempts.length > 1,
    lastAttempt: last,
    resultText,
    durationMs,
    durationText: formatDuration(durationMs),
    assertions: step.assertions.map((a) => ({
      text: a.text,
      line: a.line,
      passed: a.passed,
      mark: a.passed ? 'pass' : 'FAIL',
      expected: formatValue(a.expected),
      actual: formatValue(a.actual),
      message: a.message ?? null,
    })),
    hasAssertions: step.assertions.length > 0,
    expect: step.expect
      ? {
          passed: step.expect.passed,
          mark: step.expect.passed ? 'pass' : 'FAIL',
          diffs: step.expect.diffs.map((d) => ({
            path: d.path,
            expected: formatValue(d.expected),
            actual: d.actual === undefined ? '(missing)' : formatValue(d.actual),
            message: (d as { message?: string }).message ?? null,
          })),
        }
      : null,
    note: step.note ?? null,
  };
}

function selectionText(record: RunRecord): string {
  const parts: string[] = [];
  const { sections, cells, tags } = record.selection;
  if (sections.length > 0) parts.push(`sections ${sections.join(', ')}`);
  if (cells.length > 0) parts.push(`cells ${cells.join(', ')}`);
  if (tags.length > 0) parts.push(`tags ${tags.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'the whole runbook';
}

// Checklist runs say how they started; read loosely so records with or without it render alike.
function triggerText(trigger: unknown): string | null {
  if (typeof trigger !== 'object' || trigger === null) return null;
  const t = trigger as Record<string, unknown>;
  const text = (key: string): string | null => (typeof t[key] === 'string' ? (t[key] as string) : null);
  const parts: string[] = [t.kind === 'schedule' ? 'scheduled' : t.kind === 'manual' ? 'started by hand' : String(t.kind ?? 'started')];
  if (text('checklist')) parts.push(`checklist ${text('checklist')}`);
  if (text('cron')) parts.push(`cron ${text('cron')}${text('timezone') ? ` (${text('timezone')})` : ''}`);
  if (text('scheduledAt')) parts.push(`due ${formatTime(text('scheduledAt')!)}`);
  if (typeof t.attempt === 'number' && t.attempt > 1) parts.push(`try ${t.attempt}`);
  if (text('via')) parts.push(`via ${text('via')}`);
  if (text('reason')) parts.push(text('reason')!);
  return parts.join(', ');
}

/** The change approval a run ran under, and per gated step what was approved against what ran. */
export interface ChangeApprovalView {
  approver: string;
  keyid: string;
  ticket: string | null;
  threshold: string;
  signedAt: string;
  signedText: string;
  expiresText: string;
  planDigest: string;
  approvalSha256: string;
  steps: Array<{ name: string; anchor: string; status: string; statusText: string; approvedCommand: string | null; ranCommand: string; same: boolean; reason: string }>;
}

function changeApprovalView(record: RunRecord, steps: StepView[]): ChangeApprovalView | null {
  const gated = record.steps.map((s, i) => ({ step: s, view: steps[i]! })).filter((x) => x.step.approval !== undefined);
  const first = gated[0]?.step.approval;
  if (!first) return null;
  return {
    approver: first.approver,
    keyid: first.keyid,
    ticket: first.ticket ?? null,
    threshold: first.threshold,
    signedAt: first.signedAt,
    signedText: formatTime(first.signedAt),
    expiresText: formatTime(first.expiresAt),
    planDigest: first.planDigest,
    approvalSha256: first.approvalSha256,
    steps: gated
      .filter((x) => x.step.approval!.status !== 'below-threshold')
      .map(({ step, view }) => {
        const a = step.approval!;
        const ran = step.boundCommand ?? step.source;
        const edited = step.decisions.some((d) => d.action === 'edit');
        return {
          name: step.name,
          anchor: view.anchor,
          status: step.status,
          statusText: a.status === 'approved' && !edited ? 'approved' : a.status === 'approved' ? 'edited during the run: ran unapproved' : 'not approved',
          approvedCommand: a.approvedCommand ?? null,
          ranCommand: ran,
          same: a.approvedCommand === ran && !edited,
          reason: a.reason,
        };
      }),
  };
}

/** Options of {@link buildReportView} beyond the record. */
export interface ReportViewOptions {
  /** SHA-256 of the record file as written (`<bundle>.json`). */
  recordSha256: string;
  seal?: { manifestSha256?: string; signed?: string };
  limits?: ClipLimits;
}

const HOST_LABELS: Record<string, string> = { passed: 'passed', failed: 'failed', aborted: 'aborted', blocked: 'blocked', unreachable: 'unreachable', 'not-started': 'not started' };
const HOST_TONES: Record<string, string> = { passed: 'ok', failed: 'bad', aborted: 'bad', blocked: 'warn', unreachable: 'bad', 'not-started': 'muted' };

// The host × step matrix: a column per planned step (its id without `@host`), a row per host.
function fleetView(record: RunRecord, steps: StepView[]): FleetView | null {
  if (!record.hosts) return null;
  const baseId = (s: StepView): string => (s.host && s.id.endsWith(`@${s.host}`) ? s.id.slice(0, -(s.host.length + 1)) : s.id);
  const columns: { id: string; name: string }[] = [];
  for (const s of steps) if (!columns.some((c) => c.id === baseId(s))) columns.push({ id: baseId(s), name: s.name });
  return {
    hosts: record.hosts.map((h) => ({ name: h.name, status: h.status, statusLabel: HOST_LABELS[h.status] ?? h.status, tone: HOST_TONES[h.status] ?? 'muted', message: h.message ?? null })),
    columns: columns.map((c) => ({ name: c.name })),
    rows: record.hosts.map((h) => ({
      host: h.name,
      cells: columns.map((c) => {
        const step = steps.find((s) => s.host === h.name && baseId(s) === c.id);
        return step ? { statusLabel: step.statusLabel, tone: step.tone, anchor: step.anchor } : { statusLabel: '–', tone: 'muted', anchor: null };
      }),
    })),
  };
}

/** Prepares everything the report templates show from a validated record. */
export function buildReportView(record: RunRecord, options: ReportViewOptions): ReportView {
  const limits = options.limits ?? DEFAULT_CLIP_LIMITS;
  const anchors = new Set<string>();
  const steps = record.steps.map((step, i) => stepView(step, i + 1, anchors, limits, record));
  const groups: StepGroupView[] = [];
  for (const step of steps) {
    const current = groups.at(-1);
    if (current && current.sectionId === step.sectionId) current.steps.push(step);
    else groups.push({ sectionId: step.sectionId, sectionText: step.sectionText || '(before the first heading)', steps: [step] });
  }
  const c = record.counts;
  const countList: CountView[] = [
    { key: 'total', label: 'steps', value: c.total, tone: 'plain' },
    { key: 'passed', label: 'passed', value: c.passed, tone: 'ok' },
    { key: 'failed', label: 'failed', value: c.failed, tone: c.failed > 0 ? 'bad' : 'plain' },
    { key: 'blocked', label: 'blocked', value: c.blocked, tone: c.blocked > 0 ? 'warn' : 'plain' },
    { key: 'skipped', label: 'skipped', value: c.skipped, tone: 'plain' },
    { key: 'notRun', label: 'not run', value: c.notRun, tone: 'plain' },
  ];
  const git = record.runbook.git;
  const gitText = git.commit === null ? 'not in a git repository' : `${git.commit}${git.dirty ? ' (with uncommitted changes)' : ''}`;
  return {
    title: record.runbook.title,
    status: record.status,
    statusLabel: RUN_LABELS[record.status] ?? record.status.toUpperCase(),
    nothingRanText: nothingRanNote(record),
    tone: RUN_TONES[record.status] ?? 'muted',
    mode: record.mode,
    tool: { name: record.tool.name, version: record.tool.version },
    runbook: {
      path: record.runbook.path,
      title: record.runbook.title,
      sha256: record.runbook.sha256,
      gitCommit: git.commit,
      gitDirty: git.dirty,
      gitText,
    },
    operator: { user: record.operator.user, host: record.operator.host },
    selectionText: selectionText(record),
    policyText: record.policy.allow.length > 0 ? `runs ${record.policy.allow.join(', ')} steps without asking` : 'nothing allowed without asking',
    sandboxText: runSandboxText(record),
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    startedText: formatTime(record.startedAt),
    endedText: formatTime(record.endedAt),
    durationMs: record.durationMs,
    durationText: formatDuration(record.durationMs),
    counts: { ...c },
    countList,
    countsText: `${c.passed} passed, ${c.failed} failed, ${c.blocked} blocked, ${c.skipped} skipped, ${c.notRun} not run (${plural(c.total, 'step')})`,
    parameters: record.parameters.map((p) => ({ name: p.name, value: p.value, source: p.source, secret: p.secret })),
    hasParameters: record.parameters.length > 0,
    warnings: [...record.warnings],
    hasWarnings: record.warnings.length > 0,
    resumedFrom: record.resumedFrom ?? null,
    triggerText: triggerText((record as { trigger?: unknown }).trigger),
    evidenceName: record.evidenceName,
    bundleName: record.bundleName,
    steps,
    hasSteps: steps.length > 0,
    fleet: fleetView(record, steps),
    groups,
    failures: steps.filter((s) => s.needsAttention),
    hasFailures: steps.some((s) => s.needsAttention),
    decisions: steps.flatMap((s) => s.decisions.map((d) => ({ ...d, stepId: s.id, stepName: s.name, anchor: s.anchor }))),
    hasDecisions: steps.some((s) => s.decisions.length > 0),
    changeApproval: changeApprovalView(record, steps),
    integrity: {
      recordFile: `${record.bundleName}.json`,
      recordSha256: options.recordSha256,
      markdownFile: `${record.bundleName}.md`,
      htmlFile: `${record.bundleName}.html`,
      manifestFile: 'manifest.json',
      manifestSha256: options.seal?.manifestSha256 || null,
      signed: options.seal?.signed || null,
      verifyCommand: `runproof verify ${record.bundleName}`,
    },
  };
}
