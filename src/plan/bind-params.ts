import { RunproofError } from '../core/index.js';
import { describeRestriction, findPlaceholders, isValueAllowed, type PlaceholderOccurrence } from '../parse/index.js';
import type { ParamUse } from '../parse/index.js';

export interface BoundCommand {
  /** The command with each placeholder replaced by a quoted reference to an environment variable. */
  command: string;
  /** The environment variables holding the values: `RP_PARAM_commit_sha` → value. */
  env: Record<string, string>;
  /** The command with the values written in literally: for showing to operators, never executed. */
  display: string;
  /**
   * The command with each value written in, quoted for its place so that it parses into exactly the
   * words that run (`systemctl <verb> nginx` with `stop` → `systemctl 'stop' nginx`): what the risk
   * of the step is judged on once values are known. Never executed.
   */
  structural: string;
}

// `[` followed, before its `]`, by `$` or a backtick (see bindParameters).
const SUBSCRIPT_EXPANSION = /\[[^\]]*[$`]/;

/**
 * Replaces each placeholder token with a reference to an environment variable holding the value,
 * so that no value can change the command's structure: `$(touch /tmp/x)'";rm -rf /` arrives as
 * one literal argument. The reference fits the placeholder's quoting: `"${RP_PARAM_x}"` outside
 * quotes, `${RP_PARAM_x}` inside double quotes or an unquoted heredoc, `'"${RP_PARAM_x}"'` inside
 * single quotes (close, insert, reopen). Where bash or another interpreter would parse the value's
 * text, only values that cannot be code are bound: integers in arithmetic and array subscripts,
 * variable names where a builtin takes a name (`read`, `printf -v`), plain words where a second
 * shell reads the text (`sh -c`, `ssh`, `eval`, `| sh`), and nothing in program text (`awk`,
 * `sed`, `jq`, `python -c`, `psql -c`).
 *
 * @throws RunproofError `RP_MISSING_PARAMETER` when a use has no value; `RP_UNSAFE_PARAMETER_CONTEXT`
 * for a value another interpreter would read as code where its placeholder sits (see
 * {@link PlaceholderOccurrence.restriction}); `RP_BAD_PARAMETER` for a value holding NUL, a value
 * starting with `-` where it begins an argument (unless `optionLike` names it), or two names that
 * map to one environment variable with different values.
 *
 * @example
 * bindParameters('git checkout <commit_sha>', [{ name: 'commit_sha', token: '<commit_sha>', form: 'angle' }], { commit_sha: 'abc' })
 * // { command: 'git checkout "${RP_PARAM_commit_sha}"', env: { RP_PARAM_commit_sha: 'abc' }, display: 'git checkout abc' }
 */
export function bindParameters(
  command: string,
  uses: ParamUse[],
  values: Record<string, string>,
  options?: {
    envPrefix?: string /* default 'RP_PARAM_' */;
    /** Parameters whose front-matter `pattern` accepts the value as written, leading `-` included. */
    optionLike?: ReadonlySet<string>;
  },
): BoundCommand {
  const prefix = options?.envPrefix ?? 'RP_PARAM_';
  const env: Record<string, string> = {};
  const envNames = new Map<string, string>();
  for (const use of uses) {
    if (!Object.hasOwn(values, use.name) || typeof values[use.name] !== 'string') {
      throw new RunproofError('RP_MISSING_PARAMETER', `missing value for parameter "${use.name}" (${use.token})`, {
        hint: `give it with --set ${use.name}=VALUE, an env file, or a front-matter default`,
      });
    }
    const value = values[use.name]!;
    if (value.includes('\0')) {
      throw new RunproofError('RP_BAD_PARAMETER', `the value of parameter "${use.name}" contains a NUL byte`, {
        hint: 'values travel in environment variables, which cannot hold NUL; remove it',
      });
    }
    const envName = paramEnvName(use.name, prefix);
    const other = [...envNames.entries()].find(([n, e]) => e === envName && n !== use.name);
    if (other && values[other[0]] !== value) {
      throw new RunproofError('RP_BAD_PARAMETER', `parameters "${other[0]}" and "${use.name}" both map to ${envName} with different values`, {
        hint: 'rename one of the placeholders so that they differ in more than - and _',
      });
    }
    envNames.set(use.name, envName);
    env[envName] = value;
  }
  const occurrences = findPlaceholders(command).filter((o) => envNames.has(o.name));
  for (const o of occurrences) {
    const value = values[o.name]!;
    if (!isValueAllowed(o, value)) throw unsafeContextError(o, value);
    // A value bash would run if it ever reached arithmetic through a variable (`y=<p>; $((y))`,
    // `[[ $y -eq 1 ]]`, `${arr[y]}`, in this cell, a later one or a script): arithmetic expands an
    // array subscript inside a variable's value, `$(…)` and backticks included. Flows through
    // variables cannot be followed, so the value itself is refused, wherever it stands.
    if (SUBSCRIPT_EXPANSION.test(value) && !(options?.optionLike?.has(o.name) ?? false)) {
      throw new RunproofError('RP_BAD_PARAMETER', `the value of parameter "${o.name}" (${o.token}) holds an array subscript with an expansion ([…$ or […\`), which bash arithmetic would run`, {
        hint: `give a value without "$" or "\`" inside [ ], or declare a pattern for "${o.name}" in front matter that allows it`,
      });
    }
    if (o.startsArgument && value.startsWith('-') && !(options?.optionLike?.has(o.name) ?? false)) {
      throw new RunproofError('RP_BAD_PARAMETER', `the value of parameter "${o.name}" (${o.token}) starts with "-" and would be read as an option`, {
        hint: `give a value that does not start with -, put -- before ${o.token} in the cell, or declare a pattern for "${o.name}" in front matter that allows it`,
      });
    }
  }
  return {
    command: splice(command, occurrences, (o) => paramReference(o.quote, envNames.get(o.name)!)),
    env,
    display: splice(command, occurrences, (o) => values[o.name]!),
    structural: splice(command, occurrences, (o) => quoteForPlace(o.quote, values[o.name]!)),
  };
}

/**
 * A value written so that, at a placeholder with quoting `quote`, the shell reads back exactly the
 * value as the same words the bound command gives it (see {@link BoundCommand.structural}).
 */
export function quoteForPlace(quote: PlaceholderOccurrence['quote'], value: string): string {
  switch (quote) {
    case 'none':
      return `'${value.replace(/'/g, `'\\''`)}'`;
    case 'single':
      return value.replace(/'/g, `'\\''`);
    case 'ansi':
      return value.replace(/[\\']/g, (c) => `\\${c}`);
    case 'double':
      return value.replace(/[\\$`"]/g, (c) => `\\${c}`);
    case 'heredoc':
      // A line of the value could end the heredoc early; its lines are data to the classifier anyway.
      return value.replace(/[\\$`]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
    default:
      return value;
  }
}

/** The environment variable that carries a parameter's value: `commit-sha` → `RP_PARAM_commit_sha`. */
export function paramEnvName(name: string, prefix = 'RP_PARAM_'): string {
  return prefix + name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** A reference to the variable that reads back exactly the value in the placeholder's quoting. */
export function paramReference(quote: PlaceholderOccurrence['quote'], envName: string): string {
  switch (quote) {
    case 'none':
      return `"\${${envName}}"`;
    case 'single':
      return `'"\${${envName}}"'`;
    case 'ansi':
      return `'"\${${envName}}"$'`;
    default:
      return `\${${envName}}`;
  }
}

function splice(text: string, occurrences: PlaceholderOccurrence[], replacement: (o: PlaceholderOccurrence) => string): string {
  let out = '';
  let at = 0;
  for (const o of occurrences) {
    if (o.start < at) continue;
    out += text.slice(at, o.start) + replacement(o);
    at = o.end;
  }
  return out + text.slice(at);
}

/** The error for a value that would be code where its placeholder sits (or for a placeholder in program text). */
export function unsafeContextError(o: PlaceholderOccurrence, value?: string): RunproofError {
  const reason = o.restrictionReason ?? 'the shell parses its text';
  if (o.restriction === 'code') {
    return new RunproofError('RP_UNSAFE_PARAMETER_CONTEXT', `parameter "${o.name}" (${o.token}) sits in program text: ${reason}`, {
      hint: `pass it as data instead: an environment variable ("$${o.name.replace(/[^A-Za-z0-9_]/g, '_')}" read by the program), awk -v, jq --arg, or a separate argument`,
    });
  }
  const shown = value === undefined ? '' : ` ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return new RunproofError('RP_UNSAFE_PARAMETER_CONTEXT', `parameter "${o.name}" (${o.token}) needs ${describeRestriction(o.restriction)} here, not${shown}: ${reason}`, {
    hint: `give "${o.name}" ${describeRestriction(o.restriction)}, or rewrite the cell so that the placeholder is an ordinary argument`,
  });
}
