// `runproof run --approval`: the approval must be signed, trusted, not the operator's own, not
// expired, over this runbook, selection and parameters; then each step at or above its threshold
// runs only if its exact command, host and parameters are the approved ones.
import { createHash } from 'node:crypto';
import { RunproofError } from '../core/index.js';
import { parseRunbook, type RiskLevel } from '../parse/index.js';
import { loadTeamPolicy } from './team-policy.js';
import { isSecretName, paramEnvName, planRun, type GivenValue, type PlanResult, type PlanStep } from '../plan/index.js';
import {
  atOrAbove,
  BUNDLE_APPROVAL_FILE,
  BUNDLE_PLAN_FILE,
  checkTrust,
  serializePlan,
  loadSigningKey,
  readApprovalFile,
  readTrustFile,
  sealPlan,
  type ChangePlan,
  type ChangePlanContent,
  type ChangePlanStep,
  type OpenedApproval,
  type PlanParameter,
  type StepApproval,
  type TrustedApprover,
} from '../record/index.js';
import { readRunbookFile } from './read-runbook.js';

/** The only host runproof runs on today; the fleet feature adds `--host`. */
export const LOCAL_HOST = 'local';

export interface ChangePlanOptions {
  runbookPath: string;
  sections?: string[];
  cells?: string[];
  tags?: string[];
  values?: GivenValue[];
  /** Who wrote the plan. */
  createdBy: string;
  now?: Date;
}

