/**
 * The shape of the per-tool knowledge in `src/parse/tools/*.ts`: plain data, no code.
 * A tool is `read` only in a form listed under `read`, with only the options listed for it
 * (or for the whole tool); any other option or form is `write`, and `destructive` forms are
 * listed explicitly. See docs/CLASSIFIER.md for how to add a tool.
 */

/** Options accepted: exactly these words (plus `--name=value`, `-nVALUE` and short clusters). */
export interface OptionSet {
  /** Options that take a value (`-n`, `--namespace`): `-n x`, `--namespace=x`, `-nx`. */
  value?: readonly string[];
  /** Options without a value (`-A`, `--no-headers`); single letters may be clustered (`-it`). */
  flag?: readonly string[];
  /** Whole words accepted as options, as regular expression sources (`^-\\d+$` for `-5`). */
  pattern?: readonly string[];
}

export interface ReadForm {
  /**
   * Subcommand words after the tool name; `*` matches one word, `describe-*` a prefix, `**` up to
   * four command-group words (lower-case, never a verb such as `ssh`, `run`, `exec`).
   */
  path: readonly string[];
  /** Options this form accepts beyond the tool's own. */
  options?: OptionSet;
  /** Positional words after the path: any number (default), none, or at most N. */
  args?: 'any' | 'none' | number;
  /** Options that make this form run until interrupted (`-f`, `--watch`); they are accepted. */
  endless?: readonly string[];
  /** The form runs until interrupted unless one of these options is given (`stats` without `--no-stream`). */
  endlessUnless?: readonly string[];
  /** The form is read-only only when one of these options is given (`redis-cli --scan`). */
  requires?: readonly string[];
  /** The form runs another command: the words after `--`, or after N positional words. */
  runs?: { after: '--' } | { afterArgs: number };
  /** Extra words for the reason (`(prints, changes nothing)`). */
  note?: string;
}

export interface DestructiveForm {
  /** Subcommand words (same matching as read forms); any options. */
  path: readonly string[];
  /** When given, only with one of these options (`push --force`). */
  withOption?: readonly string[];
  why: string;
  /** The form runs the command after `--` (`kubectl debug node/x -- cmd`): the command can raise the level. */
  runs?: { after: '--' };
}

export interface ToolSpec {
  /** The command names this entry covers (`kubectl`, `oc`). */
  names: readonly string[];
  /** Subcommands are matched without regard to case (`INFO`, `info`). */
  ignoreCase?: boolean;
  /** A word that starts another command of the same tool (`ovs-vsctl show -- del-br br0`): the argv is then `write`. */
  commandSeparator?: string;
  /** Options accepted in every form, before or after the subcommand (`-n`, `--context`). */
  options?: OptionSet;
  read: readonly ReadForm[];
  destructive?: readonly DestructiveForm[];
  /** Forms that match a read form's path but write (`s3api get-object` writes its OUTFILE). */
  write?: readonly DestructiveForm[];
}
