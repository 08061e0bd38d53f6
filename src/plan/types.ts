import { z } from 'zod';
import { RunnableKindSchema, HttpRequestSpecSchema, RiskVerdictSchema } from '../parse/index.js';
import { DecisionBySchema, ParameterValueSchema, PlannedActionSchema, PolicySchema, RunModeSchema, SelectionSchema, type StepApproval } from '../record/index.js';

// The mode, policy, selection and parameter values a plan carries are the ones the run records:
// one schema each, owned by the evidence contract (record/types.ts).
export { DecisionBySchema, PlannedActionSchema, ParameterValueSchema, PolicySchema, SelectionSchema, RunModeSchema as ModeSchema } from '../record/index.js';
export type { DecisionBy, PlannedAction, ParameterValue, Policy, Selection, RunMode as Mode } from '../record/index.js';

export const PlannedDecisionSchema = z.object({
  action: PlannedActionSchema,
  by: DecisionBySchema,
  reason: z.string(),
});
export type PlannedDecision = z.infer<typeof PlannedDecisionSchema>;

export const PlannedCheckSchema = z.object({
  cellId: z.string(),
  name: z.string(),
  line: z.number().int(),
  kind: z.enum(['assert', 'expect']),
  assertions: z.array(z.unknown()).optional(),
  expectText: z.string().optional(),
  expectFormat: z.enum(['json', 'text']).optional(),
});
export type PlannedCheck = z.infer<typeof PlannedCheckSchema>;

export const PlanStepSchema = z.object({
  /** The cell's id in the notebook (`c12`); `c12@web-1` for one host's copy of it in a fleet run. */
  id: z.string(),
  /** The host this step runs on, in a fleet run (`--host`, `--hosts`). */
  host: z.string().optional(),
  /** Where the runbook pins the cell (`host=` attribute, else front matter `host:`): a host, a group, or `local`. */
  pin: z.string().optional(),
  name: z.string(),
  kind: RunnableKindSchema,
  language: z.string(),
  sectionId: z.string(),
  sectionPath: z.array(z.string()),
  line: z.number().int(),
  risk: RiskVerdictSchema,
  /** The cell's command as written in the runbook. */
  source: z.string(),
  /** The command with parameter values filled in, for people (never executed). */
  display: z.string(),
  /** What the shell gets: placeholders replaced by quoted references to `env`. */
  command: z.string(),
  /** Parameter values passed to the process environment (never persisted in the session). */
  env: z.record(z.string(), z.string()),
  params: z.array(z.string()),
  decision: PlannedDecisionSchema,
  timeoutMs: z.number().int().positive(),
  retry: z.number().int().min(0),
  intervalMs: z.number().int().min(0),
  allowFailure: z.boolean(),
  expectExit: z.number().int(),
  shell: z.string().optional(),
  /**
   * Why the cell runs until interrupted (`tail -f`, `watch`): reaching its timeout, or the operator's
   * Ctrl-C, is then its expected end.
   */
  endless: z.string().optional(),
  /** For script cells: the program (and its words) that runs the cell's text. */
  interpreter: z.string().optional(),
  cwd: z.string().optional(),
  background: z.boolean(),
  capture: z.string().optional(),
  interactive: z.boolean(),
  confirm: z.enum(['always', 'never']).optional(),
  http: HttpRequestSpecSchema.optional(),
  checks: z.array(PlannedCheckSchema),
  /** False when the cell's `errexit=false` attribute lets it run past failing lines. */
  errexit: z.boolean().optional(),
  /** Runbook line of the command's first line, when its lines are the runbook's lines one for one. */
  commandLine: z.number().int().optional(),
});
/** A planned step; `approval` is set by `run --approval` (src/app/approval-gate.ts) and recorded at step-start. */
export type PlanStep = z.infer<typeof PlanStepSchema> & { approval?: StepApproval };

export const PlanSchema = z.object({
  runbook: z.object({ path: z.string(), title: z.string() }),
  selection: SelectionSchema,
  /** Section ids the selection resolved to (with their subsections). */
  sectionIds: z.array(z.string()),
  mode: RunModeSchema,
  policy: PolicySchema,
  parameters: z.array(ParameterValueSchema),
  /** Environment variables given with --set / env file that are not parameters. */
  env: z.record(z.string(), z.string()),
  steps: z.array(PlanStepSchema),
  warnings: z.array(z.string()),
});
export type Plan = Omit<z.infer<typeof PlanSchema>, 'steps'> & { steps: PlanStep[] };
