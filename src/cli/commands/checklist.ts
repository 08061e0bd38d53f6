import type { Command } from 'commander';
import { RunproofError } from '../../core/index.js';
import { ChecklistFileError, createLineLogger, loadChecklistFile, runChecklists, selectChecklists, type ChecklistRunResult } from '../../checklist/index.js';
import { nothingCheckedReason } from '../../report/index.js';
import type { CommandRegistrar } from '../program.js';
import { stopOnSignals } from '../signals.js';
import { EXIT, exitCodeForChecklist, worstExitCode } from '../exit.js';

interface ChecklistRunFlags {
  trigger: string;
  via?: string;
  evidenceDir?: string;
  json?: boolean;
  logFormat: string;
}

/** Prints every problem of a bad checklist file, one line each; returns the exit code. */
export function reportChecklistError(error: unknown): number | null {
  if (error instanceof ChecklistFileError) {
    for (const line of error.formatProblems()) process.stderr.write(`${line}\n`);
    return EXIT.badInput;
  }
  return null;
}

/** Reads `--log-format`. */
export function parseLogFormat(value: string): 'text' | 'json' {
  if (value === 'text' || value === 'json') return value;
  throw new RunproofError('RP_BAD_FLAG', `--log-format ${value} is not a log format`, { hint: 'use --log-format text or --log-format json' });
}

function summaryLine(r: ChecklistRunResult): string {
  const status = r.status.toUpperCase();
  const where = r.bundleDir ? ` ${r.bundleDir}` : '';
  const why = r.error ? ` ${r.error.code} ${r.error.message}` : '';
  const nothing = r.record ? nothingCheckedReason(r.status, r.record) : null;
  const counts = nothing ? ` (${nothing})` : r.record && r.record.counts.total > 0 ? ` (${r.record.counts.passed} passed, ${r.record.counts.failed} failed, ${r.record.counts.blocked} blocked)` : '';
  return `${r.checklist}: ${status}${counts}${where}${why}`;
}

/** `runproof checklist run FILE [NAME...]`: runs checklists now, unattended, each writing its bundle. */
export const registerChecklist: CommandRegistrar = (program: Command) => {
  const checklist = program.command('checklist').description('run the checklists of a checklist file');
  checklist.addHelpText('after', '\nExample:\n  runproof checklist run notebooks/daily.checklist.yaml demo-daily\n');
  checklist
    .command('run')
    .description('run checklists now, unattended; the exit code is the worst of theirs')
    .argument('<file>', 'checklist file (YAML)')
    .argument('[names...]', 'checklists to run (default: all)')
    .option('--trigger <kind>', 'manual, or schedule when a system scheduler starts it', 'manual')
    .option('--via <scheduler>', 'the scheduler that started it (cron, systemd, kubernetes), recorded')
    .option('--evidence-dir <dir>', "overrides every checklist's evidence folder")
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--log-format <format>', 'text or json event lines on stderr', 'text')
    .addHelpText('after', '\nExample:\n  runproof checklist run ops/checklists.yaml daily-health\n')
    .action(async (file: string, names: string[], flags: ChecklistRunFlags) => {
      if (flags.trigger !== 'manual' && flags.trigger !== 'schedule') {
        throw new RunproofError('RP_BAD_FLAG', `--trigger ${flags.trigger} is not a trigger`, { hint: 'use --trigger manual or --trigger schedule' });
      }
      const format = parseLogFormat(flags.logFormat);
      let loaded;
      try {
        loaded = await loadChecklistFile(file);
        selectChecklists(loaded, names);
      } catch (error) {
        const code = reportChecklistError(error);
        if (code === null) throw error;
        process.exitCode = code;
        return;
      }
      const controller = new AbortController();
      const stopSignals = stopOnSignals(controller);
      try {
        const { results } = await runChecklists(loaded, names, {
          signal: controller.signal,
          trigger: { kind: flags.trigger, ...(flags.via ? { via: flags.via } : {}) },
          ...(flags.evidenceDir ? { evidenceDir: flags.evidenceDir } : {}),
          log: createLineLogger(process.stderr, format),
        });
        const codes = results.map((r) => exitCodeForChecklist(r.status, r.error?.code));
        const exitCode = worstExitCode(codes);
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify(
              {
                exitCode,
                checklists: results.map((r, i) => ({
                  name: r.checklist,
                  status: r.status,
                  exitCode: codes[i],
                  attempts: r.attempts,
                  bundle: r.bundleDir ?? null,
                  counts: r.record?.counts ?? null,
                  error: r.error ? { code: r.error.code, message: r.error.message } : null,
                  webhook: r.webhook ? { delivered: r.webhook.delivered, attempts: r.webhook.attempts.length } : null,
                })),
              },
              null,
              2,
            )}\n`,
          );
        } else {
          for (const r of results) process.stdout.write(`${summaryLine(r)}\n`);
        }
        process.exitCode = exitCode;
      } finally {
        stopSignals();
      }
    });
};
