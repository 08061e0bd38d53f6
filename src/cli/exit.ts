import { isRunproofError, type ErrorCode } from '../core/index.js';

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
  } else {
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`RP_INTERNAL ${message.split('\n')[0]} (hint: this is a bug in runproof; rerun with RUNPROOF_DEBUG=1 and report the stack)\n`);
  }
  if (process.env.RUNPROOF_DEBUG === '1' && error instanceof Error && error.stack) {
    stderr.write(`${error.stack}\n`);
  }
  return exitCodeFor(error);
}
