// Folders runproof writes into that already exist may have been planted: an evidence folder or
// its `.locks/` that is a symbolic link would send bundles and lock files somewhere else.
import { lstat, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RunproofError } from '../core/index.js';

/**
 * Creates `path` when missing (parents too) and checks that the folder itself is a real
 * directory, not a symbolic link (links among its parents, such as /tmp → /private/tmp, are
 * fine: the operator chose that path). Returns the absolute path.
 * @throws RunproofError RP_UNSAFE_PATH for a link or a non-directory, RP_EVIDENCE_WRITE_FAILED when it cannot be created.
 * @example await ensureRealDir('evidence', 'evidence folder')
 */
export async function ensureRealDir(path: string, what: string): Promise<string> {
  const dir = resolve(path);
  const before = await lstat(dir).catch(() => null);
  if (before === null) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new RunproofError('RP_DISK_FULL', `no space left to create the ${what} ${dir}`, { hint: 'free disk space or choose another --evidence-dir', cause });
      throw new RunproofError('RP_EVIDENCE_WRITE_FAILED', `cannot create the ${what} ${dir}: ${(cause as Error).message}`, {
        hint: 'choose a writable folder with --evidence-dir',
        cause,
      });
    }
  }
  const info = await lstat(dir).catch(() => null);
  if (info?.isSymbolicLink()) {
    throw new RunproofError('RP_UNSAFE_PATH', `the ${what} ${dir} is a symbolic link; refusing to write through it`, {
      hint: 'pass the real folder it points to with --evidence-dir, or remove the link',
    });
  }
  if (!info?.isDirectory()) {
    throw new RunproofError('RP_UNSAFE_PATH', `the ${what} ${dir} is not a directory`, { hint: 'choose another --evidence-dir' });
  }
  return dir;
}
