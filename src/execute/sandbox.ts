// The sandbox under the classifier (K2): unattended `read` cells run inside bubblewrap, so a
// command the classifier got wrong still cannot write or delete files.
//
// Decisions:
// - Read-only root (`--ro-bind / /`), private `/tmp` (tmpfs), fresh `/dev` and `/proc`, with
//   `/proc/sys` read-only (root can write sysctls by file permission alone, without capabilities).
// - `--cap-drop ALL`: run as root, bwrap would otherwise keep every capability and a cell could
//   `mount -o remount,rw /`. No-new-privileges is always set by bwrap.
// - New pid, UTS and IPC namespaces, `--new-session` (no TIOCSTI into runproof's terminal),
//   `--die-with-parent`: when the cell ends or is killed, bwrap's death ends every process in its
//   pid namespace, so no read cell leaves anything behind. The network stays: read cells curl.
// - Caches read-only tools write (kubectl's discovery cache, ~/.cache) get a private empty tmpfs
//   over the existing folder: the tool rebuilds its cache in memory, the real one is untouched.
// - The session state carries over: the cell's state and fail files (created empty beforehand)
//   are bound writable, one by one; the rest of the session folder is read-only.
// - A working directory under `/tmp` is bound back read-only over the private `/tmp`.
// - The temp folder named by TMPDIR (runproof's and the session shell's, when it is not `/tmp`)
//   gets a private tmpfs too: the kernel lets a process open a FIFO for writing on a read-only
//   mount, and session FIFOs live there (`runproof-session.*/ctl`). Other FIFOs, unix sockets
//   (docker, dbus, journald) and the network stay reachable: see docs/SECURITY.md.
import { execFile } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Cache folders under HOME that get a private writable tmpfs when they exist. */
export const SANDBOX_CACHE_DIRS = ['.kube/cache', '.kube/http-cache', '.cache'];

export type SandboxMode = 'required' | 'warn' | 'off';

/** Whether bubblewrap can run here, found once per run by {@link probeSandbox}. */
export interface SandboxProbe {
  available: boolean;
  /** Why not, when it is not (no bwrap, no namespaces). */
  reason?: string;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A temp folder (TMPDIR) that may be hidden under a private tmpfs: an existing folder below a top-level one, not a system folder. */
function privateTempDir(path: string | undefined): string | undefined {
  if (path === undefined || path === '' || !path.startsWith('/')) return undefined;
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  if (!isDirectory(real) || real === '/tmp' || real.startsWith('/tmp/')) return undefined;
  if (real.split('/').filter((p) => p !== '').length < 2) return undefined;
  if (/^\/(usr|etc|var\/(lib|log|cache|spool|run)|opt|srv|home|root|boot|proc|sys|dev)(\/|$)/.test(real) && !/^\/(home\/[^/]+|root)\/(tmp|\.tmp|\.cache\/tmp)(\/|$)/.test(real)) return undefined;
  return real;
}

/** bwrap's arguments (before the command) for one sandboxed cell. */
export function sandboxArgs(options: { cwd: string; home?: string; readOnly?: string[]; writable?: string[]; tempDirs?: (string | undefined)[] }): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--ro-bind', '/proc/sys', '/proc/sys', '--tmpfs', '/tmp'];
  const hidden = [...new Set((options.tempDirs ?? []).map(privateTempDir).filter((d): d is string => d !== undefined))];
  for (const dir of hidden) {
    args.push('--tmpfs', dir);
    const cwd = options.cwd;
    if (cwd === dir || cwd.startsWith(`${dir}/`)) args.push('--ro-bind', cwd, cwd);
  }
  const home = options.home ?? homedir();
  for (const cache of SANDBOX_CACHE_DIRS) {
    const path = join(home, cache);
    if (isDirectory(path)) args.push('--tmpfs', path);
  }
  if (options.cwd === '/tmp' || options.cwd.startsWith('/tmp/')) args.push('--ro-bind', options.cwd, options.cwd);
  for (const path of options.readOnly ?? []) args.push('--ro-bind', path, path);
  for (const path of options.writable ?? []) args.push('--bind', path, path);
  args.push('--unshare-pid', '--unshare-uts', '--unshare-ipc', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--chdir', options.cwd, '--');
  return args;
}

/** Runs `bwrap ... true` once: available when it exits 0 (bwrap present, namespaces allowed). */
export function probeSandbox(bwrap = 'bwrap'): Promise<SandboxProbe> {
  return new Promise((resolve) => {
    execFile(bwrap, [...sandboxArgs({ cwd: '/' }), 'true'], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve({ available: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolve({ available: false, reason: 'bubblewrap (bwrap) is not installed' });
      const detail = String(stderr).trim().split('\n')[0] ?? error.message;
      resolve({ available: false, reason: `bwrap cannot create its namespaces here: ${detail || error.message}` });
    });
  });
}
