import { readFileSync } from 'node:fs';
import { isRunproofError, sourceContext, type ErrorCode } from '../core/index.js';

/** Process exit codes (README "Exit codes"); `nothingChecked`: the run executed no check (status `empty`). */
export const EXIT = { passed: 0, failed: 1, badInput: 2, aborted: 3, locked: 4, nothingChecked: 5 } as const;

const CODE_EXIT: Partial<Record<ErrorCode, number>> = {
  RP_LOCKED: EXIT.locked,
  RP_INTERNAL: EXIT.failed,
};

/** The exit code for an error: 2 (bad input) unless the code says otherwise. */
export function exitCodeFor(error: unknown): number {
  if (isRunproofError(error)) return CODE_EXIT[error.code] ?? EXIT.badInput;
  return EXIT.failed;
}

/** Prints an error as one line on stderr (a stack only with RUNPROOF_DEBUG=1) and returns its exit code. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isRunproofError(error)) {
    stderr.write(`${error.format()}\n`);
    // A parse error points into a file: its line and a caret under the column (Hurl's form).
    // Not for a file that is not text (binary, not UTF-8): its line would be noise.
    if (error.file && error.span && error.code !== 'RP_BINARY_FILE' && error.code !== 'RP_NOT_UTF8') {
      let text: string | undefined;
      try {
        text = readFileSync(error.file, 'utf8');
      } catch {
        text = undefined;
      }
      if (text !== undefined && !text.includes('\u0000')) stderr.write(sourceContext(error.file, text, error.span));
    }
  } else {
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`RP_INTERNAL ${message.split('\n')[0]} (hint: this is a bug in runproof; rerun with RUNPROOF_DEBUG=1 and report the stack)\n`);
  }
  if (process.env.RUNPROOF_DEBUG === '1' && error instanceof Error && error.stack) {
    stderr.write(`${error.stack}\n`);
  }
  return exitCodeFor(error);
}
