import { FAILING_LINE_TRAP } from './failing-line-trap.js';

// The bash side of a stream session: one long-lived bash that reads cell requests from its
// standard input and answers on standard output and standard error, so that the same protocol
// works over any byte stream: a local pipe to `bash -s`, or `ssh HOST bash -s`.
//
// The protocol (runproof → bash, on stdin), one request a line, payloads counted in bytes:
//   C <id> <preBytes> <callBytes> <cellBytes>\n<pre><call><cell>
//       run a cell: `pre` is sourced by the session shell itself (what later cells keep: exports
//       runproof sets), `call` and then `cell` are sourced in the cell's own job. `call` sets
//       this call's variables (parameters) and lists their names in `__rp_skip`, so that they
//       are not carried into later cells.
//   K <SIGNAL>\n   send SIGNAL to the running cell's process group (timeout, Ctrl-C).
//   Q\n            end the session.
// and back (bash → runproof), markers that begin with the byte 0x1E and the session's nonce:
//   \x1eRP<nonce>:R:<pid>\n          on stdout once: the session is ready.
//   \x1eRP<nonce>:S:<id>:<pgid>\n    on stdout: the cell started, in process group <pgid>.
//   \x1eRP<nonce>:E:<id>:<status>:<strays>:<line>\n   on stdout after the cell: its exit status,
//                                    1 when processes it left in its group were ended, and the
//                                    cell line where it stopped at a failing command (or nothing).
//   \x1eRP<nonce>:V:<id>:<name>:<hex>\n  on stdout after the cell, before E: the value of a variable
//                                    whose name looks secret, for redaction (SECURITY L2); sent
//                                    when the value is new or changed, not again for every cell.
//   \x1eRP<nonce>:E:<id>\n           on stderr after the cell: its stderr is complete.
//
// Why a reader job: the session shell is blocked in `wait` while a cell runs, so it cannot notice
// that the channel closed. The reader owns stdin; it forwards cell requests through a FIFO to the
// session shell and acts on kill requests at once; when stdin ends (runproof exited, was killed,
// or the SSH connection dropped) it ends the running cell's process group (TERM, then KILL) and
// the session. That is the supervisor: no cell outlives the channel.
//
// Each cell runs as a job under `set -m`, so it has its own process group that can be killed
// whole. Its state (directory, variables, functions) is written by an EXIT trap in the job and
// sourced back by the session shell at top level, so declarations stay global.
//
// The whole driver is one `{ ... }` group: bash parses all of it before it runs any of it, and it
// reads a script on a pipe one byte at a time, so nothing after the group is read as script.

/** Names bash maintains itself: never carried from a cell back into the session. */
const INTERNAL_NAMES = [
  'BASH', 'BASHOPTS', 'BASHPID', 'BASH_ALIASES', 'BASH_ARGC', 'BASH_ARGV', 'BASH_ARGV0', 'BASH_CMDS',
  'BASH_COMMAND', 'BASH_LINENO', 'BASH_SOURCE', 'BASH_SUBSHELL', 'BASH_VERSINFO', 'BASH_VERSION',
  'COLUMNS', 'COMP_WORDBREAKS', 'DIRSTACK', 'EPOCHREALTIME', 'EPOCHSECONDS', 'EUID', 'FUNCNAME',
  'GROUPS', 'HISTCMD', 'HOSTNAME', 'HOSTTYPE', 'IFS', 'LINENO', 'LINES', 'MACHTYPE', 'OLDPWD', 'OPTARG',
  'OPTERR', 'OPTIND', 'OSTYPE', 'PIPESTATUS', 'PPID', 'PS4', 'PWD', 'RANDOM', 'SECONDS', 'SHELLOPTS',
  'SHLVL', 'SRANDOM', 'UID', '_',
];

