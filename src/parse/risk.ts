import { analyzeShell, wordValue, type ShellAnalysis, type SimpleCommand, type WordPart, type WordToken } from './shell-lex.js';
import { matchTool } from './tool-forms.js';
import { PLAIN_DESTRUCTIVE, PLAIN_READ, PLAIN_WRITE, TOOLS, VERSION_ONLY } from './tools/index.js';
import type { CellKind, HttpRequestSpec, RiskLevel } from './types.js';
import { matchPolicy, type TeamPolicy } from './policy.js';

export interface RiskFinding {
  level: RiskLevel;
  /** The rule and the matched text. */
  reason: string;
  /** Where the deciding rule lives: a tool data entry (`tools/kubernetes#kubectl`), `risk.ts#curl`, a policy rule. */
  decidedBy?: string;
  /** Set when a command runs until interrupted (`tail -f`, `kubectl logs -f`): why. */
  endless?: string;
  /** Set when the cell redefines commands or the shell's behaviour for later cells (alias, PATH=...): what. */
  redefines?: string;
}

/**
 * Classifies a runnable cell as `read`, `write` or `destructive` from its text.
 *
 * `analysis` is `analyzeShell(command)` when the caller already has it (shell cells only).
 *
 * Safety default: a shell cell is `read` only when every simple command in it (pipelines, `&&`,
 * `||`, `;`, newlines, `$(...)`, backticks, subshells, loop and `if` bodies, `sh -c`/`watch`/`sudo`
 * payloads) is on the read-only list; anything unknown is `write`; the highest level wins.
 *
 * @example
 * classifyRisk('shell', 'rm -rf data/state/*')
 * // { level: 'destructive', reason: 'destructive: rm -rf (rm with -r/-f) in "rm -rf data/state/*"' }
 */
export function classifyRisk(kind: CellKind, command: string, http?: HttpRequestSpec, analysis?: ShellAnalysis, policy?: PolicyContext): RiskFinding {
  activePolicy = policy;
  try {
    return classifyKind(kind, command, http, analysis);
  } finally {
    activePolicy = undefined;
  }
}

/** A team policy for one classification, and where the rules that matched are noted (for lint). */
export interface PolicyContext {
  policy: TeamPolicy;
  used?: Set<string>;
}

// Set for the duration of one (synchronous) classifyRisk call.
let activePolicy: PolicyContext | undefined;

function classifyKind(kind: CellKind, command: string, http?: HttpRequestSpec, analysis?: ShellAnalysis): RiskFinding {
  switch (kind) {
    case 'http':
      return { ...classifyHttp(command, http), decidedBy: 'risk.ts#http-method' };
    case 'promql':
      return { level: 'read', reason: 'read: PromQL instant query', decidedBy: 'risk.ts#promql' };
    case 'script':
      return { level: 'write', reason: 'write: a script cell runs a program the classifier does not read; set risk= if you know better', decidedBy: 'risk.ts#script' };
    case 'assert':
    case 'expect':
    case 'doc':
      return { level: 'read', reason: `read: ${kind} cells do not run`, decidedBy: 'risk.ts#not-run' };
    case 'shell':
      return summarize(classifyShellText(command, 0, analysis), command, analysis);
  }
}

const LEVEL_RANK: Record<RiskLevel, number> = { read: 0, write: 1, destructive: 2 };

/** One verdict about one (simple) command. */
interface Verdict {
  level: RiskLevel;
  /** For write/destructive: the rule (`rm -rf (rm with -r/-f)`); for read: the command's label. */
  rule: string;
  /** The command text the rule matched, for the reason. */
  snippet?: string;
  /** Set for "unknown command" verdicts: the reason names the command only. */
  unknown?: string;
  /** The data entry or code rule that decided (`tools/kubernetes#kubectl`, `risk.ts#curl`). */
  source?: string;
  /** The command runs until interrupted: why. */
  endless?: string;
  /** The command redefines commands or shell behaviour for what runs after it: what. */
  redefines?: string;
}

function classifyHttp(command: string, http?: HttpRequestSpec): RiskFinding {
  const firstLine = command.split('\n').find((l) => l.trim() !== '' && !/^\s*(#|\/\/)/.test(l)) ?? '';
  const method = (http?.method ?? (/^\s*([A-Za-z]+)\s+\S/.exec(firstLine)?.[1] ?? 'GET')).toUpperCase();
  if (['GET', 'HEAD', 'OPTIONS'].includes(method)) return { level: 'read', reason: `read: HTTP ${method} request` };
  if (method === 'DELETE') return { level: 'destructive', reason: 'destructive: HTTP DELETE request' };
  const url = http?.url ?? (/^\s*[A-Za-z]+\s+(\S+)/.exec(firstLine)?.[1] ?? '');
  if (['POST', 'PUT', 'PATCH'].includes(method) && DELETING_URL.test(url)) return { level: 'destructive', reason: `destructive: HTTP ${method} to a deleting endpoint (${url})` };
  if (['POST', 'PUT', 'PATCH'].includes(method)) return { level: 'write', reason: `write: HTTP ${method} request` };
  return { level: 'write', reason: `write: HTTP ${method} request (not a read-only method)` };
}

/** A URL path whose step deletes (`/admin/tsdb/delete_series`, `/queues/x/purge`, `/drop`): a POST there is destructive. */
const DELETING_URL = /^[^?#]*?[/_.-](delete|destroy|purge|drop|wipe|erase|truncate|flush)(?=[/_.?#-]|$)/i;

function summarize(found: Verdict[], text: string, analysis?: ShellAnalysis): RiskFinding {
  const finding = summarizeVerdicts(found, text, analysis);
  finding.reason = finding.reason.replace(/\u0001/g, '');
  if (finding.endless !== undefined) finding.endless = finding.endless.replace(/\u0001/g, '');
  if (finding.redefines !== undefined) finding.redefines = finding.redefines.replace(/\u0001/g, '');
  return finding;
}

function summarizeVerdicts(found: Verdict[], text: string, analysis?: ShellAnalysis): RiskFinding {
  const verdicts = [...found, ...arithmeticVerdicts(text, analysis ?? analyzeShell(text))];
  if (verdicts.length === 0) return { level: 'read', reason: 'read: nothing runs (only comments or blank lines)', decidedBy: 'risk.ts#empty' };
  let worst = verdicts[0]!;
  for (const v of verdicts) if (LEVEL_RANK[v.level] > LEVEL_RANK[worst.level]) worst = v;
  const extra: Pick<RiskFinding, 'endless' | 'redefines'> = {};
  const endless = verdicts.find((v) => v.endless !== undefined)?.endless;
  if (endless !== undefined) extra.endless = endless;
  const redefines = verdicts.find((v) => v.redefines !== undefined)?.redefines;
  if (redefines !== undefined) extra.redefines = redefines;
  if (worst.level === 'read') {
    const labels = [...new Set(verdicts.map((v) => v.rule).filter((r) => r !== ''))];
    const sources = [...new Set(verdicts.map((v) => v.source ?? (v.rule === 'assignment' ? 'risk.ts#assignment' : '')).filter((r) => r !== ''))];
    const decidedBy = sources.join(', ') || 'risk.ts#assignment';
    if (labels.length === 0) return { level: 'read', reason: 'read: only variable assignments', decidedBy, ...extra };
    return { level: 'read', reason: `read: every command is read-only (${labels.join(', ')})`, decidedBy, ...extra };
  }
  const decidedBy = worst.source ?? (worst.unknown !== undefined ? 'risk.ts#unknown-command' : 'risk.ts#rules');
  if (worst.unknown !== undefined) return { level: worst.level, reason: `${worst.level}: unknown command "${worst.unknown}"`, decidedBy, ...extra };
  return { level: worst.level, reason: `${worst.level}: ${worst.rule} in "${worst.snippet ?? ''}"`, decidedBy, ...extra };
}

// Bash evaluates the text of variables used in arithmetic (`(( x ))`, `$(( x ))`, `let`, `[[ a -eq b ]]`,
// array subscripts) as expressions, and `a[$(cmd)]` in such text runs cmd. A cell is read-only only if
// it has no arithmetic context, or nothing in it could hold such text (a quoted `$(`, a backtick, `read`).
function arithmeticVerdicts(text: string, analysis: ShellAnalysis): Verdict[] {
  const arithmetic = analysis.commands.some((c) => c.kind === 'arith' || hasArithPart(c) || isArithmeticCommand(c));
  if (!arithmetic) return [];
  const quotedCode = /\$\(|`/.test(literalText(analysis));
  const hasCommand = (w: WordToken): boolean => w.parts.some((p) => p.kind === 'command');
  const runtime = analysis.commands.some(
    (c) =>
      (c.args.length > 0 && ['read', 'mapfile', 'readarray', 'printf'].includes(wordValue(c.args[0]!)) && (wordValue(c.args[0]!) !== 'printf' || c.args.some((w) => wordValue(w) === '-v'))) ||
      c.assignments.some(hasCommand) ||
      (c.kind === 'for' && c.args.some(hasCommand)) ||
      (c.args.length > 0 && ['export', 'declare', 'typeset', 'local', 'readonly'].includes(wordValue(c.args[0]!)) && c.args.some(hasCommand)),
  );
  if (!quotedCode && !runtime) return [];
  return [{ level: 'write', rule: quotedCode ? 'arithmetic evaluation with command text in a string (a[$(cmd)] runs cmd)' : 'arithmetic on a value known only at run time (a[$(cmd)] in it would run cmd)', snippet: snippetOf(text), source: 'risk.ts#arithmetic' }];
}

// A configuration file read from what the cell itself produces (`--kubeconfig <(printf …)`,
// `KUBECONFIG=/dev/stdin kubectl get pods <<EOF`): a kubeconfig can name an exec credential plugin,
// so its content is code the cell wrote. A path to an existing file is the operator's configuration.
const CELL_STREAM = /^(\/dev\/stdin|\/dev\/fd\/\d+|\/proc\/self\/fd\/\d+|\/proc\/\d+\/fd\/\d+|-)$/;
function configFromCell(c: SimpleCommand): string | undefined {
  const fromCell = (parts: WordPart[], value: string): boolean => parts.some((p) => p.kind === 'process') || CELL_STREAM.test(value);
  const words = c.args;
  for (let i = 1; i < words.length; i++) {
    const v = wordValue(words[i]!);
    const eq = /^(--?[A-Za-z0-9_-]*config[A-Za-z0-9_-]*)=(.*)$/i.exec(v);
    if (eq && fromCell(words[i]!.parts, eq[2]!)) return `${eq[1]}=${eq[2] || '<(…)'}`;
    if (/^--?[A-Za-z0-9_-]*config[A-Za-z0-9_-]*$/i.test(v) && i + 1 < words.length && fromCell(words[i + 1]!.parts, wordValue(words[i + 1]!))) return `${v} ${words[i + 1]!.raw}`;
  }
  for (const a of c.assignments) {
    const v = wordValue(a);
    const name = assignedName(v);
    if (/config/i.test(name) && fromCell(a.parts, v.slice(v.indexOf('=') + 1))) return `${name}=${a.raw.slice(a.raw.indexOf('=') + 1)}`;
  }
  return undefined;
}

/** The parts of every word of a command: its arguments, its assignments and its redirect targets. */
function wordPartsOf(c: SimpleCommand): WordPart[][] {
  const out = [...c.args, ...c.assignments].map((w) => w.parts);
  for (const r of c.redirects) if (r.target !== null) out.push(r.target.parts);
  return out;
}

// `${a[$(cmd)]}`: the lexer keeps a subscript as text, but bash runs the substitution in it.
function unparsedCodeInExpansion(c: SimpleCommand): string | undefined {
  const visit = (parts: WordPart[]): string | undefined => {
    for (const p of parts) {
      if (p.kind === 'param') {
        if (p.inner.length === 0 && /\$\(|`/.test(p.raw)) return p.raw;
        for (const w of p.inner) if (w.type === 'word') {
          const hit = visit(w.parts);
          if (hit !== undefined) return hit;
        }
      }
    }
    return undefined;
  };
  for (const parts of wordPartsOf(c)) {
    const hit = visit(parts);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function hasArithPart(c: SimpleCommand): boolean {
  const inParts = (parts: WordPart[]): boolean => parts.some((p) => p.kind === 'arith' || (p.kind === 'param' && /\[/.test(p.raw)));
  return wordPartsOf(c).some(inParts);
}

const ARITH_TESTS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-v']);
function isArithmeticCommand(c: SimpleCommand): boolean {
  const argv = c.args.map(wordValue);
  const name = argv[0] ?? '';
  if (name === 'let') return true;
  if (['declare', 'typeset', 'local'].includes(name) && argv.some((a) => /^-[A-Za-z]*i/.test(a))) return true;
  if (name === '[[' && argv.some((a) => ARITH_TESTS.has(a))) return true;
  if (['test', '['].includes(name) && argv.includes('-v')) return true;
  return false;
}

// Every literal (quoted or not) piece of text in the cell, joined: where command text could hide.
function literalText(analysis: ShellAnalysis): string {
  const out: string[] = [];
  const visitParts = (parts: WordPart[]): void => {
    for (const p of parts) if (p.kind === 'literal') out.push(p.text);
  };
  for (const t of analysis.tokens) {
    if (t.type === 'word') visitParts(t.parts);
    if (t.type === 'redirect' && t.heredoc) out.push(t.heredoc.body);
  }
  for (const c of analysis.commands) for (const w of [...c.args, ...c.assignments]) visitParts(w.parts);
  return out.join('\n');
}

const MAX_DEPTH = 6;

// Shell text (a cell, an `sh -c` string, a `watch` payload) → one verdict per simple command.
function classifyShellText(text: string, depth: number, analysis?: ShellAnalysis): Verdict[] {
  if (depth > MAX_DEPTH) return [{ level: 'write', rule: 'commands nested too deeply to classify', snippet: snippetOf(text) }];
  const { complete, commands } = analysis ?? analyzeShell(text);
  const verdicts: Verdict[] = [];
  if (!complete) verdicts.push({ level: 'write', rule: 'cannot parse all of it (unclosed quote, substitution or [[)', snippet: snippetOf(text) });
  const functions = new Set(commands.flatMap((c) => (c.functionName !== undefined ? [c.functionName] : [])));
  for (const cmd of commands) verdicts.push(...classifyCommand(cmd, text, functions, depth));
  return verdicts;
}

function snippetOf(text: string): string {
  const flat = text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);

/**
 * Environment variables that change what a later command runs or which files it trusts
 * (`PATH`, `BASH_ENV`, `PS4` with `set -x`, `GIT_*`, `LD_PRELOAD`, pagers, editors, config homes).
 * Setting one makes the command `write`, and a cell that sets one for the session redefines later cells.
 */
export const DANGEROUS_ENV =
  /^(PATH|BASH_ENV|BASH_CMDS|BASH_ALIASES|ENV|PS[0-4]|PROMPT_COMMAND|SHELLOPTS|BASHOPTS|IFS|CDPATH|GLOBIGNORE|BASH_XTRACEFD|BASH_LOADABLES_PATH|BASH_COMPAT|EXECIGNORE|FUNCNEST|HISTFILE|INPUTRC|MAILPATH|HOME|XDG_CONFIG_HOME|XDG_DATA_HOME|ZDOTDIR|SHELL|EDITOR|VISUAL|PAGER|\w*PAGER|GIT_\w*|LD_\w*|DYLD_\w*|PYTHON\w*|PERL\w*|RUBY\w*|GEM_\w*|NODE_OPTIONS|NODE_PATH|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|LESS\w*|MANOPT|MANPATH|KUBECTL_EXTERNAL_DIFF|KUBE_EDITOR|\w*ASKPASS\w*|GCONV_PATH|HOSTALIASES|OPENSSL_\w*|CURL_HOME|WGETRC|SYSTEMD_\w*|PSQLRC|PGSERVICEFILE|MYSQL_HOME|REDISCLI_RCFILE|TERMINFO\w*|LOCPATH|NLSPATH|MALLOC_\w*|GLIBC_TUNABLES|AWKPATH|AWKLIBPATH|TAR_OPTIONS|GZIP|XZ_OPT|GREP_OPTIONS|RIPGREP_CONFIG_PATH|DOCKER_CONFIG|AWS_CONFIG_FILE|AWS_SHARED_CREDENTIALS_FILE|CLOUDSDK_\w*|BROWSER|TMOUT|POSIXLY_CORRECT)$/;

/** The name an assignment word (`NAME=x`, `NAME[i]=x`, `NAME+=x`) sets. */
function assignedName(word: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*/.exec(word)?.[0] ?? '';
}

// A prefix or standalone assignment, or an `export`/`declare` argument: write when it sets a
// dangerous variable, or holds command text that arithmetic or `eval` could run later.
function assignmentVerdict(word: WordToken | string, persistent: boolean): Verdict | undefined {
  const raw = typeof word === 'string' ? word : wordValue(word);
  const name = assignedName(raw);
  if (DANGEROUS_ENV.test(name)) {
    const v: Verdict = { level: 'write', rule: `sets ${name} (changes what later commands run)`, source: 'risk.ts#dangerous-variable' };
    if (persistent) v.redefines = `sets ${name}`;
    return v;
  }
  // A word as lexed tells text from expansion: `X=$(cmd)` stores cmd's output, `X='$(cmd)'` stores
  // command text. A bare string cannot tell them apart, so any `$(` or backquote in it counts.
  const literalCommandText = typeof word === 'string'
    ? /\$\(|`/.test(word)
    : /\$\(|`/.test(word.parts.filter((p) => p.kind === 'literal').map((p) => (p as { text: string }).text).join('')) ||
      // `$'\x24('` spells `$(` with escapes the lexer keeps as written: distrust them.
      word.parts.some((p) => p.kind === 'literal' && p.quote === 'ansi' && /\\[xuUc0-7]/.test(p.text));
  if (literalCommandText || /^[A-Za-z_][A-Za-z0-9_]*\[[^\]]*[$`]/.test(raw)) {
    const v: Verdict = { level: 'write', rule: `assigns command text to ${name} (arithmetic or eval would run it)`, source: 'risk.ts#assignment' };
    if (persistent) v.redefines = `assigns command text to ${name}`;
    return v;
  }
  return undefined;
}

/**
 * Variables a command stores into by name other than `NAME=value`: `read NAME`, `mapfile NAME`,
 * `getopts OPTS NAME`, `wait -p NAME`, a `for`/`select` loop variable, `${NAME:=value}`. Storing
 * into a dangerous variable (`read PATH`, `for PATH in /tmp/x`, `: ${BASH_ENV:=f}`) or storing
 * command text (`: ${x:='$(cmd)'}`) is write, as the same assignment written out would be.
 */
function storedVariable(cmd: SimpleCommand): Verdict | undefined {
  const names: string[] = [];
  const values: string[] = [];
  if (cmd.kind === 'for' && cmd.loopVar !== undefined) names.push(cmd.loopVar);
  const argv = cmd.args.map(wordValue);
  const name = argv[0] ?? '';
  const nameLike = (w: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(w);
  if (['read', 'mapfile', 'readarray'].includes(name)) names.push(...argv.slice(1).filter(nameLike));
  if (name === 'getopts' && argv[2] !== undefined) names.push(argv[2]);
  if (name === 'wait') argv.forEach((w, i) => w === '-p' && argv[i + 1] !== undefined && names.push(argv[i + 1]!));
  const visit = (parts: WordPart[]): void => {
    for (const p of parts) {
      if (p.kind !== 'param') continue;
      if (p.op === '=' || p.op === ':=') {
        names.push(p.name);
        // Only literal text stores code (`${x:='$(cmd)'}`); `${x:=$(date)}` stores date's output.
        const literal = p.inner.flatMap((w) => (w.type === 'word' ? w.parts : [])).filter((q) => q.kind === 'literal').map((q) => (q as { text: string }).text).join('');
        if (/\$\(|`/.test(literal)) values.push(p.raw);
      }
      for (const w of p.inner) if (w.type === 'word') visit(w.parts);
    }
  };
  for (const parts of wordPartsOf(cmd)) visit(parts);
  const bad = names.find((n) => DANGEROUS_ENV.test(n) || /^BASH_(CMDS|ALIASES)$/.test(n));
  if (bad !== undefined) return { level: 'write', rule: `stores into ${bad} (changes what later commands run)`, source: 'risk.ts#dangerous-variable', redefines: `stores into ${bad}` };
  const text = values[0];
  if (text !== undefined) return { level: 'write', rule: `assigns command text in ${text} (arithmetic or eval would run it)`, source: 'risk.ts#assignment', redefines: `assigns command text in ${text}` };
  return undefined;
}

function classifyCommand(cmd: SimpleCommand, text: string, functions: Set<string>, depth: number): Verdict[] {
  // The snippet starts at the command name: prefix assignments often hold secrets (PGPASSWORD=).
  const snippet = snippetOf(text.slice(cmd.args[0]?.start ?? cmd.start, cmd.end));
  const out: Verdict[] = [];
  const selfConfig = configFromCell(cmd);
  if (selfConfig !== undefined) out.push({ level: 'write', rule: `configuration the cell writes itself (${selfConfig}): a kubeconfig or config file can name a program to run`, snippet, source: 'risk.ts#config-from-cell' });
  const hidden = unparsedCodeInExpansion(cmd);
  if (hidden !== undefined) out.push({ level: 'write', rule: `command text inside an expansion (${hidden}: bash runs it)`, snippet, source: 'risk.ts#expansion' });
  let stdin: string | undefined;
  for (const r of cmd.redirects) {
    if (r.heredoc) stdin = r.heredoc.body;
    if (r.op === '<<<' && r.target) stdin = wordValue(r.target);
    const target = r.target ? wordValue(r.target) : '';
    if (/^\/dev\/(tcp|udp)\//.test(target)) {
      out.push({ level: 'write', rule: `network redirection (${r.fd}${r.op} ${target})`, snippet, source: 'risk.ts#redirect' });
      continue;
    }
    if (!WRITE_REDIRECTS.has(r.op)) continue;
    if (r.op !== '<>' && HARMLESS_TARGETS.has(target)) continue;
    if (r.op === '>&' && /^\d+-?$|^-$/.test(target)) continue;
    out.push({ level: 'write', rule: `redirect to a file (${r.fd}${r.op} ${target})`, snippet, source: 'risk.ts#redirect' });
  }
  const persistent = cmd.args.length === 0;
  const head = cmd.args.length > 0 ? wordValue(cmd.args[0]!) : '';
  for (const a of cmd.assignments) {
    // `IFS= read -r line`: a prefix IFS only changes how read/mapfile split their input.
    if (!persistent && assignedName(wordValue(a)) === 'IFS' && ['read', 'mapfile', 'readarray'].includes(head)) continue;
    const v = assignmentVerdict(a, persistent);
    if (v) out.push({ ...v, snippet: snippetOf(text.slice(cmd.start, cmd.end)) });
  }
  const stored = storedVariable(cmd);
  if (stored !== undefined) out.push({ ...stored, snippet: snippetOf(text.slice(cmd.start, cmd.end)) });
  if (cmd.functionName !== undefined) {
    out.push({ level: 'read', rule: '', redefines: `defines the function ${cmd.functionName}`, source: 'risk.ts#function' });
    return out;
  }
  if (cmd.kind !== 'simple' || cmd.args.length === 0) {
    out.push({ level: 'read', rule: cmd.kind === 'simple' && cmd.assignments.length > 0 ? 'assignment' : '', snippet, source: 'risk.ts#assignment' });
    return out;
  }
  const argv = cmd.args.map(dynamicValue);
  if (functions.has(argv[0]!)) {
    // The function's own body was classified where it was defined.
    out.push({ level: 'read', rule: `${argv[0]} (function defined in this cell)`, snippet, source: 'risk.ts#function' });
    return out;
  }
  out.push(classifyArgv(argv, { snippet, stdin, depth, words: cmd.args, cellText: text }));
  return out;
}

const SHELL_WORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'select', 'function', 'time', 'coproc', '{', '}', '!', '[[', ']]', '((', 'in']);
const HTTP_METHOD_WORD = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT)$/;

