import { RunproofError, isRunproofError } from '../core/index.js';
import { runParse, type ParseOptions } from './parse-runbook.js';
import type { Diagnostic } from './types.js';

/** A RunproofError as a lint diagnostic. */
export function errorToDiagnostic(error: RunproofError, file?: string): Diagnostic {
  const diagnostic: Diagnostic = { severity: 'error', code: error.code, message: error.message };
  if (error.hint !== undefined) diagnostic.hint = error.hint;
  const where = error.file ?? file;
  if (where !== undefined) diagnostic.file = where;
  if (error.span !== undefined) diagnostic.span = error.span;
  return diagnostic;
}

/**
 * Parses a runbook in collecting mode and returns every error and warning, in line order.
 * Never throws for bad input: every problem is a diagnostic carrying a runproof code.
 *
 * @example
 * lintRunbook('```bash {timout=3s}\nls\n```\n', { path: 'a.md' })[0]?.code; // 'RP_UNKNOWN_ATTRIBUTE'
 */
export function lintRunbook(text: string, options: ParseOptions): Diagnostic[] {
  let diagnostics: Diagnostic[];
  try {
    const { notebook, errors } = runParse(text, options, true);
    diagnostics = [...errors.map((e) => errorToDiagnostic(e, options.path)), ...notebook.warnings];
  } catch (error) {
    const wrapped = isRunproofError(error)
      ? error
      : new RunproofError('RP_INTERNAL', error instanceof Error ? error.message : String(error), { file: options.path, cause: error });
    diagnostics = [errorToDiagnostic(wrapped, options.path)];
  }
  return diagnostics.sort((a, b) => (a.span?.line ?? 0) - (b.span?.line ?? 0) || (a.span?.col ?? 0) - (b.span?.col ?? 0));
}
