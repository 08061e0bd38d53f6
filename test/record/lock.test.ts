import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acquireLock, bootId, lockKeyFor, LOCKS_DIR, releaseLocksOfBundle, runLockDir, runLockKey } from '../../src/record/index.js';
import { isRunproofError, type RunproofError } from '../../src/core/errors.js';

let evidenceDir: string;
beforeEach(() => {
  evidenceDir = mkdtempSync(join(tmpdir(), 'rp-lock-'));
});
afterEach(() => {
  rmSync(evidenceDir, { recursive: true, force: true });
});

const key = lockKeyFor('/srv/ops/roxy.md', { sections: ['Health Checks'] });

async function lockedError(p: Promise<unknown>): Promise<RunproofError> {
  try {
    await p;
  } catch (e) {
    if (isRunproofError(e) && e.code === 'RP_LOCKED') return e;
    throw e;
  }
  throw new Error('expected RP_LOCKED');
}

// A pid that surely belongs to no process: one that just exited.
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('lockKeyFor', () => {
  it('is the same for the same runbook and selection in any order or case, different otherwise', () => {
    expect(lockKeyFor('/a/r.md', { sections: ['B', 'a'] })).toBe(lockKeyFor('/a/r.md', { sections: ['A', 'b'] }));
    expect(lockKeyFor('/a/r.md', { sections: ['a'] })).not.toBe(lockKeyFor('/a/r.md', { sections: ['b'] }));
    expect(lockKeyFor('/a/r.md', {})).not.toBe(lockKeyFor('/a/s.md', {}));
  });
});

