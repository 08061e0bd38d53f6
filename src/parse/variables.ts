import { analyzeShell, wordValue, type ShellAnalysis, type SimpleCommand, type Token, type WordPart, type WordToken } from './shell-lex.js';

/** Environment variables every shell has; never reported as unset. */
export const WELL_KNOWN_ENV: ReadonlySet<string> = new Set([
  'HOME', 'PATH', 'USER', 'LOGNAME', 'PWD', 'OLDPWD', 'SHELL', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TERM',
  'COLORTERM', 'HOSTNAME', 'HOST', 'UID', 'EUID', 'GID', 'PPID', 'RANDOM', 'SRANDOM', 'LINENO', 'SECONDS',
  'EPOCHSECONDS', 'EPOCHREALTIME', 'TMPDIR', 'IFS', 'MAIL', 'EDITOR', 'VISUAL', 'PAGER', 'TZ', 'DISPLAY', 'SHLVL',
  'BASH', 'BASH_VERSION', 'BASHPID', 'BASH_SOURCE', 'BASH_REMATCH', 'FUNCNAME', 'PIPESTATUS', 'OSTYPE', 'HOSTTYPE',
  'MACHTYPE', 'REPLY', 'OPTARG', 'OPTIND', 'MAPFILE', 'PS1', 'PS2', 'PS4', 'COLUMNS', 'LINES', 'HISTFILE',
  'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME', 'SSH_CONNECTION',
  'SSH_CLIENT', 'SSH_TTY', 'SSH_AUTH_SOCK', 'NO_COLOR',
]);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}`: a fallback, so an unset X is intended. `:=`/`=` assign. */
const FALLBACK_OPS = new Set([':-', '-', ':+', '+', ':=', '=']);
const DECLARERS = new Set(['export', 'declare', 'local', 'typeset', 'readonly']);

/**
 * The variables a command reads (`$NAME`, `${NAME}`, `${#NAME}`, `${NAME:?msg}`), in text order,
 * that the command does not set itself before using them. Not reported: special and positional
 * parameters, anything in single quotes, comments or quoted-delimiter heredocs, `${NAME:-default}`
 * and the other fallback forms, names set earlier in the same command (`X=..; $X`, `for X in`,
 * `read X`, `VAR=1 cmd $VAR`), and every read after `source FILE`/`. FILE` (the file may set it).
 * Well-known names (HOME, PATH...) are reported; callers filter them with {@link WELL_KNOWN_ENV}.
 *
 * `analysis` is `analyzeShell(command)` when the caller already has it.
 *
 * @example
 * findVariableReads('TOKEN=$(cat t); curl -H "X: $TOKEN" $BASE_URL') // ['BASE_URL']
 */
export function findVariableReads(command: string, analysis: ShellAnalysis = analyzeShell(command)): string[] {
  const set = new Set<string>();
  const reads = new Map<string, number>();
  let sourced = false;
  const note = (part: WordPart): void => {
    if (part.kind !== 'param' || !NAME.test(part.name) || sourced) return;
    if (part.op === ':=' || part.op === '=') {
      if (!set.has(part.name) && !reads.has(part.name)) set.add(part.name);
      return;
    }
    if (FALLBACK_OPS.has(part.op) || set.has(part.name) || reads.has(part.name)) return;
    reads.set(part.name, part.start);
  };
  for (const cmd of analysis.commands) {
    for (const w of cmd.assignments) eachParam(w.parts, note);
    const prefix = cmd.args.length > 0 ? cmd.assignments.map(assignedName).filter((n) => !set.has(n)) : [];
    for (const n of prefix) set.add(n);
    for (const w of cmd.args) eachParam(w.parts, note);
    for (const r of cmd.redirects) {
      if (r.target && !r.heredoc) eachParam(r.target.parts, note);
      if (r.heredoc && !r.heredoc.quoted) eachParam(r.heredoc.parts, note);
    }
    if (cmd.arithParts) eachParam(cmd.arithParts, note);
    for (const n of prefix) set.delete(n);
    for (const n of namesSetBy(cmd)) set.add(n);
    const name = cmd.args[0] ? wordValue(cmd.args[0]) : '';
    if (name === 'source' || name === '.') sourced = true;
  }
  return [...reads.entries()].sort((a, b) => a[1] - b[1]).map(([n]) => n);
}

/**
 * The variables a command sets for later cells: `export X=`, `X=value` on its own, `read X`,
 * `for X in`, `declare`/`local`/`typeset`/`readonly X`, `mapfile X`, `getopts o X`, `printf -v X`,
 * `${X:=default}`. A prefix assignment (`VAR=1 cmd`) and anything set inside `$(...)` or `( )`
 * (a subshell) are not writes. In order of first write.
 */
export function findVariableWrites(command: string, analysis: ShellAnalysis = analyzeShell(command)): string[] {
  const writes: string[] = [];
  const add = (n: string): void => {
    if (NAME.test(n) && !writes.includes(n)) writes.push(n);
  };
  for (const cmd of analysis.commands) {
    if (cmd.subshell) continue;
    for (const w of [...cmd.assignments, ...cmd.args]) {
      eachParam(w.parts, (p) => {
        if (p.kind === 'param' && (p.op === ':=' || p.op === '=')) add(p.name);
      });
    }
    for (const n of namesSetBy(cmd)) add(n);
  }
  return writes;
}

function assignedName(word: WordToken): string {
  return /^[A-Za-z_][A-Za-z0-9_]*/.exec(wordValue(word))?.[0] ?? '';
}

// The names one simple command sets: its standalone assignments and what its builtin declares.
function namesSetBy(cmd: SimpleCommand): string[] {
  const names: string[] = [];
  if (cmd.kind === 'for' && cmd.loopVar !== undefined) names.push(cmd.loopVar);
  if (cmd.args.length === 0) names.push(...cmd.assignments.map(assignedName));
  if (cmd.kind !== 'simple' || cmd.args.length === 0) return names;
  const argv = cmd.args.map(wordValue);
  const name = argv[0]!;
  const rest = argv.slice(1);
  if (DECLARERS.has(name)) {
    for (const a of rest) if (!a.startsWith('-') && !a.startsWith('+')) names.push(/^[A-Za-z_][A-Za-z0-9_]*/.exec(a)?.[0] ?? '');
  } else if (name === 'read') {
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === '-a') names.push(rest[++i] ?? '');
      else if (/^-[pdntuiN]$/.test(a)) i++;
      else if (!a.startsWith('-')) names.push(a);
    }
    if (!rest.some((a) => !a.startsWith('-'))) names.push('REPLY');
  } else if (name === 'mapfile' || name === 'readarray') {
    const positional = rest.filter((a, i) => !a.startsWith('-') && !/^-[dnOsuCc]$/.test(rest[i - 1] ?? ''));
    names.push(positional[positional.length - 1] ?? 'MAPFILE');
  } else if (name === 'getopts') {
    if (rest[1] !== undefined) names.push(rest[1]);
  } else if (name === 'printf') {
    const v = rest.indexOf('-v');
    if (v >= 0 && rest[v + 1] !== undefined) names.push(rest[v + 1]!);
  }
  return names.filter((n) => NAME.test(n));
}

// Every `$NAME` part in some parts, in text order, including those in `${X:-$Y}` defaults.
function eachParam(parts: WordPart[], visit: (part: WordPart) => void): void {
  for (const part of parts) {
    if (part.kind === 'param') {
      visit(part);
      eachParamInTokens(part.inner, visit);
    } else if (part.kind === 'arith') eachParam(part.parts, visit);
  }
}

function eachParamInTokens(tokens: Token[], visit: (part: WordPart) => void): void {
  for (const t of tokens) if (t.type === 'word') eachParam(t.parts, visit);
}
