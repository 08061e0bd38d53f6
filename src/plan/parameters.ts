import { isSecretName, RunproofError, didYouMean, runRegex } from '../core/index.js';
import type { Notebook, ParamSpec } from '../parse/index.js';
import type { ParameterValue } from './types.js';

// One rule for every stage: core/secret-name.ts.
export { isSecretName } from '../core/index.js';

export interface GivenValue {
  name: string;
  value: string;
  /** `environment`: read from the environment by name (a checklist's `env:NAME`). */
  source: 'flag' | 'env-file' | 'prompt' | 'environment';
}

// A malformed `name=value` shown in an error without its value: what follows the `=` (or the
// whole text, with no `=`) may be a secret, and errors reach the terminal and CI logs.
function withoutValue(text: string): string {
  const eq = text.indexOf('=');
  if (eq === -1) return `(${text.length} characters, no "=": not shown, it may be a value)`;
  return `"${text.slice(0, Math.min(eq, 60))}=…"`;
}

/** Parses one `--set name=value` flag. */
export function parseSetFlag(text: string): GivenValue {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new RunproofError('RP_BAD_FLAG', `--set ${withoutValue(text)} is not name=value`, {
      hint: 'write --set commit_sha=abc123 (the name, an equals sign, the value)',
    });
  }
  const name = text.slice(0, eq).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
    throw new RunproofError('RP_BAD_FLAG', `--set name "${name}" is not a parameter or variable name`, {
      hint: 'names start with a letter or _ and hold letters, digits, _ or -',
    });
  }
  return { name, value: text.slice(eq + 1), source: 'flag' };
}

/**
 * Refuses `--set` names that configure the programs runproof starts, unless the runbook declares
 * the name as a parameter (then the value is bound as data, never exported under that name).
 */
export function checkVariableNames(given: GivenValue[], parameterNames: ReadonlySet<string>): void {
  for (const value of given) {
    if (parameterNames.has(value.name)) continue;
    refuseRunnerConfig(value.name, value.source === 'env-file' ? 'env file' : `--set ${value.name}`, value.source === 'env-file' ? 'RP_BAD_ENV_FILE' : 'RP_BAD_FLAG');
  }
}

/**
 * Names that configure the programs runproof starts rather than carry data for a cell: the dynamic
 * loader (`LD_PRELOAD`), shells' startup and parsing (`BASH_ENV`, `ENV`, `SHELLOPTS`, `PS4`, `IFS`,
 * exported functions), interpreters' options (`NODE_OPTIONS`, `PYTHONSTARTUP`, `PERL5OPT`,
 * `RUBYOPT`, `JAVA_TOOL_OPTIONS`), git's configuration and helpers, pagers and askpass programs that
 * run commands, command lookup (`PATH`), and runproof's own `RUNPROOF_*`. Given in an env file or
 * with `--set`, they would run code in the cell's shell before its first line (or in runproof).
 */
const RUNNER_CONFIG_NAME =
  /^(?:LD_\w*|DYLD_\w*|BASH_FUNC_.*|RUNPROOF_\w*|NODE_\w*|NPM_CONFIG_\w*|PYTHON\w*|PERL\w*|RUBY\w*|GEM_\w*|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|GIT_\w*|MALLOC_\w*|GLIBC_TUNABLES|GCONV_PATH|LOCPATH|NLSPATH|HOSTALIASES|RES_OPTIONS|LOCALDOMAIN|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|POSIXLY_CORRECT|PS[0-4]|PROMPT_COMMAND|IFS|PATH|CDPATH|GLOBIGNORE|HISTFILE|SHELL|HOME|TMPDIR|PAGER|GIT_PAGER|MANPAGER|LESSOPEN|LESSCLOSE|EDITOR|VISUAL|SSH_ASKPASS|SUDO_ASKPASS|GIT_ASKPASS|BROWSER|PROMPT|ZDOTDIR|INPUTRC|TERMINFO|OPENSSL_CONF|OPENSSL_ENGINES|SSLKEYLOGFILE)$/i;

/** True when a variable name configures the programs runproof starts (see RUNNER_CONFIG_NAME). */
export function isRunnerConfigName(name: string): boolean {
  return RUNNER_CONFIG_NAME.test(name);
}

