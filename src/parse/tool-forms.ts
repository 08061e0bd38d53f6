import type { DestructiveForm, OptionSet, ReadForm, ToolSpec } from './tools/types.js';

/** What the tool knowledge says about one argv. */
export type ToolMatch =
  | { level: 'read'; label: string; entry: string; endless?: string; runs?: string[] }
  | { level: 'write' | 'destructive'; label: string; entry: string; runs?: string[] };

interface Item {
  word: string;
  option: boolean;
}

// Tool specs are static data: their value options are gathered once per spec, not once per command.
const valueOptionsOf = new WeakMap<ToolSpec, Set<string>>();

function allValueOptions(spec: ToolSpec): Set<string> {
  let out = valueOptionsOf.get(spec);
  if (out === undefined) {
    out = new Set<string>(spec.options?.value ?? []);
    for (const f of spec.read) for (const v of f.options?.value ?? []) out.add(v);
    valueOptionsOf.set(spec, out);
  }
  return out;
}

// The argv split into option words (an option's value stays with it) and positional words.
function splitArgs(args: readonly string[], valueOptions: Set<string>): { items: Item[]; dashdash: number } {
  const items: Item[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return { items, dashdash: i };
    if (a.startsWith('-') && a !== '-') {
      const takesNext = valueOptions.has(a) && !a.includes('=');
      items.push({ word: takesNext ? `${a}\u0000${args[i + 1] ?? ''}` : a, option: true });
      if (takesNext) i++;
      continue;
    }
    items.push({ word: a, option: false });
  }
  return { items, dashdash: -1 };
}

function wordMatches(pattern: string, raw: string): boolean {
  const word = ignoreCase ? raw.toLowerCase() : raw;
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return word.startsWith(pattern.slice(0, -1)) && word.length >= pattern.length;
  return pattern === word;
}

// Set for the duration of one matchTool call (matching is synchronous).
let ignoreCase = false;

// Words that are never a command group: a `**` path does not reach past them.
const NOT_A_GROUP = new Set(['ssh', 'scp', 'exec', 'run', 'runner', 'invoke', 'eval', 'shell', 'console', 'attach', 'debug', 'start', 'stop', 'delete', 'create', 'update', 'set', 'deploy', 'apply', 'cp', 'mv', 'rm', 'sync', 'import', 'export', 'reset', 'restart', 'remove', 'add', 'put', 'patch', 'tunnel', 'proxy', 'port-forward', 'send', 'call']);

/** How many positional words the path consumes, or -1 when it does not match. */
function pathLength(path: readonly string[], positional: string[], from = 0): number {
  if (path.length === 0) return from;
  const [head, ...tail] = path;
  if (head === '**') {
    for (let skip = 0; skip <= 4 && from + skip <= positional.length; skip++) {
      if (skip > 0) {
        const w = positional[from + skip - 1]!;
        if (!/^[a-z][a-z0-9-]*$/.test(w) || NOT_A_GROUP.has(w)) break;
      }
      const n = pathLength(tail, positional, from + skip);
      if (n >= 0) return n;
    }
    return -1;
  }
  if (from >= positional.length || !wordMatches(head!, positional[from]!)) return -1;
  return pathLength(tail, positional, from + 1);
}


function hasOption(items: Item[], names: readonly string[], valueOptions: ReadonlySet<string> = new Set()): string | undefined {
  for (const it of items) {
    if (!it.option) continue;
    const word = it.word.split('\u0000')[0]!;
    const name = word.startsWith('--') ? word.split('=')[0]! : word;
    if (names.includes(name)) return name;
    // A short cluster (`-fn`) or an attached value (`-n5`).
    if (!word.startsWith('--') && word.length > 2) {
      // Letters up to the first one that takes a value (`-owide` is `-o wide`, not `-w`).
      for (const letter of word.slice(1)) {
        const n = `-${letter}`;
        if (names.includes(n)) return n;
        if (valueOptions.has(n)) break;
      }
    }
  }
  return undefined;
}

// True when an option word (with its value, for `-n x`) is accepted by one of the sets.
function optionAccepted(raw: string, sets: OptionSet[]): boolean {
  const word = raw.split('\u0000')[0]!;
  const values = new Set(sets.flatMap((s) => s.value ?? []));
  const flags = new Set(sets.flatMap((s) => s.flag ?? []));
  if (flags.has(word) || values.has(word)) return true;
  for (const s of sets) for (const p of s.pattern ?? []) if (new RegExp(p).test(word)) return true;
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    if (eq < 0) return false;
    const name = word.slice(0, eq);
    return values.has(name) || flags.has(name);
  }
  // `-nVALUE` for a one-letter value option.
  if (values.has(word.slice(0, 2))) return true;
  // A cluster of one-letter flags, the last of which may take the rest as its value (`-tail5`? no: `-fn5`).
  const letters = word.slice(1);
  for (let i = 0; i < letters.length; i++) {
    const opt = `-${letters[i]}`;
    if (values.has(opt)) return true;
    if (!flags.has(opt)) return false;
  }
  return letters.length > 0;
}

/**
 * Decides an argv (without the command name) against a tool's knowledge: the longest read form
 * whose path matches, with every option on its list; a destructive form; else `write`.
 */