/** True when the word names a command the classifier knows (a rule, a tool entry, a plain list, a shell word). */
function isKnownCommand(word: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(word)) return false;
  const name = commandName(word);
  if (name === null || SHELL_WORDS.has(word) || HTTP_METHOD_WORD.test(word)) return true;
  return Object.hasOwn(HANDLERS, name) || TOOLS.has(name) || PLAIN_READ_SET.has(name) || Object.hasOwn(PLAIN_WRITE, name) || Object.hasOwn(PLAIN_DESTRUCTIVE, name) || Object.hasOwn(VERSION_ONLY, name);
}

/**
 * True when a line pasted after a command can only be that command's output: no word of it that
 * would run names a known command, a path or a shell keyword, and nothing in it redirects, assigns
 * a dangerous variable or defines anything (`NAME   READY`, `PONG`, `| Member | Host |`, `run: x`).
 */
export function isPastedOutputLine(line: string): boolean {
  const first = line.trim().split(/\s+/)[0] ?? '';
  if (first === '' || first.startsWith('#')) return true;
  // `NAMESPACE=x` is an assignment the following commands need, not output.
  if (/^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(first)) return false;
  if (isKnownCommand(first.replace(/^['"]|['"]$/g, ''))) return false;
  return classifyShellText(line, 0).every((v) => {
    if (v.redefines !== undefined || v.endless !== undefined) return false;
    if (v.level === 'read') return v.source === undefined || v.source === 'risk.ts#assignment';
    if (v.level !== 'write') return false;
    if (v.rule.startsWith('cannot parse')) return true;
    return v.unknown !== undefined && (/^[^\s/]+$/.test(v.unknown) || /^[a-z][a-z0-9+.-]*:\/\/\S*$/i.test(v.unknown)) && !isKnownCommand(v.unknown) && /^unknown command/.test(v.rule);
  });
}

/** Marks the expansions in a word's value (`\u0001$NS\u0001`): rules that read a program or URL see it is not known. */
const DYNAMIC = '\u0001';
function dynamicValue(word: WordToken): string {
  if (word.parts.every((p) => p.kind === 'literal')) return wordValue(word);
  return word.parts.map((p) => (p.kind === 'literal' ? p.text : `${DYNAMIC}${p.raw}${DYNAMIC}`)).join('');
}

interface Context {
  snippet: string;
  /** The command's words as lexed (for quoting), when classifying a whole simple command. */
  words?: WordToken[];
  /** The shell text the command is part of (the cell, or a payload). */
  cellText?: string;
  /** A heredoc body or here-string given to the command. */
  stdin: string | undefined;
  depth: number;
}

const read = (rule: string): Verdict => ({ level: 'read', rule });
const write = (rule: string): Verdict => ({ level: 'write', rule });
const destructive = (rule: string): Verdict => ({ level: 'destructive', rule });
const endless = (rule: string, why: string): Verdict => ({ level: 'read', rule, endless: why });

const PLAIN_READ_SET = new Set(PLAIN_READ);

type Handler = (args: string[], ctx: Context, name: string) => Verdict;

/** Words of a builtin's arguments that hold an array subscript with expansions (`a[$(id)]`): evaluated as code. */
function subscriptWord(args: string[]): string | undefined {
  return args.find((a) => /^[A-Za-z_][A-Za-z0-9_]*\[.*[$`]/.test(a) || /\[.*\$\(/.test(a));
}

// `export`, `declare`, `local`, `typeset`, `readonly`: assignments in arguments.
function classifyDeclare(args: string[], ctx: Context, name: string): Verdict {
  // `declare -n x=PATH` makes a later `x=/tmp` set PATH (and `x='a[$(cmd)]'` runs cmd): not provable.
  if (name !== 'export' && args.some((a) => /^-[A-Za-z]*n/.test(a))) return { ...write(`${name} -n (a name reference: later assignments set another variable)`), redefines: `${name} -n` };
  // The lexed words of the arguments, when the whole command was lexed (they end the command's words).
  const tokens = ctx.words && ctx.words.length === args.length + 1 ? ctx.words.slice(1) : undefined;
  for (const [i, a] of args.entries()) {
    if (a.startsWith('-') || a.startsWith('+')) continue;
    if (a.includes('=') || /^[A-Za-z_]/.test(a)) {
      const v = assignmentVerdict(tokens?.[i] ?? a, true);
      if (v) return v;
    }
  }
  const sub = subscriptWord(args);
  if (sub) return write(`${name} ${sub} (a subscript is evaluated as code)`);
  return read(name);
}

const HANDLERS: Record<string, Handler> = {
  curl: classifyCurl,
  wget: classifyWget,
  http: classifyHttpie,
  https: classifyHttpie,
  xh: classifyHttpie,
  rm: (a) => (shortFlag(a, 'rRf') || a.some((x) => x === '--recursive' || x === '--force') ? destructive('rm -rf (rm with -r/-f)') : destructive('rm (removes files)')),
  kill: (a) => (a[0] === '-0' || a[0] === '-l' || a[0] === '-L' || (a[0] === '-s' && a[1] === '0') ? read('kill -0') : destructive('kill (signals processes)')),
  service: (a) => {
    const action = a.filter((x) => !x.startsWith('-'))[1] ?? '';
    if (action === 'status' || (a.length === 1 && a[0] === '--status-all')) return read('service status');
    if (['stop', 'restart', 'force-reload', 'try-restart'].includes(action)) return destructive(`service ${action}`);
    return write(`service ${action || '(no action)'}`);
  },
  psql: classifyPsql,
  'gitlab-psql': classifyPsql,
  'gitlab-geo-psql': classifyPsql,
  // GitLab's psql into pgbouncer's admin console (SHOW reads; PAUSE/RELOAD write; KILL/SHUTDOWN destroy).
  'pgb-console': classifyPsql,
  mysql: classifyMysql,
  mariadb: classifyMysql,
  sqlite3: (a, ctx) => {
    if (a.some((x) => x.startsWith('-') && !['-readonly', '-header', '-noheader', '-column', '-csv', '-json', '-line', '-list', '-table', '-box', '-markdown', '-batch', '-bail'].includes(x))) return write('sqlite3 with an option not on the read-only list');
    const positional = a.filter((x) => !x.startsWith('-'));
    // Every argument after the database is run, in order (`sqlite3 db 'select 1' '.shell cmd'`).
    const sql = positional.length > 1 ? positional.slice(1).map((x) => (/^\s*\./.test(x) ? x : `${x};`)).join('\n') : ctx.stdin;
    if (sql === undefined) return write('sqlite3 session');
    if (/(^|\n|;)\s*\./.test(sql)) return write('sqlite3 dot-command (can write files or run programs)');
    return sqlVerdict(sql, 'sqlite3');
  },
  pg_dump: (a) => (a.some((x) => x === '-f' || x.startsWith('--file') || /^-f./.test(x)) ? write('pg_dump -f (writes a dump file)') : read('pg_dump')),
  find: classifyFind,
  sed: classifySed,
  awk: classifyAwk,
  gawk: classifyAwk,
  mawk: classifyAwk,
  nawk: classifyAwk,
  busybox: (a, ctx) => (a.length === 0 ? read('busybox') : wrapped('busybox', a, ctx)),
  perl: (a) => (shortFlag(a, 'i') ? write('perl -i (edits files in place)') : write('perl script')),
  yq: (a) => (shortFlag(a, 'is') || a.some((x) => /^--(inplace|split-exp|split-exp-file|from-file)/.test(x)) ? write('yq -i/-s (writes files)') : read('yq')),
  tee: (a) => {
    const files = a.filter((x) => !x.startsWith('-') && !HARMLESS_TARGETS.has(x));
    return files.length > 0 ? write(`tee ${files[0]} (writes a file)`) : read('tee');
  },
  sort: classifySort,
  uniq: (a) => {
    // `uniq [-f N] [-s N] [-w N] [INPUT [OUTPUT]]`; `-` is standard input, so `uniq - out` writes out.
    const positional: string[] = [];
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      if (['-f', '-s', '-w', '--skip-fields', '--skip-chars', '--check-chars'].includes(x)) i++;
      else if (x === '--') positional.push(...a.slice(i + 1)), (i = a.length);
      else if (x === '-' || !x.startsWith('-')) positional.push(x);
    }
    return positional.length >= 2 ? write(`uniq INPUT ${positional[1]} (writes a file)`) : read('uniq');
  },
  xxd: (a) => {
    let positional = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      if (['-l', '-s', '-c', '-g', '-o', '-n', '-len', '-seek', '-cols', '-groupsize', '-name'].includes(x)) i++;
      else if (!x.startsWith('-') || x === '-') positional++;
    }
    return positional >= 2 ? write('xxd INFILE OUTFILE (writes a file)') : read('xxd');
  },
  tar: classifyTar,
  less: classifyPager,
  more: classifyPager,
  most: classifyPager,
  date: (a) => (a.some((x) => x === '-s' || x.startsWith('--set') || /^-[A-Za-z]*s/.test(x) || /^\d{4,}/.test(x)) ? write('date -s (sets the clock)') : read('date')),
  hostname: (a) => (a.some((x) => !x.startsWith('-') || /^-(F|b|-file|-boot)/.test(x)) ? write('hostname NAME (sets the host name)') : read('hostname')),
  top: (a) => (a.some((x) => /^-[A-Za-z]*n/.test(x) || x.startsWith('--iterations')) ? read('top -n') : endless('top', 'top without -n runs until interrupted')),
  tail: (a) => {
    const follow = a.find((x) => x === '--follow' || x.startsWith('--follow=') || /^-[A-Za-z0-9]*[fF]/.test(x));
    return follow ? endless('tail', `tail ${follow} runs until interrupted`) : read('tail');
  },
  ping: (a) => (a.some((x) => /^-[A-Za-z]*[cw]/.test(x) || x.startsWith('--count') || x.startsWith('--deadline')) ? read('ping -c') : endless('ping', 'ping without -c runs until interrupted')),
  ping6: (a) => (a.some((x) => /^-[A-Za-z]*[cw]/.test(x)) ? read('ping6 -c') : endless('ping6', 'ping6 without -c runs until interrupted')),
  vmstat: statHandler('vmstat'),
  iostat: statHandler('iostat'),
  mpstat: statHandler('mpstat'),
  pidstat: statHandler('pidstat'),
  sar: statHandler('sar'),
  dmesg: (a) => {
    if (a.some((x) => /^(-c|-C|--clear|--read-clear|-n|--console-level|-D|-E|--console-off|--console-on)$/.test(x) || /^-[A-Za-z]*[cCDE]/.test(x))) return write('dmesg (changes the kernel log)');
    return a.some((x) => x === '-w' || x === '--follow' || x === '-W' || x === '--follow-new') ? endless('dmesg', 'dmesg -w runs until interrupted') : read('dmesg');
  },
  'nvidia-smi': (a) => {
    if (a.some((x) => /^(-f|--filename|-r|--gpu-reset|-pm|--persistence-mode|-pl|--power-limit|-c|--compute-mode|-ac|-rac|-e|--ecc-config|-am|-caa|-lgc|-rgc|-lmc|-rmc|-mig|--multi-instance-gpu|-acp|--auto-boost)(=|$)/.test(x))) return write('nvidia-smi (changes GPU settings or writes a file)');
    return a.some((x) => /^(-l|--loop|-lms|--loop-ms|dmon|pmon)(=|$)/.test(x)) ? endless('nvidia-smi', 'nvidia-smi -l/dmon runs until interrupted') : read('nvidia-smi');
  },
  'rocm-smi': (a) => {
    const bad = a.find((x) => /^(--set|--reset|-r$|--gpureset|--load|--save|--autorespond|--setprofile|--resetprofile)/.test(x));
    return bad ? write(`rocm-smi ${bad} (changes GPU settings)`) : read('rocm-smi');
  },
  sysctl: (a) => (a.some((x) => x === '-w' || x === '-p' || x.startsWith('--load') || x === '--system' || x === '--write' || /^-[A-Za-z]*[wp]/.test(x) || (!x.startsWith('-') && x.includes('='))) ? write('sysctl (sets kernel parameters)') : read('sysctl')),
  nft: (a) => {
    if (a.some((x) => x === '-f' || x.startsWith('--file') || x === '-i' || x === '--interactive')) return write('nft -f (loads a rule file)');
    const verb = a.find((x) => !x.startsWith('-')) ?? '';
    if (verb === 'list') return read('nft list');
    if (verb === 'monitor') return endless('nft monitor', 'nft monitor runs until interrupted');
    if (['delete', 'flush', 'destroy'].includes(verb)) return destructive(`nft ${verb} (removes firewall rules)`);
    return write(`nft ${verb || '(no command)'} (changes firewall rules)`);
  },
  pip: classifyPip,
  pip3: classifyPip,
  npm: (a) => {
    const sub = a.find((x) => !x.startsWith('-')) ?? '';
    if (['ls', 'list', 'll', 'la', 'view', 'info', 'show', 'outdated', 'whoami', 'ping', 'explain', 'why', 'search'].includes(sub)) return read(`npm ${sub}`);
    if (sub === '' && a.length === 1 && (a[0] === '--version' || a[0] === '-v')) return read('npm --version');
    return write(`npm ${sub} (installs or runs code)`);
  },
  apt: classifyPackages,
  'apt-get': classifyPackages,
  dnf: classifyPackages,
  yum: classifyPackages,
  apk: classifyPackages,
  brew: classifyPackages,
  snap: classifyPackages,
  alembic: (a) => {
    const sub = subcommand(a, ['-c', '--config', '-n', '--name', '-x']);
    if (['current', 'history', 'heads', 'show', 'branches', 'check'].includes(sub)) return read(`alembic ${sub}`);
    if (sub === 'downgrade') return destructive('alembic downgrade (downgrade migration)');
    return write(`alembic ${sub} (changes the database schema)`);
  },
  python: classifyPython,
  python3: classifyPython,
  source: (a) => ({ ...write(`source ${a[0] ?? ''} (runs a file)`), redefines: `sources ${a[0] ?? 'a file'}` }),
  '.': (a) => ({ ...write(`. ${a[0] ?? ''} (runs a file)`), redefines: `sources ${a[0] ?? 'a file'}` }),
  nc: (a) => (shortFlag(a, 'z') && !a.some((x) => /^-[A-Za-z]*[elcL]/.test(x)) ? read('nc -z') : write('nc (opens a connection)')),
  rg: (a) => (a.some((x) => /^--(pre|pre-glob|search-zip)(=|$)/.test(x) || /^-[A-Za-z]*z/.test(x)) ? write('rg --pre/-z (runs a program on each file)') : read('rg')),
  ag: (a) => (a.some((x) => /^--(pager|search-zip)(=|$)/.test(x) || /^-[A-Za-z]*z/.test(x)) ? write('ag --pager (runs a program)') : read('ag')),
  file: (a) => (a.some((x) => x === '-C' || x === '--compile' || /^-[A-Za-z]*C/.test(x)) ? write('file -C (writes a magic file)') : read('file')),
  history: (a) => (a.length === 0 || (a.length === 1 && /^\d+$/.test(a[0]!)) ? read('history') : write('history with options (changes or writes the history)')),
  crontab: (a) => (a.length === 1 && a[0] === '-l' || (a.length === 3 && a[0] === '-u' && a[2] === '-l') || (a.length === 3 && a[0] === '-l' && a[1] === '-u') ? read('crontab -l') : write('crontab (changes the crontab)')),
  // Hardware and kernel readers with one writing option each (red team: they were name-only reads).
  lshw: (a) => (a.some((x) => x === '-dump' || x === '--dump') ? write('lshw -dump (writes a database file)') : read('lshw')),
  dmidecode: (a) => (a.some((x) => x === '--dump-bin' || x.startsWith('--dump-bin=')) ? write('dmidecode --dump-bin (writes a file)') : read('dmidecode')),
  sensors: (a) => (a.some((x) => x === '-s' || x === '--set' || /^-[A-Za-z]*s/.test(x)) ? write('sensors -s (sets chip limits)') : read('sensors')),
  slabtop: (a) => (a.some((x) => x === '-o' || x === '--once' || /^-[A-Za-z]*o/.test(x)) ? read('slabtop --once') : endless('slabtop', 'slabtop without --once runs until interrupted')),
  dstat: (a) => {
    if (a.some((x) => x === '--output' || x.startsWith('--output='))) return write('dstat --output (writes a CSV file)');
    return a.filter((x) => /^\d+$/.test(x)).length >= 2 ? read('dstat') : endless('dstat', 'dstat without a count runs until interrupted');
  },
  // `jobs -x CMD ARGS` runs CMD (with job specs replaced by process group ids).
  jobs: (a, ctx) => (a[0] === '-x' ? wrapped('jobs -x', a.slice(1), ctx) : a.some((x) => /^-[A-Za-z]*x/.test(x)) ? write('jobs -x (runs a command)') : read('jobs')),
  printf: (a) => (a[0] === '-v' || a.some((x) => /^-v./.test(x)) ? write('printf -v (assigns to a variable, whose subscript is evaluated)') : read('printf')),
  read: (a) => {
    const sub = subscriptWord(a);
    if (sub) return write(`read ${sub} (a subscript is evaluated as code)`);
    return read('read');
  },
  mapfile: (a) => (a.some((x) => /^-[A-Za-z]*C/.test(x)) || subscriptWord(a) ? write('mapfile -C (runs a callback)') : read('mapfile')),
  readarray: (a) => (a.some((x) => /^-[A-Za-z]*C/.test(x)) || subscriptWord(a) ? write('readarray -C (runs a callback)') : read('readarray')),
  unset: (a) => (subscriptWord(a) || a.some((x) => x.includes('[')) ? write('unset with a subscript (evaluated as code)') : read('unset')),
  let: (a) => (a.some((x) => /[$`\[]/.test(x)) ? write('let with expansions or subscripts (evaluated as code)') : read('let')),
  test: (a) => (subscriptWord(a) ? write('test -v with a subscript (evaluated as code)') : read('test')),
  '[': (a) => (subscriptWord(a) ? write('[ -v with a subscript (evaluated as code)') : read('[')),
  '[[': (a) => (subscriptWord(a) ? write('[[ with a subscript (evaluated as code)') : read('[[')),
  export: classifyDeclare,
  declare: classifyDeclare,
  typeset: classifyDeclare,
  local: classifyDeclare,
  readonly: classifyDeclare,
  alias: (a) => (a.every((x) => x === '-p' || !x.includes('=')) ? read('alias (lists aliases)') : { ...write('alias (redefines a command)'), redefines: `alias ${a.find((x) => x.includes('=')) ?? ''}` }),
  unalias: () => ({ ...write('unalias (changes what a command name runs)'), redefines: 'unalias' }),
  hash: (a) => (a.length === 0 || a.every((x) => x === '-l' || x === '-t' || x === '-d' || !x.startsWith('-')) && !a.includes('-p') && a.every((x) => x.startsWith('-') || a.includes('-t') || a.includes('-d') || a.includes('-l')) ? read('hash') : { ...write('hash (redefines where a command name points)'), redefines: `hash ${a.join(' ')}` }),
  enable: (a) => (a.length === 0 || (a.length === 1 && ['-a', '-p', '-s'].includes(a[0]!)) ? read('enable (lists builtins)') : { ...write('enable (loads or disables shell builtins)'), redefines: `enable ${a.join(' ')}` }),
  trap: (a) => (a.length === 0 || a.every((x) => x === '-p' || x === '-l') ? read('trap (lists traps)') : { ...write('trap (runs code on a signal or before every command)'), redefines: `trap ${a.slice(1).join(' ')}` }),
  set: (a) => (a.some((x) => /^[-+][A-Za-z]*T/.test(x) || x === 'functrace') ? { ...write('set -T (traps run in functions)'), redefines: 'set -T' } : read('set')),
  shopt: (a) => (a.includes('expand_aliases') || a.includes('extdebug') ? { ...write(`shopt ${a.join(' ')}`), redefines: `shopt ${a.join(' ')}` } : read('shopt')),
  // Wrappers: their payload decides.
  sudo: classifySudo,
  // `chroot DIR cmd` and `nsenter -t PID -m -- cmd` run cmd elsewhere: cmd decides; alone they start a shell.
  // The command's name is resolved inside the new root or mount namespace, so only the host's own
  // (`chroot /host` in `oc debug node/x`, `nsenter -t 1`) keeps `cat` meaning the host's cat.
  chroot: (a, ctx) => {
    const rest = skipOptions(a.filter((x) => !/^--(userspec|groups)=/.test(x)), []);
    if (rest.length < 2) return write('chroot without a command (starts a shell)');
    const inner = wrapped(`chroot ${rest[0]}`, rest.slice(1), ctx);
    if (/^\/(host\/?)?$/.test(rest[0]!) || inner.level === 'destructive') return inner;
    return write(`chroot ${rest[0]} (the command comes from that directory)`);
  },
  nsenter: (a, ctx) => {
    const rest = skipOptions(a, ['-t', '--target', '-S', '--setuid', '-G', '--setgid']);
    const own = a.slice(0, a.length - rest.length);
    if (rest.length === 0) return write('nsenter without a command (starts a shell)');
    const inner = wrapped('nsenter', rest, ctx);
    const targetOne = own.some((x, i) => ((x === '-t' || x === '--target') && own[i + 1] === '1') || x === '--target=1' || x === '-t1');
    const otherRoot = own.some((x) => /^(--root|--wd)/.test(x) || /^-[A-Za-z]*[rw]/.test(x));
    if ((targetOne && !otherRoot) || inner.level === 'destructive') return inner;
    return write('nsenter into a process other than PID 1, or with another root (the command comes from there)');
  },
  // daemontools' envdir DIR cmd: the command decides (the directory only sets variables, checked as prefix assignments cannot be).
  envdir: () => write('envdir (sets variables from files, which may change what the command runs)'),
  doas: (a, ctx) => (a.includes('-s') ? write('doas -s (a shell)') : wrapped('doas', skipOptions(a, ['-u', '-C']), ctx)),
  env: classifyEnv,
  timeout: (a, ctx) => {
    const rest = skipOptions(a, ['-s', '--signal', '-k', '--kill-after']);
    const inner = wrapped('timeout', rest.slice(1), ctx);
    delete inner.endless;
    return inner;
  },
  nice: (a, ctx) => wrapped('nice', skipOptions(a, ['-n', '--adjustment']).filter((x, i) => !(i === 0 && /^-\d+$/.test(x))), ctx),
  // nohup appends to ./nohup.out (or ~/nohup.out) when standard output is a terminal, and exists to outlive the run.
  nohup: (a, ctx) => {
    const inner = wrapped('nohup', a, ctx);
    return inner.level === 'read' ? write(`nohup ${a[0] ?? ''} (writes nohup.out and outlives the run)`) : inner;
  },
  stdbuf: (a, ctx) => wrapped('stdbuf', skipOptions(a, ['-i', '-o', '-e']), ctx),
  ionice: (a, ctx) => wrapped('ionice', skipOptions(a, ['-c', '--class', '-n', '--classdata', '-p', '--pid']), ctx),
  chrt: () => write('chrt (changes scheduling)'),
  taskset: (a, ctx) => (a.some((x) => /^-[A-Za-z]*p/.test(x) || x === '--pid') ? write('taskset -p (changes a process)') : wrapped('taskset', skipOptions(a, []).slice(1), ctx)),
  time: (a, ctx) => (a.some((x) => x === '-o' || x.startsWith('--output') || x === '-a' || x === '--append') ? write('time -o (writes a file)') : wrapped('time', skipOptions(a, ['-f', '--format']), ctx)),
  command: (a, ctx) => (a.some((x) => /^-[A-Za-z]*[vV]/.test(x)) ? read('command -v') : wrapped('command', skipOptions(a, []), ctx)),
  builtin: (a, ctx) => wrapped('builtin', a, ctx),
  exec: (a, ctx) => (a.length === 0 ? read('exec') : wrapped('exec', skipOptions(a, ['-a']), ctx)),
  xargs: (a, ctx) => {
    if (a.some((x) => /^-[A-Za-z]*[p]/.test(x) || x === '--interactive' || x.startsWith('--process-slot-var'))) return write('xargs -p (prompts)');
    const rest = skipOptions(a, ['-I', '-n', '-P', '-d', '-E', '-L', '-s', '-a', '--max-args', '--max-procs', '--delimiter', '--arg-file', '--replace', '--eof', '--max-lines', '--max-chars']);
    if (rest.length === 0) return read('xargs echo');
    const verdict = wrapped('xargs', rest, ctx);
    // The input becomes arguments (or replaces `{}`): a command that reads its arguments as shell
    // text (`sh -c 'cat {}'`, `ssh host cat`, `watch`) or as a program (`xargs sed`) would run it.
    // Probe: classify again with a command substitution where the input lands.
    const own = a.slice(0, a.length - rest.length);
    let replace: string | undefined;
    for (let i = 0; i < own.length; i++) {
      const x = own[i]!;
      if (x === '-I' || x === '--replace') replace = own[i + 1] ?? '{}';
      else if (x.startsWith('--replace=')) replace = x.slice('--replace='.length) || '{}';
      else if (/^-I./.test(x)) replace = x.slice(2);
      else if (x === '-i' || /^-i./.test(x)) replace = x.length > 2 ? x.slice(2) : '{}';
    }
    const probe = `${DYNAMIC}$(rm -rf /xargs-input)${DYNAMIC}`;
    const probed = replace !== undefined && replace !== '' ? rest.map((w) => w.split(replace!).join(probe)) : [...rest, probe];
    const worst = wrapped('xargs', probed, ctx);
    if (LEVEL_RANK[worst.level] > LEVEL_RANK[verdict.level] && verdict.level === 'read') return write(`xargs ${rest[0]} (its input would be run as code: ${worst.rule.replace(/\u0001/g, '')})`);
    return verdict;
  },
  watch: (a, ctx) => {
    const rest = skipOptions(a, ['-n', '--interval', '-d', '--differences', '-q', '--equexit']);
    if (rest.length === 0) return write('watch without a command');
    if (a.some((x) => x === '-g' || x === '--chgexit' || x === '-e' || x === '--errexit')) return write('watch -g/-e (not a plain repeat)');
    const inner = payload('watch', rest.join(' '), ctx);
    return inner.level === 'read' ? { ...inner, endless: 'watch runs until interrupted' } : inner;
  },
  eval: (a, ctx) => payload('eval', a.join(' '), ctx),
  ssh: classifySsh,
  knife: (a, ctx) => {
    if ((a[0] ?? '') !== 'ssh') return toolVerdict('knife', a, ctx) ?? write('knife');
    const value = new Set(['-x', '--ssh-user', '-a', '--attribute', '-C', '--concurrency', '-i', '--ssh-identity-file', '-p', '--ssh-port', '-G', '--ssh-gateway', '-m', '-P', '--ssh-password', '-E', '--environment', '-c', '--config', '-s', '--server-url', '-u', '--user', '-k', '--key', '--prefix-attribute']);
    const positional: string[] = [];
    for (let i = 1; i < a.length; i++) {
      const x = a[i]!;
      if (x === '--') {
        positional.push(...a.slice(i + 1));
        break;
      }
      if (value.has(x)) i++;
      else if (/^-[A-Za-z]./.test(x) && value.has(x.slice(0, 2))) continue;
      else if (x.startsWith('-')) {
        if (!['-m', '--manual-list', '-A', '--forward-agent', '--no-host-key-verify', '--exit-on-error', '--tmux', '--no-color', '-V', '--verbose', '-y', '--yes', '-e', '--ssh-forward-agent'].includes(x) && !x.includes('=')) return write(`knife ssh ${x} (option not on the read-only list)`);
      } else positional.push(x);
    }
    if (positional.length < 2) return write('knife ssh without a command');
    const verdict = payload(`knife ssh ${positional[0]}`, positional.slice(1).join(' '), ctx);
    return verdict;
  },
  sh: classifyShell,
  bash: classifyShell,
  zsh: classifyShell,
  dash: classifyShell,
  ksh: classifyShell,
};

// sudo's own options come before the command: `sudo lsof -i :80` is lsof's -i, not sudo's.
// Only options that neither open a shell or editor nor keep the caller's environment are accepted.
const SUDO_VALUE = new Set(['-u', '--user', '-g', '--group', '-p', '--prompt', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-r', '--role', '-t', '--type', '-T', '--command-timeout', '-U', '--other-user']);
// Not -A/--askpass: it runs the program SUDO_ASKPASS names.
const SUDO_FLAGS = new Set(['-n', '--non-interactive', '-H', '--set-home', '-S', '--stdin', '-P', '--preserve-groups', '-k', '--reset-timestamp', '-B', '--bell', '-N', '--no-update']);
function classifySudo(a: string[], ctx: Context): Verdict {
  let i = 0;
  for (; i < a.length; i++) {
    const x = a[i]!;
    if (x === '--') {
      i++;
      break;
    }
    if (!x.startsWith('-') || x === '-') break;
    if (SUDO_VALUE.has(x)) {
      i++;
      continue;
    }
    const eq = x.indexOf('=');
    if (x.startsWith('--') && eq > 0 && SUDO_VALUE.has(x.slice(0, eq))) continue;
    if (!x.startsWith('--') && x.length > 2 && SUDO_VALUE.has(x.slice(0, 2))) continue;
    if (['-l', '--list', '-V', '--version', '-v', '--validate'].includes(x)) return read(`sudo ${x} (lists privileges, runs nothing)`);
    if (SUDO_FLAGS.has(x) || (!x.startsWith('--') && [...x.slice(1)].every((c) => SUDO_FLAGS.has(`-${c}`)))) continue;
    return write(`sudo ${x} (a shell, an editor, the caller's environment or an option not on the read-only list)`);
  }
  return wrapped('sudo', a.slice(i), ctx);
}

// `vmstat 5` runs until interrupted; `vmstat 5 3` stops after three reports.
function statHandler(name: string): Handler {
  return (a) => {
    const numbers = a.filter((x) => /^\d+$/.test(x));
    return numbers.length === 1 ? endless(name, `${name} with an interval and no count runs until interrupted`) : read(name);
  };
}

/** Wrappers whose payload is another command's argv (leading `NAME=value` words are its environment). */
function wrapped(name: string, argv: string[], ctx: Context): Verdict {
  let i = 0;
  while (i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!)) {
    const v = assignmentVerdict(argv[i]!, false);
    if (v) return { ...v, rule: `${v.rule} (under ${name})` };
    i++;
  }
  const rest = argv.slice(i);
  if (rest.length === 0) return name === 'sudo' || name === 'doas' ? write(`${name} without a command`) : read(name);
  const inner = classifyArgv(rest, { ...ctx, depth: ctx.depth + 1, words: undefined });
  return { ...inner, rule: inner.level === 'read' ? `${name} ${inner.rule}` : `${inner.rule} (under ${name})` };
}

/** Wrappers whose payload is shell text run by another shell. */
function payload(name: string, text: string, ctx: Context): Verdict {
  const verdicts = classifyShellText(text, ctx.depth + 1);
  if (verdicts.length === 0) return read(name);
  let worst = verdicts[0]!;
  for (const v of verdicts) if (LEVEL_RANK[v.level] > LEVEL_RANK[worst.level]) worst = v;
  const extra: Pick<Verdict, 'endless' | 'redefines' | 'source'> = {};
  const follow = verdicts.find((v) => v.endless !== undefined)?.endless;
  if (follow !== undefined) extra.endless = follow;
  const redefines = verdicts.find((v) => v.redefines !== undefined)?.redefines;
  if (redefines !== undefined) extra.redefines = redefines;
  if (worst.level === 'read') {
    const labels = [...new Set(verdicts.map((v) => v.rule).filter((r) => r !== ''))];
    const sources = [...new Set(verdicts.map((v) => v.source ?? '').filter((r) => r !== ''))];
    if (sources.length > 0) extra.source = sources.join(', ');
    return { ...read(`${name} (${labels.join(', ')})`), ...extra };
  }
  if (worst.source !== undefined) extra.source = worst.source;
  const rule = worst.unknown !== undefined ? `unknown command "${worst.unknown}"` : worst.rule;
  return { level: worst.level, rule: `${rule} (run by ${name})`, ...extra };
}

/** Options a few wrappers accept before their payload; `withValue` options take the next word. */
function skipOptions(args: string[], withValue: string[]): string[] {
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return args.slice(i + 1);
    if (!a.startsWith('-') || a === '-') break;
    if (withValue.includes(a)) i += 2;
    else i += 1;
  }
  return args.slice(i);
}

/** The first word that is not an option (nor an option's value). */
function subcommand(args: string[], withValue: string[]): string {
  return skipOptions(args, withValue)[0] ?? '';
}

/** True when a short-option cluster (`-rf`, `-fsSL`) holds one of `chars`. */
function shortFlag(args: string[], chars: string): boolean {
  return args.some((a) => /^-[A-Za-z0-9]+$/.test(a) && [...a.slice(1)].some((c) => chars.includes(c)));
}

const SQL_CLIENTS = new Set(['psql', 'gitlab-psql', 'gitlab-geo-psql', 'pgb-console', 'mysql', 'mariadb', 'sqlite3']);

// A tool from the data files (`src/parse/tools/`), or undefined when none covers the name.
function toolVerdict(name: string, args: string[], ctx: Context): Verdict | undefined {
  const tool = TOOLS.get(name);
  if (tool === undefined) return undefined;
  const match = matchTool(tool.spec, name, tool.entry, args);
  if (match.level !== 'read') {
    // A writing form that runs a command (`kubectl debug node/x -- chroot /host systemctl restart kubelet`) is as bad as that command.
    if (match.runs !== undefined && match.runs.length > 0) {
      const inner = classifyExec(match.label, match.runs, ctx);
      if (inner.level === 'destructive') return { ...inner, source: inner.source === undefined ? match.entry : `${match.entry}, ${inner.source}` };
    }
    return { level: match.level, rule: match.label, source: match.entry };
  }
  if (match.runs !== undefined) {
    const inner = classifyExec(match.label, match.runs, ctx);
    return { ...inner, source: inner.source === undefined ? match.entry : `${match.entry}, ${inner.source}` };
  }
  const v: Verdict = { level: 'read', rule: match.label, source: match.entry };
  if (match.endless !== undefined) v.endless = match.endless;
  return v;
}

function classifyExec(label: string, inner: string[], ctx: Context): Verdict {
  if (inner.length === 0) return write(`${label} without a command`);
  const verdict = classifyArgv(inner, { ...ctx, depth: ctx.depth + 1, words: undefined });
  if (verdict.level === 'read') return { ...verdict, rule: `${label} ${verdict.rule}` };
  const rule = verdict.unknown !== undefined ? `unknown command "${verdict.unknown}"` : verdict.rule;
  return { ...verdict, unknown: undefined, rule: `${rule} (in ${label})` } as Verdict;
}

// An argv (a simple command's words, or a wrapper's payload) → one verdict.
function classifyArgv(argv: string[], ctx: Context): Verdict {
  const withSnippet = (v: Verdict): Verdict => ({ snippet: ctx.snippet, ...v });
  if (ctx.depth > MAX_DEPTH) return withSnippet(write('commands nested too deeply to classify'));
  const raw = argv[0]!;
  const rest = argv.slice(1);
  const name = commandName(raw);
  let verdict: Verdict;
  if (activePolicy !== undefined) {
    const hit = matchPolicy(activePolicy.policy, argv.join(' ').replace(/\u0001/g, ''));
    if (hit !== undefined) {
      activePolicy.used?.add(hit.rule);
      return withSnippet({ level: hit.level, rule: `${argv[0]} (team ${hit.rule})`, source: hit.rule });
    }
  }
  // `/etc/init.d/nginx restart` is `service nginx restart`.
  const initScript = /^\/etc\/(?:rc\.d\/)?init\.d\/([A-Za-z0-9_.@-]+)$/.exec(raw);
  if (initScript) return withSnippet({ source: 'risk.ts#service', ...escalate(HANDLERS['service']!([initScript[1]!, ...rest], ctx, 'service'), argv, ctx) });
  // `node --version`: tools listed in tools/plain#VERSION_ONLY print their version and exit for exactly these words.
  if (name !== null && Object.hasOwn(VERSION_ONLY, name) && rest.length === 1 && VERSION_ONLY[name]!.includes(rest[0]!)) return withSnippet({ ...read(`${name} ${rest[0]}`), source: 'tools/plain#VERSION_ONLY' });
  const handler = name !== null && Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
  const tool = name !== null && handler === undefined ? toolVerdict(name, rest, ctx) : undefined;
  if (name === null) verdict = { level: 'write', rule: `unknown command "${raw}"`, unknown: raw };
  else if (handler) verdict = { source: `risk.ts#${name}`, ...handler(rest, ctx, raw) };
  else if (tool) verdict = tool;
  else if (PLAIN_READ_SET.has(name)) verdict = { ...read(name), source: 'tools/plain#PLAIN_READ' };
  else if (Object.hasOwn(PLAIN_WRITE, name)) verdict = { ...write(`${name} (${PLAIN_WRITE[name]})`), source: 'tools/plain#PLAIN_WRITE' };
  else if (Object.hasOwn(PLAIN_DESTRUCTIVE, name)) verdict = { ...destructive(`${name} (${PLAIN_DESTRUCTIVE[name]})`), source: 'tools/plain#PLAIN_DESTRUCTIVE' };
  else if (/^mkfs(\.|$)|^mke2fs$/.test(name)) verdict = destructive(`${name} (formats a device)`);
  else if ((name === 'init' || name === 'telinit') && ['0', '6'].includes(rest[0] ?? '')) verdict = destructive(`${name} ${rest[0]} (stops the host)`);
  else verdict = { level: 'write', rule: `unknown command "${raw}"`, unknown: raw };
  if (verdict.level === 'read' || (name !== null && SQL_CLIENTS.has(name))) return withSnippet(verdict);
  return withSnippet(escalate(verdict, argv, ctx));
}

// Rules that make any non-read command destructive, whatever it is.
function escalate(verdict: Verdict, argv: string[], ctx: Context): Verdict {
  if (verdict.level === 'destructive') return verdict;
  const execute = argv.find((a) => a === '--execute' || a.startsWith('--execute='));
  if (execute) return { ...destructive(`${execute.split('=')[0]} flag`), source: 'risk.ts#execute-flag' };
  if (argv.slice(1).some((a) => a === 'downgrade' || /^[a-z]+:rollback$/.test(a))) return { source: 'risk.ts#downgrade', ...destructive(`downgrade migration (${argv.find((a) => a === 'downgrade' || a.endsWith(':rollback'))})`) };
  for (const text of [...argv.slice(1), ctx.stdin ?? '']) {
    const sql = destructiveSql(text);
    if (sql) return { ...destructive(`SQL ${sql}`), source: 'risk.ts#sql' };
  }
  return verdict;
}

/**
 * System directories whose commands we recognize by their base name: `/bin`, `/sbin`, `/usr/bin`,
 * `/usr/sbin`, `/usr/local/(s)bin` and a package's own `/opt/NAME/[embedded/](s)bin`
 * (`/opt/gitlab/embedded/bin/psql`). A relative path (`bin/cat`, `./cat`) or any other folder
 * (`/tmp/bin/cat`) names a program of unknown content: `null`.
 */
function commandName(raw: string): string | null {
  if (!raw.includes('/')) return raw;
  if (/^\/(usr\/(local\/)?)?s?bin\/[^/]+$/.test(raw) || /^\/opt\/(?!\.\.?\/)[^/]+\/(embedded\/)?s?bin\/[^/]+$/.test(raw)) return raw.slice(raw.lastIndexOf('/') + 1);
  return null;
}

// --- per-command rules -------------------------------------------------------------------------

/** curl options that keep it read-only (value-taking ones first), flags, and those that only read a file. */
const CURL_VALUE = new Set([
  '-H', '--header', '-u', '--user', '-m', '--max-time', '--connect-timeout', '--retry', '--retry-delay', '--retry-max-time', '-A', '--user-agent',
  '-e', '--referer', '-b', '--cookie', '-x', '--proxy', '--cacert', '--capath', '-E', '--cert', '--key', '--cert-type', '--key-type', '--resolve', '--connect-to',
  '--oauth2-bearer', '--interface', '--unix-socket', '--abstract-unix-socket', '-r', '--range', '-w', '--write-out', '--noproxy', '-U', '--proxy-user',
  '--proxy-header', '--proxy-cacert', '--pass', '--aws-sigv4', '--max-redirs', '--expect100-timeout', '--keepalive-time', '--limit-rate', '-Y', '--speed-limit',
  '-y', '--speed-time', '--dns-servers', '--local-port', '--tls-max', '--ciphers', '--pinnedpubkey', '--netrc-file', '--url-query', '--variable', '--retry-all-errors',
  '--happy-eyeballs-timeout-ms', '--max-filesize', '-z', '--time-cond', '--service-name', '--sasl-authzid', '--request-target', '--crlfile', '--data-urlencode', '-d', '--data', '--data-raw', '--data-ascii', '--data-binary',
  '-X', '--request', '-o', '--output', '-D', '--dump-header', '--url', '--json', '--trace-config', '--ip-tos', '--vlan-priority',
]);
const CURL_FLAGS = new Set([
  '-s', '--silent', '-S', '--show-error', '-L', '--location', '-f', '--fail', '--fail-with-body', '--fail-early', '-k', '--insecure', '-v', '--verbose', '-i', '--include',
  '-I', '--head', '-G', '--get', '-N', '--no-buffer', '--compressed', '--raw', '-4', '--ipv4', '-6', '--ipv6', '--http1.0', '--http1.1', '--http2', '--http2-prior-knowledge', '--http3',
  '--http3-only', '-n', '--netrc', '--netrc-optional', '--location-trusted', '--no-keepalive', '--tcp-nodelay', '--tcp-fastopen', '--path-as-is', '--globoff', '-g', '--ssl-reqd',
  '--tlsv1', '--tlsv1.0', '--tlsv1.1', '--tlsv1.2', '--tlsv1.3', '--no-progress-meter', '-#', '--progress-bar', '--digest', '--basic', '--ntlm', '--negotiate', '--anyauth',
  '-q', '--disable', '--no-sessionid', '--proxy-insecure', '--suppress-connect-headers', '--styled-output', '--no-styled-output', '-j', '--junk-session-cookies', '--no-alpn', '--no-npn',
  '--ssl-no-revoke', '--ssl-revoke-best-effort', '--retry-connrefused', '--cert-status', '--false-start', '--haproxy-protocol', '-Z', '--parallel', '--parallel-immediate', '--ca-native',
  '--doh-insecure', '--sasl-ir', '--xattr', '--remote-time', '--show-headers', '--skip-existing',
].filter((f) => f !== '--xattr' && f !== '--remote-time' && f !== '--skip-existing'));

/** A non-HTTP `scheme://` written anywhere in the cell: a URL held in a variable may be it. */
function otherScheme(text: string | undefined): string | undefined {
  for (const m of (text ?? '').matchAll(/\b([A-Za-z][A-Za-z0-9+.-]*):\/\//g)) if (!/^https?$/i.test(m[1]!)) return m[1]!.toLowerCase();
  return undefined;
}

/**
 * Why curl may not speak HTTP to this URL although it names no other scheme: a scheme spelled with
 * a glob (`{dict,http}://`, `[a-z]ttp://`), or no scheme and a host curl guesses a protocol from
 * (`dict.localhost:6379/flushall` is DICT, `ftp.`, `ldap.`, `imap.`, `pop3.`, `smtp.`).
 */
function curlGuessesOtherProtocol(url: string): string | undefined {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd >= 0) {
    const scheme = url.slice(0, schemeEnd);
    return /^https?$/i.test(scheme) ? undefined : 'the scheme is not plainly http or https';
  }
  const host = url.replace(/^\u0001[^\u0001]*\u0001/, 'x');
  if (/^[{\[]/.test(host) && !/^\[[0-9A-Fa-f:.]+\]/.test(host)) return 'a glob where curl guesses the protocol';
  if (/^(ftp|dict|ldap|ldaps|imap|pop3|smtp|gopher|telnet|tftp|mqtt|rtsp|smb|scp|sftp)\./i.test(host)) return 'curl guesses a non-HTTP protocol from the host name';
  return undefined;
}

function urlScheme(url: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  return m ? m[1]!.toLowerCase() : undefined;
}

// curl reads when every option is on the list, the method is GET/HEAD/OPTIONS, nothing is sent,
// nothing is written but to standard output or /dev/null, and every URL is http(s).
function classifyCurl(args: string[], ctx: Context): Verdict {
  let method: string | undefined;
  let data: string | undefined;
  let get = false;
  const urls: string[] = [];
  const option = (name: string, value: string): Verdict | undefined => {
    if (name === '-X' || name === '--request') method = value.toUpperCase();
    else if (['-d', '--data', '--data-raw', '--data-ascii', '--data-binary', '--data-urlencode', '--json'].includes(name)) data ??= name;
    else if (['-o', '--output', '-D', '--dump-header'].includes(name) && !HARMLESS_TARGETS.has(value) && value !== '-') return write(`curl ${name} ${value} (writes a file)`);
    else if (name === '--url') urls.push(value);
    // curl 8.3+: `%output{FILE}` / `%output{>>FILE}` in --write-out writes to FILE.
    else if ((name === '-w' || name === '--write-out') && /%output\{/i.test(value)) return write(`curl ${name} %output{…} (writes a file)`);
    else if ((name === '-w' || name === '--write-out') && value.startsWith('@')) return undefined;
    else if (name === '-b' || name === '--cookie') {
      if (!value.includes('=') && value !== '' && !/^@?\/dev\/null$/.test(value)) return undefined;
    } else if (name === '--proxy' || name === '-x') {
      if (/^(socks|http|https)/i.test(value) === false && value.includes('://')) return write(`curl ${name} ${value} (proxy scheme)`);
    }
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      urls.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (CURL_FLAGS.has(name) && eq < 0) {
        if (name === '--get') get = true;
        continue;
      }
      if (!CURL_VALUE.has(name)) return write(`curl ${name} (option not on the read-only list)`);
      const value = eq < 0 ? (args[++i] ?? '') : a.slice(eq + 1);
      const v = option(name, value);
      if (v) return v;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const flag = `-${a[j]}`;
        if (CURL_VALUE.has(flag)) {
          const value = j + 1 < a.length ? a.slice(j + 1) : (args[++i] ?? '');
          const v = option(flag, value);
          if (v) return v;
          break;
        }
        if (!CURL_FLAGS.has(flag)) return write(`curl ${flag} (option not on the read-only list)`);
        if (flag === '-G') get = true;
      }
      continue;
    }
    urls.push(a);
  }
  for (const url of urls) {
    const scheme = urlScheme(url);
    if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') return write(`curl ${scheme}:// URL (not HTTP)`);
    const notHttp = curlGuessesOtherProtocol(url);
    if (notHttp !== undefined) return write(`curl ${url.replace(/\u0001/g, '')} (${notHttp})`);
    const other = url.startsWith(DYNAMIC) ? otherScheme(ctx.cellText) : undefined;
    if (other !== undefined) return write(`curl with a URL from a variable, and a ${other}:// URL in the cell`);
  }
  if (method === 'DELETE') return destructive('curl -X DELETE (HTTP DELETE request)');
  const sends = (method !== undefined && !['GET', 'HEAD', 'OPTIONS'].includes(method)) || (data !== undefined && !get);
  const deleting = urls.find((u) => DELETING_URL.test(u.replace(/^[A-Za-z]+:\/\/[^/]*/, '')));
  if (sends && deleting !== undefined) return destructive(`curl ${method ?? 'POST'} to a deleting endpoint (${deleting.replace(/\u0001/g, '')})`);
  if (method !== undefined && !['GET', 'HEAD', 'OPTIONS'].includes(method)) return write(`curl -X ${method} (HTTP ${method} request)`);
  if (data !== undefined && !get) return write(`curl ${data} (sends a request body: POST)`);
  return read('curl');
}

const WGET_VALUE = new Set(['-O', '--output-document', '-T', '--timeout', '-t', '--tries', '--header', '--user', '--password', '--http-user', '--http-password', '-U', '--user-agent', '--ca-certificate', '--ca-directory', '--max-redirect', '--method', '--wait', '-w', '--dns-timeout', '--connect-timeout', '--read-timeout', '--limit-rate', '--bind-address', '--certificate', '--private-key', '--referer']);
const WGET_FLAGS = new Set(['-q', '--quiet', '-S', '--server-response', '--spider', '-nv', '--no-verbose', '-v', '--verbose', '--no-check-certificate', '-4', '-6', '--inet4-only', '--inet6-only', '--no-proxy', '--no-cache', '--no-dns-cache', '--content-on-error', '--compression=auto', '--compression=gzip', '--compression=none', '--no-hsts', '-nc', '--no-clobber']);

// wget reads when it prints (`-O -`, `-qO-`) or only checks (`--spider`), GET/HEAD, http(s) only.
function classifyWget(args: string[], ctx: Context): Verdict {
  let output: string | undefined;
  let spider = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (WGET_FLAGS.has(a) || (eq < 0 && WGET_FLAGS.has(name))) {
        if (name === '--spider') spider = true;
        continue;
      }
      if (!WGET_VALUE.has(name)) return write(`wget ${name} (option not on the read-only list)`);
      const value = eq < 0 ? (args[++i] ?? '') : a.slice(eq + 1);
      if (name === '--output-document') output = value;
      if (name === '--method' && value.toUpperCase() === 'DELETE') return destructive('wget --method=DELETE (HTTP DELETE request)');
      if (name === '--method' && !['GET', 'HEAD'].includes(value.toUpperCase())) return write(`wget --method=${value} (HTTP ${value.toUpperCase()} request)`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (WGET_FLAGS.has(a)) continue;
      for (let j = 1; j < a.length; j++) {
        const flag = `-${a[j]}`;
        if (WGET_VALUE.has(flag)) {
          const value = j + 1 < a.length ? a.slice(j + 1) : (args[++i] ?? '');
          if (flag === '-O') output = value;
          break;
        }
        if (!WGET_FLAGS.has(flag)) return write(`wget ${flag} (option not on the read-only list)`);
      }
      continue;
    }
    const scheme = urlScheme(a);
    if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') return write(`wget ${scheme}:// URL (not HTTP)`);
    if (a.startsWith(DYNAMIC) && otherScheme(ctx.cellText) !== undefined) return write('wget with a URL from a variable, and a non-HTTP URL in the cell');
  }
  if (spider || output === '-' || output === '/dev/null' || output === '/dev/stdout') return read('wget');
  return write('wget (downloads to a file)');
}

// HTTPie / xh: `http [METHOD] URL [items]`; data items (`k=v`, `k:=json`, `@file`) make it a POST.
function classifyHttpie(args: string[], _ctx: Context, name: string): Verdict {
  const VALUE = new Set(['-a', '--auth', '-A', '--auth-type', '--timeout', '-p', '--print', '--pretty', '-s', '--style', '--verify', '--cert', '--cert-key', '--max-redirects', '--proxy', '--format-options', '--response-charset', '--response-mime', '--default-scheme']);
  const FLAGS = new Set(['-h', '--headers', '-b', '--body', '-v', '--verbose', '--check-status', '-F', '--follow', '-j', '--json', '-I', '--ignore-stdin', '--all', '-q', '--quiet', '--offline', '-m', '--meta', '-S', '--stream', '--sorted', '--unsorted', '--ignore-netrc', '--https', '-4', '-6']);
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-') && a.length > 1) {
      const eq = a.indexOf('=');
      const opt = eq < 0 ? a : a.slice(0, eq);
      if (FLAGS.has(opt)) continue;
      if (VALUE.has(opt)) {
        if (eq < 0) i++;
        continue;
      }
      return write(`${name} ${opt} (option not on the read-only list)`);
    }
    positional.push(a);
  }
  let method = 'GET';
  const explicit = positional.length >= 2 && /^[A-Za-z]+$/.test(positional[0]!);
  // HTTPie takes a first word of letters as the METHOD, in any case (`http delete URL` sends DELETE).
  if (explicit) method = positional.shift()!.toUpperCase();
  // Without a METHOD, HTTPie sends standard input as a POST body when it is not a terminal: a pipe,
  // a heredoc, or the /dev/null every runproof cell gets. `GET` or `--ignore-stdin` keeps it a GET.
  if (!explicit && !args.some((x) => x === '--ignore-stdin' || x === '-I')) return write(`${name} without a METHOD or --ignore-stdin (standard input is not a terminal, so it POSTs it)`);
  const url = positional.shift() ?? '';
  if (url.startsWith(DYNAMIC) && otherScheme(_ctx.cellText) !== undefined) return write(`${name} with a URL from a variable, and a non-HTTP URL in the cell`);
  const scheme = urlScheme(url);
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') return write(`${name} ${scheme}:// URL (not HTTP)`);
  if (method === 'DELETE') return destructive(`${name} DELETE (HTTP DELETE request)`);
  if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) return write(`${name} ${method} (HTTP ${method} request)`);
  // `Header:value` and `param==value` keep it a GET; `field=value`, `field:=json`, `@file`, `field@file` send a body.
  const body = positional.find((item) => !/^[^=:@]+==/.test(item) && !/^[A-Za-z0-9_-]+:(?!=)/.test(item));
  if (body !== undefined) return write(`${name} ${body} (sends a request body)`);
  return read(name);
}

function classifySort(args: string[]): Verdict {
  const VALUE = new Set(['-k', '--key', '-t', '--field-separator', '-S', '--buffer-size', '--parallel', '--sort', '--files0-from', '--batch-size', '-T', '--temporary-directory']);
  const FLAGS = 'nrugbfhiMVRszcCmd';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const name = a.split('=')[0]!;
      if (VALUE.has(name)) {
        if (!a.includes('=')) i++;
        continue;
      }
      if (/^--(numeric-sort|reverse|unique|general-numeric-sort|ignore-leading-blanks|ignore-case|human-numeric-sort|month-sort|version-sort|random-sort|stable|zero-terminated|check|check=.*|merge|debug|dictionary-order|ignore-nonprinting)$/.test(a)) continue;
      return write(`sort ${name} (option not on the read-only list: -o and --compress-program write or run)`);
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (c === 'k' || c === 't' || c === 'S' || c === 'T') {
          if (j + 1 === a.length) i++;
          break;
        }
        if (!FLAGS.includes(c)) return write(`sort -${c} (option not on the read-only list)`);
      }
    }
  }
  return read('sort');
}

