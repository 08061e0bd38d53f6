import type { Command } from 'commander';
import { recoverRun } from '../../app/index.js';
import type { CommandRegistrar } from '../program.js';

interface RecoverFlags {
  force?: boolean;
  signingKey?: string;
  templateDir?: string;
  json?: boolean;
}

/** `runproof recover BUNDLE`: rebuilds a killed run's record and reports from its journal, then seals it. */
export const registerRecover: CommandRegistrar = (program: Command) => {
  program
    .command('recover')
    .description('rebuild the record and reports of a killed run from journal.jsonl (status aborted) and seal the bundle')
    .argument('<bundle>', 'the bundle folder of the killed run')
    .option('--force', 'rebuild and reseal even when the bundle is already sealed')
    .option('--signing-key <file>', 'Ed25519 private key (PEM) that signs the attestation; HMAC: RUNPROOF_SIGNING_KEY')
    .option('--template-dir <dir>', 'folder of your own report templates')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  runproof recover evidence/daily_20260122_101500\n')
    .action(async (bundle: string, flags: RecoverFlags) => {
      const result = await recoverRun(bundle, {
        ...(flags.force ? { force: true } : {}),
        ...(flags.templateDir ? { templateDir: flags.templateDir } : {}),
        ...(flags.signingKey ? { signingKeyFile: flags.signingKey } : {}),
      });
      const intact = result.record.steps.filter((s) => s.status !== 'not-run' && s.status !== 'interrupted').length;
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({
            bundle: result.bundleDir,
            status: result.record.status,
            record: result.recordPath,
            finished: result.finished,
            stepsIntact: intact,
            tornLastLine: result.tornLastLine,
            invalidLines: result.invalidLines,
            journalChain: result.journalChain,
            chainProblems: result.chainProblems,
            removedTempFiles: result.removedTempFiles,
            releasedLocks: result.releasedLocks,
            survivorsEnded: result.survivorsEnded,
            manifestSha256: result.seal.manifestSha256,
            seq: result.seal.seq,
          }, null, 2)}\n`,
        );
        return;
      }
      const lines = [
        `recovered ${result.bundleDir}: status ${result.record.status}${result.finished ? ' (the run had finished; only the seal was missing)' : ''}`,
        `${intact} of ${result.record.steps.length} steps finished and intact; record ${result.recordPath}`,
      ];
      if (result.tornLastLine) lines.push('journal.jsonl: the last line was torn (cut mid-write) and was left out');
      for (const bad of result.invalidLines) lines.push(`journal.jsonl line ${bad.line} left out: ${bad.error}`);
      for (const line of result.survivorsEnded) lines.push(`ended a survivor: ${line}`);
      for (const p of result.chainProblems) lines.push(`journal.jsonl${p.line > 0 ? ` line ${p.line}` : ''}: hash chain broken: ${p.message}`);
      if (result.journalChain === 'unchained') lines.push('journal.jsonl is unchained (an older runproof): edited lines cannot be detected from it');
      if (result.removedTempFiles.length > 0) lines.push(`removed half-written files: ${result.removedTempFiles.join(', ')}`);
      for (const lock of result.releasedLocks) lines.push(`released the killed run's lock ${lock}`);
      lines.push(`sealed: manifest sha256 ${result.seal.manifestSha256}, chain seq ${result.seal.seq}, ${result.seal.signed}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
};