export function matchTool(spec: ToolSpec, name: string, entry: string, args: readonly string[]): ToolMatch {
  ignoreCase = spec.ignoreCase === true;
  if (spec.commandSeparator !== undefined && args.includes(spec.commandSeparator)) return { level: 'write', label: `${name} ${spec.commandSeparator} (chains further commands of ${name})`, entry };
  let { items, dashdash } = splitArgs(args, allValueOptions(spec));
  const positional = items.filter((i) => !i.option).map((i) => i.word);
  const label = (path: readonly string[]): string => [name, ...positional.slice(0, Math.max(0, pathLength(path, positional)))].join(' ');
  for (const d of spec.destructive ?? []) if (destructiveMatches(d, positional, items)) return { level: 'destructive', label: `${label(d.path)} (${d.why})`, entry };
  for (const d of spec.write ?? []) {
    if (!destructiveMatches(d, positional, items)) continue;
    const match: ToolMatch = { level: 'write', label: `${label(d.path)} (${d.why})`, entry };
    if (d.runs !== undefined && dashdash >= 0) match.runs = args.slice(dashdash + 1);
    return match;
  }
  let best: ReadForm | undefined;
  let bestLength = -1;
  for (const f of spec.read) {
    const n = pathLength(f.path, positional);
    if (n > bestLength) {
      best = f;
      bestLength = n;
    }
  }
  const shown = positional.slice(0, 2).join(' ');
  if (best === undefined) return { level: 'write', label: `${[name, shown].join(' ').trim()} (not a read-only form)`, entry };
  const form = best;
  // Split again with only this form's options taking values (`-f` is a file in one form, follow in another).
  ({ items, dashdash } = splitArgs(args, new Set([...(spec.options?.value ?? []), ...(form.options?.value ?? [])])));
  bestLength = pathLength(form.path, items.filter((i) => !i.option).map((i) => i.word));
  if (bestLength < 0) return { level: 'write', label: `${name} ${shown} (options hide the subcommand)`, entry };
  // A form that runs another command: the options and words before it belong to the tool.
  let own = items;
  let runs: string[] | undefined;
  if (form.runs !== undefined) {
    if ('after' in form.runs) {
      if (dashdash < 0) return { level: 'write', label: `${label(form.path)} without "--" before the command`, entry };
      runs = args.slice(dashdash + 1);
    } else {
      let seen = 0;
      let cut = -1;
      const limit = bestLength + form.runs.afterArgs;
      for (let k = 0; k < items.length; k++) {
        if (!items[k]!.option) seen++;
        if (seen === limit) {
          cut = k + 1;
          break;
        }
      }
      if (cut < 0) return { level: 'write', label: `${label(form.path)} without a command`, entry };
      own = items.slice(0, cut);
      // The command is the words after the cut, as written (options included).
      let consumed = 0;
      let index = 0;
      while (consumed < cut && index < args.length) {
        const it = items[consumed]!;
        index += it.word.includes('\u0000') ? 2 : 1;
        consumed++;
      }
      runs = args.slice(index);
    }
  } else if (dashdash >= 0) {
    // Words after `--` are positional.
    for (const w of args.slice(dashdash + 1)) own = [...own, { word: w, option: false }];
  }
  const ownPositional = own.filter((i) => !i.option).length - Math.max(0, pathLength(form.path, own.filter((i) => !i.option).map((i) => i.word)));
  const limit = form.runs !== undefined ? Infinity : form.args === 'none' ? 0 : typeof form.args === 'number' ? form.args : Infinity;
  if (ownPositional > limit) return { level: 'write', label: `${label(form.path)} with ${ownPositional} arguments (read-only with at most ${limit})`, entry };
  const sets: OptionSet[] = [spec.options ?? {}, form.options ?? {}, { flag: form.endless ?? [], value: [] }, { flag: form.endlessUnless ?? [] }];
  for (const it of own) {
    if (!it.option) continue;
    if (!optionAccepted(it.word, sets)) return { level: 'write', label: `${label(form.path)} ${it.word.split('\u0000')[0]} (option not on the read-only list)`, entry };
  }
  if (form.requires !== undefined && hasOption(own, form.requires) === undefined) return { level: 'write', label: `${label(form.path)} without ${form.requires.join('/')} (reads commands from standard input)`, entry };
  const match: ToolMatch = { level: 'read', label: label(form.path), entry };
  const formValues = new Set([...(spec.options?.value ?? []), ...(form.options?.value ?? [])]);
  const follow = form.endless !== undefined ? hasOption(own, form.endless, formValues) : undefined;
  if (follow !== undefined) match.endless = `${label(form.path)} ${follow} runs until interrupted`;
  else if (form.endlessUnless !== undefined && hasOption(own, form.endlessUnless, formValues) === undefined) match.endless = `${label(form.path)} without ${form.endlessUnless.join('/')} runs until interrupted`;
  if (runs !== undefined) match.runs = runs;
  return match;
}

function destructiveMatches(d: DestructiveForm, positional: string[], items: Item[]): boolean {
  if (pathLength(d.path, positional) < 0) return false;
  return d.withOption === undefined || hasOption(items, d.withOption) !== undefined;
}
