import { z } from 'zod';
import { SpanSchema } from '../core/index.js';

export const RiskLevelSchema = z.enum(['read', 'write', 'destructive']);
export type RiskLevel = z.infer<typeof RiskLevelSchema>;

/**
 * The kinds of cell that run: each has a runner in `execute/runners/` (a `Record<RunnableKind, Runner>`),
 * so a kind added here fails to compile until every place that must handle it does (docs/ARCHITECTURE.md).
 */
export const RunnableKindSchema = z.enum(['shell', 'http', 'promql', 'script']);
export type RunnableKind = z.infer<typeof RunnableKindSchema>;

export const CellKindSchema = z.enum([...RunnableKindSchema.options, 'assert', 'expect', 'doc']);
export type CellKind = z.infer<typeof CellKindSchema>;

/** Whether a cell of this kind runs (the others are checks of a runnable cell, or shown only). */
export function isRunnableKind(kind: CellKind): kind is RunnableKind {
  return (RunnableKindSchema.options as readonly string[]).includes(kind);
}

/** Why a fenced block is shown but never run. */
export const DocReasonSchema = z.enum([
  'language', // yaml, ini, json without the "Expected output" cue...
  'no-language', // a fence without an info string
  'unclosed-fence', // the author never closed it: never run
  'blockquote', // fences inside blockquotes are quotations
  'indented', // indented code blocks are document only
  'failure-example', // a block after "Failure output ..." is an example, never a check
  'empty',
]);
export type DocReason = z.infer<typeof DocReasonSchema>;

/** Cell attributes: runproof's own keys plus Runme's, so Runme notebooks run unchanged. */
/** A cell's or the front matter's `host`: an ssh alias, an address, an inventory group, or `local`. */
export const HostPinSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:@[\]-]+$/, 'a host is an ssh alias, an address or an inventory group: letters, digits, . - _ : @')
  .refine((v) => !v.startsWith('-'), 'a host never starts with -');

export const AttributesSchema = z
  .object({
    name: z.string().min(1),
    timeout: z.string(),
    retry: z.coerce.number().int().min(0).max(1000),
    interval: z.string(),
    risk: RiskLevelSchema,
    confirm: z.enum(['always', 'never']),
    cwd: z.string(),
    shell: z.string(),
    allowFailure: z.coerce.boolean(),
    expectExit: z.coerce.number().int(),
    skip: z.union([z.boolean(), z.string()]),
    capture: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    of: z.string(),
    // Runme's keys, accepted so that Runme notebooks run unchanged.
    id: z.string(),
    excludeFromRunAll: z.coerce.boolean(),
    interactive: z.coerce.boolean(),
    tag: z.string(),
    category: z.string(),
    background: z.coerce.boolean(),
    promptEnv: z.union([z.boolean(), z.string()]),
    interpreter: z.string(),
    terminalRows: z.coerce.number().int(),
    closeTerminalOnSuccess: z.coerce.boolean(),
    mimeType: z.string(),
    cwdRelative: z.string(),
    // runproof: `errexit=false` lets a shell cell run past failing lines (Runme has no such key).
    errexit: z.coerce.boolean(),
    // runproof: in a run on hosts, `host=NAME|GROUP` pins the cell to a host or an inventory group;
    // `host=local` keeps it on the operator's machine.
    host: HostPinSchema,
  })
  .partial();
export type Attributes = z.infer<typeof AttributesSchema>;
export const KNOWN_ATTRIBUTE_KEYS = Object.keys(AttributesSchema.shape) as (keyof Attributes)[];

/** A parameter placeholder found in a runnable cell: `<commit_sha>` or `{trace_id}`. */
export const ParamUseSchema = z.object({
  name: z.string(),
  /** The exact placeholder text, `<commit_sha>` or `{trace_id}`. */
  token: z.string(),
  form: z.enum(['angle', 'brace']),
});
export type ParamUse = z.infer<typeof ParamUseSchema>;

export const RiskVerdictSchema = z.object({
  /** The level in force: the attribute's override when there is one, else the classifier's. */
  level: RiskLevelSchema,
  /** What the classifier found, kept even when an attribute overrides it. */
  classified: RiskLevelSchema,
  /** The rule and the matched text, e.g. `destructive: "rm -rf" in "rm -rf data/state/*"`. */
  reason: z.string(),
  overridden: z.boolean(),
  /** The rule that decided: a tool data entry (`tools/kubernetes#kubectl`), a `risk.ts#...` rule, a policy rule. */
  decidedBy: z.string().optional(),
});
export type RiskVerdict = z.infer<typeof RiskVerdictSchema>;

export const HttpRequestSpecSchema = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.array(z.tuple([z.string(), z.string()])),
  body: z.string().optional(),
  /** REST Client file variables (`@host = 127.0.0.1`) written in the request: runbook text, filled in as written. */
  variables: z.record(z.string(), z.string()).optional(),
});
export type HttpRequestSpec = z.infer<typeof HttpRequestSpecSchema>;

