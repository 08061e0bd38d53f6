import { analyzeShell, wordValue, type QuoteContext, type ShellAnalysis, type SimpleCommand, type Token, type WordPart, type WordToken } from './shell-lex.js';
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
  restriction: 'any' | 'integer' | 'name' | 'plain' | 'code';
  /** Why the restriction applies, for the error message. */
  restrictionReason?: string;
  /** The value begins an argument (before any `--`): a leading `-` would be read as an option. */
  startsArgument?: boolean;
}

const ANGLE = /<([A-Za-z_][A-Za-z0-9_-]*)>/g;
const BRACE = /\{([A-Za-z_][A-Za-z0-9_-]*)\}/g;
/** Interpreters whose program text (`awk '…'`, `python -c '…'`, `sed 's/…/'`) is code. */
const PROGRAM_COMMANDS = new Set(['awk', 'gawk', 'mawk', 'nawk', 'jq', 'yq', 'sed', 'gsed', 'perl', 'ruby', 'python', 'python2', 'python3', 'node', 'nodejs', 'deno', 'php', 'lua', 'Rscript', 'gojq', 'jaq', 'tclsh', 'pwsh']);
/** Database clients whose query text (`psql -c '…'`, `mysql -e '…'`) is code. */
/** Braces in their quoted text are code, not `{placeholders}`. */
const BRACE_PROGRAMS = new Set(['awk', 'gawk', 'mawk', 'nawk', 'jq', 'yq', 'sed', 'perl', 'ruby', 'python', 'python3', 'node', 'gojq', 'jaq']);
const QUERY_COMMANDS = new Set(['psql', 'gitlab-psql', 'mysql', 'mariadb', 'sqlite3', 'cqlsh', 'clickhouse-client', 'mongo', 'mongosh', 'redis-cli', 'sqlcmd']);
/** Commands that hand (some of) their arguments to another shell as text. */
const EVALUATORS = new Set(['eval', 'watch', 'ssh', 'su', 'xargs', 'parallel', 'runuser', 'script', 'trap', 'flock', 'knife', 'pdsh', 'clush', 'at', 'batch', 'tmux', 'screen', 'unbuffer']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'fish', 'ash', 'busybox', 'csh', 'tcsh', 'rbash']);
/** Builtins whose arguments name variables; `name[…]` there is a subscript, evaluated as arithmetic. */
const NAME_COMMANDS = new Set(['read', 'unset', 'mapfile', 'readarray', 'declare', 'local', 'typeset', 'readonly', 'export', 'getopts', 'printf', 'wait']);
const DECLARERS = new Set(['declare', 'local', 'typeset', 'readonly', 'export']);
const TEST_COMMANDS = new Set(['[[', 'test', '[']);
// Variables whose value is a command: bash expands prompts (`$(…)` included) and runs
// PROMPT_COMMAND, BASH_ENV and ENV; programs run pagers, editors, askpass and ssh commands.
const CODE_VARIABLE =
  /^(?:PS[0-4]|PROMPT_COMMAND|BASH_ENV|ENV|FCEDIT|EDITOR|VISUAL|PAGER|MANPAGER|LESSOPEN|LESSCLOSE|GIT_SSH_COMMAND|GIT_SSH|GIT_EDITOR|GIT_PAGER|GIT_ASKPASS|GIT_EXTERNAL_DIFF|SSH_ASKPASS|SUDO_ASKPASS|RSYNC_RSH|KUBE_EDITOR|SYSTEMD_PAGER)=/;
