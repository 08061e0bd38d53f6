// The failing-line check shared by both shell sessions (shell-session.ts and the stream driver):
// bash text of the `__rp_err` ERR-trap function. It reads `__rp_cell` (the cell file),
// `__rp_fail` (where the failing cell line goes, or empty), `__rp_main` (the cell's own shell's
// BASHPID) and sets `__rp_pipe_ok` when a pipeline failed only by SIGPIPE.
export const FAILING_LINE_TRAP = `# The failing-line check: an ERR trap (inherited by functions, subshells and $(...) through
# errtrace) fires exactly where "set -e" would stop, and ends the shell there. Unlike "set -e"
# it can let a pipeline pass whose only failures are SIGPIPE (141) on the left of a last part
# that succeeded ("cmd | head"). In the cell's own shell it writes the cell line of the
# outermost frame (the line of the cell that called the failing function) to the fail file.
__rp_err() {
  local __rp_s=$? __rp_p=("\${PIPESTATUS[@]}") __rp_i __rp_l=
  if [ "$__rp_s" = 141 ] && [ "\${#__rp_p[@]}" -gt 1 ] && [ "\${__rp_p[\${#__rp_p[@]}-1]}" = 0 ]; then
    __rp_l=1
    for __rp_i in "\${__rp_p[@]}"; do
      case $__rp_i in 0|141) ;; *) __rp_l= ;; esac
    done
    if [ -n "$__rp_l" ]; then __rp_pipe_ok=1; builtin return 0; fi
  fi
  if [ "$BASHPID" != "$__rp_main" ]; then builtin exit "$__rp_s"; fi
  for ((__rp_i=\${#FUNCNAME[@]}-1; __rp_i>=1; __rp_i--)); do
    if [ "\${FUNCNAME[__rp_i]}" = source ] && [ "\${BASH_SOURCE[__rp_i]}" = "$__rp_cell" ]; then
      __rp_l=\${BASH_LINENO[__rp_i-1]}
      break
    fi
  done
  # Not inside the cell: the prelude's own "source" returned the cell's status.
  if [ -z "$__rp_l" ]; then builtin return 0; fi
  if [ -n "$__rp_fail" ]; then builtin printf '%s\\n' "$__rp_l" > "$__rp_fail"; fi 2>/dev/null
  builtin exit "$__rp_s"
}
`;