// tar reads only when listing (`-t`/`--list`) with options that neither write nor run programs.
function classifyTar(args: string[]): Verdict {
  const words = args.length > 0 && !args[0]!.startsWith('-') ? [`-${args[0]}`, ...args.slice(1)] : args;
  let list = false;
  for (let i = 0; i < words.length; i++) {
    const a = words[i]!;
    if (a.startsWith('--')) {
      const name = a.split('=')[0]!;
      if (name === '--list') list = true;
      else if (name === '--file') {
        if (!a.includes('=')) i++;
      } else if (!['--verbose', '--gzip', '--gunzip', '--bzip2', '--xz', '--zstd', '--lzma', '--auto-compress', '--wildcards', '--no-wildcards', '--numeric-owner', '--full-time', '--utc', '--ignore-case', '--anchored', '--no-anchored', '--exclude', '--occurrence'].includes(name)) return write(`tar ${name} (not a listing option)`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (c === 't') list = true;
        else if (c === 'f') {
          if (j + 1 === a.length) i++;
          break;
        } else if (!'vzjJaZ'.includes(c)) return write(`tar -${c} (not a listing option)`);
      }
    }
  }
  return list ? read('tar -t') : write('tar (creates or extracts an archive)');
}

// less/more: `+cmd` runs pager commands (`+!sh`), `-o`/`--log-file` writes the input to a file.
function classifyPager(args: string[], _ctx: Context, name: string): Verdict {
  const bad = args.find((a) => a.startsWith('+') || /^-[A-Za-z]*[oOk]/.test(a) || /^--(log-file|LOG-FILE|lesskey-file|lesskey-src)/.test(a));
  return bad ? write(`${name} ${bad} (runs pager commands or writes a file)`) : read(name);
}

