import type { Command } from 'commander';
import { RunproofError, formatDiagnostic } from '../../core/index.js';
import type { Diagnostic } from '../../parse/index.js';
import type { CommandRegistrar } from '../program.js';
import { lintRunbooksAndChecklists } from '../../checklist/index.js';
import { EXIT } from '../exit.js';

const FILE_ERRORS = new Set(['RP_FILE_NOT_FOUND', 'RP_NOT_A_FILE', 'RP_BINARY_FILE', 'RP_NOT_UTF8', 'RP_READ_FAILED']);

/** `runproof lint PATH... [--strict] [--json]`: every error and warning, one line each. */
export const registerLint: CommandRegistrar = (program: Command) => {
  program
    .command('lint')
    .description('check runbooks (.md, .markdown, .txt) and checklist files (.yaml, .yml) and print every error and warning')
    .argument('<paths...>', 'runbook or checklist files, or folders (searched recursively)')
    .option('--strict', 'treat warnings as errors')
    .option('--json', 'print the diagnostics as JSON')
    .option('--policy <file>', 'team policy file (default: runproof.policy.yaml beside each runbook)')
    .addHelpText('after', '\nA .yaml/.yml file given by name is a checklist file; in a folder, YAML with a top-level checklists key is.\n\nExample:\n  runproof lint --strict notebooks/\n')
    .action(async (paths: string[], options: { strict?: boolean; json?: boolean; policy?: string }) => {
      const results = await lintRunbooksAndChecklists(paths, options.policy !== undefined ? { policyFile: options.policy } : {});
      if (results.length === 0) {
        throw new RunproofError('RP_NOTHING_TO_LINT', `no runbook (.md, .markdown, .txt) or checklist file (.yaml, .yml) found in ${paths.join(', ')}`, {
          hint: 'give runbook or checklist files, or folders that hold some',
        });
      }
      const severity = (d: Diagnostic): 'error' | 'warning' => (options.strict ? 'error' : d.severity);
      let errors = 0;
      let warnings = 0;
      for (const { diagnostics } of results) {
        for (const d of diagnostics) {
          if (severity(d) === 'error') errors++;
          else warnings++;
        }
      }
      if (options.json) {
        const files = results.map((r) => ({ path: r.path, diagnostics: r.diagnostics.map((d) => ({ ...d, severity: severity(d) })) }));
        process.stdout.write(`${JSON.stringify({ files, errors, warnings }, null, 2)}\n`);
      } else {
        for (const { diagnostics } of results) {
          for (const d of diagnostics) {
            const line = formatLintLine(d, severity(d));
            if (FILE_ERRORS.has(d.code)) process.stderr.write(`${line}\n`);
            else process.stdout.write(`${line}\n`);
          }
        }
        process.stderr.write(`${results.length} ${results.length === 1 ? 'file' : 'files'}: ${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}\n`);
      }
      if (errors > 0) process.exitCode = EXIT.badInput;
    });
};

/** `file:line:col error|warning CODE message (hint: ...)`: one line per diagnostic. */
export function formatLintLine(d: Diagnostic, severity: 'error' | 'warning' = d.severity): string {
  const location = formatDiagnostic({ code: '', message: '', file: d.file, span: d.span }).trim();
  const body = formatDiagnostic({ code: d.code, message: d.message, hint: d.hint });
  return location === '' ? `${severity} ${body}` : `${location} ${severity} ${body}`;
}
