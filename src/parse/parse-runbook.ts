import { basename } from 'node:path';
import { RunproofError, isRunproofError } from '../core/index.js';
import { attributesRule } from './rules/attributes.js';
import { blocksRule } from './rules/blocks.js';
import { cellsRule } from './rules/cells.js';
import { checksRule } from './rules/checks.js';
import { frontMatterRule } from './rules/front-matter.js';
import { httpRule } from './rules/http.js';
import { kindsRule } from './rules/kinds.js';
import { namesRule } from './rules/names.js';
import { noLanguageRule } from './rules/no-language.js';
import { collectNotebookParams, paramsRule } from './rules/params.js';
import { pastedOutputRule } from './rules/pasted-output.js';
import { riskRule } from './rules/risk.js';
import { sectionsRule } from './rules/sections.js';
import { ErrorLimitReached, MAX_COLLECTED_ERRORS } from './rules/guard.js';
import type { ParseRule, ParseState } from './rules/state.js';
import { tokenizeRule } from './rules/tokenize.js';
import { variablesRule } from './rules/variables.js';
import { normalizeText, splitLines } from './text.js';
import type { Diagnostic, Notebook } from './types.js';
import type { TeamPolicy } from './policy.js';

/** The parse, as an ordered chain of small named rules over one state (markdown-it's core chain). */
export const PARSE_RULES: readonly ParseRule[] = [
  frontMatterRule,
  tokenizeRule,
  sectionsRule,
  blocksRule,
  kindsRule,
  attributesRule,
  httpRule,
  cellsRule,
  pastedOutputRule,
  namesRule,
  checksRule,
  paramsRule,
  riskRule,
  variablesRule,
  noLanguageRule,
];

export interface ParseOptions {
  /** The runbook's path as the user gave it: shown in errors and kept in the notebook. */
  path: string;
  /** The team policy file's rules (see `loadTeamPolicy` in app): its forms decide before the built-in knowledge. */
  policy?: TeamPolicy;
  /** Where the policy came from, for the "rule matches nothing" warning. */
  policyPath?: string;
}

export interface ParseOutcome {
  notebook: Notebook;
  /** Every error found (collecting mode only; strict mode throws the first). */
  errors: RunproofError[];
}

// One implementation for both entry points: strict (throw the first error) for parseRunbook,
// collecting (keep going, report everything) for lint.
/** Runs the rule chain; `collect` keeps going past errors instead of throwing the first. */
export function runParse(text: string, options: ParseOptions, collect: boolean): ParseOutcome {
  const errors: RunproofError[] = [];
  const normalized = normalizeText(text);
  const state: ParseState = {
    file: options.path,
    text: normalized,
    lines: splitLines(normalized),
    frontMatter: {},
    tokens: [],
    headingSections: new Map(),
    sections: [],
    blocks: [],
    cells: [],
    warnings: [],
    ...(options.policy !== undefined ? { policy: { policy: options.policy, used: new Set<string>() } } : {}),
    report(error) {
      if (!collect) throw error;
      if (errors.length >= MAX_COLLECTED_ERRORS) throw new ErrorLimitReached();
      errors.push(error);
      if (errors.length === MAX_COLLECTED_ERRORS) {
        errors.push(
          new RunproofError('RP_TOO_MANY_ERRORS', `stopped reading after ${MAX_COLLECTED_ERRORS} errors; later lines were not checked`, {
            file: options.path,
            span: error.span ?? { line: 1, col: 1 },
            hint: 'fix these and run lint again',
          }),
        );
        throw new ErrorLimitReached();
      }
    },
    warn(code, message, span, hint) {
      const warning: Diagnostic = { severity: 'warning', code, message, file: options.path, span };
      if (hint !== undefined) warning.hint = hint;
      state.warnings.push(warning);
    },
  };
  for (const rule of PARSE_RULES) {
    try {
      rule.run(state);
    } catch (error) {
      if (error instanceof ErrorLimitReached) break;
      if (isRunproofError(error)) throw error;
      throw new RunproofError('RP_INTERNAL', `the ${rule.name} step of the parse failed: ${error instanceof Error ? error.message : String(error)}`, {
        file: options.path,
        hint: 'this is a bug in runproof; rerun with RUNPROOF_DEBUG=1 and report it with the runbook',
        cause: error,
      });
    }
  }
  const notebook: Notebook = {
    path: options.path,
    title: state.frontMatter.title ?? state.sections.find((s) => s.level === 1)?.title ?? basename(options.path),
    frontMatter: state.frontMatter,
    ...(state.timeoutMs !== undefined ? { timeoutMs: state.timeoutMs } : {}),
    sections: state.sections,
    cells: state.cells,
    params: collectNotebookParams(state),
    warnings: state.warnings.sort((a, b) => (a.span?.line ?? 0) - (b.span?.line ?? 0)),
  };
  return { notebook, errors };
}

/**
 * Parses a Markdown runbook into a Notebook. Pure: no I/O, same text in, same notebook out.
 *
 * Throws the first problem as a {@link RunproofError} (unknown attribute, bad front matter,
 * duplicate cell name, bad assertion line...); warnings go to `notebook.warnings`.
 *
 * @example
 * const notebook = parseRunbook('## Health\n```bash\ncurl -sS localhost:8000/health\n```\n', { path: 'ops.md' });
 * notebook.cells[0]?.name; // 'health/1'
 */
export function parseRunbook(text: string, options: ParseOptions): Notebook {
  return runParse(text, options, false).notebook;
}
