// The supervisor: a tiny bash per shell session that outlives nothing. runproof writes `+PGID` when
// it starts a cell's process group and `-PGID` once that group is over, down a pipe only runproof
// and the supervisor hold. When runproof dies in any way (kill -9 included), the kernel closes the
// pipe's write end, `read` sees EOF, and the supervisor kills every group still listed: SIGTERM,
// then SIGKILL one second later. A pipe held by the cell itself would not do: the cell would keep
// it open. The supervisor runs in its own session and ignores terminal signals, so the Ctrl-C that
// reaches runproof's process group does not take it down before runproof's own clean-up.
import { spawn, type ChildProcess } from 'node:child_process';

// `Q` is runproof's orderly close: it ended what it meant to itself. Without it, EOF means runproof
// died: the listed groups are ended, and so is every process that carries the session's marker
// (`RUNPROOF_SESSION=$1` in its environment), which finds a cell's processes that left their
// group (`setsid`, a double fork into a new session). The supervisor's own environment has no
// marker, so neither it nor its grep is ever found.
const SUPERVISOR_SCRIPT = `trap '' INT TERM HUP QUIT TSTP
g=' '
while IFS= read -r l; do
  case $l in
    +*) g="$g\${l#+} " ;;
    -*) case $g in *" \${l#-} "*) g="\${g%% \${l#-} *} \${g#* \${l#-} }" ;; esac ;;
    Q) exit 0 ;;
  esac
done
marked() { grep -lzxF "RUNPROOF_SESSION=$1" /proc/[0-9]*/environ 2>/dev/null | sed -n 's|^/proc/\\([0-9]*\\)/environ$|\\1|p'; }
for p in $g; do kill -TERM -- "-$p" 2>/dev/null; kill -CONT -- "-$p" 2>/dev/null; done
m=$(marked "$1")
[ "$g" = ' ' ] && [ -z "$m" ] && exit 0
for p in $m; do kill -TERM "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; done
sleep 1
for p in $g; do kill -KILL -- "-$p" 2>/dev/null; done
for p in $(marked "$1"); do kill -KILL "$p" 2>/dev/null; done
exit 0
`;

/** Ends a session's process groups when runproof dies; see the file comment. */
export interface Supervisor {
  /** The supervisor's pid (undefined when it could not start: then nothing is supervised). */
  readonly pid: number | undefined;
  /** A cell's process group started. */
  watch(pgid: number): void;
  /** A process group is over (ended, or killed by runproof itself). */
  release(pgid: number): void;
  /** Ends the supervisor (after the session killed its groups itself). */
  close(): void;
}

/** Starts the supervisor process of one session. */
export function startSupervisor(marker?: string): Supervisor {
  let child: ChildProcess | undefined;
  try {
    // bash, not sh: dash's kill takes no `--`, so it cannot signal a negative (group) id.
    child = spawn('bash', ['-c', SUPERVISOR_SCRIPT, 'runproof-supervisor', marker ?? ''], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    child = undefined;
  }
  child?.on('error', () => undefined);
  child?.stdin?.on('error', () => undefined);
  // Neither the process nor its pipe may keep runproof alive.
  child?.unref();
  (child?.stdin as unknown as { unref?: () => void } | undefined)?.unref?.();
  let open = child !== undefined;
  const watched = new Set<number>();
  const send = (line: string): void => {
    if (open && child?.stdin?.writable) child.stdin.write(`${line}\n`);
  };
  return {
    pid: child?.pid,
    watch: (pgid) => {
      watched.add(pgid);
      send(`+${pgid}`);
    },
    release: (pgid) => {
      if (watched.delete(pgid)) send(`-${pgid}`);
    },
    close: () => {
      if (!open) return;
      // What the session chose to leave running (killStraysOnClose: false) is released first.
      for (const pgid of watched) send(`-${pgid}`);
      watched.clear();
      send('Q');
      open = false;
      child?.stdin?.end();
    },
  };
}
