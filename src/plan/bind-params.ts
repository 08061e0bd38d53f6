import { RunproofError } from '../core/index.js';
import { findPlaceholders, isValueAllowed, type PlaceholderOccurrence } from '../parse/index.js';
import type { ParamUse } from '../parse/index.js';

export interface BoundCommand {
  /** The command with each placeholder replaced by a quoted reference to an environment variable. */
  command: string;
  /** The environment variables holding the values: `RP_PARAM_commit_sha` → value. */
  env: Record<string, string>;
  /** The command with the values written in literally: for showing to operators, never executed. */
  display: string;
}

/**
 * Replaces each placeholder token with a reference to an environment variable holding the value,
 * so that no value can change the command's structure: `$(touch /tmp/x)'";rm -rf /` arrives as
 * one literal argument. The reference fits the placeholder's quoting: `"${RP_PARAM_x}"` outside
 * quotes, `${RP_PARAM_x}` inside double quotes or an unquoted heredoc, `'"${RP_PARAM_x}"'` inside
 * single quotes (close, insert, reopen). Where bash or a second shell would parse the value's text
 * (arithmetic; `watch`/`sh -c`/`ssh`/`eval` payloads; a heredoc read by a shell) only integers,
 * respectively `[A-Za-z0-9_.,:/@%+=-]` words, are accepted.
 *
 * @throws RunproofError `RP_MISSING_PARAMETER` when a use has no value; `RP_BAD_PARAMETER` for a
 * value holding NUL, a value not allowed where its placeholder sits, or two names that map to one
 * environment variable with different values.
 *
 * @example
 * bindParameters('git checkout <commit_sha>', [{ name: 'commit_sha', token: '<commit_sha>', form: 'angle' }], { commit_sha: 'abc' })
 * // { command: 'git checkout "${RP_PARAM_commit_sha}"', env: { RP_PARAM_commit_sha: 'abc' }, display: 'git checkout abc' }
 */
export function bindParameters(
  command: string,
  uses: ParamUse[],
  values: Record<string, string>,
  options?: { envPrefix?: string /* default 'RP_PARAM_' */ },
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
    if (!isValueAllowed(o, value)) {
      const allowed = o.restriction === 'integer' ? 'an integer' : 'a plain word of letters, digits and _.,:/@%+=-';
      throw new RunproofError('RP_BAD_PARAMETER', `parameter "${o.name}" (${o.token}) needs ${allowed} here: ${o.restrictionReason ?? 'the shell parses its text'}`, {
        hint: `give "${o.name}" ${allowed}, or rewrite the cell so that the placeholder is an ordinary argument`,
      });
    }
  }
  return {
    command: splice(command, occurrences, (o) => paramReference(o.quote, envNames.get(o.name)!)),
    env,
    display: splice(command, occurrences, (o) => values[o.name]!),
  };
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
