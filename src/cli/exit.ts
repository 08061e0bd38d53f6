import { readFileSync } from 'node:fs';
import { isRunproofError, sourceContext, type ErrorCode } from '../core/index.js';

/** Process exit codes (README "Exit codes"); `nothingChecked`: the run executed no check (status `empty`). */
export const EXIT = { passed: 0, failed: 1, badInput: 2, aborted: 3, locked: 4, nothingChecked: 5 } as const;

const CODE_EXIT: Partial<Record<ErrorCode, number>> = {
  RP_LOCKED: EXIT.locked,
  RP_INTERNAL: EXIT.failed,
  // The timestamp authority did not answer: not bad input (`approve --tsa`).
  RP_TSA_FAILED: EXIT.failed,
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

/** Maps a run's status to the process exit code (SPEC §2): `empty` (nothing checked) is 5, never 0. */
export function exitCodeForStatus(status: string): number {
  switch (status) {
    case 'passed':
    case 'dry-run':
      return EXIT.passed;
    case 'aborted':
      return EXIT.aborted;
    case 'empty':
      return EXIT.nothingChecked;
    default:
      return EXIT.failed;
  }
}

/**
 * The exit code of one checklist result: a run's status as above, `locked` 4, `error` 2 (bad
 * input) unless it was a bug (RP_INTERNAL, 1); a scheduled run that was `skipped`/`missed` is 0.
 */
export function exitCodeForChecklist(status: string, errorCode?: string): number {
  if (status === 'skipped' || status === 'missed') return EXIT.passed;
  if (status === 'locked') return EXIT.locked;
  if (status === 'error') return errorCode !== undefined && errorCode !== 'RP_INTERNAL' ? EXIT.badInput : EXIT.failed;
  return exitCodeForStatus(status);
}

// Worst first: bad input means the checklist itself is broken, then aborted, locked, nothing checked, failed.
const EXIT_RANK: Record<number, number> = { [EXIT.passed]: 0, [EXIT.failed]: 1, [EXIT.nothingChecked]: 2, [EXIT.locked]: 3, [EXIT.aborted]: 4, [EXIT.badInput]: 5 };

/** The exit code of several checklists: the worst of theirs (2 > 3 > 4 > 5 > 1 > 0). */
export function worstExitCode(codes: readonly number[]): number {
  return codes.reduce((worst, code) => ((EXIT_RANK[code] ?? 6) > (EXIT_RANK[worst] ?? 6) ? code : worst), 0);
}
