// One run at a time per runbook and selection: a lock file created atomically (link of a
// complete temp file). Run locks live in one folder per user (`runLockDir`: RUNPROOF_LOCK_DIR,
// else $XDG_STATE_HOME/runproof/locks), whatever `--evidence-dir` says; the chain lock of an
// evidence folder lives in `<evidenceDir>/.locks/`. A lock carries host, pid, boot id and a
// heartbeat refreshed while it is held; it is taken over when its heartbeat is stale (a dead
// run on another host, e.g. a Kubernetes pod gone from a shared volume), when its process is
// dead on this host, or when this host rebooted since.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { link, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RunproofError } from '../core/index.js';
import { ensureRealDir } from './safe-dir.js';

export const LOCKS_DIR = '.locks';
// A takeover that has not finished in this long was abandoned by a crashed process.
const TAKEOVER_STALE_MS = 10_000;
const MAX_TRIES = 50;

/** How often a held lock's heartbeat is refreshed, and when a heartbeat counts as stale (ms). */
export const LOCK_HEARTBEAT_MS = 5_000;
export const LOCK_STALE_MS = 60_000;

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  key: string;
  /** Random per acquisition, so release never removes someone else's lock. */
  token: string;
  /** /proc/sys/kernel/random/boot_id of the holder's host: a pid means nothing after a reboot. */
  bootId?: string;
  /** ISO time the holder last proved it was alive (refreshed every LOCK_HEARTBEAT_MS). */
  heartbeat?: string;
  /** The bundle folder the run writes (set once it exists): `recover` releases this lock. */
  bundle?: string;
}

/** Why a lock was taken over, and whose it was: recorded in the new run's record. */
export interface TakenOver {
  pid: number;
  host: string;
  since: string;
  heartbeat?: string;
  reason: string;
}

/** A held lock. */
export interface RunLock {
  /** Absolute path of the lock file. */
  readonly path: string;
  /** Set when a lock left by a dead process was taken over (record it as a warning). */
  readonly tookOverFrom?: TakenOver;
  /** Names the bundle folder the run writes, so that `recover` of that bundle releases the lock. */
  setBundle(bundleDir: string): Promise<void>;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * The one folder of run locks, independent of `--evidence-dir`: RUNPROOF_LOCK_DIR, else
 * $XDG_STATE_HOME/runproof/locks, else ~/.local/state/runproof/locks. Runs on several hosts
 * that share a volume (Kubernetes pods) share locks by pointing RUNPROOF_LOCK_DIR into it.
 */
export function runLockDir(env: Record<string, string | undefined> = process.env): string {
  if (env.RUNPROOF_LOCK_DIR) return resolve(env.RUNPROOF_LOCK_DIR);
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'runproof', 'locks');
}

/**
 * The run-lock key of a runbook and a resolved selection: the runbook's real path and the ids
 * of the steps the selection resolved to, so `--section 1` and `--section First` are one lock.
 */
export function runLockKey(realRunbookPath: string, stepIds: readonly string[]): string {
  return JSON.stringify({ runbook: realRunbookPath, steps: [...stepIds].sort() });
}

let cachedBootId: string | undefined;
/** This host's boot id ('' where /proc has none). */
export function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
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

function lockPathFor(lockDir: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 24);
  return join(lockDir, `${hash}.lock`);
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

