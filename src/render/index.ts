/**
 * The render stage: a validated run record → the Markdown and HTML reports of its bundle,
 * through Handlebars templates (`templates/`, or a user's `--template-dir`).
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { RunproofError } from '../core/index.js';
import { RunRecordSchema, type RunRecord } from '../record/index.js';
import { loadReportTemplates } from './templates.js';
import { buildReportView } from './view.js';

export { buildReportView } from './view.js';
export type { ReportView, StepView, AttemptView, OutputView, DecisionView, AssertionView, StepGroupView, CountView, ReportViewOptions } from './view.js';
export type { HttpView, HeaderView } from './http-view.js';
export { loadReportTemplates, DEFAULT_TEMPLATE_DIR, MARKDOWN_TEMPLATE, HTML_TEMPLATE } from './templates.js';
export type { CompiledReports } from './templates.js';
export { stripAnsi, cleanTerminalText, showTerminalOutput } from './ansi.js';
export { chooseFence, fencedBlock, escapeMarkdownInline, escapeTableCell, inlineCode } from './markdown-text.js';
export { formatDuration, formatBytes, formatTime, STEP_STATUS_WORD } from './format.js';
export { clipText, DEFAULT_CLIP_LIMITS } from './clip.js';
export type { ClipLimits, ClippedText } from './clip.js';

export interface RenderOptions {
  /** A folder of the user's own templates (`report.md.hbs`, `report.html.hbs`, `partials/*.hbs`); missing files fall back to the defaults. */
  templateDir?: string;
  /** Manifest hash and signature status for the footer, when known (`recover` of a sealed bundle). */
  seal?: { manifestSha256?: string; signed?: string };
}

export interface RenderedReports {
  markdown: string;
  html: string;
}

/**
 * The bytes of the record file as the bundle writes them (`<bundle>.json`): the reports show
 * their SHA-256 so a reader can tie the report to the record.
 */
export function recordFileText(record: RunRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/**
 * Renders the Markdown and HTML reports of a run from its record alone, so that `recover` and
 * any later tool can re-render a bundle. The same record always renders the same bytes.
 * Throws RP_BAD_RECORD for a record that does not validate and RP_BAD_TEMPLATE for a template
 * that does not compile or uses a field the record view lacks.
 * @example const { markdown, html } = await renderReports(record, { templateDir: 'my-templates' })
 */
export async function renderReports(record: RunRecord, options: RenderOptions = {}): Promise<RenderedReports> {
  const parsed = RunRecordSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunproofError('RP_BAD_RECORD', `cannot render reports: the run record is invalid at ${issue ? issue.path.join('.') || '(root)' : '?'}: ${issue?.message ?? 'invalid'}`, {
      hint: 'render only records that validate against schema/run-record.schema.json',
    });
  }
  const valid = parsed.data;
  const templates = await loadReportTemplates(options.templateDir);
  const view = buildReportView(valid, {
    recordSha256: createHash('sha256').update(recordFileText(valid)).digest('hex'),
    ...(options.seal ? { seal: options.seal } : {}),
  });
  return { markdown: templates.markdown(view), html: templates.html(view) };
}