describe('acquireLock', () => {
  it('lets one run in and tells the second who holds it and since when', async () => {
    const lock = await acquireLock({ evidenceDir, key, now: new Date('2026-01-22T10:15:00Z') });
    expect(existsSync(lock.path)).toBe(true);
    expect(lock.tookOverFrom).toBeUndefined();
    const e = await lockedError(acquireLock({ evidenceDir, key }));
    expect(e.message).toContain(`pid ${process.pid}`);
    expect(e.message).toContain(`host ${hostname()}`);
    expect(e.message).toContain('since 2026-01-22T10:15:00.000Z');
    expect(e.hint).toContain(lock.path);
    await lock.release();
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
    const again = await acquireLock({ evidenceDir, key });
    await again.release();
  });

  it('keeps different runbooks or selections independent', async () => {
    const a = await acquireLock({ evidenceDir, key });
    const b = await acquireLock({ evidenceDir, key: lockKeyFor('/srv/ops/roxy.md', { sections: ['Rollback'] }) });
    // Both are held at once, in two different lock files.
    expect(a.path).not.toBe(b.path);
    expect(existsSync(a.path)).toBe(true);
    expect(existsSync(b.path)).toBe(true);
    await a.release();
    await b.release();
    expect(existsSync(a.path)).toBe(false);
    expect(existsSync(b.path)).toBe(false);
  });

  it('admits exactly one of many concurrent runs', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock({ evidenceDir, key })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as RunproofError).code).toBe('RP_LOCKED');
    }
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('takes over a lock whose process is dead on this host, and says whose it was', async () => {
    const first = await acquireLock({ evidenceDir, key });
    const path = first.path;
    const pid = deadPid();
    const since = new Date().toISOString();
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), since, heartbeat: since, bootId: bootId(), key, token: 'dead' }));
    const lock = await acquireLock({ evidenceDir, key });
    expect(lock.tookOverFrom).toEqual({ pid, host: hostname(), since, heartbeat: since, reason: `its process ${pid} is gone` });
    expect(lock.path).toBe(path);
    // The old holder's release must not remove the new lock.
    await first.release();
    expect(existsSync(path)).toBe(true);
    await lockedError(acquireLock({ evidenceDir, key }));
    await lock.release();
    expect(readdirSync(join(evidenceDir, LOCKS_DIR))).toEqual([]);
  });

  it('lets exactly one of several racers take over a dead lock', async () => {
    const first = await acquireLock({ evidenceDir, key });
    // Its heartbeat would rewrite the planted file: release it, then plant what a dead holder left.
    await first.release();
    writeFileSync(first.path, JSON.stringify({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00.000Z', key, token: 'dead' }));
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => acquireLock({ evidenceDir, key })));
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(won[0]!.value.tookOverFrom?.since).toBe('2026-01-01T00:00:00.000Z');
    await won[0]!.value.release();
  });

  it('never takes over a live lock from another host (fresh heartbeat)', async () => {
    const first = await acquireLock({ evidenceDir, key });
    // Its heartbeat would rewrite the planted file: release it, then plant what a dead holder left.
    await first.release();
    const now = new Date().toISOString();
    writeFileSync(first.path, JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', since: now, heartbeat: now, bootId: 'other-boot', key, token: 't' }));
    const e = await lockedError(acquireLock({ evidenceDir, key }));
    expect(e.message).toContain('host elsewhere.example');
    expect(e.hint).toContain('another host');
  });

  it('takes over a lock from another host whose heartbeat is stale (a pod gone from a shared volume), and says why', async () => {
    const first = await acquireLock({ evidenceDir, key });
    // Its heartbeat would rewrite the planted file: release it, then plant what a dead holder left.
    await first.release();
    const old = new Date(Date.now() - 120_000).toISOString();
    writeFileSync(first.path, JSON.stringify({ pid: 1, host: 'runner-pod-7f9c', since: old, heartbeat: old, bootId: 'other-boot', key, token: 't' }));
    const lock = await acquireLock({ evidenceDir, key, staleMs: 60_000 });
    expect(lock.tookOverFrom).toMatchObject({ pid: 1, host: 'runner-pod-7f9c', since: old, heartbeat: old });
    expect(lock.tookOverFrom!.reason).toMatch(/heartbeat stopped 1[12]\d s ago/);
    await lock.release();
  });

  it('a lock on this host with a live pid but a stale heartbeat (same hostname, new container) is taken over', async () => {
    const first = await acquireLock({ evidenceDir, key });
    // Its heartbeat would rewrite the planted file: release it, then plant what a dead holder left.
    await first.release();
    const old = new Date(Date.now() - 120_000).toISOString();
    writeFileSync(first.path, JSON.stringify({ pid: process.pid, host: hostname(), since: old, heartbeat: old, bootId: bootId(), key, token: 't' }));
    const lock = await acquireLock({ evidenceDir, key, staleMs: 60_000 });
    expect(lock.tookOverFrom?.reason).toMatch(/heartbeat/);
    await lock.release();
  });

  it('a lock on this host from before a reboot (other boot id) is taken over even if its pid exists now', async () => {
    const first = await acquireLock({ evidenceDir, key });
    // Its heartbeat would rewrite the planted file: release it, then plant what a dead holder left.
    await first.release();
    const now = new Date().toISOString();
    writeFileSync(first.path, JSON.stringify({ pid: process.pid, host: hostname(), since: now, heartbeat: now, bootId: 'a-boot-before-this-one', key, token: 't' }));
    const lock = await acquireLock({ evidenceDir, key });
    expect(lock.tookOverFrom?.reason).toBe('this host rebooted since it was taken');
    await lock.release();
  });

  it('refreshes its heartbeat while held, and carries host, pid and boot id', async () => {
    const lockDir = join(evidenceDir, 'locks');
    const lock = await acquireLock({ dir: lockDir, key, heartbeatMs: 50 });
    const first = JSON.parse(readFileSync(lock.path, 'utf8')) as { heartbeat: string; pid: number; host: string; bootId: string };
    expect(first).toMatchObject({ pid: process.pid, host: hostname(), bootId: bootId() });
    // Wait (bounded) until the heartbeat moves on.
    await vi.waitFor(
      () => {
        const later = (JSON.parse(readFileSync(lock.path, 'utf8')) as { heartbeat: string }).heartbeat;
        expect(Date.parse(later)).toBeGreaterThan(Date.parse(first.heartbeat));
      },
      { timeout: 10_000, interval: 20 },
    );
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('releaseLocksOfBundle removes the lock of a dead run that names the bundle, and only that one', async () => {
    const lockDir = join(evidenceDir, 'locks');
    const dead = await acquireLock({ dir: lockDir, key: runLockKey('/srv/a.md', ['c1']) });
    await dead.setBundle('/srv/ev/a_1');
    const owner = JSON.parse(readFileSync(dead.path, 'utf8')) as Record<string, unknown>;
    writeFileSync(dead.path, JSON.stringify({ ...owner, pid: deadPid(), host: 'gone-pod' , heartbeat: new Date(Date.now() - 600_000).toISOString() }));
    const live = await acquireLock({ dir: lockDir, key: runLockKey('/srv/b.md', ['c1']) });
    await live.setBundle('/srv/ev/b_1');
    expect(await releaseLocksOfBundle('/srv/ev/a_1', lockDir)).toEqual([dead.path]);
    expect(existsSync(dead.path)).toBe(false);
    expect(existsSync(live.path)).toBe(true);
    await live.release();
  });

  it('runLockDir: RUNPROOF_LOCK_DIR, else XDG_STATE_HOME, else ~/.local/state; never the evidence folder', () => {
    expect(runLockDir({ RUNPROOF_LOCK_DIR: '/var/lib/rp-locks' })).toBe('/var/lib/rp-locks');
    expect(runLockDir({ XDG_STATE_HOME: '/home/u/.state', HOME: '/home/u' })).toBe('/home/u/.state/runproof/locks');
    expect(runLockDir({ HOME: '/home/u' })).toBe('/home/u/.local/state/runproof/locks');
  });

  it('refuses a lock file it cannot read rather than guessing', async () => {
    const first = await acquireLock({ evidenceDir, key });
    // Its heartbeat would rewrite the planted file: release it, then plant what a dead holder left.
    await first.release();
    writeFileSync(first.path, 'garbage');
    const e = await lockedError(acquireLock({ evidenceDir, key }));
    expect(e.hint).toContain(first.path);
  });
});
