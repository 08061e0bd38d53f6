import { open, rename, unlink } from 'node:fs/promises';
import { RunproofError } from '../core/index.js';

/** The RP_* error for a failed evidence write: RP_DISK_FULL when the disk is full, so the operator knows what to free. */
export function writeFailed(what: string, cause: unknown): RunproofError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new RunproofError('RP_DISK_FULL', `no space left to write ${what}`, { hint: 'free disk space or choose another --evidence-dir', cause });
  }
  if (cause instanceof RunproofError) return cause;
  return new RunproofError('RP_EVIDENCE_WRITE_FAILED', `cannot write ${what}: ${(cause as Error)?.message ?? String(cause)}`, {
    hint: 'check that the evidence folder exists and is writable',
    cause,
  });
}

// Temp file, fsync, rename: a reader never sees half a file, a crash leaves the old one.
export async function writeAtomic(path: string, content: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    // 'wx': a file or link already at the temp path (planted, or left by a dead process with
    // this pid) is never followed: it is removed (unlink does not follow links) and created anew.
    const handle = await open(tmp, 'wx').catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      await unlink(tmp);
      return open(tmp, 'wx');
    });
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw writeFailed(path, err);
  }
}