/** `read` options that take a value which is not a variable name. */
const READ_VALUE_OPTIONS = new Set(['-p', '-d', '-t', '-n', '-N', '-u', '-i']);
/** Options after which the next word is a program or query text. */
const PROGRAM_OPTION = /^(-[A-Za-z]*[ceE]|--command|--execute|--eval|--expression|--query|-q|--file)$/;
/** `--opt=` or `NAME=` before a placeholder: the value is an option's or variable's value, not program text. */
const VALUE_PREFIX = /^["']?(--?[A-Za-z][\w-]*=|[A-Za-z_]\w*=)["']?$/;
const PLAIN_VALUE = /^(?!-)[A-Za-z0-9_.,:/@%+=-]*$/;
const INTEGER_VALUE = /^-?[0-9]+$/;
const NAME_VALUE = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
 * Every placeholder occurrence (not deduplicated), in text order, with its quoting context and
 * the values it can safely take. `analysis` is `analyzeShell(command)` when the caller already has it.
 */
export function findPlaceholders(command: string, analysis?: ShellAnalysis): PlaceholderOccurrence[] {
  const out: PlaceholderOccurrence[] = [];
  // Every placeholder is `<name>` or `{name}` in the command's own text: most cells have neither.
  if (!command.includes('<') && !command.includes('{')) return out;
  analysis ??= analyzeShell(command);
  const feeds = findFeeds(analysis.tokens, analysis.commands);
  for (const cmd of analysis.commands) collectFromCommand(command, cmd, out, feedOf(cmd, feeds));
  out.sort((a, b) => a.start - b.start);
  return out;
}

/** A range of the text whose output another interpreter reads as code (`echo … | sh`, `bash <(…)`). */
interface Feed {
  start: number;
  end: number;
  reader: string;
  kind: 'shell' | 'program';
}

function feedOf(cmd: SimpleCommand, feeds: Feed[]): Feed | undefined {
  return feeds.find((f) => cmd.start >= f.start && cmd.start < f.end);
}

// The command word after wrappers that run the rest as a command (`sudo`, `timeout 5`, `env X=1`).
function commandIndex(argv: string[]): number {
  let i = 0;
  while (i < argv.length) {
    const name = baseName(argv[i]!);
    if (!['sudo', 'doas', 'env', 'nohup', 'time', 'timeout', 'nice', 'ionice', 'stdbuf', 'command', 'builtin', 'exec', 'setsid', 'chrt', 'taskset', 'caffeinate'].includes(name)) return i;
    i++;
    while (i < argv.length && (argv[i]!.startsWith('-') || /^[A-Za-z_]\w*=/.test(argv[i]!) || (name === 'timeout' && /^[0-9.]+[smhd]?$/.test(argv[i]!)))) {
      if (name === 'sudo' && /^-[ugCDhprT]$/.test(argv[i]!)) i++;
      i++;
    }
  }
  return i;
}

// How a command at the end of a pipe reads its stdin: as shell script, as program text, or as data.
function stdinReader(argv: string[]): Feed['kind'] | undefined {
  const at = commandIndex(argv);
  const name = baseName(argv[at] ?? '');
  const rest = argv.slice(at + 1);
  const operands = rest.filter((a) => !a.startsWith('-') || a === '-');
  if (SHELLS.has(name)) return rest.some((a) => /^-[A-Za-z]*c[A-Za-z]*$/.test(a)) || operands.some((a) => a !== '-') ? undefined : 'shell';
  if (name === 'source' || name === '.') return 'shell';
  if (name === 'ssh' || name === 'xargs' || name === 'parallel' || name === 'su' || name === 'at' || name === 'batch') return 'shell';
  if (QUERY_COMMANDS.has(name)) return rest.some((a) => PROGRAM_OPTION.test(a) || /^--(command|execute|eval|query)=/.test(a)) ? undefined : 'program';
  if (PROGRAM_COMMANDS.has(name) && !['awk', 'gawk', 'mawk', 'nawk', 'jq', 'yq', 'sed', 'gsed', 'gojq', 'jaq'].includes(name)) {
    return rest.some((a) => /^-[A-Za-z]*[ceE]$/.test(a) || a === '--eval') || operands.some((a) => a !== '-') ? undefined : 'program';
  }
  return undefined;
}

// Pipelines whose later command reads earlier output as code, and process substitutions read by a shell.
function findFeeds(tokens: Token[], commands: SimpleCommand[]): Feed[] {
  const feeds: Feed[] = [];
  const walk = (list: Token[]): void => {
    // Segments between operators; a `|`/`|&` joins a segment to the next one.
    const segments: { start: number; end: number; words: string[]; pipedIn: boolean }[] = [];
    let current: { start: number; end: number; words: string[]; pipedIn: boolean } | undefined;
    let pipe = false;
    for (const t of list) {
      if (t.type === 'op') {
        if (current) segments.push(current);
        current = undefined;
        pipe = t.op === '|' || t.op === '|&';
        continue;
      }
      current ??= { start: t.start, end: t.end, words: [], pipedIn: pipe };
      current.end = t.end;
      if (t.type === 'word') {
        current.words.push(wordValue(t));
        for (const part of t.parts) if (part.kind === 'command' || part.kind === 'process') walk(part.tokens);
      }
    }
    if (current) segments.push(current);
    for (let i = 1; i < segments.length; i++) {
      if (!segments[i]!.pipedIn) continue;
      const words = segments[i]!.words.filter((w) => !['if', 'then', 'do', '!', '{', 'time'].includes(w));
      const kind = stdinReader(words);
      if (!kind) continue;
      let first = i;
      while (first > 0 && segments[first]!.pipedIn) first--;
      feeds.push({ start: segments[first]!.start, end: segments[i]!.start, reader: baseName(words[commandIndex(words)] ?? ''), kind });
    }
  };
  walk(tokens);
  // `bash <(…)`, `source <(…)`: the substitution's output is a script.
  for (const cmd of commands) {
    const argv = cmd.args.map(wordValue);
    const name = baseName(argv[commandIndex(argv)] ?? '');
    const shell = SHELLS.has(name) || name === 'source' || name === '.';
    const program = PROGRAM_COMMANDS.has(name) || QUERY_COMMANDS.has(name);
    if (!shell && !program) continue;
    for (const word of [...cmd.args, ...cmd.redirects.map((r) => r.target).filter((w): w is WordToken => w !== null)]) {
      for (const part of word.parts) if (part.kind === 'process') feeds.push({ start: part.start, end: part.end, reader: name, kind: shell ? 'shell' : 'program' });
    }
  }
  return feeds;
}

function collectFromCommand(text: string, cmd: SimpleCommand, out: PlaceholderOccurrence[], feed: Feed | undefined): void {
  const argv = cmd.args.map(wordValue);
  const at = commandIndex(argv);
  const name = baseName(argv[at] ?? '');
  const program = PROGRAM_COMMANDS.has(name) || QUERY_COMMANDS.has(name);
  const integerCommand = name === 'let' || (name === '[[' && argv.some((a) => /^-(eq|ne|lt|le|gt|ge)$/.test(a)));
  // Index of the first word from which a second shell reads the text, or -1.
  const evaluatedFrom = argv.findIndex(
    (a, i) =>
      EVALUATORS.has(baseName(a)) ||
      (SHELLS.has(baseName(a)) && argv.slice(i + 1).some((b) => /^-[A-Za-z]*c[A-Za-z]*$/.test(b))) ||
      (baseName(a) === 'env' && argv.slice(i + 1).some((b) => /^(-[A-Za-z]*S[A-Za-z]*|--split-string(=.*)?)$/.test(b))),
  );
  const readsScript = SHELLS.has(name) || EVALUATORS.has(name) || name === 'source' || name === '.';
  const noDashDash = (i: number): boolean => !argv.slice(1, i).includes('--');
  const declaresInteger = DECLARERS.has(name) && argv.slice(at + 1).some((a) => /^-[A-Za-z]*i/.test(a));
  // `declare -n ref=<p>`: a nameref's value is a variable name (`a[$(…)]` is a subscript, evaluated).
  const declaresNameref = DECLARERS.has(name) && argv.slice(at + 1).some((a) => /^-[A-Za-z]*n/.test(a));
  // `[[ -v <p> ]]`, `test -v <p>`: the operand is a variable name, its subscript evaluated.
  const testsName = (index: number): boolean => TEST_COMMANDS.has(name) && /^-[vR]$/.test(argv[index - 1] ?? '');
  // `$[ 1 + <p> ]` spans words: an unclosed `$[` anywhere before the placeholder in this command.
  const commandStart = Math.min(...[...cmd.assignments, ...cmd.args].map((w) => w.start));
  const isProgramWord = (i: number): boolean => program && (PROGRAM_OPTION.test(argv[i - 1] ?? '') || i === at + 1);

  const scanWord = (word: WordToken, index: number, assignment: boolean): void => {
    const raw = word.raw;
    for (const part of word.parts) {
      const context = (offset: number): { restriction: PlaceholderOccurrence['restriction']; reason?: string } => {
        const inWord = offset - word.start;
        const before = raw.slice(0, inWord);
        if (feed) return feed.kind === 'program' ? { restriction: 'code', reason: `${feed.reader} reads it as program text` } : { restriction: 'plain', reason: `${feed.reader} reads it as shell script` };
        if (isInsideDollarBracket(before) || isInsideDollarBracket(text.slice(commandStart, offset))) return { restriction: 'integer', reason: '$[ ] evaluates it as arithmetic' };
        if (CODE_VARIABLE.test(before) && (assignment || DECLARERS.has(name))) return { restriction: 'plain', reason: `${before.slice(0, before.indexOf('='))} holds a command: bash or a program runs its value` };
        if (!assignment && index > at && testsName(index)) return { restriction: 'name', reason: `${argv[index - 1]} takes it as a variable name` };
        if (!assignment && index > at && declaresNameref && before.includes('=')) return { restriction: 'name', reason: `${name} -n takes it as a variable name` };
        if (!assignment && name === 'history' && argv.slice(at + 1, index).includes('-s')) return { restriction: 'plain', reason: 'history -s stores it as a command that fc runs' };
        const subscriptOpen = /^[A-Za-z_]\w*\[[^\]]*$/.test(before) && (assignment || NAME_COMMANDS.has(name));
        if (subscriptOpen) return { restriction: 'integer', reason: 'an array subscript is evaluated as arithmetic' };
        if (integerCommand) return { restriction: 'integer', reason: `${name} evaluates it as arithmetic` };
        if (!assignment && index > at && nameWord(argv, at, name, index) && !before.includes('=')) return { restriction: 'name', reason: `${name} takes it as a variable name` };
        if (!assignment && index > at && declaresInteger && before.includes('=')) return { restriction: 'integer', reason: `${name} -i evaluates it as arithmetic` };
        if (evaluatedFrom >= 0 && index > evaluatedFrom && !assignment) return { restriction: 'plain', reason: `${argv[evaluatedFrom]} runs it through another shell` };
        if (program && !assignment && index > at) {
          const quoted = part.quote !== 'none';
          if (VALUE_PREFIX.test(before)) return { restriction: 'any' };
          if (quoted || isProgramWord(index) || before !== '') return { restriction: 'code', reason: `${name} reads it as program text` };
        }
        return { restriction: 'any' };
      };
      scanPart(text, part, { program: BRACE_PROGRAMS.has(name), context, optionWord: !assignment && index > at && noDashDash(index) ? word.start : -1 }, out);
    }
  };
  cmd.assignments.forEach((w) => scanWord(w, -1, true));
  cmd.args.forEach((w, i) => scanWord(w, i, false));
  for (const r of cmd.redirects) {
    if (r.target && !r.heredoc) {
      const hereString = r.op === '<<<';
      const restriction = feed?.kind === 'program' || (hereString && program) ? 'code' : feed || (hereString && readsScript) ? 'plain' : 'any';
      scanPart2(text, r.target.parts, restriction, hereString ? `${name} reads it as ${restriction === 'code' ? 'program text' : 'a script'}` : undefined, out);
    }
    if (r.heredoc && !r.heredoc.quoted) {
      const restriction = feed?.kind === 'program' || program ? 'code' : feed || readsScript ? 'plain' : 'any';
      scanPart2(text, r.heredoc.parts, restriction, `${feed?.reader ?? name} reads the heredoc as ${restriction === 'code' ? 'program text' : 'a script'}`, out);
    }
  }
  if (cmd.kind === 'arith') scanPart2(text, cmd.arithParts ?? [], 'integer', '(( )) evaluates it as arithmetic', out);
}

// Whether argv[index] of a variable-naming builtin is a variable name (`read NAME`, `printf -v NAME`).
function nameWord(argv: string[], at: number, name: string, index: number): boolean {
  if (!NAME_COMMANDS.has(name)) return false;
  const word = argv[index]!;
  const previous = argv[index - 1] ?? '';
  if (name === 'printf') return previous === '-v';
  if (name === 'wait') return previous === '-p';
  if (word.startsWith('-') && index > at) return false;
  if (name === 'read' && READ_VALUE_OPTIONS.has(previous)) return false;
  if ((name === 'mapfile' || name === 'readarray') && /^-[dnOsuCc]$/.test(previous)) return false;
  if (name === 'getopts') return index > at + 1;
  return true;
}

// True when `before` (text up to a placeholder) has an open `$[`: brackets are counted, so
// `$[ a[1] + <p> ]` is still open.
function isInsideDollarBracket(before: string): boolean {
  for (let open = before.lastIndexOf('$['); open >= 0; open = open === 0 ? -1 : before.lastIndexOf('$[', open - 1)) {
    let depth = 0;
    for (let i = open + 1; i < before.length; i++) {
      if (before[i] === '[') depth++;
      else if (before[i] === ']') depth--;
    }
    if (depth > 0) return true;
  }
  return false;
}

function scanPart2(text: string, parts: WordPart[], restriction: PlaceholderOccurrence['restriction'], reason: string | undefined, out: PlaceholderOccurrence[]): void {
  for (const part of parts) {
    scanPart(text, part, { program: false, context: () => (restriction === 'any' ? { restriction } : { restriction, reason: reason ?? '' }), optionWord: -1 }, out);
  }
}

interface ScanOptions {
  /** Braces in quoted text of awk/jq/sed/interpreters are code (`{print}`), not placeholders. */
  program: boolean;
  /** The restriction at an offset of the text. */
  context: (offset: number) => { restriction: PlaceholderOccurrence['restriction']; reason?: string };
  /** Start offset of the argument word when a value there could be read as an option, else -1. */
  optionWord: number;
}

function scanPart(text: string, part: WordPart, options: ScanOptions, out: PlaceholderOccurrence[]): void {
  if (part.kind === 'arith') {
    for (const p of part.parts) scanPart(text, p, { ...options, context: () => ({ restriction: 'integer', reason: '$(( )) evaluates it as arithmetic' }), optionWord: -1 }, out);
    return;
  }
  if (part.kind !== 'literal') return;
  const push = (m: RegExpExecArray, form: ParamUse['form']): void => {
    const start = part.start + m.index;
    const { restriction, reason } = options.context(start);
    const occurrence: PlaceholderOccurrence = { name: m[1]!, token: m[0], form, start, end: start + m[0].length, quote: part.quote, restriction };
    if (reason !== undefined && restriction !== 'any') occurrence.restrictionReason = reason;
    // The value begins the word (`<p>`, `"<p>"`): a leading `-` would make it an option.
    if (options.optionWord >= 0 && /^["'$]{0,2}$/.test(text.slice(options.optionWord, start))) occurrence.startsArgument = true;
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
  switch (occurrence.restriction) {
    case 'integer':
      return INTEGER_VALUE.test(value);
    case 'name':
      return NAME_VALUE.test(value);
    case 'plain':
      return PLAIN_VALUE.test(value);
    case 'code':
      return false;
    default:
      return true;
  }
}

/** What `restriction` accepts, in words, for error messages. */
export function describeRestriction(restriction: PlaceholderOccurrence['restriction']): string {
  switch (restriction) {
    case 'integer':
      return 'an integer';
    case 'name':
      return 'a variable name (letters, digits, _)';
    case 'plain':
      return 'a plain word of letters, digits and _.,:/@%+=- not starting with -';
    case 'code':
      return 'no value: it would be program text';
    default:
      return 'any value';
  }
}
