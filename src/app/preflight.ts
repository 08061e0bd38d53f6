import { mkdtemp, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RunproofError } from '../core/index.js';
import { loadSigningKey } from '../record/index.js';
import { loadReportTemplates } from '../render/index.js';
import { parseWebhookUrl } from '../report/index.js';

export interface PreflightOptions {
  /** The evidence folder, already created (ensureRealDir). */
  evidenceDir: string;
  signingKeyFile?: string;
  templateDir?: string;
  /** The webhook the run reports to (a checklist's `webhook`), sent before sealing. */
  webhookUrl?: string;
}

// Everything the end of a run needs is checked before its first step: a wrong key path or template
// folder found only at sealing time would leave every step run and the bundle unsealed.
/**
 * Checks, before any cell runs, that the signing key loads, the report templates compile, the
 * webhook URL is an http(s) URL, and the evidence folder takes a new entry. Throws the RunproofError the later step would have thrown
 * (RP_BAD_KEY, RP_BAD_TEMPLATE, RP_BAD_WEBHOOK, RP_EVIDENCE_WRITE_FAILED): bad input, exit 2, nothing run.
 * @example await preflightRun({ evidenceDir: 'evidence', signingKeyFile: 'ops.key' })
 */
export async function preflightRun(options: PreflightOptions): Promise<void> {
  if (options.signingKeyFile !== undefined) await loadSigningKey(options.signingKeyFile);
  if (options.templateDir !== undefined) await loadReportTemplates(options.templateDir);
  if (options.webhookUrl !== undefined) parseWebhookUrl(options.webhookUrl);
  let probe: string;
  try {
    probe = await mkdtemp(join(options.evidenceDir, '.preflight-'));
  } catch (error) {
    throw new RunproofError('RP_EVIDENCE_WRITE_FAILED', `cannot write in the evidence folder ${options.evidenceDir}: ${(error as Error).message}`, {
      hint: 'give --evidence-dir a folder you can write to; nothing ran',
      cause: error,
    });
  }
  await rmdir(probe);
}
