import { z } from 'zod';
import type { StepApproval } from '../record/types.js';
import { CellKindSchema, HttpRequestSpecSchema, RiskLevelSchema, RiskVerdictSchema } from '../parse/index.js';

export const ModeSchema = z.enum(['unattended', 'interactive', 'dry-run']);
export type Mode = z.infer<typeof ModeSchema>;

export const PolicySchema = z.object({
  /** Risk levels allowed to run without a human: `read` always, more only by flag. */
  allow: z.array(RiskLevelSchema),
  /** The team policy file the notebook was classified with: path, SHA-256, content (kept in the record). */
  file: z.object({ path: z.string(), sha256: z.string(), content: z.string() }).optional(),
});
export type Policy = z.infer<typeof PolicySchema>;

export const DecisionBySchema = z.enum(['operator', 'flag', 'policy']);
export type DecisionBy = z.infer<typeof DecisionBySchema>;

export const PlannedDecisionSchema = z.object({
  action: z.enum(['run', 'block', 'skip', 'ask']),
  by: DecisionBySchema,
  reason: z.string(),
});
export type PlannedDecision = z.infer<typeof PlannedDecisionSchema>;

export const ParameterValueSchema = z.object({
  name: z.string(),
  value: z.string(),
  source: z.enum(['flag', 'env-file', 'default', 'prompt', 'environment']),
  secret: z.boolean(),
});
export type ParameterValue = z.infer<typeof ParameterValueSchema>;

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
  kind: CellKindSchema,
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

export const SelectionSchema = z.object({
  sections: z.array(z.string()),
  cells: z.array(z.string()),
  tags: z.array(z.string()),
});
export type Selection = z.infer<typeof SelectionSchema>;

export const PlanSchema = z.object({
  runbook: z.object({ path: z.string(), title: z.string() }),
  selection: SelectionSchema,
  /** Section ids the selection resolved to (with their subsections). */
  sectionIds: z.array(z.string()),
  mode: ModeSchema,
  policy: PolicySchema,
  parameters: z.array(ParameterValueSchema),
  /** Environment variables given with --set / env file that are not parameters. */
  env: z.record(z.string(), z.string()),
  steps: z.array(PlanStepSchema),
  warnings: z.array(z.string()),
});
export type Plan = Omit<z.infer<typeof PlanSchema>, 'steps'> & { steps: PlanStep[] };
