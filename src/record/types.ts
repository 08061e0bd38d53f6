import { z } from 'zod';
import { CellKindSchema, RiskLevelSchema, RiskVerdictSchema } from '../parse/index.js';

/** The version of the record format; bumped on any incompatible change. */
export const SCHEMA_VERSION = 1;

const IsoTime = z.iso.datetime().describe('ISO 8601 time in UTC, e.g. 2026-01-22T10:15:00.000Z');
const Count = z.number().int().min(0);

/** One stream (stdout or stderr) of one attempt, redacted. */
export const OutputSchema = z.strictObject({
  /** The whole output when it fits the inline limit; else head, an omission marker line, and tail. */
  inline: z.string(),
  /** Size in bytes of the full redacted output. */
  size: Count,
  /** SHA-256 (hex) of the full redacted output. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
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
  /** The HTTP exchange of an http cell (shape owned by the HTTP executor). */
  http: z.unknown().optional(),
  /** Why the attempt could not run at all (spawn failure, refused connection...). */
  error: z.string().optional(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const DecisionActionSchema = z.enum(['run', 'skip', 'block', 'edit', 'retry', 'continue', 'quit', 'run-all']);
export type DecisionAction = z.infer<typeof DecisionActionSchema>;

/** Who chose what, when: every run, skip, block, edit, retry is one. */
export const DecisionSchema = z.strictObject({
  action: DecisionActionSchema,
  by: z.enum(['operator', 'flag', 'policy']),
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
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
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

export const PolicySchema = z.strictObject({ allow: z.array(RiskLevelSchema) });
export type Policy = z.infer<typeof PolicySchema>;

export const OperatorSchema = z.strictObject({ user: z.string(), host: z.string() });
export type Operator = z.infer<typeof OperatorSchema>;

export const ParameterValueSchema = z.strictObject({
  name: z.string(),
  /** The value, `[REDACTED:NAME]` when secret. */
  value: z.string(),
  source: z.enum(['flag', 'env-file', 'default', 'prompt']),
  secret: z.boolean(),
});
export type ParameterValue = z.infer<typeof ParameterValueSchema>;

export const CountsSchema = z.strictObject({
  total: Count,
  passed: Count,
  failed: Count,
  blocked: Count,
  skipped: Count,
  notRun: Count,
});
export type Counts = z.infer<typeof CountsSchema>;

/** The record of one run (SPEC §4): `<name>_<ts>.json` in the bundle. */
export const RunRecordSchema = z
  .strictObject({
    schemaVersion: z.literal(SCHEMA_VERSION),
    tool: z.strictObject({ name: z.literal('runproof'), version: z.string() }),
    runbook: RunbookInfoSchema,
    selection: SelectionSchema,
    mode: RunModeSchema,
    policy: PolicySchema,
    operator: OperatorSchema,
    startedAt: IsoTime,
    endedAt: IsoTime,
    durationMs: Count,
    status: RunStatusSchema,
    parameters: z.array(ParameterValueSchema),
    /** The bundle directory name this run resumed from. */
    resumedFrom: z.string().optional(),
    /** How the run started (checklists and schedules); absent for a plain `runproof run`. */
    trigger: TriggerSchema.optional(),
    /** `<name>` of the bundle (`rollback_check`). */
    evidenceName: z.string(),
    /** `<name>_<YYYYMMDD_HHMMSS>[_n]`: the bundle directory's name. */
    bundleName: z.string(),
    counts: CountsSchema,
    steps: z.array(StepSchema),
    warnings: z.array(z.string()),
  })
  .describe('runproof run record');
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** One step of the plan as announced by `run-start`: what the policy will do with it. */
export const PlanEntrySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: CellKindSchema,
  risk: RiskLevelSchema,
  /** run: runs without asking; ask: the operator decides; block: policy refuses; skip: `skip` attribute. */
  decision: z.enum(['run', 'ask', 'block', 'skip']),
});
export type PlanEntry = z.infer<typeof PlanEntrySchema>;

// Journal events: each is a line `{seq, at, type, ...}` of journal.jsonl.
const eventBase = { seq: z.number().int().min(1), at: IsoTime };

export const RunStartEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('run-start'),
  tool: z.strictObject({ name: z.literal('runproof'), version: z.string() }),
  runbook: RunbookInfoSchema,
  selection: SelectionSchema,
  mode: RunModeSchema,
  policy: PolicySchema,
  operator: OperatorSchema,
  parameters: z.array(ParameterValueSchema),
  evidenceName: z.string(),
  bundleName: z.string(),
  resumedFrom: z.string().optional(),
  trigger: TriggerSchema.optional(),
  startedAt: IsoTime,
  plan: z.array(PlanEntrySchema),
  warnings: z.array(z.string()).optional(),
});

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

/** Announces an attempt and where its output is being streamed, so `recover` finds partial logs. */
export const AttemptStartEventSchema = z.strictObject({
  ...eventBase,
  type: z.literal('attempt-start'),
  stepId: z.string(),
  n: z.number().int().min(1),
  startedAt: IsoTime,
  logs: z.strictObject({ stdout: z.string(), stderr: z.string() }),
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
});

/** One line of `journal.jsonl`. */
export const JournalEventSchema = z.discriminatedUnion('type', [
  RunStartEventSchema,
  StepStartEventSchema,
  DecisionEventSchema,
  AttemptStartEventSchema,
  AttemptEndEventSchema,
  AssertionsEventSchema,
  StepEndEventSchema,
  RunEndEventSchema,
]);
export type JournalEvent = z.infer<typeof JournalEventSchema>;
export type JournalEventType = JournalEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What callers pass to `Bundle.append`: the bundle numbers the event; `at` defaults to now. */
export type JournalEventInput = DistributiveOmit<JournalEvent, 'seq' | 'at'> & { at?: string };
