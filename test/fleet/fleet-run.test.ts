// Runs on many hosts through the built CLI, against a real sshd on 127.0.0.2–.6 (no mock of ssh).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { pgrep } from '../helpers/processes.js';
import { startSshd, type SshFixture } from '../helpers/sshd.js';

const fixtures = fileURLToPath(new URL('../fixtures/fleet/', import.meta.url));
const runbook = join(fixtures, 'disk-checks.md');
const inventory = join(fixtures, 'inventory.ini');


function recordOf(bundle: string): { status: string; hosts: { name: string; status: string; failure?: string; message?: string }[]; steps: { id: string; host?: string; status: string; attempts: { stdout: { inline: string } }[] }[] } {
  const file = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return JSON.parse(readFileSync(join(bundle, file), 'utf8'));
}

describe('runproof run on many hosts', () => {
  let fx: SshFixture;
  beforeAll(async () => {
    fx = await startSshd();
  }, 120_000);
  afterAll(async () => {
    await fx?.stop();
  });

  it('runs a section on every host of an inventory group; a failing, an unreachable and a wrong-key host are recorded, the bundle verifies, and --resume reruns only what failed', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-fleet-ev-'));
    const flag = join(evidence, 'disk-full');
    writeFileSync(flag, '');
    const result = await runCli(['run', runbook, '--section', 'Daily checks', '--hosts', inventory, '--group', 'all-hosts', '--ssh-config', fx.config, '--parallel', '3', '--set', `DISK_FULL_FLAG=${flag}`, '--yes', '--json', '--evidence-dir', evidence], { timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(1);
    const summary = JSON.parse(result.stdout) as { bundle: string; hosts: { name: string; status: string; failure?: string }[] };
    const byHost = Object.fromEntries(summary.hosts.map((h) => [h.name, h]));
    expect(byHost['web-1']!.status).toBe('passed');
    expect(byHost['web-2']!.status).toBe('passed');
    expect(byHost['web-3']!.status).toBe('failed');
    expect(byHost['web-4']!.status).toBe('passed');
    expect(byHost.down).toMatchObject({ status: 'unreachable', failure: 'unreachable' });
    expect(byHost.badkey).toMatchObject({ status: 'unreachable', failure: 'host-key' });
    const record = recordOf(summary.bundle);
    // Every host's steps are in the one record, each marked with its host.
    const whoami = record.steps.filter((s) => s.id.startsWith('c') && s.host && s.id.includes('@') && s.status === 'passed' && s.attempts[0]?.stdout.inline.startsWith('host: '));
    expect(new Set(whoami.map((s) => s.host))).toEqual(new Set(['web-1', 'web-2', 'web-3', 'web-4']));
    for (const s of whoami) expect(s.attempts[0]!.stdout.inline).toContain(`127.0.0.${Number(s.host!.slice(4)) + 1}`);
    expect(record.steps.filter((s) => s.host === 'down').every((s) => s.status === 'not-run')).toBe(true);
    const html = readFileSync(join(summary.bundle, readdirSync(summary.bundle).find((f) => f.endsWith('.html'))!), 'utf8');
    expect(html).toContain('aria-label="Hosts"');
    expect(html).toMatch(/data-host="web-3"/);
    const md = readFileSync(join(summary.bundle, readdirSync(summary.bundle).find((f) => f.endsWith('.md'))!), 'utf8');
    expect(md).toMatch(/## Hosts\n\n\| Host \| Result \| whoami \| disk \|/);
    const verify = await runCli(['verify', summary.bundle]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    // The disk is fixed; --resume goes back to the same hosts and reruns only what failed.
    rmSync(flag);
    const resumed = await runCli(['run', '--resume', summary.bundle, '--ssh-config', fx.config, '--set', `DISK_FULL_FLAG=${flag}`, '--yes', '--json'], { timeoutMs: 90_000 });
    const again = JSON.parse(resumed.stdout) as { bundle: string; hosts: { name: string; status: string; message?: string }[] };
    const second = recordOf(again.bundle);
    // Exactly one step runs: web-3's failed disk step; the unreachable hosts are tried again; web-1, -2, -4 are not touched.
    expect(second.steps.filter((s) => s.attempts.length > 0).map((s) => s.host)).toEqual(['web-3']);
    expect(second.steps.find((s) => s.host === 'web-3' && s.attempts.length > 0)!.status).toBe('passed');
    expect(second.steps.filter((s) => s.host === 'web-1').every((s) => s.status === 'skipped')).toBe(true);
    expect(Object.fromEntries(again.hosts.map((h) => [h.name, h.status]))).toEqual({ 'web-1': 'passed', 'web-2': 'passed', 'web-3': 'passed', 'web-4': 'passed', badkey: 'unreachable', down: 'unreachable' });
  });

  it('a timeout on the hosts leaves no process behind on any of them', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-fleet-hang-'));
    const result = await runCli(['run', runbook, '--section', 'Hang', '--host', 'web-1', '--host', 'web-2', '--ssh-config', fx.config, '--yes', '--json', '--evidence-dir', evidence], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(1);
    const summary = JSON.parse(result.stdout) as { steps: { host: string; status: string }[] };
    // Hosts run in parallel: the record lists steps in the order they started.
    expect(summary.steps.map((s) => [s.host, s.status]).sort()).toEqual([['web-1', 'timed-out'], ['web-2', 'timed-out']]);
    await vi.waitFor(() => expect(pgrep('sleep 300')).toBe(''));
  });

  it('--max-fail stops starting new hosts once more than N failed', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-fleet-maxfail-'));
    const result = await runCli(['run', runbook, '--section', 'Daily checks', '--host', 'down', '--host', 'badkey', '--host', 'web-1', '--ssh-config', fx.config, '--parallel', '1', '--max-fail', '1', '--yes', '--json', '--evidence-dir', evidence], { timeoutMs: 60_000 });
    const summary = JSON.parse(result.stdout) as { hosts: { name: string; status: string; message?: string }[] };
    expect(summary.hosts.map((h) => h.status)).toEqual(['unreachable', 'unreachable', 'not-started']);
    expect(summary.hosts[2]!.message).toMatch(/--max-fail/);
  });

  it('--canary runs the first hosts, and stops there when one of them failed', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-fleet-canary-'));
    const result = await runCli(['run', runbook, '--section', 'Daily checks', '--host', 'web-1', '--host', 'down', '--host', 'web-2', '--ssh-config', fx.config, '--canary', '2', '--yes', '--json', '--evidence-dir', evidence], { timeoutMs: 60_000 });
    const summary = JSON.parse(result.stdout) as { hosts: { name: string; status: string; message?: string }[] };
    expect(summary.hosts.map((h) => h.status)).toEqual(['passed', 'unreachable', 'not-started']);
    expect(summary.hosts[2]!.message).toMatch(/canary down did not pass/);
  });

  it('the screen shows one line per host and step, and how each host ended', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-fleet-screen-'));
    const result = await runCli(['run', runbook, '--section', 'Daily checks', '--host', 'web-1', '--host', 'down', '--ssh-config', fx.config, '--yes', '--evidence-dir', evidence], { timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^web-1 \[1\/2\] whoami -> ok$/m);
    expect(result.stdout).toMatch(/^web-1 \[2\/2\] disk -> ok$/m);
    expect(result.stdout).toMatch(/^host web-1: passed$/m);
    expect(result.stdout).toMatch(/^host down: unreachable \(ssh: connect to host 127\.0\.0\.7 .*\)$/m);
    // Live output of parallel hosts is not interleaved on the screen; it is in the bundle.
    expect(result.stdout).not.toContain('Filesystem');
  });

  it('bad fleet flags are exit 2 before anything runs', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-fleet-bad-'));
    for (const args of [['--group', 'web'], ['--hosts', inventory, '--group', 'wbe'], ['--host', '-oProxyCommand=sh'], ['--host', 'web-1', '--parallel', '0'], ['--host', 'web-1', '--max-fail', 'many'], ['--host', 'web-1', '--canary', 'x'], ['--host', 'web-1', '--ssh-config', '/nonexistent/ssh_config']]) {
      const result = await runCli(['run', runbook, '--section', 'Daily checks', ...args, '--yes', '--evidence-dir', evidence]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/RP_BAD_(FLAG|HOSTS)/);
    }
    expect(readdirSync(evidence).filter((f) => !f.startsWith('.'))).toEqual([]);
  });
});