export async function readOwner(path: string): Promise<LockOwner | null | 'corrupt'> {
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

function lockedError(path: string, owner: LockOwner | 'corrupt', staleMs: number): RunproofError {
  if (owner === 'corrupt') {
    return new RunproofError('RP_LOCKED', `another run holds the lock ${path} (its content is unreadable)`, {
      hint: `if no other runproof run is active, delete ${path}`,
    });
  }
  const here = owner.host === hostname();
  const beat = owner.heartbeat ? `, alive at ${owner.heartbeat}` : '';
  return new RunproofError('RP_LOCKED', `another run of this runbook and selection is in progress: held by pid ${owner.pid} on host ${owner.host} since ${owner.since}${beat}`, {
    hint: here
      ? `wait for it to finish, or stop it (kill ${owner.pid}); the lock is ${path}`
      : `it runs on another host; if that run is gone its lock is taken over once its heartbeat is ${Math.round(staleMs / 1000)} s old (or run \`runproof recover\` on its bundle)`,
  });
}

// Why a lock held by `owner` may be taken over, or null while its holder may be alive.
function staleReason(owner: LockOwner, staleMs: number, now: number): string | null {
  const beat = Date.parse(owner.heartbeat ?? owner.since);
  if (Number.isFinite(beat) && now - beat > staleMs) return `its heartbeat stopped ${Math.round((now - beat) / 1000)} s ago (stale after ${Math.round(staleMs / 1000)} s)`;
  if (owner.host !== hostname()) return null;
  const mine = bootId();
  if (owner.bootId && mine && owner.bootId !== mine) return 'this host rebooted since it was taken';
  if (!isAlive(owner.pid)) return `its process ${owner.pid} is gone`;
  return null;
}

export interface AcquireLockOptions {
  /** The chain lock of an evidence folder: `<evidenceDir>/.locks/`. */
  evidenceDir?: string;
  /** A lock folder used as is (run locks: `runLockDir()`). */
  dir?: string;
  key: string;
  now?: Date;
  /** Heartbeat period and staleness (default LOCK_HEARTBEAT_MS, LOCK_STALE_MS; RUNPROOF_LOCK_STALE_MS overrides the latter). */
  heartbeatMs?: number;
  staleMs?: number;
}

/**
 * Takes the lock for `key` in `dir` (or `<evidenceDir>/.locks/`). A lock whose holder is gone
 * (stale heartbeat, dead process on this host, host rebooted) is taken over (`tookOverFrom`).
 * While held, its heartbeat is refreshed.
 * @throws RunproofError RP_LOCKED naming the holder's pid, host and start time.
 * @example const lock = await acquireLock({ dir: runLockDir(), key }); try { ... } finally { await lock.release(); }
 */
export async function acquireLock(options: AcquireLockOptions): Promise<RunLock> {
  let lockDir: string;
  if (options.dir !== undefined) {
    lockDir = await ensureRealDir(options.dir, 'lock folder');
  } else if (options.evidenceDir !== undefined) {
    // A planted link (the evidence folder or `.locks` pointing elsewhere) would put lock files there.
    await ensureRealDir(options.evidenceDir, 'evidence folder');
    lockDir = await ensureRealDir(join(resolve(options.evidenceDir), LOCKS_DIR), 'lock folder');
  } else {
    throw new Error('acquireLock needs dir or evidenceDir');
  }
  const path = lockPathFor(lockDir, options.key);
  const envStale = Number(process.env.RUNPROOF_LOCK_STALE_MS);
  const staleMs = options.staleMs ?? (Number.isFinite(envStale) && envStale > 0 ? envStale : LOCK_STALE_MS);
  const heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.min(LOCK_HEARTBEAT_MS, Math.floor(staleMs / 4)));
  const since = (options.now ?? new Date()).toISOString();
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    since,
    key: options.key,
    token: randomBytes(8).toString('hex'),
    bootId: bootId(),
    heartbeat: new Date().toISOString(),
  };
  let tookOverFrom: TakenOver | undefined;
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    if (await tryCreate(path, me)) return makeLock(path, me, tookOverFrom, heartbeatMs);
    const owner = await readOwner(path);
    if (owner === null) continue; // released between our attempt and the read
    if (owner === 'corrupt') throw lockedError(path, owner, staleMs);
    const reason = staleReason(owner, staleMs, Date.now());
    if (reason === null) throw lockedError(path, owner, staleMs);
    const taken = await takeOver(path, owner);
    if (taken === 'busy') await new Promise((r) => setTimeout(r, 20));
    else if (taken) tookOverFrom = { pid: owner.pid, host: owner.host, since: owner.since, ...(owner.heartbeat ? { heartbeat: owner.heartbeat } : {}), reason };
  }
  throw new RunproofError('RP_LOCKED', `could not take the lock ${path}: other runs keep racing for it`, {
    hint: 'try again in a moment',
  });
}

/**
 * Removes the run locks that name `bundleDir` (see `RunLock.setBundle`) and whose holder is gone:
 * what `recover` does after sealing a killed run's bundle. Returns the removed lock files.
 */
export async function releaseLocksOfBundle(bundleDir: string, lockDir: string = runLockDir()): Promise<string[]> {
  const removed: string[] = [];
  for (const { path, owner } of await bundleLocks(bundleDir, lockDir)) {
    if (owner.host === hostname() && owner.pid !== process.pid && isAlive(owner.pid) && (!owner.bootId || owner.bootId === bootId())) continue;
    if ((await takeOver(path, owner)) === true) removed.push(path);
  }
  return removed;
}

/** The run locks in `lockDir` that name `bundleDir`, whoever holds them. */
export async function locksOfBundle(bundleDir: string, lockDir: string = runLockDir()): Promise<LockOwner[]> {
  return (await bundleLocks(bundleDir, lockDir)).map((l) => l.owner);
}

// Each lock file in `lockDir` whose readable owner names `bundleDir`, with its path.
async function bundleLocks(bundleDir: string, lockDir: string): Promise<Array<{ path: string; owner: LockOwner }>> {
  const target = resolve(bundleDir);
  const out: Array<{ path: string; owner: LockOwner }> = [];
  let names: string[];
  try {
    names = await readdir(lockDir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!name.endsWith('.lock')) continue;
    const path = join(lockDir, name);
    const owner = await readOwner(path).catch(() => null);
    if (owner && owner !== 'corrupt' && owner.bundle === target) out.push({ path, owner });
  }
  return out;
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

function makeLock(path: string, me: LockOwner, tookOverFrom: TakenOver | undefined, heartbeatMs: number): RunLock {
  let released = false;
  let writing: Promise<void> = Promise.resolve();
  // Rewrites the lock (heartbeat, bundle) only while it is still ours: never someone else's.
  const rewrite = (): Promise<void> => {
    writing = writing.then(async () => {
      if (released) return;
      const owner = await readOwner(path).catch(() => null);
      if (!owner || owner === 'corrupt' || owner.token !== me.token) return;
      me.heartbeat = new Date().toISOString();
      const tmp = `${path}.${me.token}.beat`;
      await writeFile(tmp, `${JSON.stringify(me)}\n`);
      await rename(tmp, path);
    }).catch(() => undefined);
    return writing;
  };
  const timer = setInterval(() => void rewrite(), heartbeatMs);
  timer.unref();
  return {
    path,
    ...(tookOverFrom ? { tookOverFrom } : {}),
    async setBundle(bundleDir: string): Promise<void> {
      me.bundle = resolve(bundleDir);
      await rewrite();
    },
    async release(): Promise<void> {
      if (released) return;
      clearInterval(timer);
      await writing;
      released = true;
      const owner = await readOwner(path).catch(() => null);
      if (owner && owner !== 'corrupt' && owner.token === me.token) await unlink(path).catch(() => undefined);
    },
  };
}
