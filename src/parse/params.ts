import { analyzeShell, wordValue, type QuoteContext, type ShellAnalysis, type SimpleCommand, type WordPart, type WordToken } from './shell-lex.js';
import type { ParamUse } from './types.js';

/** One placeholder in a command, where it is and how the shell will read it. */
export interface PlaceholderOccurrence extends ParamUse {
  /** Offsets of the token in the command text (`end` exclusive). */
  start: number;
  end: number;
  /** The quoting around the token: decides how a value is spliced in. */
  quote: QuoteContext;
  /**
   * Values that can be bound safely here: `any`; `integer` in arithmetic (`$(( ))`, `let`,
   * `[[ -eq ]]`), where bash evaluates the text of a value; `plain` (`[A-Za-z0-9_.,:/@%+=-]`) where a
   * second shell parses the text (`watch`, `sh -c`, `ssh`, `eval`, a heredoc read by a shell).
   */
  restriction: 'any' | 'integer' | 'plain';
  /** Why the restriction applies, for the error message. */
  restrictionReason?: string;
}

const ANGLE = /<([A-Za-z_][A-Za-z0-9_-]*)>/g;
const BRACE = /\{([A-Za-z_][A-Za-z0-9_-]*)\}/g;
/** Commands whose quoted arguments are programs: `{print}` or `{name}` there is code, not a placeholder. */
const PROGRAM_COMMANDS = new Set(['awk', 'gawk', 'mawk', 'nawk', 'jq', 'yq', 'sed', 'perl', 'ruby', 'python', 'python3', 'node', 'gojq', 'jaq']);
/** Commands that hand (some of) their arguments to another shell as text. */
const EVALUATORS = new Set(['eval', 'watch', 'ssh', 'su', 'xargs', 'parallel', 'runuser', 'script']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish']);
const PLAIN_VALUE = /^[A-Za-z0-9_.,:/@%+=-]*$/;
const INTEGER_VALUE = /^-?[0-9]+$/;

/**
 * The parameter placeholders of a runnable command: `<commit_sha>`, `<run_id_1>`, `{trace_id}`.
 * Not `${VAR}`, `$VAR`, `<<EOF`, `2>&1`, `< file`, `{a,b}`, `{1..5}`, JSON, `{{ .Go }}`/`{{x}}`,
 * regex quantifiers, awk/jq programs, `{}`, `%{http_code}`, `@{u}`, comments, nor text in a heredoc
 * with a quoted delimiter. A bare word (`PORT_NUMBER`) is never a parameter; `<PORT>` is.
 * Each name once, in order of first use, with the token it was first written as.
 *
 * @example
 * findParameters('git checkout <commit_sha>') // [{ name: 'commit_sha', token: '<commit_sha>', form: 'angle' }]
 */
export function findParameters(command: string, analysis?: ShellAnalysis): ParamUse[] {
  const seen = new Set<string>();
  const uses: ParamUse[] = [];
  for (const o of findPlaceholders(command, analysis)) {
    if (seen.has(o.name)) continue;
    seen.add(o.name);
    uses.push({ name: o.name, token: o.token, form: o.form });
  }
  return uses;
}

/**
 * Every placeholder occurrence (not deduplicated), in text order, with its quoting context.
 * `analysis` is `analyzeShell(command)` when the caller already has it.
 */
export function findPlaceholders(command: string, analysis: ShellAnalysis = analyzeShell(command)): PlaceholderOccurrence[] {
  const out: PlaceholderOccurrence[] = [];
  for (const cmd of analysis.commands) collectFromCommand(command, cmd, out);
  out.sort((a, b) => a.start - b.start);
  return out;
}

function collectFromCommand(text: string, cmd: SimpleCommand, out: PlaceholderOccurrence[]): void {
  const argv = cmd.args.map(wordValue);
  const name = baseName(argv[0] ?? '');
  const program = PROGRAM_COMMANDS.has(name);
  const integerCommand = name === 'let' || (name === '[[' && argv.some((a) => /^-(eq|ne|lt|le|gt|ge)$/.test(a)));
  // Index of the first word from which a second shell reads the text, or -1.
  const evaluatedFrom = argv.findIndex((a, i) => EVALUATORS.has(baseName(a)) || (SHELLS.has(baseName(a)) && argv.slice(i + 1).some((b) => /^-[A-Za-z]*c[A-Za-z]*$/.test(b))));
  const readsScript = argv.some((a) => SHELLS.has(baseName(a)) || EVALUATORS.has(baseName(a)));
  const scan = (word: WordToken, evaluated: boolean): void => {
    for (const part of word.parts) {
      const restriction = integerCommand ? 'integer' : evaluated ? 'plain' : 'any';
      const reason = integerCommand ? `${name} evaluates it as arithmetic` : evaluated ? `${argv[evaluatedFrom] ?? name} runs it through another shell` : undefined;
      scanPart(text, part, { program, restriction, reason }, out);
    }
  };
  for (const w of cmd.assignments) scan(w, false);
  cmd.args.forEach((w, i) => scan(w, evaluatedFrom >= 0 && i > evaluatedFrom));
  for (const r of cmd.redirects) {
    if (r.target && !r.heredoc) scan(r.target, r.op === '<<<' && readsScript);
    if (r.heredoc && !r.heredoc.quoted) {
      for (const part of r.heredoc.parts) {
        scanPart(text, part, { program: false, restriction: readsScript ? 'plain' : 'any', reason: readsScript ? `${name} reads the heredoc as a script` : undefined }, out);
      }
    }
  }
  if (cmd.kind === 'arith') for (const part of cmd.arithParts ?? []) scanPart(text, part, { program: false, restriction: 'integer', reason: '(( )) evaluates it as arithmetic' }, out);
}

interface ScanOptions {
  program: boolean;
  restriction: PlaceholderOccurrence['restriction'];
  reason: string | undefined;
}

function scanPart(text: string, part: WordPart, options: ScanOptions, out: PlaceholderOccurrence[]): void {
  if (part.kind === 'arith') {
    for (const p of part.parts) scanPart(text, p, { ...options, restriction: 'integer', reason: '$(( )) evaluates it as arithmetic' }, out);
    return;
  }
  if (part.kind !== 'literal') return;
  const push = (m: RegExpExecArray, form: ParamUse['form']): void => {
    const start = part.start + m.index;
    const occurrence: PlaceholderOccurrence = { name: m[1]!, token: m[0], form, start, end: start + m[0].length, quote: part.quote, restriction: options.restriction };
    if (options.reason !== undefined && options.restriction !== 'any') occurrence.restrictionReason = options.reason;
    out.push(occurrence);
  };
  for (const m of part.raw.matchAll(ANGLE)) {
    const before = part.raw[m.index - 1] ?? text[part.start - 1] ?? '';
    if (before === '<' || before === '\\') continue;
    // `<b>bold</b>`: markup, not a placeholder.
    if (text.includes(`</${m[1]}>`)) continue;
    push(m as RegExpExecArray, 'angle');
  }
  if (options.program && part.quote !== 'none') return;
  for (const m of part.raw.matchAll(BRACE)) {
    const before = m.index > 0 ? part.raw[m.index - 1]! : (text[part.start - 1] ?? '');
    const after = part.raw[m.index + m[0].length] ?? text[part.end] ?? '';
    if ('$%@{\\#'.includes(before) && before !== '') continue;
    if (after === '}') continue;
    push(m as RegExpExecArray, 'brace');
  }
}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** True when `value` may be bound at `occurrence` (see {@link PlaceholderOccurrence.restriction}). */
export function isValueAllowed(occurrence: PlaceholderOccurrence, value: string): boolean {
  if (occurrence.restriction === 'integer') return INTEGER_VALUE.test(value);
  if (occurrence.restriction === 'plain') return PLAIN_VALUE.test(value);
  return true;
}