// env [-i] [-u NAME] [-C DIR] [-S 'split string'] [NAME=value]... [COMMAND]: the command decides.
function classifyEnv(args: string[], ctx: Context): Verdict {
  const argv: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      argv.push(...args.slice(i + 1));
      break;
    }
    if (argv.length > 0 || !a.startsWith('-') || a === '-') {
      argv.push(...args.slice(i));
      break;
    }
    if (a === '-S' || a === '--split-string' || a.startsWith('--split-string=') || /^-[A-Za-z0-9]*S/.test(a)) {
      const attached = a.startsWith('--split-string=') ? a.slice('--split-string='.length) : a.startsWith('--') ? undefined : a.slice(a.indexOf('S') + 1);
      const text = attached !== undefined && attached !== '' ? attached : (args[++i] ?? '');
      // env -S splits the string into words (and what follows is appended): classify it as shell words.
      const split = text.trim().split(/\s+/).filter((w) => w !== '');
      argv.push(...split, ...args.slice(i + 1));
      break;
    }
    if (['-u', '--unset', '-C', '--chdir'].includes(a)) {
      i++;
      continue;
    }
    if (/^(--(unset|chdir)=.*|-u.+|-C.+)$/.test(a)) continue;
    if (/^-[i0v]+$/.test(a) || ['--ignore-environment', '--null', '--debug'].includes(a)) continue;
    return write(`env ${a} (option not on the read-only list)`);
  }
  const assignments = argv.filter((_, i) => i < argv.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) || argv.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)));
  if (assignments.length === argv.length) {
    for (const a of assignments) {
      const v = assignmentVerdict(a, false);
      if (v) return v;
    }
    return read('env (prints the environment)');
  }
  const inner = argv.join(' ').includes('$') || argv.some((w) => /[;&|<>`()]/.test(w));
  return inner ? payload('env -S', argv.join(' '), ctx) : wrapped('env', argv, ctx);
}

// sed reads unless it edits in place, writes (`w`, `W`, `s///w`), runs (`e`, `s///e`), or loads a script file.
function classifySed(args: string[]): Verdict {
  const scripts: string[] = [];
  let sandbox = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--expression') scripts.push(args[++i] ?? '');
    else if (a.startsWith('--expression=')) scripts.push(a.slice('--expression='.length));
    else if (a === '--sandbox') sandbox = true;
    else if (a === '-f' || a.startsWith('--file') || /^-[A-Za-z]*f/.test(a)) return write('sed -f (runs a script file)');
    else if (a === '-i' || a.startsWith('--in-place') || /^-[A-Za-z]*i/.test(a)) return write('sed -i (edits files in place)');
    else if (/^-[nEurszl0-9]+$/.test(a) || ['--quiet', '--silent', '--regexp-extended', '--separate', '--null-data', '--unbuffered', '--posix', '--debug', '--zero-terminated', '-l'].includes(a)) continue;
    else if (a.startsWith('-e') && a.length > 2) scripts.push(a.slice(2));
    else if (a.startsWith('-') && a !== '-') return write(`sed ${a} (option not on the read-only list)`);
    else if (scripts.length === 0 && !args.slice(0, i).some((x) => x === '-e' || x.startsWith('--expression'))) scripts.push(a);
  }
  if (sandbox) return read('sed --sandbox');
  for (const script of scripts) {
    if (script.includes(DYNAMIC)) return write('sed script with an expansion (its commands are known only at run time)');
    const bad = sedWrites(script);
    if (bad !== null) return write(`sed ${bad} (writes a file or runs a command)`);
  }
  return read('sed');
}

/** The first command of a sed script that writes or runs (`w file`, `e cmd`, `s/a/b/w f`), or null; unparsable scripts count. */
export function sedWrites(script: string): string | null {
  let i = 0;
  const n = script.length;
  const skipSpace = (): void => {
    while (i < n && /[ \t\n;]/.test(script[i]!)) i++;
  };
  const readDelimited = (delim: string): boolean => {
    while (i < n && script[i] !== delim) {
      if (script[i] === '\\') i++;
      else if (script[i] === '\n' && delim !== '\n') return false;
      i++;
    }
    if (i >= n) return false;
    i++;
    return true;
  };
  const readAddress = (): boolean => {
    const c = script[i];
    if (c === undefined) return true;
    if (/\d/.test(c)) {
      while (i < n && /[\d~]/.test(script[i]!)) i++;
    } else if (c === '$') i++;
    else if (c === '/') {
      i++;
      if (!readDelimited('/')) return false;
      while (i < n && /[IM]/.test(script[i]!)) i++;
    } else if (c === '\\') {
      const d = script[i + 1];
      if (d === undefined) return false;
      i += 2;
      if (!readDelimited(d)) return false;
      while (i < n && /[IM]/.test(script[i]!)) i++;
    }
    return true;
  };
  const toLineEnd = (): void => {
    while (i < n && script[i] !== '\n') i++;
  };
  const toCommandEnd = (): void => {
    while (i < n && script[i] !== '\n' && script[i] !== ';' && script[i] !== '}') i++;
  };
  while (true) {
    skipSpace();
    if (i >= n) return null;
    if (script[i] === '#') {
      toLineEnd();
      continue;
    }
    if (script[i] === '}') {
      i++;
      continue;
    }
    if (!readAddress()) return 'script';
    while (i < n && /[ \t]/.test(script[i]!)) i++;
    if (script[i] === ',') {
      i++;
      while (i < n && /[ \t]/.test(script[i]!)) i++;
      if (script[i] === '+' || script[i] === '~') i++;
      if (!readAddress()) return 'script';
    }
    while (i < n && /[ \t!]/.test(script[i]!)) i++;
    const cmd = script[i];
    if (cmd === undefined) return null;
    i++;
    switch (cmd) {
      case '{':
      case '=': case 'd': case 'D': case 'g': case 'G': case 'h': case 'H': case 'l': case 'n': case 'N': case 'p': case 'P': case 'x': case 'z': case 'F': case 'q': case 'Q': case 'L':
        if (cmd === 'q' || cmd === 'Q' || cmd === 'l' || cmd === 'L') while (i < n && /[ \t\d]/.test(script[i]!)) i++;
        continue;
      case ':': case 'b': case 't': case 'T': case 'v':
        toCommandEnd();
        continue;
      case 'a': case 'i': case 'c': case 'r': case 'R':
        // Text to append or a file to read, up to the end of the line (a trailing backslash continues it).
        while (i < n && script[i] !== '\n') {
          if (script[i] === '\\') i++;
          i++;
        }
        continue;
      case 'w': case 'W': case 'e':
        return cmd;
      case 's': {
        const d = script[i];
        if (d === undefined || d === '\n' || d === '\\') return 'script';
        i++;
        if (!readDelimited(d) || !readDelimited(d)) return 'script';
        const start = i;
        while (i < n && /[gpiImMe0-9w]/.test(script[i]!)) {
          if (script[i] === 'w') return 's///w';
          if (script[i] === 'e') return 's///e';
          i++;
        }
        void start;
        continue;
      }
      case 'y': {
        const d = script[i];
        if (d === undefined || d === '\n' || d === '\\') return 'script';
        i++;
        if (!readDelimited(d) || !readDelimited(d)) return 'script';
        continue;
      }
      default:
        return cmd;
    }
  }
}

// awk reads unless its program runs commands (`system()`, `| getline`, `print | "cmd"`, `|&`),
// writes files (`print > f`, `printf >> f`), loads extensions, or comes from a file.
function classifyAwk(args: string[]): Verdict {
  let program: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (['-F', '-v', '--assign', '--field-separator'].includes(a)) {
      const value = args[++i] ?? '';
      if (a === '-v' || a === '--assign') {
        if (/[`]|\$\(/.test(value) || value.includes(DYNAMIC)) return write('awk -v with command text or an expansion');
      }
      continue;
    }
    if (/^-F.|^-v.|^--(assign|field-separator)=/.test(a)) continue;
    if (a === '--') {
      program ??= args[i + 1];
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      if (['--posix', '--traditional', '-P', '-c', '--re-interval', '-r', '--characters-as-bytes', '-b', '--sandbox', '-S', '-n', '--non-decimal-data', '-e'].includes(a)) {
        if (a === '-e') program ??= args[++i];
        continue;
      }
      return write(`awk ${a} (option not on the read-only list: -f, -i, -l, -E load programs)`);
    }
    program ??= a;
    if (program === a) continue;
  }
  if (args.includes('--sandbox') || args.includes('-S')) return read('awk --sandbox');
  if ((program ?? '').includes(DYNAMIC)) return write('awk program with an expansion (known only at run time)');
  const text = stripAwkStrings(program ?? '');
  if (/\bsystem\s*\(|\|/.test(text.replace(/\|\|/g, ''))) return write('awk program runs a command (system() or a pipe)');
  if (/@load|@include/.test(program ?? '')) return write('awk program loads an extension');
  // Output redirection: `>` or `>>` inside a print/printf statement (outside parentheses).
  if (awkPrintRedirects(text)) return write('awk program writes a file (print > file)');
  return read('awk');
}

// The program with string literals emptied and regex literals emptied (after `(`, `,`, `~`, `!`, `{`, `;`, `&&`, `||`, start, newline).
function stripAwkStrings(program: string): string {
  let out = '';
  let i = 0;
  let prev = '';
  while (i < program.length) {
    const c = program[i]!;
    if (c === '"') {
      out += '""';
      i++;
      while (i < program.length && program[i] !== '"') i += program[i] === '\\' ? 2 : 1;
      i++;
      prev = '"';
      continue;
    }
    if (c === '/' && /^$|[(,~!{;&|\n]$/.test(prev)) {
      out += '//';
      i++;
      while (i < program.length && program[i] !== '/' && program[i] !== '\n') i += program[i] === '\\' ? 2 : 1;
      i++;
      prev = '/';
      continue;
    }
    if (c === '#') {
      while (i < program.length && program[i] !== '\n') i++;
      continue;
    }
    out += c;
    if (!/\s/.test(c)) prev = c;
    else if (c === '\n') prev = '\n';
    i++;
  }
  return out;
}

function awkPrintRedirects(text: string): boolean {
  const re = /\bprintf?\b/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    let depth = 0;
    for (let i = m.index + m[0].length; i < text.length; i++) {
      const c = text[i]!;
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (depth <= 0 && (c === ';' || c === '}' || c === '\n')) break;
      else if (depth <= 0 && c === '>') return true;
    }
  }
  // getline from a file is a read; `getline < file` is fine, `cmd | getline` was caught above.
  return false;
}

function classifyPsql(args: string[], ctx: Context): Verdict {
  const sql: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '--command') sql.push(args[++i] ?? '');
    else if (a.startsWith('--command=')) sql.push(a.slice('--command='.length));
    else if (/^-c./.test(a)) sql.push(a.slice(2));
    else if (a === '-f' || a.startsWith('--file') || /^-f./.test(a)) return write('psql -f (runs a SQL file)');
    else if (a === '-o' || a.startsWith('--output') || a === '-L' || a.startsWith('--log-file') || /^-[oL]./.test(a)) return write('psql -o/-L (writes a file)');
    else if (a === '-l' || a === '--list' || a === '-V' || a === '--version') return read('psql -l');
    else if ((a === '-P' || a === '--pset') && /^pager=(?!off$|0$)/.test(args[i + 1] ?? '')) return write('psql -P pager=… (runs a program)');
    else if (/^(-P|--pset=)pager=(?!off$|0$)/.test(a)) return write('psql -P pager=… (runs a program)');
  }
  if (sql.length === 0 && ctx.stdin !== undefined) sql.push(ctx.stdin);
  if (sql.length === 0) return write('psql session without -c (interactive or from standard input)');
  return sqlVerdict(sql.join(';\n'), 'psql');
}

// mysql options that neither write a file (`--tee`, `--debug`), run a program (`--pager`,
// `--system-command`), load code (`--plugin-dir`) nor run SQL at connect (`--init-command`).
const MYSQL_VALUE = new Set(['-h', '--host', '-u', '--user', '-P', '--port', '-D', '--database', '-S', '--socket', '--protocol', '--login-path', '--connect-timeout', '--default-character-set', '--ssl-mode', '--ssl-ca', '--ssl-capath', '--ssl-cert', '--ssl-key', '--ssl-cipher', '--tls-version', '--max-allowed-packet', '--net-buffer-length', '--select-limit', '--max-join-size', '--read-timeout', '--write-timeout', '--delimiter', '--password', '-p', '--compression-algorithms', '--zstd-compression-level', '--get-server-public-key', '--server-public-key-path', '--ssl-fips-mode', '--tls-ciphersuites']);
const MYSQL_FLAGS = new Set(['-N', '--skip-column-names', '--column-names', '-B', '--batch', '-s', '--silent', '-t', '--table', '-r', '--raw', '-E', '--vertical', '-X', '--xml', '-H', '--html', '-A', '--no-auto-rehash', '--auto-rehash', '-v', '--verbose', '-U', '--safe-updates', '-i-am-a-dummy', '--i-am-a-dummy', '--no-defaults', '-C', '--compress', '-q', '--quick', '-n', '--unbuffered', '-w', '--wait', '--ssl', '--skip-ssl', '--force', '-f', '--show-warnings', '--binary-as-hex', '--skip-pager', '--no-beep', '-b', '--line-numbers', '--skip-line-numbers', '--sigint-ignore', '--comments', '-c', '--skip-comments', '--secure-auth', '--enable-cleartext-plugin', '-L', '--reconnect', '--skip-reconnect', '-V', '--version', '-T', '--debug-info', '--debug-check']);

function classifyMysql(args: string[], ctx: Context): Verdict {
  const sql: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--execute') {
      sql.push(args[++i] ?? '');
      continue;
    }
    if (a.startsWith('--execute=')) {
      sql.push(a.slice('--execute='.length));
      continue;
    }
    if (/^-e./.test(a)) {
      sql.push(a.slice(2));
      continue;
    }
    if (!a.startsWith('-') || a === '-') continue;
    const name = a.startsWith('--') ? a.split('=')[0]! : a;
    if (MYSQL_FLAGS.has(name) && !a.includes('=')) continue;
    if (MYSQL_VALUE.has(name)) {
      // `--password` and `-p` take their value attached only; other value options also the next word.
      if (!a.includes('=') && name !== '--password' && name !== '-p') i++;
      continue;
    }
    // `-pSECRET`, `-hHOST`, `-uUSER`, `-P3306`, `-Ddb`: a one-letter value option with its value attached.
    if (!a.startsWith('--') && a.length > 2 && MYSQL_VALUE.has(a.slice(0, 2))) continue;
    return write(`mysql ${name} (option not on the read-only list: it may write a file, run a command or run SQL at connect)`);
  }
  if (sql.length === 0 && ctx.stdin !== undefined) sql.push(ctx.stdin);
  if (sql.length === 0) return write('mysql session without -e');
  return sqlVerdict(sql.join(';\n'), 'mysql');
}

/** SQL text with comments and string literals removed, so keywords in them do not count. */
function stripSql(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\$\$[\s\S]*?\$\$/g, "''");
}

/** `DROP TABLE`, `TRUNCATE`, `DELETE FROM`... in any SQL text, or null. */
function destructiveSql(text: string): string | null {
  if (!/\b(drop|truncate|delete)\b/i.test(text)) return null;
  const sql = stripSql(text);
  const m =
    /\bDROP\s+(TABLE|DATABASE|SCHEMA|INDEX|VIEW|MATERIALIZED\s+VIEW|USER|ROLE|SEQUENCE|FUNCTION|TRIGGER|TYPE|EXTENSION|OWNED)\b/i.exec(sql) ??
    /\bTRUNCATE\s+(TABLE\s+)?[A-Za-z_"]/i.exec(sql) ??
    /\bDELETE\s+FROM\b/i.exec(sql) ??
    /^\s*(DROP|TRUNCATE|DELETE)\b/im.exec(sql);
  return m ? m[0].replace(/\s+/g, ' ').toUpperCase() : null;
}

const SQL_READ_KEYWORDS = new Set(['SELECT', 'WITH', 'SHOW', 'EXPLAIN', 'TABLE', 'VALUES', 'DESCRIBE', 'DESC']);
// Functions that end sessions or drop server objects are destructive; the others write.
const SQL_DESTRUCTIVE_FUNCTIONS = /\b(pg_terminate_backend|pg_cancel_backend|pg_drop_replication_slot|pg_drop_\w+|lo_unlink|pg_replication_origin_drop)\s*\(/i;
const SQL_WRITE_FUNCTIONS = /\b(pg_reload_conf|pg_rotate_logfile|nextval|setval|set_config|pg_switch_wal|pg_create_\w+|pg_drop_\w+|lo_\w+|dblink_exec|pg_advisory_\w*lock\w*|pg_promote|pg_stat_reset\w*)\s*\(/i;
const PSQL_READ_META = /^\\(d\S*|l\+?|list|conninfo|x|timing|q|echo|pset|encoding|\?|h|help|z|sf\S*|sv\S*|du\S*|dn\S*|copyright|errverbose)$/;

/**
 * Functions a read-only query may call: SQL's own aggregates, window, string, math, date and JSON
 * functions, and the server's catalog and statistics readers. Any other function (a user's
 * `cleanup()`, `dblink`, `query_to_xml('delete …')`, `pg_file_write`, sqlite3's `writefile`/`edit`/
 * `load_extension`) can write or run anything: the query is `write`.
 */
const SQL_READ_FUNCTIONS = new RegExp(
  '^(' +
    [
      // aggregates and window functions
      'count|sum|avg|min|max|array_agg|string_agg|json_agg|jsonb_agg|json_object_agg|jsonb_object_agg|bool_and|bool_or|every|stddev\\w*|variance|var_pop|var_samp|percentile_cont|percentile_disc|mode|bit_and|bit_or|bit_xor|group_concat|corr|covar_pop|covar_samp|regr_\\w+|total|row_number|rank|dense_rank|percent_rank|cume_dist|ntile|lag|lead|first_value|last_value|nth_value|grouping',
      // conditionals, casts and types
      'coalesce|nullif|greatest|least|ifnull|iif|if|nvl|isnull|cast|convert|pg_typeof|typeof|format_type|to_regclass|to_regtype|to_regproc|to_regnamespace|to_regrole',
      // math
      'abs|ceil|ceiling|floor|round|trunc|truncate_number|sqrt|cbrt|power|pow|exp|ln|log|log2|log10|mod|sign|div|pi|random|width_bucket|degrees|radians',
      // strings
      'length|char_length|character_length|octet_length|bit_length|lower|upper|lcase|ucase|initcap|concat|concat_ws|substr|substring|left|right|lpad|rpad|ltrim|rtrim|btrim|trim|replace|translate|split_part|strpos|position|instr|locate|reverse|repeat|md5|sha1|sha2|sha224|sha256|sha384|sha512|encode|decode|format|to_hex|hex|unhex|ascii|chr|char|quote_ident|quote_literal|quote_nullable|quote|regexp_\\w+|starts_with|string_to_array|array_to_string|convert_from|convert_to|printf|unicode|soundex|glob|like|likely|unlikely|likelihood|inet_aton|inet_ntoa|inet6_aton|inet6_ntoa|host|masklen|network|family|text',
      // dates and times
      'now|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|age|mxid_age|date_part|date_trunc|date_bin|extract|make_interval|make_date|make_time|make_timestamp|make_timestamptz|to_timestamp|to_char|to_date|to_number|justify_\\w+|isfinite|timestampdiff|timestampadd|datediff|date_format|from_unixtime|unix_timestamp|sysdate|curdate|curtime|utc_timestamp|utc_date|date_add|date_sub|str_to_date|strftime|datetime|date|time|julianday|unixepoch|sec_to_time|time_to_sec|timediff|current_timestamp|localtimestamp',
      // JSON, arrays, rows
      'json\\w*|jsonb\\w*|row_to_json|to_json|to_jsonb|array_to_json|array_length|array_upper|array_lower|array_ndims|array_dims|array_position|array_positions|array_remove|array_append|array_prepend|array_cat|array_replace|cardinality|unnest|generate_series|generate_subscripts|row|array|exists',
      // server information (PostgreSQL, MySQL, SQLite)
      'version|current_database|current_schema|current_schemas|current_setting|current_user|session_user|database|schema|user|system_user|connection_id|found_rows|row_count|last_insert_id|uuid|sleep|pg_sleep|benchmark|load_file|sqlite_version|sqlite_source_id|changes|total_changes|pragma_\\w+|inet_server_addr|inet_server_port|inet_client_addr|inet_client_port|pg_backend_pid|pg_blocking_pids|pg_safe_snapshot_blocking_pids|pg_postmaster_start_time|pg_conf_load_time|pg_is_in_recovery|pg_is_in_backup|pg_is_wal_replay_paused|pg_get_wal_replay_pause_state|pg_last_wal_receive_lsn|pg_last_wal_replay_lsn|pg_last_xact_replay_timestamp|pg_last_committed_xact|pg_current_wal_lsn|pg_current_wal_insert_lsn|pg_current_wal_flush_lsn|pg_wal_lsn_diff|pg_walfile_name|pg_walfile_name_offset|pg_size_pretty|pg_size_bytes|pg_database_size|pg_relation_size|pg_total_relation_size|pg_table_size|pg_indexes_size|pg_tablespace_size|pg_column_size|pg_relation_filenode|pg_relation_filepath|pg_tablespace_location|pg_get_\\w+|pg_stat_get_\\w+|pg_stat_file|pg_ls_\\w+|pg_read_file|pg_read_binary_file|pg_current_logfile|pg_control_\\w+|pg_encoding_to_char|char_to_encoding|pg_has_role|has_\\w+_privilege|pg_table_is_visible|pg_type_is_visible|pg_function_is_visible|obj_description|col_description|shobj_description|pg_describe_object|pg_identify_object\\w*|pg_xact_commit_timestamp|pg_xact_status|txid_status|txid_current_snapshot|txid_snapshot_\\w+|pg_snapshot_\\w+|pg_current_snapshot|pg_options_to_table|pg_stat_statements|pg_stat_statements_info|pg_available_extensions|pg_available_extension_versions|pg_partition_tree|pg_partition_root|pg_partition_ancestors|pg_index_column_has_property|pg_index_has_property|pg_indexam_has_property|pg_jit_available|pg_trigger_depth|pg_listening_channels|pg_notification_queue_usage|pg_tablespace_databases|pg_char_to_encoding|pg_client_encoding|pg_backup_start_time|format_bytes|format_pico_time|format_path|sys_get_config|ps_thread_id|ps_current_thread_id|is_free_lock|is_used_lock|master_pos_wait|source_pos_wait|gtid_subset|gtid_subtract',
    ].join('|') +
    ')$',
  'i',
);
/** Words that stand before `(` in SQL without calling a function (`IN (`, `AS (`, `numeric(10,2)`). */
const SQL_PAREN_KEYWORDS = /^(in|exists|values|as|from|any|all|some|over|filter|join|on|and|or|not|where|select|when|then|else|by|lateral|distinct|using|with|analyze|explain|between|is|like|ilike|case|end|returning|set|group|order|partition|window|within|into|table|rows|range|groups|cube|rollup|sets|union|intersect|except|limit|offset|having|only|recursive|materialized|interval|numeric|decimal|varchar|character|varying|timestamp|timestamptz|timetz|bit|float|double|precision|int|integer|bigint|smallint|boolean|uuid|regclass|regtype|tablesample|describe|show|escape|collate|at|zone|of|do|nothing|conflict|key|check|unique|primary|references|foreign|default|float4|float8|int2|int4|int8|nchar|nvarchar|binary|varbinary|tinyint|mediumint|real|dec|fixed|unsigned|signed|enum|year)$/i;

/** The first function a statement calls that is not known to be read-only, or undefined. */
function unknownSqlFunction(statement: string): string | undefined {
  const re = /((?:[A-Za-z_][A-Za-z0-9_$]*|"[^"]*")(?:\s*\.\s*(?:[A-Za-z_][A-Za-z0-9_$]*|"[^"]*"))*)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(statement)) !== null) {
    const before = statement.slice(0, m.index).trimEnd();
    // `AS t(a int)` names the columns of a set-returning function's result.
    if (/\bAS$/i.test(before) && !m[1]!.includes('.')) continue;
    const parts = m[1]!.split('.').map((p) => p.trim());
    const fn = parts[parts.length - 1]!;
    const schema = parts.length > 1 ? parts[parts.length - 2]!.toLowerCase() : undefined;
    if (parts.length === 1 && SQL_PAREN_KEYWORDS.test(fn)) continue;
    if (schema !== undefined && !['pg_catalog', 'information_schema', 'sys', 'performance_schema'].includes(schema)) return m[1]!;
    if (fn.startsWith('"') || !SQL_READ_FUNCTIONS.test(fn)) return m[1]!;
  }
  return undefined;
}

/** Client commands written inside SQL text (`select 1 \g /tmp/f`, `\! cmd`) that only read. */
const INLINE_META: Record<string, RegExp> = {
  // psql: `\g`/`\gx` send the query; with an argument they write a file or pipe to a command.
  psql: /^\\(d\S*|l\+?|list|conninfo|x|timing|q|echo|encoding|\?|h|help|z|sf\S*|sv\S*|du\S*|dn\S*|copyright|errverbose|g|gx|pset)$/,
  // mysql: \G \g send, \p prints, \c clears, \q quits, \s status, \W \w warnings on/off, \u use.
  mysql: /^\\[GgpcqsWwu]$/,
};

// SQL given to a client: read only when every statement is a lone query (or a psql describe).
function sqlVerdict(sql: string, client: string): Verdict {
  const destroy = destructiveSql(sql);
  if (destroy) return destructive(`SQL ${destroy} (${client})`);
  const stripped = stripSql(sql);
  // Client commands anywhere in the text, not only at the start of a line (`select 1 \g |cmd`).
  const meta = INLINE_META[client === 'mysql' || client === 'mariadb' ? 'mysql' : 'psql']!;
  for (const line of stripped.split('\n')) {
    for (const m of line.matchAll(/\\([A-Za-z]+\+?|[^A-Za-z\s])(.*)$/g)) {
      const cmd = `\\${m[1]}`;
      const rest = (m[2] ?? '').trim();
      if (!meta.test(cmd) && !(client !== 'mysql' && client !== 'mariadb' && PSQL_READ_META.test(cmd))) return write(`${client} ${cmd} (client command: writes a file, runs a command or runs query output)`);
      if (/^\\(g|gx)$/.test(cmd) && client !== 'mysql' && client !== 'mariadb' && rest !== '' && !rest.startsWith('\\')) return write(`${client} ${cmd} ${rest.split(/\s+/)[0]} (sends the result to a file or a command)`);
      if (cmd === '\\pset' && /^pager\b/.test(rest) && !/^pager\s+(off|0)?\s*$/.test(rest)) return write(`${client} \\pset pager (runs a program)`);
      // The rest of a psql meta-command line is its arguments; look no further on this line.
      break;
    }
  }
  const kill = SQL_DESTRUCTIVE_FUNCTIONS.exec(stripped);
  if (kill) return destructive(`SQL ${kill[1]}() (${client})`);
  // pgbouncer's admin console and MySQL: KILL ends connections, SHUTDOWN stops the server.
  const stop = /^\s*(KILL|SHUTDOWN)\b/im.exec(stripped);
  if (stop) return destructive(`SQL ${stop[1]!.toUpperCase()} (${client})`);
  const fn = SQL_WRITE_FUNCTIONS.exec(stripped);
  if (fn) return write(`SQL ${fn[1]}() (${client})`);
  for (const raw of mergeStatements(stripped)) {
    const s = raw.trim();
    if (s === '') continue;
    if (s.startsWith('\\')) {
      const cmd = s.split(/\s+/)[0]!;
      if (!PSQL_READ_META.test(cmd)) return write(`psql ${cmd} (meta-command)`);
      continue;
    }
    const keyword = (/^\(?\s*([A-Za-z]+)/.exec(s)?.[1] ?? '').toUpperCase();
    if (!SQL_READ_KEYWORDS.has(keyword)) return write(`SQL ${keyword || s.slice(0, 20)} (${client})`);
    const fnCall = unknownSqlFunction(s.replace(/\\\S*.*$/gm, ''));
    if (fnCall !== undefined) return write(`SQL calls ${fnCall}(), not known to be read-only (${client})`);
    if (/\b(INSERT|UPDATE|MERGE|INTO|FOR\s+UPDATE|COPY|ANALYZE\s+(INSERT|UPDATE|MERGE))\b/i.test(s)) {
      const m = /\b(INSERT|UPDATE|MERGE|INTO|FOR\s+UPDATE|COPY)\b/i.exec(s);
      return write(`SQL ${keyword} ... ${(m?.[1] ?? 'write').toUpperCase()} (${client})`);
    }
  }
  return read(`${client} SELECT`);
}

// Statements split on `;`, with each psql meta-command (`\d x`) a statement of its own line.
function mergeStatements(sql: string): string[] {
  const out: string[] = [];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('\\')) {
      out.push(trimmed);
      continue;
    }
    const pieces = line.split(';');
    if (out.length > 0 && !out[out.length - 1]!.trim().startsWith('\\') && !out[out.length - 1]!.endsWith(';')) {
      out[out.length - 1] += `\n${pieces.shift() ?? ''}`;
    }
    for (let i = 0; i < pieces.length; i++) out.push(pieces[i]! + (i < pieces.length - 1 ? ';' : ''));
  }
  return out.map((s) => s.replace(/;$/, ''));
}

function classifyFind(args: string[], ctx: Context): Verdict {
  if (args.includes('-delete')) return destructive('find -delete');
  const exec = args.findIndex((a) => ['-exec', '-execdir', '-ok', '-okdir'].includes(a));
  if (exec >= 0) {
    const end = args.findIndex((a, i) => i > exec && (a === ';' || a === '+'));
    const inner = args.slice(exec + 1, end < 0 ? undefined : end);
    const verdict = inner.length > 0 ? classifyArgv(inner, { ...ctx, depth: ctx.depth + 1 }) : write('find -exec');
    if (verdict.level === 'destructive') return destructive(`${verdict.rule} (run by find ${args[exec]})`);
    return write(`find ${args[exec]} (runs a command on each file)`);
  }
  const print = args.find((a) => /^-f(print0?|printf|ls)$/.test(a));
  if (print) return write(`find ${print} (writes a file)`);
  return read('find');
}

function classifyPip(args: string[]): Verdict {
  const sub = subcommand(args, ['--python', '--log', '--proxy', '--cache-dir']);
  if (['list', 'check', 'show', 'freeze', 'search', 'index', 'inspect', 'help', 'debug'].includes(sub)) return read(`pip ${sub}`);
  if (sub === '' && args.some((a) => a === '--version' || a === '-V')) return read('pip --version');
  return write(`pip ${sub} (installs or removes packages)`);
}

function classifyPackages(args: string[]): Verdict {
  const sub = subcommand(args, ['-o', '-c', '-t']);
  if (['list', 'search', 'show', 'policy', 'info', 'madison', 'depends', 'rdepends', 'provides', 'repolist', 'outdated', 'check-update', 'history'].includes(sub)) return read(`package ${sub}`);
  return write(`package ${sub || 'command'} (installs, updates or removes packages)`);
}

function classifyPython(args: string[], ctx: Context, name: string): Verdict {
  const m = args.indexOf('-m');
  if (m >= 0) {
    const mod = args[m + 1] ?? '';
    if (mod === 'py_compile' || mod === 'compileall') return write(`python -m ${mod} (writes .pyc files)`);
    if (mod === 'json.tool') return read('python -m json.tool');
    if (mod === 'pip') return classifyPip(args.slice(m + 2));
    if (mod === 'alembic') return HANDLERS['alembic']!(args.slice(m + 2), ctx, 'alembic');
    return write(`python -m ${mod} (runs a module)`);
  }
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return read('python --version');
  const script = args.find((a) => !a.startsWith('-'));
  return { level: 'write', rule: 'unknown program', unknown: `${name} ${script ?? args.join(' ')}`.trim() };
}

// ssh HOST 'cmd': the remote command decides (re-lexed as shell text). Options that run local
// programs (ProxyCommand, LocalCommand), write files (-E, -S, -M) or only forward ports are not read-only.
function classifySsh(args: string[], ctx: Context): Verdict {
  const VALUE = new Set(['-p', '-i', '-l', '-o', '-J', '-c', '-m', '-b', '-B', '-e', '-I']);
  const FLAGS = 'tTqvx46AaCkKnNY';
  const SAFE_CONFIG = /^(ConnectTimeout|StrictHostKeyChecking|BatchMode|UserKnownHostsFile|LogLevel|ServerAliveInterval|ServerAliveCountMax|Port|User|IdentityFile|IdentitiesOnly|PasswordAuthentication|PubkeyAuthentication|PreferredAuthentications|ConnectionAttempts|HostKeyAlgorithms|CheckHostIP|AddressFamily|Compression|GlobalKnownHostsFile|RequestTTY|ForwardAgent|ProxyJump|HashKnownHosts|KbdInteractiveAuthentication|NumberOfPasswordPrompts|TCPKeepAlive|UpdateHostKeys|VerifyHostKeyDNS|SetEnv|SendEnv|HostKeyAlias|Ciphers|MACs|KexAlgorithms)=/i;
  // SetEnv/SendEnv set the remote command's environment (LD_PRELOAD=…); a known-hosts file other than
  // /dev/null, or UpdateHostKeys, is written when a host key is learned.
  const WRITES_CONFIG = /^(SetEnv|SendEnv)=|^UpdateHostKeys=(?!no$)|^UserKnownHostsFile=(?!\/dev\/null$)/i;
  let i = 0;
  let noCommand = false;
  while (i < args.length && args[i]!.startsWith('-') && args[i] !== '--') {
    const a = args[i]!;
    for (let j = 1; j < a.length; j++) {
      const flag = `-${a[j]}`;
      if (VALUE.has(flag)) {
        const value = j + 1 < a.length ? a.slice(j + 1) : (args[++i] ?? '');
        const option = value.replace(/\s+/, '=').replace(/=\s*/, '=');
        if (flag === '-o' && (!SAFE_CONFIG.test(option) || WRITES_CONFIG.test(option))) return write(`ssh -o ${value.split(/[=\s]/)[0]} (option not on the read-only list)`);
        break;
      }
      if (!FLAGS.includes(a[j]!)) return write(`ssh ${flag} (forwards ports, writes files or runs local commands)`);
      if (a[j] === 'N') noCommand = true;
    }
    i++;
  }
  if (args[i] === '--') i++;
  const host = args[i];
  const remote = args.slice(i + 1);
  if (noCommand) return host === undefined ? write('ssh -N without a host') : endless(`ssh -N ${host}`, 'ssh -N runs until interrupted');
  if (host === undefined || remote.length === 0) return write('ssh session (runs whatever is typed)');
  return payload(`ssh ${host}`, remote.join(' '), ctx);
}

function classifyShell(args: string[], ctx: Context): Verdict {
  const c = args.findIndex((a) => /^-[A-Za-z]*c[A-Za-z]*$/.test(a));
  if (c >= 0) return payload('sh -c', args[c + 1] ?? '', ctx);
  if (args.includes('-n')) return read('sh -n (syntax check)');
  const script = args.find((a) => !a.startsWith('-'));
  if (script === undefined && ctx.stdin !== undefined) return payload('sh (heredoc)', ctx.stdin, ctx);
  if (script === undefined) return write('interactive shell');
  return { level: 'write', rule: 'unknown script', unknown: script };
}