function planParameters(plan: PlanResult): PlanParameter[] {
  const list: PlanParameter[] = plan.parameters.map((p) =>
    p.secret ? { name: p.name, secret: true, ref: `env:${paramEnvName(p.name)}` } : { name: p.name, secret: false, value: p.value },
  );
  // Variables given with --set that are not parameters reach the shell too: they are part of what is approved.
  for (const [name, value] of Object.entries(plan.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.push(isSecretName(name) ? { name, secret: true, ref: `env:${name}` } : { name, secret: false, value });
  }
  return list;
}

function planStepOf(step: PlanStep): ChangePlanStep {
  return {
    id: step.id,
    name: step.name,
    kind: step.kind,
    risk: step.risk.level,
    command: step.command,
    hosts: [LOCAL_HOST],
    params: [...step.params],
    ...(step.shell !== undefined ? { shell: step.shell } : {}),
    ...(step.cwd !== undefined ? { cwd: step.cwd } : {}),
  };
}

/** The change plan of a computed run plan (no digest yet). */
export function changePlanContent(plan: PlanResult, runbook: { path: string; title: string; sha256: string }, createdBy: string, now: Date): ChangePlanContent {
  return {
    schema: 'runproof.plan/v1',
    runbook,
    selection: { sections: [...plan.selection.sections], cells: [...plan.selection.cells], tags: [...plan.selection.tags] },
    hosts: [LOCAL_HOST],
    parameters: planParameters(plan),
    steps: plan.steps.map(planStepOf),
    createdAt: now.toISOString(),
    createdBy,
  };
}

/**
 * `runproof plan`: the exact plan of a change, with the runbook's SHA-256 and the plan's digest.
 * Every parameter must have a value (RP_MISSING_PARAMETER): a plan leaves nothing open.
 * @example const plan = await buildChangePlan({ runbookPath: 'ops/rotate.md', sections: ['2'], createdBy: 'bob' })
 */
export async function buildChangePlan(options: ChangePlanOptions): Promise<ChangePlan> {
  const text = await readRunbookFile(options.runbookPath);
  // The same team policy as the run: the plan's risks are the ones the run will judge.
  const team = await loadTeamPolicy(options.runbookPath);
  const notebook = parseRunbook(text, { path: options.runbookPath, ...(team ? { policy: team.policy, policyPath: team.path } : {}) });
  const sha256 = createHash('sha256').update(text).digest('hex');
  const plan = planRun(notebook, {
    ...(team ? { teamPolicy: team.policy } : {}),
    mode: 'unattended',
    ...(options.sections ? { sections: options.sections } : {}),
    ...(options.cells ? { cells: options.cells } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
    ...(options.values ? { values: options.values } : {}),
    onMissing: 'throw',
  });
  return sealPlan(changePlanContent(plan, { path: options.runbookPath, title: notebook.title, sha256 }, options.createdBy, options.now ?? new Date()));
}

/** An approval accepted for a run: what the gate and the bundle need. */
export interface AcceptedApproval {
  approval: OpenedApproval;
  /** The approval file's exact bytes (copied into the bundle). */
  bytes: Buffer;
  trusted: TrustedApprover;
}

export interface LoadApprovalOptions {
  approvalFile: string;
  trustFile?: string;
  /** The run's `--signing-key`: an approval signed with it is the operator's own. */
  signingKeyFile?: string;
  operator: { user: string };
  now?: Date;
}

const CLOCK_SKEW_MS = 5 * 60 * 1000;

function highestGated(plan: ChangePlan, threshold: RiskLevel): RiskLevel | null {
  let highest: RiskLevel | null = null;
  for (const s of plan.steps) if (atOrAbove(s.risk, threshold) && (highest === null || atOrAbove(s.risk, highest))) highest = s.risk;
  return highest;
}

/**
 * Reads an approval and decides whether it counts for this operator now: signature, trust,
 * not self-approved, not expired. Plan-vs-run checks are `applyApproval`'s.
 * @throws RunproofError RP_BAD_APPROVAL, RP_PLAN_TAMPERED, RP_APPROVAL_SIGNATURE_INVALID,
 *   RP_APPROVAL_UNTRUSTED, RP_SELF_APPROVAL, RP_APPROVAL_EXPIRED, RP_BAD_TRUST.
 */
export async function loadApprovalForRun(options: LoadApprovalOptions): Promise<AcceptedApproval> {
  const { approval, bytes } = await readApprovalFile(options.approvalFile);
  const p = approval.statement.predicate;
  if (!options.trustFile) {
    throw new RunproofError('RP_APPROVAL_UNTRUSTED', `${options.approvalFile} is signed by ${p.approver.name} (${p.approver.keyid}), but no trust file says whose approvals count`, {
      hint: 'pass --trust trust.yaml listing the approvers\' public keys; a signature alone proves only that someone holding a key signed',
      file: options.approvalFile,
    });
  }
  const trust = await readTrustFile(options.trustFile);
  const decision = checkTrust(approval, trust, highestGated(approval.plan, p.threshold));
  if (!decision.ok) {
    throw new RunproofError('RP_APPROVAL_UNTRUSTED', `${options.approvalFile} does not count: ${decision.reason}`, {
      hint: `add the approver to ${options.trustFile}, or have a listed approver approve the plan`,
      file: options.approvalFile,
    });
  }
  if (options.signingKeyFile) {
    const own = await loadSigningKey(options.signingKeyFile);
    if (own.keyid === p.approver.keyid) {
      throw new RunproofError('RP_SELF_APPROVAL', `${options.approvalFile} is signed with the operator's own signing key (${own.keyid})`, {
        hint: 'four eyes: another person must approve the plan with their own key',
        file: options.approvalFile,
      });
    }
  }
  if (decision.approver.name === options.operator.user) {
    throw new RunproofError('RP_SELF_APPROVAL', `${options.approvalFile} was approved by ${decision.approver.name}, who is the operator of this run`, {
      hint: 'four eyes: the approver must be someone else than the operator (RUNPROOF_OPERATOR, else the login user)',
      file: options.approvalFile,
    });
  }
  const now = (options.now ?? new Date()).getTime();
  if (Date.parse(p.signedAt) > now + CLOCK_SKEW_MS) {
    throw new RunproofError('RP_BAD_APPROVAL', `${options.approvalFile} was signed at ${p.signedAt}, in the future`, { hint: 'check the approver\'s clock and approve again', file: options.approvalFile });
  }
  if (Date.parse(p.expiresAt) <= now) {
    throw new RunproofError('RP_APPROVAL_EXPIRED', `${options.approvalFile} expired at ${p.expiresAt}`, {
      hint: 'have the plan approved again (runproof approve … --expires 8h)',
      file: options.approvalFile,
    });
  }
  return { approval, bytes, trusted: decision.approver };
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

// Why a run step is not the approved one (null: it is exactly).
function stepMismatch(actual: ChangePlanStep, approved: ChangePlanStep | undefined): string | null {
  if (!approved) return 'the approved plan has no such step';
  if (approved.name !== actual.name) return `the approved step is named ${approved.name}`;
  if (approved.kind !== actual.kind) return `the approved step is a ${approved.kind} cell`;
  if (approved.command !== actual.command) return 'the command is not the approved text';
  if (!same(approved.hosts, actual.hosts)) return `approved for hosts ${approved.hosts.join(', ')}, runs on ${actual.hosts.join(', ')}`;
  if (!same(approved.params, actual.params)) return 'the parameters it uses are not the approved ones';
  if (approved.shell !== actual.shell) return 'the shell is not the approved one';
  if (approved.cwd !== actual.cwd) return 'the working directory is not the approved one';
  if (!atOrAbove(approved.risk, actual.risk)) return `approved as ${approved.risk}, classified ${actual.risk} now`;
  return null;
}

/**
 * Applies an accepted approval to a run plan: the runbook, selection and parameters must be the
 * plan's (else it throws); steps at or above the threshold get `approval` and run as approved
 * (unattended: without --allow) or are blocked; steps below it keep the policy's decision.
 * @throws RunproofError RP_RUNBOOK_CHANGED, RP_APPROVAL_MISMATCH.
 */
export function applyApproval(plan: PlanResult, runbook: { path: string; title: string; sha256: string }, accepted: AcceptedApproval): void {
  const approved = accepted.approval.plan;
  const p = accepted.approval.statement.predicate;
  const file = 'the approval';
  if (runbook.sha256 !== approved.runbook.sha256) {
    throw new RunproofError('RP_RUNBOOK_CHANGED', `${runbook.path} changed since the plan was approved: sha256 ${runbook.sha256}, approved ${approved.runbook.sha256}`, {
      hint: 'write a new plan with `runproof plan` and have it approved',
      file: runbook.path,
    });
  }
  const actual = changePlanContent(plan, runbook, approved.createdBy, new Date(approved.createdAt));
  const sel = (s: ChangePlan['selection']): string => JSON.stringify(s);
  if (sel(actual.selection) !== sel(approved.selection)) {
    throw new RunproofError('RP_APPROVAL_MISMATCH', `the selection ${sel(actual.selection)} is not the approved ${sel(approved.selection)}`, {
      hint: 'run exactly the approved selection (omit --section/--cell/--tag to use it), or have a new plan approved',
    });
  }
  if (JSON.stringify(actual.parameters) !== JSON.stringify(approved.parameters)) {
    const names = new Set([...actual.parameters, ...approved.parameters].map((x) => x.name));
    const differ = [...names].filter((n) => JSON.stringify(actual.parameters.find((x) => x.name === n)) !== JSON.stringify(approved.parameters.find((x) => x.name === n)));
    throw new RunproofError('RP_APPROVAL_MISMATCH', `parameter values differ from the approved plan: ${differ.join(', ')}`, {
      hint: 'pass exactly the approved values (see the plan\'s parameters), or have a new plan approved',
    });
  }
  void file;
  const byId = new Map(approved.steps.map((s) => [s.id, s]));
  const base = {
    approvalSha256: createHash('sha256').update(accepted.bytes).digest('hex'),
    planDigest: approved.digest,
    approver: accepted.trusted.name,
    keyid: p.approver.keyid,
    ...(p.ticket !== undefined ? { ticket: p.ticket } : {}),
    threshold: p.threshold,
    signedAt: p.signedAt,
    expiresAt: p.expiresAt,
  };
  const by = `${accepted.trusted.name}${p.ticket ? ` (${p.ticket})` : ''}`;
  plan.steps.forEach((step, i) => {
    const mine = actual.steps[i]!;
    const theirs = byId.get(step.id);
    const approvedCommand = theirs ? { approvedCommand: theirs.command } : {};
    if (!atOrAbove(step.risk.level, p.threshold)) {
      step.approval = { status: 'below-threshold', ...base, ...approvedCommand, reason: `${step.risk.level}: below the approval threshold (${p.threshold}); the policy decides` } satisfies StepApproval;
      return;
    }
    const why = stepMismatch(mine, theirs);
    if (why !== null) {
      step.approval = { status: 'unapproved', ...base, ...approvedCommand, reason: `not approved: ${why}` };
      if (step.decision.action !== 'skip') step.decision = { action: 'block', by: 'policy', reason: `not approved by ${by}: ${why}` };
      return;
    }
    step.approval = { status: 'approved', ...base, ...approvedCommand, reason: `approved by ${by}` };
    // The approval stands in for --allow, not for a human at a terminal: cells that need one stay blocked.
    const policyBlock = step.decision.action === 'block' && step.decision.by === 'policy' && !step.interactive && step.confirm !== 'always';
    if (policyBlock || step.decision.action === 'run') step.decision = { action: 'run', by: 'flag', reason: `${step.risk.level} approved by ${by} (--approval)` };
    else if (step.decision.action === 'ask') step.decision = { ...step.decision, reason: `${step.decision.reason}; approved by ${by}` };
  });
}

/**
 * The run's selection and parameter values default to the approved plan's: with no
 * --section/--cell/--tag the approved selection runs, and approved non-secret values fill in
 * the names not given (secrets always come from the operator).
 */
export function withApprovedDefaults<T extends { sections?: string[]; cells?: string[]; tags?: string[]; values?: GivenValue[] }>(options: T, accepted: AcceptedApproval): T {
  const approved = accepted.approval.plan;
  const next = { ...options };
  if (!options.sections?.length && !options.cells?.length && !options.tags?.length) {
    next.sections = [...approved.selection.sections];
    next.cells = [...approved.selection.cells];
    next.tags = [...approved.selection.tags];
  }
  const given = new Set((options.values ?? []).map((v) => v.name));
  const defaults: GivenValue[] = approved.parameters
    .filter((p) => !p.secret && p.value !== undefined && !given.has(p.name))
    .map((p) => ({ name: p.name, value: p.value!, source: 'flag' as const }));
  next.values = [...defaults, ...(options.values ?? [])];
  return next;
}

/** Copies the approved plan and the approval file (its exact bytes) into the bundle, under `approval/`. */
export async function writeApprovalFiles(bundle: { writeFile(relPath: string, content: string | Buffer): Promise<string> }, accepted: AcceptedApproval): Promise<void> {
  await bundle.writeFile(BUNDLE_PLAN_FILE, Buffer.from(serializePlan(accepted.approval.plan), 'utf8'));
  await bundle.writeFile(BUNDLE_APPROVAL_FILE, accepted.bytes);
}
