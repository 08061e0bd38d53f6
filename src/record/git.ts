// The runbook's version for the record: git commit of the work tree and whether the runbook
// file differs from it. Git missing or the file outside a repository is not an error.
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';

/** Where the runbook stands in git; nulls when git is missing or the file is not in a repository. */
export interface GitInfo {
  commit: string | null;
  /** True when the runbook file has uncommitted changes or is untracked. */
  dirty: boolean | null;
  /** The repository's top-level directory. */
  root?: string;
}

function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((done) => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      // GIT_OPTIONAL_LOCKS=0: `status` must not take the index lock of the operator's repository.
      { env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' }, timeout: 10_000, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout) => done({ ok: err === null, stdout: String(stdout) }),
    );
  });
}

/**
 * Git commit, dirty flag and root for the file at `path`.
 * @example await gitInfo('ops/roxy.md') // { commit: '3f2a…', dirty: false, root: '/srv/ops' }
 */
export async function gitInfo(path: string): Promise<GitInfo> {
  const file = resolve(path);
  const dir = dirname(file);
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  if (!top.ok) return { commit: null, dirty: null };
  const root = top.stdout.trim();
  const head = await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  const commit = head.ok && /^[0-9a-f]{40,64}$/.test(head.stdout.trim()) ? head.stdout.trim() : null;
  const status = await git(dir, ['status', '--porcelain', '--untracked-files=all', '--', file]);
  // An ignored file shows nothing in status, yet is not in the commit either.
  const tracked = await git(dir, ['ls-files', '--error-unmatch', '--', file]);
  const dirty = status.ok ? status.stdout.trim() !== '' || !tracked.ok : null;
  return { commit, dirty, root };
}