export const CellSchema = z.object({
  /** Unique within the notebook, in document order: `c1`, `c2`... */
  id: z.string(),
  /** Stable name: the `name` attribute, else `<section-slug>/<n>` counting runnable cells. */
  name: z.string(),
  kind: CellKindSchema,
  /** The info string's first word, lower-cased; '' when none. */
  language: z.string(),
  info: z.string(),
  attributes: AttributesSchema,
  /** The `timeout` attribute in milliseconds. */
  timeoutMs: z.number().int().min(0).optional(),
  /** The `interval` attribute (between retries) in milliseconds. */
  intervalMs: z.number().int().min(0).optional(),
  /** The block's text as written (indentation of the list item removed, no `\r`). */
  source: z.string(),
  /** What runs: for prompt-style blocks the prompt lines without their prompt; else the source. */
  command: z.string(),
  /** For prompt-style blocks, the author's example output lines (shown, not checked). */
  exampleOutput: z.string().optional(),
  sectionId: z.string(),
  /** The fence's opening line; `endLine` the closing fence (or last line when unclosed). */
  span: SpanSchema,
  /** 1-based line of the first content line. */
  contentLine: z.number().int().min(1),
  runnable: z.boolean(),
  docReason: DocReasonSchema.optional(),
  params: z.array(ParamUseSchema),
  /** Environment variables the command reads that nothing earlier in the notebook sets. */
  variables: z.array(z.string()),
  risk: RiskVerdictSchema.optional(),
  /** A command in the cell runs until interrupted (`tail -f`, `kubectl logs -f`, `watch`): see `endlessReason`. */
  endless: z.boolean().optional(),
  endlessReason: z.string().optional(),
  /** For `http` cells: the request. */
  http: HttpRequestSpecSchema.optional(),
  /** For `script` cells: the program that runs the text (`python3`, `node`, the `interpreter` attribute). */
  interpreter: z.string().optional(),
  /** For `expect` cells: JSON subset or line-by-line text. */
  expectFormat: z.enum(['json', 'text']).optional(),
  /** For `assert` cells: the parsed assertions (see parse/assertions). */
  assertions: z.array(z.unknown()).optional(),
  /** For `assert` and `expect` cells: the id of the runnable cell they check. */
  checks: z.string().optional(),
});
export type Cell = z.infer<typeof CellSchema>;

export const SectionSchema = z.object({
  id: z.string(),
  /** `3`, `2A`, `10` when the title starts with one; null otherwise. */
  number: z.string().nullable(),
  /** Heading text as rendered (inline code and link text kept, closing hashes removed). */
  title: z.string(),
  slug: z.string(),
  /** 0 for the root section holding what comes before the first heading. */
  level: z.number().int().min(0).max(6),
  /** Ancestor titles, outermost first, not including the root nor this section. */
  path: z.array(z.string()),
  line: z.number().int().min(1),
  parentId: z.string().nullable(),
  childIds: z.array(z.string()),
  cellIds: z.array(z.string()),
});
export type Section = z.infer<typeof SectionSchema>;

export const ParamSpecSchema = z.object({
  name: z.string(),
  default: z.string().optional(),
  description: z.string().optional(),
  secret: z.boolean().default(false),
  /** Front matter `choices`: the only values accepted. */
  choices: z.array(z.string()).optional(),
  /** Front matter `pattern`: a regex the whole value must match (anchored). */
  pattern: z.string().optional(),
});
export type ParamSpec = z.infer<typeof ParamSpecSchema>;

export const FrontMatterSchema = z
  .object({
    title: z.string().optional(),
    evidence: z.string().optional(),
    params: z
      .record(
        z.string(),
        z.union([
          z.string(),
          z.number(),
          z.boolean(),
          z
            .object({
              default: z.union([z.string(), z.number(), z.boolean()]).optional(),
              description: z.string().optional(),
              secret: z.boolean().optional(),
              choices: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).max(1000).optional(),
              pattern: z.string().min(1).max(500).optional(),
            })
            .strict(),
        ]),
      )
      .optional(),
    shell: z.string().optional(),
    cwd: z.string().optional(),
    timeout: z.string().optional(),
    /** In a run on hosts: the host or group every cell runs on unless it says otherwise (`local`: this machine). */
    host: HostPinSchema.optional(),
  })
  .passthrough();
export type FrontMatter = z.infer<typeof FrontMatterSchema>;

export const DiagnosticSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  file: z.string().optional(),
  span: SpanSchema.optional(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const NotebookSchema = z.object({
  path: z.string(),
  /** Front matter `title`, else the first level-1 heading, else the file name. */
  title: z.string(),
  frontMatter: FrontMatterSchema,
  /** The front matter's `timeout` in milliseconds: every cell's default. */
  timeoutMs: z.number().int().min(0).optional(),
  sections: z.array(SectionSchema),
  cells: z.array(CellSchema),
  /** Every parameter: declared in front matter or found in a runnable cell. */
  params: z.array(
    ParamSpecSchema.extend({
      /** Names of the cells that use it. */
      cells: z.array(z.string()),
    }),
  ),
  warnings: z.array(DiagnosticSchema),
});
export type Notebook = z.infer<typeof NotebookSchema>;
