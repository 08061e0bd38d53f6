import type { Span } from './span.js';

/** Every error code runproof can raise. Codes are the contract; wording may change. */
export type ErrorCode =
  | 'RP_FILE_NOT_FOUND'
  | 'RP_NOT_A_FILE'
  | 'RP_BINARY_FILE'
  | 'RP_NOT_UTF8'
  | 'RP_READ_FAILED'
  | 'RP_NESTING_TOO_DEEP'
  | 'RP_TOO_MANY_ERRORS'
  | 'RP_BAD_FRONT_MATTER'
  | 'RP_UNKNOWN_ATTRIBUTE'
  | 'RP_BAD_ATTRIBUTE'
  | 'RP_DUPLICATE_CELL_NAME'
  | 'RP_BAD_ASSERTION'
  | 'RP_BAD_EXPECTED_OUTPUT'
  | 'RP_BAD_HTTP_CELL'
  | 'RP_SECTION_NOT_FOUND'
  | 'RP_SECTION_AMBIGUOUS'
  | 'RP_CELL_NOT_FOUND'
  | 'RP_MISSING_PARAMETER'
  | 'RP_BAD_PARAMETER'
  | 'RP_UNSAFE_PARAMETER_CONTEXT'
  | 'RP_BAD_ENV_FILE'
  | 'RP_BAD_FLAG'
  | 'RP_BAD_DURATION'
  | 'RP_NEEDS_TTY_DECISION'
  | 'RP_LOCKED'
  | 'RP_BAD_EVIDENCE_NAME'
  | 'RP_EVIDENCE_WRITE_FAILED'
  | 'RP_DISK_FULL'
  | 'RP_UNSAFE_PATH'
  | 'RP_BAD_BUNDLE'
  | 'RP_BAD_RECORD'
  | 'RP_BAD_TEMPLATE'
  | 'RP_RUNBOOK_CHANGED'
  | 'RP_BAD_CHECKLIST'
  | 'RP_BAD_KEY'
  | 'RP_BAD_CHECKPOINT'
  | 'RP_NOTHING_TO_LINT'
  | 'RP_LINT_FAILED'
  | 'RP_DEMO_FAILED'
  | 'RP_BAD_HOSTS'
  | 'RP_BAD_POLICY'
  | 'RP_CHECKLIST_CHECKS_NOTHING'
  // approvals (four eyes): plan, approve, run --approval, trust file
  | 'RP_BAD_PLAN'
  | 'RP_PLAN_TAMPERED'
  | 'RP_BAD_APPROVAL'
  | 'RP_APPROVAL_SIGNATURE_INVALID'
  | 'RP_APPROVAL_UNTRUSTED'
  | 'RP_APPROVAL_EXPIRED'
  | 'RP_SELF_APPROVAL'
  | 'RP_APPROVAL_MISMATCH'
  | 'RP_BAD_TRUST'
  | 'RP_SANDBOX_UNAVAILABLE'
  | 'RP_TSA_FAILED'
  | 'RP_BAD_WEBHOOK'
  | 'RP_BAD_TSA_CERT'
  | 'RP_INTERNAL';

/** Warning codes: reported by lint and list, errors only under `--strict`. */
export type WarningCode =
  | 'RP_UNCLOSED_FENCE'
  | 'RP_UNSET_VARIABLE'
  | 'RP_RISK_LOWERED'
  | 'RP_NO_LANGUAGE'
  | 'RP_EMPTY_CELL'
  | 'RP_ORPHAN_ASSERT'
  | 'RP_ORPHAN_EXPECT'
  | 'RP_ENDLESS_COMMAND'
  | 'RP_POLICY_RULE_UNUSED'
  | 'RP_CHECKLIST_ALL_BLOCKED';

export interface RunproofErrorOptions {
  hint?: string;
  file?: string;
  span?: Span;
  cause?: unknown;
}

/** The one error type of runproof: a stable code, a one-line message, a hint and a location. */
export class RunproofError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly file: string | undefined;
  readonly span: Span | undefined;

  constructor(code: ErrorCode, message: string, options: RunproofErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunproofError';
    this.code = code;
    this.hint = options.hint;
    this.file = options.file;
    this.span = options.span;
  }

  /** `CODE file:line:col message (hint)` — the one-line form the CLI prints (see `formatDiagnostic`). */
  format(): string {
    return formatDiagnostic({
      code: this.code,
      message: this.message,
      hint: this.hint,
      file: this.file,
      span: this.span,
    });
  }
}

export function isRunproofError(value: unknown): value is RunproofError {
  return value instanceof RunproofError;
}

export interface DiagnosticLike {
  code: string;
  message: string;
  hint?: string | undefined;
  file?: string | undefined;
  span?: Span | undefined;
}

/**
 * One line, the code first: `CODE file:line:col message (hint: ...)`. The location is left out
 * when the message already starts with the file (`RP_FILE_NOT_FOUND nothere.md does not exist`).
 * With no code (lint's location column), only `file:line:col`.
 */
export function formatDiagnostic(d: DiagnosticLike): string {
  const where = [d.file, d.span?.line, d.span ? d.span.col : undefined].filter((x) => x !== undefined && x !== '').join(':');
  const hint = d.hint ? ` (hint: ${d.hint})` : '';
  const message = oneLine(d.message);
  const showWhere = where !== '' && !(d.file && !d.span && message.startsWith(d.file));
  return [d.code, showWhere ? where : '', `${message}${hint ? oneLine(hint) : ''}`].filter((x) => x !== '').join(' ');
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}

/**
 * Hurl's form of a parse error's place, printed under the error's line: the location, the
 * source line, and a caret under the column. `sourceText` is the file's text; '' when the line
 * is not in it.
 * @example sourceContext('a.md', 'x\n```sh {t=1}', { line: 2, col: 7 }) // "  --> a.md:2:7\n   |\n 2 | ```sh {t=1}\n   |       ^\n"
 */
export function sourceContext(file: string, sourceText: string, span: Span): string {
  const lines = sourceText.split(/\r?\n/);
  const text = lines[span.line - 1];
  if (text === undefined) return '';
  const gutter = ' '.repeat(String(span.line).length);
  // Control characters would move the cursor: shown as spaces so the caret still lines up.
  const shown = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').replace(/\t/g, ' ');
  const col = Math.max(1, Math.min(span.col, [...shown].length + 1));
  return `${gutter}--> ${file}:${span.line}:${span.col}\n${gutter} |\n${span.line} | ${shown}\n${gutter} | ${' '.repeat(col - 1)}^\n`;
}
