// One run at a time per runbook and selection: a lock file under `<evidenceDir>/.locks/`,
// created atomically (link of a complete temp file), taken over when its process is dead.
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RunproofError } from '../core/index.js';
import { ensureRealDir } from './safe-dir.js';

export const LOCKS_DIR = '.locks';
// A takeover that has not finished in this long was abandoned by a crashed process.
const TAKEOVER_STALE_MS = 10_000;
const MAX_TRIES = 50;

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  key: string;
  /** Random per acquisition, so release never removes someone else's lock. */
  token: string;
}

/** A held lock. */
export interface RunLock {
  /** Absolute path of the lock file. */
  readonly path: string;
  /** Set when a lock left by a dead process was taken over (record it as a warning). */
  readonly tookOverFrom?: { pid: number; host: string; since: string };
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * The lock key of a run: the runbook's absolute path and its selection.
 * @example lockKeyFor('ops/roxy.md', { sections: ['2'], cells: [] })
 */
export function lockKeyFor(runbookPath: string, selection: { sections?: readonly string[]; cells?: readonly string[]; tags?: readonly string[] }): string {
  const norm = (xs: readonly string[] | undefined): string[] => [...(xs ?? [])].map((x) => x.toLowerCase()).sort();
  return JSON.stringify({
    runbook: resolve(runbookPath),
    sections: norm(selection.sections),
    cells: norm(selection.cells),
    tags: norm(selection.tags),
  });
}

function lockPathFor(evidenceDir: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 24);
  return join(resolve(evidenceDir), LOCKS_DIR, `${hash}.lock`);
}

// Whether a process exists on this host: signal 0 checks without touching it (EPERM = exists).
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | null | 'corrupt'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.since === 'string') return owner;
  } catch {
    // fall through
  }
  return 'corrupt';
}

// Creates the lock only if absent, and never visible half-written: link() of a full temp file.
async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const tmp = `${path}.${owner.token}.tmp`;
  await writeFile(tmp, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

function lockedError(path: string, owner: LockOwner | 'corrupt'): RunproofError {
  if (owner === 'corrupt') {
    return new RunproofError('RP_LOCKED', `another run holds the lock ${path} (its content is unreadable)`, {
      hint: `if no other runproof run is active, delete ${path}`,
    });
  }
  const here = owner.host === hostname();
  return new RunproofError('RP_LOCKED', `another run of this runbook and selection is in progress: held by pid ${owner.pid} on host ${owner.host} since ${owner.since}`, {
    hint: here
      ? `wait for it to finish, or stop it (kill ${owner.pid}); the lock is ${path}`
      : `it runs on another host; if that run is gone, delete ${path}`,
  });
}

/**
 * Takes the run lock for `key` (see `lockKeyFor`) in `evidenceDir`.
 * A lock whose process is dead on this host is taken over (`tookOverFrom` says whose).
 * @throws RunproofError RP_LOCKED naming the holder's pid, host and start time.
 * @example const lock = await acquireLock({ evidenceDir: 'evidence', key }); try { ... } finally { await lock.release(); }
 */
export async function acquireLock(options: { evidenceDir: string; key: string; now?: Date }): Promise<RunLock> {
  const path = lockPathFor(options.evidenceDir, options.key);
  // A planted link (the evidence folder or `.locks` pointing elsewhere) would put lock files there.
  await ensureRealDir(options.evidenceDir, 'evidence folder');
  await ensureRealDir(join(resolve(options.evidenceDir), LOCKS_DIR), 'lock folder');
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    since: (options.now ?? new Date()).toISOString(),
    key: options.key,
    token: randomBytes(8).toString('hex'),
  };
  let tookOverFrom: RunLock['tookOverFrom'];
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    if (await tryCreate(path, me)) return makeLock(path, me, tookOverFrom);
    const owner = await readOwner(path);
    if (owner === null) continue; // released between our attempt and the read
    if (owner === 'corrupt' || owner.host !== me.host || isAlive(owner.pid)) throw lockedError(path, owner);
    const taken = await takeOver(path, owner);
    if (taken === 'busy') await new Promise((r) => setTimeout(r, 20));
    else if (taken) tookOverFrom = { pid: owner.pid, host: owner.host, since: owner.since };
  }
  throw new RunproofError('RP_LOCKED', `could not take the lock ${path}: other runs keep racing for it`, {
    hint: 'try again in a moment',
  });
}

// Removes a dead owner's lock under a takeover guard, so two racers cannot both remove the
// lock (the second one would remove the first one's fresh lock).
async function takeOver(path: string, dead: LockOwner): Promise<boolean | 'busy'> {
  const guard = `${path}.takeover`;
  try {
    await writeFile(guard, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const info = await stat(guard).catch(() => null);
    if (info && Date.now() - info.mtimeMs > TAKEOVER_STALE_MS) await unlink(guard).catch(() => undefined);
    return 'busy';
  }
  try {
    const now = await readOwner(path);
    if (now === null) return false;
    if (now === 'corrupt' || now.token !== dead.token || now.pid !== dead.pid) return false;
    await unlink(path).catch(() => undefined);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

function makeLock(path: string, me: LockOwner, tookOverFrom: RunLock['tookOverFrom']): RunLock {
  let released = false;
  return {
    path,
    ...(tookOverFrom ? { tookOverFrom } : {}),
    async release(): Promise<void> {
      if (released) return;
      released = true;
      const owner = await readOwner(path).catch(() => null);
      if (owner && owner !== 'corrupt' && owner.token === me.token) await unlink(path).catch(() => undefined);
    },
  };
}
