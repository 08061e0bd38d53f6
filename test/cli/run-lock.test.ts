// L10: one run of a runbook and resolved selection at a time, whatever --evidence-dir says or
// however the section is spelled; a dead run's lock (another host) is taken over when its
// heartbeat is stale, and `recover` releases the lock of the run it recovers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecordSchema } from '../../src/record/index.js';
import { CLI, runCli } from '../helpers/cli.js';

const runbook = fileURLToPath(new URL('../fixtures/runev/slow.md', import.meta.url));
let dir: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-runlock-'));
  env = { RUNPROOF_LOCK_DIR: join(dir, 'locks'), RP_TEST_MARK: join(dir, 'mark'), RP_TEST_GO: join(dir, 'go') };
});
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children.length = 0;
  rmSync(dir, { recursive: true, force: true });
});

// Starts a run that holds the lock until the `go` file exists; resolves once its cell runs.
async function holder(args: string[]): Promise<{ child: ChildProcess; done: Promise<number> }> {
  const child = spawn(process.execPath, [CLI, 'run', runbook, ...args, '--yes', '--allow', 'write'], { cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: 'ignore' });
  children.push(child);
  const done = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  await vi.waitFor(() => expect(existsSync(env.RP_TEST_MARK!)).toBe(true), { timeout: 10_000, interval: 25 });
  return { child, done };
}

const lockFiles = (): string[] => (existsSync(env.RUNPROOF_LOCK_DIR!) ? readdirSync(env.RUNPROOF_LOCK_DIR!).filter((n) => n.endsWith('.lock')) : []);

function recordIn(bundle: string) {
  const name = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, name), 'utf8')));
}

describe('run locks', () => {
  it('another --evidence-dir, or the same section named by number and by title: the second run is refused (exit 4)', async () => {
    const first = await holder(['--section', '1', '--evidence-dir', join(dir, 'ev1')]);
    const otherDir = await runCli(['run', runbook, '--section', 'First', '--yes', '--allow', 'write', '--evidence-dir', join(dir, 'ev2')], { cwd: dir, env });
    expect(otherDir.code).toBe(4);
    expect(otherDir.stderr).toMatch(/^RP_LOCKED /);
    const slug = await runCli(['run', runbook, '--section', 'first', '--yes', '--allow', 'write', '--evidence-dir', join(dir, 'ev1')], { cwd: dir, env });
    expect(slug.code).toBe(4);
    // Another selection of the same runbook is not blocked.
    const other = await runCli(['run', runbook, '--section', 'Second', '--yes', '--allow', 'write', '--evidence-dir', join(dir, 'ev3')], { cwd: dir, env });
    expect(other.code).toBe(0);
    writeFileSync(env.RP_TEST_GO!, '');
    expect(await first.done).toBe(0);
    expect(lockFiles()).toEqual([]);
  });

  it('a killed run on another host: refused while its heartbeat is fresh, released by recover, and a stale one is taken over and recorded', async () => {
    const ev = join(dir, 'ev');
    const first = await holder(['--section', 'First', '--evidence-dir', ev]);
    first.child.kill('SIGKILL');
    await first.done;
    const [lockName] = lockFiles();
    expect(lockName).toBeDefined();
    const lockPath = join(env.RUNPROOF_LOCK_DIR!, lockName!);
    const owner = JSON.parse(readFileSync(lockPath, 'utf8')) as Record<string, unknown>;
    expect(owner).toMatchObject({ pid: first.child.pid, bootId: expect.any(String), heartbeat: expect.any(String) });
    const bundle = owner.bundle as string;
    expect(existsSync(join(bundle, 'journal.jsonl'))).toBe(true);
    // As if it ran in a pod that is gone, a moment ago.
    const fresh = new Date().toISOString();
    writeFileSync(lockPath, JSON.stringify({ ...owner, host: 'runner-pod-old', heartbeat: fresh }));
    const blocked = await runCli(['run', runbook, '--section', 'First', '--yes', '--allow', 'write', '--evidence-dir', ev], { cwd: dir, env: { ...env, RP_TEST_GO: dir } });
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toContain('runner-pod-old');
    // recover of that bundle releases its lock (a heartbeat that stopped is stale after the configured time).
    const recovered = await runCli(['recover', bundle], { cwd: dir, env: { ...env, RUNPROOF_LOCK_STALE_MS: '1' } });
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toContain(`released the killed run's lock ${lockPath}`);
    expect(lockFiles()).toEqual([]);
    const after = await runCli(['run', runbook, '--section', 'First', '--yes', '--allow', 'write', '--evidence-dir', ev], { cwd: dir, env: { ...env, RP_TEST_GO: dir } });
    expect(after.code).toBe(0);

    // Without recover: a lock whose heartbeat is stale is taken over, and the record says so.
    writeFileSync(lockPath, JSON.stringify({ ...owner, host: 'runner-pod-gone', heartbeat: new Date(Date.now() - 10 * 60_000).toISOString() }));
    const ev2 = join(dir, 'ev2');
    const taken = await runCli(['run', runbook, '--section', 'First', '--yes', '--allow', 'write', '--evidence-dir', ev2], { cwd: dir, env: { ...env, RP_TEST_GO: dir } });
    expect(taken.code).toBe(0);
    const [b] = readdirSync(ev2).filter((n) => !n.startsWith('.'));
    const record = recordIn(join(ev2, b!));
    expect(record.warnings.join('\n')).toMatch(/took over the run lock left by pid \d+ on runner-pod-gone .*heartbeat stopped/);
  });
});