/** The driver script for a session whose markers carry `nonce` (hex). */
export function streamDriverScript(nonce: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(nonce)) throw new Error(`bad session nonce ${nonce}`);
  const internal = INTERNAL_NAMES.join('|');
  return `{
builtin set +o history 2>/dev/null
__rp_n=${nonce}
__rp_last=
__rp_secret_re='[Tt][Oo][Kk][Ee][Nn]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Pp][Aa][Ss][Ss]|[Pp][Ww][Dd]|[Kk][Ee][Yy]|[Aa][Uu][Tt][Hh]|[Cc][Rr][Ee][Dd][Ee][Nn][Tt][Ii][Aa][Ll]|[Cc][Oo][Oo][Kk][Ii][Ee]'
__rp_dir=$(mktemp -d "\${TMPDIR:-/tmp}/runproof-session.XXXXXXXX") || builtin exit 97
mkfifo -m 600 "$__rp_dir/ctl" || builtin exit 97
__rp_reader() {
  local LC_ALL=C __l __k __i __a __b __c __p
  # A dead session shell must not kill the reader on its next write (SIGPIPE): it ends the loop
  # instead, and the clean-up below still runs.
  builtin trap '' PIPE
  while IFS= builtin read -r __l; do
    case $__l in
      C\\ *)
        builtin read -r __k __i __a __b __c <<< "$__l"
        IFS= builtin read -r -N "$__a" __p || __p=; builtin printf '%s' "$__p" > "$__rp_dir/pre"
        IFS= builtin read -r -N "$__b" __p || __p=; builtin printf '%s' "$__p" > "$__rp_dir/call"
        IFS= builtin read -r -N "$__c" __p || __p=; builtin printf '%s' "$__p" > "$__rp_dir/cell"
        builtin printf 'C %s\\n' "$__i" 2>/dev/null || break ;;
      K\\ *)
        if [ -s "$__rp_dir/pgid" ]; then builtin kill -s "\${__l#K }" -- "-$(< "$__rp_dir/pgid")" 2>/dev/null; fi
        builtin kill -CONT $$ 2>/dev/null ;;
      Q) break ;;
    esac
  done
  if [ -s "$__rp_dir/pgid" ]; then
    __p=$(< "$__rp_dir/pgid")
    builtin kill -TERM -- "-$__p" 2>/dev/null && { sleep 1; builtin kill -KILL -- "-$__p" 2>/dev/null; }
  fi
  # The session shell was killed (kill -9, OOM): nobody else removes the session's files.
  if ! builtin kill -0 $$ 2>/dev/null; then builtin command rm -rf -- "$__rp_dir"; fi
  builtin printf 'Q\\n'
}
${FAILING_LINE_TRAP}__rp_save() {
  builtin trap - ERR
  builtin set +e +u +x +o errtrace +o pipefail
  local __n __v=() __f=()
  # Names are listed into the state file and read back: no \$(...) fork per cell.
  {
    builtin compgen -v > "$1"
    while builtin read -r __n; do __v+=("$__n"); done < "$1"
    builtin compgen -A function > "$1"
    while builtin read -r __n; do __f+=("$__n"); done < "$1"
    {
      builtin printf 'builtin cd -- %q 2>/dev/null\\n' "\${__rp_home:-$PWD}"
      for __n in "\${__v[@]}"; do
        case $__n in __rp_*|${internal}) continue ;; esac
        case " $__rp_skip " in *" $__n "*) continue ;; esac
        builtin declare -p "$__n" 2>/dev/null
      done
      for __n in "\${__f[@]}"; do
        case $__n in __rp_*) continue ;; esac
        builtin declare -f "$__n"
      done
      builtin printf '__rp_complete=1\\n'
    } > "$1"
  } 2>/dev/null
}
builtin set -m
# The session shell and its reader ignore the signals a cell may aim at \$\$ (which is the
# session's pid in every cell) or at the terminal's group; each cell's job resets them. SIGSTOP
# cannot be ignored: a kill request also continues the session shell.
builtin trap '' INT TERM HUP QUIT TSTP TTIN TTOU USR1 USR2 ALRM
__rp_reader <&0 > "$__rp_dir/ctl" 2>/dev/null &
# fd 4 is the channel's stderr for cells and markers; the session's own fd 2 (job notices such as
# "Terminated") goes nowhere.
exec 3< "$__rp_dir/ctl" 0</dev/null 4>&2 2>/dev/null
builtin printf '\\036RP%s:R:%d\\n' "$__rp_n" "$$"
while IFS= builtin read -r -u 3 __rp_line; do
  case $__rp_line in
    C\\ *)
      __rp_id=\${__rp_line#C }
      builtin source "$__rp_dir/pre"
      # One set of files, reused: emptied here (builtins), never removed per cell (a fork).
      : > "$__rp_dir/state"; : > "$__rp_dir/fail"
      (
        builtin unset __rp_n
        builtin trap - INT TERM HUP QUIT TSTP TTIN TTOU USR1 USR2 ALRM
        builtin trap '__rp_rc=$?; __rp_save "$__rp_dir/state"; builtin exit $__rp_rc' EXIT
        __rp_errexit=1
        builtin source "$__rp_dir/call"
        builtin unset __rp_line __rp_pid __rp_rc __rp_complete
        __rp_main=$BASHPID __rp_cell=$__rp_dir/cell __rp_fail=$__rp_dir/fail __rp_pipe_ok=
        if [ -n "$__rp_errexit" ]; then builtin set -o pipefail -o errtrace; builtin trap __rp_err ERR; fi
        builtin source "$__rp_cell"
        __rp_rc=$?
        builtin trap - ERR
        if [ "$__rp_rc" = 141 ] && [ -n "$__rp_pipe_ok" ]; then __rp_rc=0; fi
        builtin exit "$__rp_rc"
      ) < /dev/null 2>&4 3<&- 4>&- &
      __rp_pid=$!
      builtin printf '%s' "$__rp_pid" > "$__rp_dir/pgid"
      builtin printf '\\036RP%s:S:%s:%d\\n' "$__rp_n" "$__rp_id" "$__rp_pid"
      builtin wait "$__rp_pid"; __rp_rc=$?
      : > "$__rp_dir/pgid"
      __rp_strays=0
      if builtin kill -0 -- "-$__rp_pid" 2>/dev/null; then
        __rp_strays=1
        builtin kill -TERM -- "-$__rp_pid" 2>/dev/null; sleep 0.2; builtin kill -KILL -- "-$__rp_pid" 2>/dev/null
      fi
      __rp_failed=
      if [ -s "$__rp_dir/fail" ]; then builtin read -r __rp_failed < "$__rp_dir/fail"; fi
      # A state the session already holds (most cells change nothing) is not sourced again,
      # nor searched for secrets: sourcing every declaration costs more than the cell.
      __rp_state=
      IFS= builtin read -r -d '' __rp_state < "$__rp_dir/state" 2>/dev/null
      if [ -z "$__rp_state" ] || [ "$__rp_state" != "$__rp_last" ]; then
      __rp_complete=
      # A complete state is the whole session: what the cell unset (variables, functions) goes
      # too, except this call's own variables, which the state leaves out.
      if [[ $__rp_state == *$'\\n__rp_complete=1\\n' ]]; then
        builtin compgen -v > "$__rp_dir/names"
        while builtin read -r __rp_v; do
          case $__rp_v in __rp_*|${internal}) continue ;; esac
          case " $__rp_skip " in *" $__rp_v "*) continue ;; esac
          builtin unset -v "$__rp_v"
        done < "$__rp_dir/names" 2>/dev/null
        builtin compgen -A function > "$__rp_dir/names"
        while builtin read -r __rp_v; do
          case $__rp_v in __rp_*) ;; *) builtin unset -f "$__rp_v" ;; esac
        done < "$__rp_dir/names" 2>/dev/null
      fi
      if [ -n "$__rp_state" ]; then builtin source "$__rp_dir/state" 2>/dev/null; fi
      if [ "$__rp_complete" = 1 ]; then __rp_last=$__rp_state; else builtin cd -- "$PWD" 2>/dev/null; fi
      # Values of secret-named variables the session now holds (runproof applies the exact rule).
      # Each value is reported once, when it is new or changed (its last report is kept in
      # __rp_sv_NAME): the hex encoding forks, the usual cell pays nothing.
      builtin compgen -v > "$__rp_dir/names"
      while builtin read -r __rp_v; do
        case $__rp_v in __rp_*) continue ;; esac
        if [[ $__rp_v =~ $__rp_secret_re ]] && [ -n "\${!__rp_v-}" ]; then
          __rp_sv=__rp_sv_$__rp_v
          if [ "\${!__rp_sv-}" != "\${!__rp_v}" ] || [ -z "\${!__rp_sv+x}" ]; then
            builtin printf -v "$__rp_sv" '%s' "\${!__rp_v}"
            builtin printf '\\036RP%s:V:%s:%s:%s\\n' "$__rp_n" "$__rp_id" "$__rp_v" "$(builtin printf '%s' "\${!__rp_v}" | od -An -v -tx1 | tr -d ' \\n')"
          fi
        fi
      done < "$__rp_dir/names" 2>/dev/null
      fi
      builtin printf '\\036RP%s:E:%s:%d:%d:%s\\n' "$__rp_n" "$__rp_id" "$__rp_rc" "$__rp_strays" "$__rp_failed"
      builtin printf '\\036RP%s:E:%s\\n' "$__rp_n" "$__rp_id" >&4 ;;
    *) break ;;
  esac
done
builtin command rm -rf -- "$__rp_dir"
builtin exit 0
}
`;
}
