import { RunproofError, isRunproofError } from '../../core/index.js';
import type { ParseState } from './state.js';

// The parse calls helpers owned elsewhere (risk, params, assertions, http); a bug in one must
// surface as RP_INTERNAL at the cell's line, never as a foreign exception out of parseRunbook.
/** Runs `fn`; a RunproofError is reported as is, anything else as RP_INTERNAL; returns `fallback` then. */
export function guarded<T>(state: ParseState, line: number, what: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ErrorLimitReached) throw error;
    if (isRunproofError(error)) {
      state.report(error);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      state.report(
        new RunproofError('RP_INTERNAL', `${what} failed on this cell: ${message.split('\n')[0]}`, {
          file: state.file,
          span: { line, col: 1 },
          hint: 'this is a bug in runproof; please report it with the runbook',
          cause: error,
        }),
      );
    }
    return fallback;
  }
}

/**
 * Thrown by a collecting parse's `report` once it holds {@link MAX_COLLECTED_ERRORS} errors: it
 * stops the rule chain (lint of a hostile file with 100,000 broken cells stays bounded, since
 * some errors cost a did-you-mean search over every cell). Never leaves runParse.
 */
export class ErrorLimitReached extends Error {
  constructor() {
    super('too many errors');
    this.name = 'ErrorLimitReached';
  }
}

/** How many errors lint collects from one runbook before it stops reading it. */
export const MAX_COLLECTED_ERRORS = 100;
