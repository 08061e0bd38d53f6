// Secrets born during a cell (SECURITY L2): `export SERVICE_TOKEN=$(openssl rand -hex 16); echo
// "$SERVICE_TOKEN"` prints a value that exists only inside the cell. Reading the session's
// variables after the cell is too late for the terminal and the logs, so the bash prelude watches
// the cell's secret-named variables as it runs: a DEBUG trap compares their values before each
// command and, when one changed, reports the new values to runproof over a socket (fd 3 at start,
// moved above 9 by the prelude) and waits for the answer. Runproof learns the values before it
// reads anything the next command prints.
//
// Which variables: every secret-named identifier the cell uses as a variable (`$X`, `${X`, `X=`,
// `X+=`, `X[`, or a word after `read`, `printf -v`, `declare`, `export`, `local`, `mapfile`...),
// the session's secret-named variables, and, through assignments, the variables whose values flow
// into them (`V=$(gen); echo "$V"; export API_TOKEN=$V`: V's value is API_TOKEN's, shown before it
// is assigned). What a cell creates without naming it (`source creds.env`, `eval`) is learned
// after the cell, and the output is redacted again then (`OutputCapture.redactedAgain`).
import type { Readable, Writable } from 'node:stream';
import { isSecretName } from '../core/index.js';
import type { OutputCapture } from '../record/index.js';

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
// Builtins whose plain-word arguments are variable names.
const NAMING_BUILTIN = /(?:^|[\s;&|(`{])(?:read|printf|declare|typeset|local|export|readonly|mapfile|readarray|getopts|let|unset)(?=\s)/;

// The variables a line assigns to (`X=`, `X+=`, `X[i]=`, and names after a naming builtin).
function assignedOn(line: string): Set<string> {
  const out = new Set<string>();
  for (const m of line.matchAll(/(?:^|[^A-Za-z0-9_$])([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\+?=/g)) out.add(m[1]!);
  if (NAMING_BUILTIN.test(line)) for (const m of line.matchAll(/(?:^|[\s])([A-Za-z_][A-Za-z0-9_]*)(?=[\s;&|)]|$)/g)) out.add(m[1]!);
  return out;
}

// The variables a line expands: `$X`, `${X...}`, `${!X}`, `${#X}`.
function expandedOn(line: string): Set<string> {
  const out = new Set<string>();
  for (const m of line.matchAll(/\$\{?[!#]?([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  return out;
}

// A line without its command substitutions: `X_TOKEN=$(cat "$FILE")` takes its value from the
// command, not from FILE.
function withoutSubstitutions(line: string): string {
  let out = line.replace(/`[^`]*`/g, '');
  for (let before = ''; before !== out; ) {
    before = out;
    out = out.replace(/\$\([^()]*\)/g, '');
  }
  return out;
}

// Names that never carry a cell's secret: bash's own and the session's ordinary ones.
const NOT_TAINTED = /^(?:_|__rp_\w*|BASH\w*|[A-Z]*PWD|HOME|PATH|USER|LOGNAME|SHELL|HOSTNAME|RANDOM|SRANDOM|LINENO|SECONDS|EPOCH\w+|PPID|UID|EUID|IFS|OPTARG|OPTIND)$/;

/**
 * The variables to watch in a cell, each with the name its value is shown under
 * (`[REDACTED:NAME]`): secret-named variables the command uses or the session holds, and the
 * variables assigned into them (transitively, line by line).
 * @example watchedVariables('V=$(gen)\nexport API_TOKEN=$V', []) // Map { 'API_TOKEN' => 'API_TOKEN', 'V' => 'API_TOKEN' }
 */
export function watchedVariables(command: string, sessionNames: Iterable<string>): Map<string, string> {
  const watched = new Map<string, string>();
  for (const name of sessionNames) if (isSecretName(name) && !name.startsWith('__rp_')) watched.set(name, name);
  // Statements, roughly: a value flows within one (`A=$B`), not from a neighbour (`T=x; echo $USER`).
  const lines = command.split(/[\n;&|]+/);
  for (const line of lines) {
    for (const name of [...expandedOn(line), ...assignedOn(line)]) if (isSecretName(name)) watched.set(name, name);
    if (NAMING_BUILTIN.test(line)) {
      for (let at = 0; at < line.length; at++) {
        IDENT.lastIndex = at;
        const m = IDENT.exec(line);
        if (!m) continue;
        if (isSecretName(m[0]) && (at === 0 || /[\s;&|('"]/.test(line[at - 1]!))) watched.set(m[0], m[0]);
        at += m[0].length - 1;
      }
    }
  }
  // Values that flow into a watched variable are watched under its name, until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const into = [...assignedOn(line)].find((n) => watched.has(n));
      if (into === undefined) continue;
      for (const from of expandedOn(withoutSubstitutions(line))) {
        if (!watched.has(from) && !NOT_TAINTED.test(from)) {
          watched.set(from, watched.get(into)!);
          changed = true;
        }
      }
    }
  }
  for (const name of [...watched.keys()]) if (name.startsWith('__rp_') || name.startsWith('BASH')) watched.delete(name);
  return watched;
}

/**
 * The DEBUG trap the bash prelude installs for `names` (identifiers): a cheap comparison of the
 * joined values with the last report, and `__rp_watch` (see shell-session.ts) when they differ.
 * Inside `{ } 2>/dev/null` so that `set -x` never traces a value.
 */
export function watchTrap(names: readonly string[]): string {
  const joined = names.map((n) => `"\${${n}[*]-}"`).join("$'\\1'");
  return `{ [[ ${joined} == "$__rp_seen" ]] || __rp_watch "$_"; } 2>/dev/null`;
}

/**
 * The bash function the trap calls: reports every watched value and waits for runproof's answer.
 * Its status is 0 (an ERR trap must not see it) and its last word is `$_` as the trap found it.
 */
export const WATCH_FUNCTION = `__rp_watch() {
  local __rp_w __rp_r __rp_o=() __rp_t=
  case $- in *x*) builtin set +x; __rp_t=1 ;; esac
  __rp_seen=
  for __rp_w in "\${__rp_wl[@]}"; do
    __rp_r="$__rp_w[*]"; __rp_seen+="\${!__rp_r-}"$'\\1'
    __rp_r="$__rp_w[@]"
    if [ -n "\${!__rp_r+x}" ]; then for __rp_r in "\${!__rp_r}"; do if [ -n "$__rp_r" ]; then __rp_o+=("$__rp_w" "$__rp_r"); fi; done; fi
  done
  __rp_seen=\${__rp_seen%$'\\1'}
  if [ "\${#__rp_o[@]}" -gt 0 ] && [ -S "/dev/fd/$__rp_wfd" ]; then
    if builtin printf '%s\\0' "\${__rp_o[@]}" '' >&"$__rp_wfd"; then builtin read -r -t 10 -u "$__rp_wfd" __rp_r || :; fi
  fi 2>/dev/null
  if [ -n "$__rp_t" ]; then builtin set -x; fi
  builtin : "$1"
}
`;

/**
 * Reads the reports of the watch socket (`NAME\\0VALUE\\0…\\0`: pairs, then an empty name) and
 * answers each batch with a line once `onValue` has taken every value in it.
 */
export function readWatchReports(socket: Readable & Writable, labels: ReadonlyMap<string, string>, onValue: (label: string, value: string) => void): void {
  let held: Buffer = Buffer.alloc(0);
  let name: string | undefined;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    held = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
    for (let end = held.indexOf(0); end !== -1; end = held.indexOf(0)) {
      const token = held.toString('utf8', 0, end);
      held = held.subarray(end + 1);
      if (name === undefined) {
        if (token === '') socket.write('\n');
        else name = token;
      } else {
        const label = labels.get(name);
        if (label !== undefined && token.trim() !== '') onValue(label, token);
        name = undefined;
      }
    }
  });
}

/**
 * The attempt's warnings, with one more when a capture was redacted again at its end (a secret
 * learned while it ran, printed before it was known): the record says that the evidence hides
 * it and that the live view may have shown it. Call after both captures ended.
 */
export function withRedactedAgainWarning(warnings: readonly string[] | undefined, stdout: OutputCapture, stderr: OutputCapture): { warnings?: string[] } {
  const streams = [stdout.redactedAgain ? 'stdout' : '', stderr.redactedAgain ? 'stderr' : ''].filter(Boolean);
  const all = [...(warnings ?? [])];
  if (streams.length > 0) {
    all.push(
      `a secret was learned while this attempt ran: its ${streams.join(' and ')} ${streams.length > 1 ? 'were' : 'was'} redacted again when it ended (log, hash and record); text shown live before the secret was known may have shown it`,
    );
  }
  return all.length > 0 ? { warnings: all } : {};
}
