import { z } from 'zod';
import { CellKindSchema, RiskLevelSchema, RiskVerdictSchema } from '../parse/index.js';
import { HttpExchangeSchema } from './http-exchange.js';

/** The version of the record format; bumped on any incompatible change. */
export const SCHEMA_VERSION = 1;

/** A SHA-256 digest, lower-case hex. */
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
const IsoTime = z.iso.datetime().describe('ISO 8601 time in UTC, e.g. 2026-01-22T10:15:00.000Z');
const Count = z.number().int().min(0);

/** One stream (stdout or stderr) of one attempt, redacted. */
export const OutputSchema = z.strictObject({
  /** The whole output when it fits the inline limit; else head, an omission marker line, and tail. */
  inline: z.string(),
  /** Size in bytes of the full redacted output. */
  size: Count,
  /** SHA-256 (hex) of the full redacted output. */
  sha256: Sha256Schema,
  /** True when `inline` holds only head and tail; the whole output is then in `logFile`. */
  truncated: z.boolean(),
  /** Path of the full output, relative to the bundle directory (`logs/c3.1.stdout.log`). */
  logFile: z.string().optional(),
  encoding: z.literal('utf8'),
});
export type Output = z.infer<typeof OutputSchema>;

/** One execution of a step: a step with `retry` has several. */
export const AttemptSchema = z.strictObject({
  /** 1-based attempt number. */
  n: z.number().int().min(1),
  startedAt: IsoTime,
  durationMs: Count,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  interrupted: z.boolean(),
  stdout: OutputSchema,
  stderr: OutputSchema,
  /** The HTTP exchange of an http cell: the request as sent, the response or why none came (record/http-exchange.ts). */
  http: HttpExchangeSchema.optional(),
  /** Why the attempt could not run at all (spawn failure, refused connection...). */
  error: z.string().optional(),
  /**
   * The line that stopped a shell cell (its first failing command): `line` in the runbook (the
   * cell's own line when the command's lines are not the runbook's one for one), `cellLine` within
   * the cell, `text` as written in the runbook.
   */
  failedLine: z.strictObject({ line: z.number().int().min(1), cellLine: z.number().int().min(1), text: z.string() }).optional(),
  /** What the operator should know that did not fail the attempt (the session directory was gone...). */
  warnings: z.array(z.string()).optional(),
  /**
   * How a command that runs until interrupted (`tail -f`) ended as expected: at its `timeout`
   * (`expected-timeout`), or by the operator's Ctrl-C (`stopped-by-operator`). Not a failure.
   */
  end: z.enum(['expected-timeout', 'stopped-by-operator']).optional(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const DecisionActionSchema = z.enum(['run', 'skip', 'block', 'edit', 'retry', 'continue', 'quit', 'run-all']);
export type DecisionAction = z.infer<typeof DecisionActionSchema>;

/** Who decides a step: the operator at the prompt, a flag (`--yes`, `--allow`), or the policy. */
export const DecisionBySchema = z.enum(['operator', 'flag', 'policy']);
export type DecisionBy = z.infer<typeof DecisionBySchema>;

/** Who chose what, when: every run, skip, block, edit, retry is one. */
export const DecisionSchema = z.strictObject({
  action: DecisionActionSchema,
  by: DecisionBySchema,
  at: IsoTime,
  reason: z.string(),
  /** What the operator typed (the edited command, the confirmed name), redacted. */
  input: z.string().optional(),
  /** An edit: the command it made and that command's risk, classified again (the step then records it as what ran). */
  edit: z.strictObject({ source: z.string(), risk: RiskVerdictSchema }).optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const AssertionResultSchema = z.strictObject({
  text: z.string(),
  line: z.number().int().min(1),
  passed: z.boolean(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  message: z.string().optional(),
});
export type AssertionResult = z.infer<typeof AssertionResultSchema>;

export const ExpectResultSchema = z.strictObject({
  passed: z.boolean(),
  /** Each differing path; `actual` is absent when the path is missing from the output. */
  diffs: z.array(
    z.strictObject({ path: z.string(), expected: z.unknown().optional(), actual: z.unknown().optional(), message: z.string().optional() }),
  ),
});
export type ExpectResult = z.infer<typeof ExpectResultSchema>;

export const StepStatusSchema = z.enum([
  'passed',
  'failed',
  'blocked',
  'skipped',
  'not-run',
  'timed-out',
  'interrupted',
  'planned',
]);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/**
 * How `run --approval` judged a step: `approved` (at or above the threshold and exactly as
 * approved), `unapproved` (at or above it, not as approved: blocked, or run on an operator's own
 * confirmation after an edit), `below-threshold` (the approval does not gate it).
 */
export const StepApprovalSchema = z.strictObject({
  status: z.enum(['approved', 'unapproved', 'below-threshold']),
  /** SHA-256 of the approval file (`approval/approval.json` in the bundle). */
  approvalSha256: Sha256Schema,
  planDigest: Sha256Schema,
  approver: z.string(),
  keyid: z.string(),
  ticket: z.string().optional(),
  threshold: z.enum(['write', 'destructive']),
  signedAt: IsoTime,
  expiresAt: IsoTime,
  /** The command the approval covers for this step (references, not values), when it has one. */
  approvedCommand: z.string().optional(),
  reason: z.string(),
});
export type StepApproval = z.infer<typeof StepApprovalSchema>;

/** What is known about a step before it runs: written by `step-start` and kept in the record. */
export const StepHeaderSchema = z.strictObject({
  /** The cell id (`c7`). */
  id: z.string().min(1),
  /** The cell's stable name (`health-checks/2` or its `name` attribute). */
  name: z.string(),
  sectionPath: z.array(z.string()),
  sectionId: z.string(),
  /** The fence's line in the runbook. */
  line: z.number().int().min(1),
  kind: CellKindSchema,
  risk: RiskVerdictSchema,
  /** The exact text that ran, parameters filled in for display, redacted. */
  source: z.string(),
  /** What the shell received (parameters bound as variables), when it differs from `source`. */
  boundCommand: z.string().optional(),
  /** The host the step ran on, in a fleet run (`--host`); absent for a run on this machine. */
  host: z.string().optional(),
  /** The change approval this step ran under (`run --approval`; approvals). */
  approval: StepApprovalSchema.optional(),
  /** Shell steps: whether the cell runs inside the bubblewrap sandbox. */
  sandboxed: z.boolean().optional(),
});
export type StepHeader = z.infer<typeof StepHeaderSchema>;

export const StepSchema = StepHeaderSchema.extend({
  status: StepStatusSchema,
  decisions: z.array(DecisionSchema),
  attempts: z.array(AttemptSchema),
  assertions: z.array(AssertionResultSchema),
  expect: ExpectResultSchema.optional(),
  note: z.string().optional(),
  /** Set when the operator edited the command: `source` and `risk` are the edit's; the original is kept here. */
  edit: z
    .strictObject({
      originalSource: z.string(),
      originalRisk: RiskVerdictSchema,
      /** Why: the edit decision's reason (how it was edited). */
      reason: z.string(),
    })
    .optional(),
});
export type Step = z.infer<typeof StepSchema>;

// `skipped` and `missed` are the small bundles of scheduled runs that did not start (SPEC §5).
// `empty`: the run executed no check (empty selection, or every step skipped): never a pass.
export const RunStatusSchema = z.enum(['passed', 'failed', 'aborted', 'blocked', 'dry-run', 'skipped', 'missed', 'empty']);
export type RunStatus = z.infer<typeof RunStatusSchema>;
export const RunModeSchema = z.enum(['unattended', 'interactive', 'dry-run']);
export type RunMode = z.infer<typeof RunModeSchema>;

/** How a run came to start: by a schedule (and which time it was due) or by hand. */
export const TriggerSchema = z.strictObject({
  kind: z.enum(['schedule', 'manual']),
  /** The checklist the run belongs to. */
  checklist: z.string().optional(),
  /** The cron expression that fired. */
  cron: z.string().optional(),
  /** IANA time zone the cron expression is read in. */
  timezone: z.string().optional(),
  /** The time the schedule said the run was due. */
  scheduledAt: IsoTime.optional(),
  /** When the run (or the decision to skip it) actually started. */
  startedAt: IsoTime,
  /** Which try of a checklist with `retries` this is (1-based). */
  attempt: z.number().int().min(1).optional(),
  /** Who fired it: runproof's own scheduler, or a system one (cron, systemd, k8s) via `checklist run`. */
  via: z.string().optional(),
  /** Why a `skipped` or `missed` run did not start. */
  reason: z.string().optional(),
});
export type Trigger = z.infer<typeof TriggerSchema>;

export const RunbookInfoSchema = z.strictObject({
  path: z.string(),
  title: z.string(),
  sha256: Sha256Schema,
  git: z.strictObject({
    commit: z.string().nullable(),
    dirty: z.boolean().nullable(),
    root: z.string().optional(),
  }),
});
export type RunbookInfo = z.infer<typeof RunbookInfoSchema>;

export const SelectionSchema = z.strictObject({
  sections: z.array(z.string()),
  cells: z.array(z.string()),
  tags: z.array(z.string()),
});
export type Selection = z.infer<typeof SelectionSchema>;

/** The team policy file the run classified with (`runproof.policy.yaml` or `--policy`): its path, SHA-256 and content. */
export const TeamPolicyFileSchema = z.strictObject({ path: z.string(), sha256: Sha256Schema, content: z.string() });
/** The unattended policy: what plan decides with and the run records. */
export const PolicySchema = z.strictObject({
  /** Risk levels allowed to run without a human: `read` always, more only by flag. */
  allow: z.array(RiskLevelSchema),
  /** The team policy file the notebook was classified with (kept in the record). */
  file: TeamPolicyFileSchema.optional(),
});
export type Policy = z.infer<typeof PolicySchema>;

export const OperatorSchema = z.strictObject({ user: z.string(), host: z.string() });
export type Operator = z.infer<typeof OperatorSchema>;

/** A parameter's value and where it came from: plan binds it, the run records it. */
export const ParameterValueSchema = z.strictObject({
  name: z.string(),
  /** The value; in the record and journal `[REDACTED:NAME]` when secret. */
  value: z.string(),
  /** `--set` (flag), `--env-file`, the front-matter default, typed at a prompt, or read from the environment (a checklist's `env:NAME`). */
  source: z.enum(['flag', 'env-file', 'default', 'prompt', 'environment']),
  secret: z.boolean(),
});
export type ParameterValue = z.infer<typeof ParameterValueSchema>;

/** How one host of a fleet run ended: its steps' verdict, or why it could not be reached. */
export const HostResultSchema = z.strictObject({
  name: z.string(),
  status: z.enum(['passed', 'failed', 'aborted', 'blocked', 'unreachable', 'not-started']),
  /** unreachable, auth, host-key...: why the session did not start. */
  failure: z.string().optional(),
  /** ssh's own words, or why the host was not started (`--max-fail`). */
  message: z.string().optional(),
  /** The inventory groups the host belongs to (what `host=GROUP` pins matched); kept for `--resume`. */
  groups: z.array(z.string()).optional(),
  startedAt: IsoTime.optional(),
  endedAt: IsoTime.optional(),
});
export type HostResult = z.infer<typeof HostResultSchema>;

export const CountsSchema = z.strictObject({
  total: Count,
  passed: Count,
  failed: Count,
  blocked: Count,
  skipped: Count,
  notRun: Count,
});
export type Counts = z.infer<typeof CountsSchema>;

/** Whether unattended read cells ran inside the bubblewrap sandbox (the shell engineer's field). */
export const SandboxInfoSchema = z.strictObject({
  /** The setting in force: `required` refuses to run without a sandbox, `warn` runs with a warning. */
  mode: z.enum(['required', 'warn', 'off']),
  /** Whether bwrap worked here (probed once per run); absent when nothing needed it. */
  available: z.boolean().optional(),
  /** Why it was not available. */
  reason: z.string().optional(),
});
export type SandboxInfo = z.infer<typeof SandboxInfoSchema>;

export const ToolSchema = z.strictObject({ name: z.literal('runproof'), version: z.string() });

/**
 * The keys of `shape` in the order given (each key once, no other): a record's and a journal
 * line's bytes follow their schema's key order (writers serialise the parsed value), and the
 * report shows the record file's SHA-256, so a shared shape must not reorder what is written.
 */
function inOrder<S extends z.ZodRawShape>(shape: S, order: readonly (keyof S & string)[]): S {
  const keys = Object.keys(shape);
  if (order.length !== keys.length || new Set(order).size !== keys.length || !keys.every((k) => order.includes(k))) {
    throw new Error(`record schema key order lists ${order.join(', ')} for ${keys.join(', ')}`);
  }
  const ordered: Partial<S> = {};
  for (const k of order) ordered[k] = shape[k];
  return ordered as S;
}

/** What is known of a run when it starts: announced by `run-start` and kept in the record. */
export const RunHeaderSchema = z.strictObject({
  tool: ToolSchema,
  runbook: RunbookInfoSchema,
  selection: SelectionSchema,
  mode: RunModeSchema,
  policy: PolicySchema,
  operator: OperatorSchema,
  startedAt: IsoTime,
  parameters: z.array(ParameterValueSchema),
  /** The bundle directory name this run resumed from. */
  resumedFrom: z.string().optional(),
  /** How the run started (checklists and schedules); absent for a plain `runproof run`. */
  trigger: TriggerSchema.optional(),
  /** `<name>` of the bundle (`rollback_check`). */
  evidenceName: z.string(),
  /** `<name>_<YYYYMMDD_HHMMSS>[_n]`: the bundle directory's name. */
  bundleName: z.string(),
  sandbox: SandboxInfoSchema.optional(),
});
export type RunHeader = z.infer<typeof RunHeaderSchema>;

/** The record of one run (SPEC §4): `<name>_<ts>.json` in the bundle. The run header extended with how it ended. */
export const RunRecordSchema = z
  .strictObject(
    inOrder(
      {
        schemaVersion: z.literal(SCHEMA_VERSION),
        ...RunHeaderSchema.shape,
        endedAt: IsoTime,
        durationMs: Count,
        status: RunStatusSchema,
        counts: CountsSchema,
        steps: z.array(StepSchema),
        warnings: z.array(z.string()),
        /** Per host, in a fleet run: how each host ended (steps carry their `host`). */
        hosts: z.array(HostResultSchema).optional(),
        /**
         * Who sealed the bundle: the run itself, `recover` (a run that never sealed), or
         * `recover --force` (an already sealed bundle rebuilt from its journal and sealed again: its
         * journal may have been edited; only a signature tells who sealed it).
         */
        sealedBy: z.enum(['run', 'recover', 'recover-force']).optional(),
      },
      // prettier-ignore
      ['schemaVersion', 'tool', 'runbook', 'selection', 'mode', 'policy', 'operator', 'startedAt', 'endedAt', 'durationMs', 'status', 'parameters',
        'resumedFrom', 'trigger', 'evidenceName', 'bundleName', 'counts', 'steps', 'warnings', 'hosts', 'sealedBy', 'sandbox'],
    ),
  )
  .describe('runproof run record');
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** What the plan does with a step. run: runs without asking; ask: the operator decides; block: policy refuses; skip: `skip` attribute. */
export const PlannedActionSchema = z.enum(['run', 'ask', 'block', 'skip']);
export type PlannedAction = z.infer<typeof PlannedActionSchema>;

/** One step of the plan as announced by `run-start`: what the policy will do with it. */
export const PlanEntrySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: CellKindSchema,
  risk: RiskLevelSchema,
  decision: PlannedActionSchema,
});
export type PlanEntry = z.infer<typeof PlanEntrySchema>;

// Journal events: each is a line `{seq, at, type, ...}` of journal.jsonl.
// `prev` (journal hash chain): SHA-256 (hex) of the previous line's bytes (without its newline);
// the first line's is SHA-256 of `runproof-journal:` + the bundle name. Absent in old journals.
const eventBase = { seq: z.number().int().min(1), at: IsoTime, prev: Sha256Schema.optional() };

/** The run header extended with the plan: the journal's first line. */
export const RunStartEventSchema = z.strictObject(
  inOrder(
    {
      ...eventBase,
      type: z.literal('run-start'),
      ...RunHeaderSchema.shape,
      plan: z.array(PlanEntrySchema),
      warnings: z.array(z.string()).optional(),
      /** The hosts of a fleet run, in order. */
      hosts: z.array(z.string()).optional(),
    },
    // prettier-ignore
    ['seq', 'at', 'prev', 'type', 'tool', 'runbook', 'selection', 'mode', 'policy', 'operator', 'parameters', 'evidenceName', 'bundleName',
      'resumedFrom', 'trigger', 'startedAt', 'plan', 'warnings', 'hosts', 'sandbox'],
  ),
);

export const StepStartEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('step-start'),
  step: StepHeaderSchema,
});

export const DecisionEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('decision'),
  /** Absent for run-level decisions. */
  stepId: z.string().optional(),
  decision: DecisionSchema,
});

