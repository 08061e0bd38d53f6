import type { RunRecord } from '../record/index.js';

export interface RenderOptions {
  /** A folder of the user's own templates (`report.md.hbs`, `report.html.hbs`, partials). */
  templateDir?: string;
  /** Manifest hash and signature status for the HTML footer, when known. */
  seal?: { manifestSha256?: string; signed?: string };
}

export interface RenderedReports {
  markdown: string;
  html: string;
}

// STUB (being written by the reports engineer): record → Markdown and HTML via Handlebars templates.
export async function renderReports(record: RunRecord, options: RenderOptions = {}): Promise<RenderedReports> {
  void options;
  const title = `${record.runbook.title}: ${record.status}`;
  return { markdown: `# ${title}\n`, html: `<!doctype html><title>${title.replace(/[<>&"]/g, '')}</title>` };
}