function refuseRunnerConfig(name: string, where: string, code: 'RP_BAD_ENV_FILE' | 'RP_BAD_FLAG'): void {
  if (!isRunnerConfigName(name)) return;
  throw new RunproofError(code, `${where}: ${name} configures the programs runproof starts (shell, loader, interpreters, runproof itself), not data for a cell`, {
    hint: `remove ${name}; to use such a value, have the cell set it (export ${name}=... in the cell), where the runbook shows it`,
  });
}

/** Largest env file read: it holds NAME=value lines, not data sets. */
export const ENV_FILE_LIMIT = 1024 * 1024;

/**
 * Parses an env file's text: `NAME=value` lines, `export` prefix, single or double quotes (`\n`,
 * `\"`, `\\` in double quotes), `#` comments. Values are data for cells: a name that configures
 * the programs runproof starts is refused (RP_BAD_ENV_FILE), as is a NUL byte or an unclosed quote.
 */
export function parseEnvFile(text: string, path: string): GivenValue[] {
  if (text.includes('\0')) {
    throw new RunproofError('RP_BAD_ENV_FILE', `${path} holds NUL bytes: it is not an env file`, { hint: 'an env file is text: NAME=value lines' });
  }
  const values: GivenValue[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      throw new RunproofError('RP_BAD_ENV_FILE', `${path}:${index + 1}: ${withoutValue(raw.trim())} is not NAME=value`, {
        hint: 'each line of an env file is NAME=value, a # comment, or blank',
      });
    }
    refuseRunnerConfig(match[1]!, `${path}:${index + 1}`, 'RP_BAD_ENV_FILE');
    let value = match[2]!;
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      // The closing quote: the next unescaped one (double quotes take \" and \\).
      let close = -1;
      for (let i = 1; i < value.length; i++) {
        if (quote === '"' && value[i] === '\\') {
          i++;
          continue;
        }
        if (value[i] === quote) {
          close = i;
          break;
        }
      }
      const after = close === -1 ? '' : value.slice(close + 1);
      if (close === -1 || !/^\s*(#.*)?$/.test(after)) {
        throw new RunproofError('RP_BAD_ENV_FILE', `${path}:${index + 1}: the value of ${match[1]} ${close === -1 ? `opens a ${quote === '"' ? 'double' : 'single'} quote that the line does not close` : 'has text after its closing quote'}`, {
          hint: 'quote the whole value on one line; write a newline inside double quotes as \\n',
        });
      }
      value = value.slice(1, close);
      if (quote === '"') value = value.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    values.push({ name: match[1]!, value, source: 'env-file' });
  });
  return values;
}

export interface ResolvedParameters {
  /** Values of the notebook's parameters, with where each came from. */
  parameters: ParameterValue[];
  /** Values given for names that are not parameters: environment variables for the session. */
  env: Record<string, string>;
  /** Parameters that have no value, with the names of the cells that need them. */
  missing: Array<{ name: string; cells: string[]; description?: string; default?: string }>;
}

// Flags beat the env file, which beats front-matter defaults; later flags beat earlier ones.
export function resolveParameters(notebook: Notebook, given: GivenValue[], neededBy: Map<string, string[]>): ResolvedParameters {
  checkVariableNames(given, new Set(notebook.params.map((p) => p.name)));
  const rank = { prompt: 3, flag: 2, environment: 2, 'env-file': 1 } as const;
  const best = new Map<string, GivenValue>();
  for (const value of given) {
    const current = best.get(value.name);
    if (!current || rank[value.source] >= rank[current.source]) best.set(value.name, value);
  }
  const parameters: ParameterValue[] = [];
  const missing: ResolvedParameters['missing'] = [];
  const paramNames = new Set(notebook.params.map((p) => p.name));
  for (const spec of notebook.params) {
    const secret = spec.secret || isSecretName(spec.name);
    const value = best.get(spec.name);
    if (value) {
      parameters.push({ name: spec.name, value: value.value, source: value.source, secret });
    } else if (spec.default !== undefined) {
      parameters.push({ name: spec.name, value: spec.default, source: 'default', secret });
    } else if (neededBy.has(spec.name)) {
      missing.push({
        name: spec.name,
        cells: neededBy.get(spec.name) ?? [],
        ...(spec.description !== undefined ? { description: spec.description } : {}),
      });
    }
  }
  const specs = new Map(notebook.params.map((p) => [p.name, p]));
  for (const value of parameters) {
    const spec = specs.get(value.name);
    if (spec) {
      const problem = checkParameterValue(spec, value.value);
      if (problem) throw problem;
    }
    if (value.value.includes('\0')) {
      throw new RunproofError('RP_BAD_PARAMETER', `the value of parameter ${value.name} holds a NUL byte`, {
        hint: 'a process environment cannot carry NUL; pass the value without it',
      });
    }
  }
  const env: Record<string, string> = {};
  for (const [name, value] of best) {
    if (!paramNames.has(name)) {
      if (value.value.includes('\0')) {
        throw new RunproofError('RP_BAD_PARAMETER', `the value of ${name} holds a NUL byte`, {
          hint: 'a process environment cannot carry NUL; pass the value without it',
        });
      }
      env[name] = value.value;
    }
  }
  return { parameters, env, missing };
}

