import { dirname, resolve } from 'node:path';
import { endSurvivingGroups } from '../execute/index.js';
import { recoverBundle, type RecoverResult } from '../record/index.js';
import { finishBundle } from './run-runbook.js';

export interface RecoverRunOptions {
  /** Rebuild and reseal even when the bundle is already sealed. */
  force?: boolean;
  /** Ed25519 private key PEM file that signs the attestation. */
  signingKeyFile?: string;
  /** Folder of the user's own report templates. */
  templateDir?: string;
  /** Environment (default process.env): `RUNPROOF_SIGNING_KEY` signs with HMAC. */
  env?: Record<string, string | undefined>;
  /** Folder of run locks (default `runLockDir()`): the killed run's lock there is released. */
  lockDir?: string;
}

/**
 * `runproof recover BUNDLE`: the use case that wires record and execute for a killed run. The
 * record is rebuilt from the journal (record's `recoverBundle`), the cells' process groups that
 * outlived the run are ended (execute's `endSurvivingGroups`), and the reports are rendered and the
 * bundle sealed exactly as a finished run's are (`finishBundle`), in the bundle's own evidence folder.
 * @example const result = await recoverRun('evidence/daily_20260122_101500', { signingKeyFile: 'ops.key' })
 */
export async function recoverRun(bundle: string, options: RecoverRunOptions = {}): Promise<RecoverResult> {
  const evidenceDir = dirname(resolve(bundle));
  const env = options.env ?? process.env;
  return recoverBundle(bundle, {
    evidenceDir,
    ...(options.force ? { force: true } : {}),
    ...(options.lockDir !== undefined ? { lockDir: options.lockDir } : {}),
    endSurvivors: (groups) => endSurvivingGroups(groups),
    finish: (b, record) =>
      finishBundle(b, record, {
        evidenceDir,
        env,
        ...(options.templateDir ? { templateDir: options.templateDir } : {}),
        ...(options.signingKeyFile ? { signingKeyFile: options.signingKeyFile } : {}),
      }),
  });
}
