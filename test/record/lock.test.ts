import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, lockKeyFor, LOCKS_DIR } from '../../src/record/index.js';
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
    await a.release();
    await b.release();
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
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z', key, token: 'dead' }));
    const lock = await acquireLock({ evidenceDir, key });
    expect(lock.tookOverFrom).toEqual({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' });
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
    writeFileSync(first.path, JSON.stringify({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00.000Z', key, token: 'dead' }));
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => acquireLock({ evidenceDir, key })));
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(won[0]!.value.tookOverFrom?.since).toBe('2026-01-01T00:00:00.000Z');
    await won[0]!.value.release();
  });

  it('never takes over a lock from another host', async () => {
    const first = await acquireLock({ evidenceDir, key });
    writeFileSync(first.path, JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', since: '2026-01-01T00:00:00.000Z', key, token: 't' }));
    const e = await lockedError(acquireLock({ evidenceDir, key }));
    expect(e.message).toContain('host elsewhere.example');
    expect(e.hint).toContain('another host');
  });

  it('refuses a lock file it cannot read rather than guessing', async () => {
    const first = await acquireLock({ evidenceDir, key });
    writeFileSync(first.path, 'garbage');
    const e = await lockedError(acquireLock({ evidenceDir, key }));
    expect(e.hint).toContain(first.path);
  });
});