/** The one-line error for parameters that have no value, naming each and the cells needing it. */
export function missingParametersError(missing: ResolvedParameters['missing']): RunproofError {
  const list = missing.map((m) => `${m.name} (needed by ${m.cells.join(', ')})`).join('; ');
  const example = missing.map((m) => `--set ${m.name}=...`).join(' ');
  return new RunproofError(
    'RP_MISSING_PARAMETER',
    `${missing.length === 1 ? 'parameter has' : `${missing.length} parameters have`} no value: ${list}`,
    { hint: `give ${missing.length === 1 ? 'it' : 'them'} with ${example}, an --env-file, or a front-matter default; nothing ran` },
  );
}

/** Longest value a `pattern` is matched against: the match runs under a time budget, and a cap keeps it short. */
export const PATTERN_VALUE_LIMIT = 4096;

/**
 * Whether `value` is one of the parameter's `choices` and matches its `pattern` (the whole value,
 * under a time budget, so that a runbook's regex cannot hang the run). Returns the error, or undefined.
 * @example checkParameterValue({ name: 'env', secret: false, choices: ['staging', 'prod'] }, 'prd') // RP_BAD_PARAMETER, did you mean prod?
 */
export function checkParameterValue(spec: Pick<ParamSpec, 'name' | 'choices' | 'pattern' | 'secret'>, value: string): RunproofError | undefined {
  const shown = spec.secret || isSecretName(spec.name) ? '(the given value)' : JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (spec.choices !== undefined && !spec.choices.includes(value)) {
    const close = spec.secret || isSecretName(spec.name) ? undefined : didYouMean(value, spec.choices);
    return new RunproofError('RP_BAD_PARAMETER', `parameter "${spec.name}" must be one of ${spec.choices.join(', ')}, not ${shown}`, {
      hint: `${close !== undefined ? `did you mean ${close}? ` : ''}choices: ${spec.choices.join(', ')}`,
    });
  }
  if (spec.pattern !== undefined) {
    if (value.length > PATTERN_VALUE_LIMIT) {
      return new RunproofError('RP_BAD_PARAMETER', `parameter "${spec.name}" is longer than ${PATTERN_VALUE_LIMIT} characters`, {
        hint: `its pattern is /${spec.pattern}/; give a shorter value`,
      });
    }
    const outcome = runRegex({ op: 'test', pattern: `^(?:${spec.pattern})$`, flags: 'u', input: value });
    if (!outcome.ok) {
      return new RunproofError('RP_BAD_PARAMETER', `parameter "${spec.name}": its pattern /${spec.pattern}/ could not be checked (${outcome.timedOut ? 'took too long' : outcome.error})`, {
        hint: 'simplify the pattern in the front matter (no nested repetition such as (a+)+)',
      });
    }
    if (outcome.value !== true) {
      return new RunproofError('RP_BAD_PARAMETER', `parameter "${spec.name}" does not match its pattern /${spec.pattern}/: ${shown}`, {
        hint: `give a value that matches /^(?:${spec.pattern})$/ as a whole`,
      });
    }
  }
  return undefined;
}