/**
 * A parameter value given during the run (the operator asked when the first cell needing it came):
 * folded into the record's `parameters` (source `prompt`; a secret's value is `[REDACTED:NAME]`).
 */
export const ParameterEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('parameter'),
  /** The step that needed it. */
  stepId: z.string(),
  parameter: ParameterValueSchema,
});

/** Announces an attempt and where its output is being streamed, so `recover` finds partial logs. */
export const AttemptStartEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('attempt-start'),
  stepId: z.string(),
  n: z.number().int().min(1),
  startedAt: IsoTime,
  logs: z.strictObject({ stdout: z.string(), stderr: z.string() }),
});

/**
 * A shell cell's process group started (the shell engineer's event): `recover` ends what is left
 * of it after runproof was killed, telling it from other processes by the `RUNPROOF_SESSION=session`
 * entry in their environment (a process group id alone may have been reused).
 */
export const ProcessStartEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('process-start'),
  stepId: z.string(),
  attempt: z.number().int().min(1),
  pgid: z.number().int().min(1),
  session: z.string(),
});

export const AttemptEndEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('attempt-end'),
  stepId: z.string(),
  attempt: AttemptSchema,
});

export const AssertionsEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('assertions'),
  stepId: z.string(),
  /** The attempt the checks ran on. */
  attempt: z.number().int().min(1).optional(),
  assertions: z.array(AssertionResultSchema),
  expect: ExpectResultSchema.optional(),
});

export const StepEndEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('step-end'),
  stepId: z.string(),
  status: StepStatusSchema,
  note: z.string().optional(),
});

export const RunEndEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('run-end'),
  status: RunStatusSchema,
  endedAt: IsoTime,
  durationMs: Count.optional(),
  counts: CountsSchema.optional(),
  hosts: z.array(HostResultSchema).optional(),
});

/** One line of `journal.jsonl`. */
export const JournalEventSchema = z.discriminatedUnion('type', [
  RunStartEventSchema,
  StepStartEventSchema,
  DecisionEventSchema,
  ParameterEventSchema,
  AttemptStartEventSchema,
  ProcessStartEventSchema,
  AttemptEndEventSchema,
  AssertionsEventSchema,
  StepEndEventSchema,
  RunEndEventSchema,
]);
export type JournalEvent = z.infer<typeof JournalEventSchema>;
export type JournalEventType = JournalEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What callers pass to `Bundle.append`: the bundle numbers the event; `at` defaults to now. */
export type JournalEventInput = DistributiveOmit<JournalEvent, 'seq' | 'at' | 'prev'> & { at?: string };
