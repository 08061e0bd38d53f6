// `runproof evidence diff BUNDLE`: the hosts of one fleet run compared with each other, on a real
// run against a real sshd on 127.0.0.2–.5 (web-3 is 127.0.0.4, the host that drifted).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startSshd, type SshFixture } from '../helpers/sshd.js';

const fixtures = fileURLToPath(new URL('../fixtures/fleet/', import.meta.url));
const runbook = join(fixtures, 'drift.md');
const inventory = join(fixtures, 'inventory.ini');

describe('evidence diff of the hosts of one run', () => {
  let fx: SshFixture;
  beforeAll(async () => {
    fx = await startSshd();
  }, 120_000);
  afterAll(async () => {
    await fx?.stop();
  });

  async function fleetRun(args: string[]): Promise<string> {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-diff-ev-'));
    const result = await runCli(['run', runbook, ...args, '--ssh-config', fx.config, '--yes', '--json', '--evidence-dir', evidence], { timeoutMs: 120_000 });
    return (JSON.parse(result.stdout) as { bundle: string }).bundle;
  }

  it('names the host that differs from the majority, field by field, and exits 1', async () => {
    const bundle = await fleetRun(['--hosts', inventory, '--group', 'web']);
    const text = await runCli(['evidence', 'diff', bundle]);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain('4 hosts: web-1, web-2, web-3, web-4');
    expect(text.stdout).toMatch(/^max-conn\n {2}stdout: most hosts \(web-1, web-2, web-4\): the same output\n {4}web-3: line 1: "max_conn=50"$/m);
    expect(text.stdout).toMatch(/^service\n {2}status: most hosts \(web-1, web-2, web-4\): "passed"\n {4}web-3: "failed"$/m);
    expect(text.stdout).toMatch(/^ {2}exitCode: most hosts \(web-1, web-2, web-4\): 0\n {4}web-3: 3$/m);
    expect(text.stdout).toMatch(/^ {2}assertion exit == 0: most hosts \(web-1, web-2, web-4\): "passed"\n {4}web-3: "failed"$/m);
    expect(text.stdout).toMatch(/^hosts that differ:\n {2}web-3: max-conn, service$/m);
    // The same release on every host: its line names the host, which is masked.
    expect(text.stdout).not.toMatch(/^release$/m);
    const json = await runCli(['evidence', 'diff', bundle, '--json']);
    const diff = JSON.parse(json.stdout) as { differingHosts: { host: string; steps: string[] }[]; steps: { name: string; differences: { field: string; majority: { hosts: string[] } | null; differing: { host: string }[] }[] }[] };
    expect(diff.differingHosts).toEqual([{ host: 'web-3', steps: ['max-conn', 'service'] }]);
    expect(diff.steps.find((s) => s.name === 'service')!.differences.map((d) => d.field)).toEqual(['status', 'exitCode', 'assertion', 'stdout', 'stderr']);
  }, 180_000);

  it('with no majority every host differs; hosts that agree are exit 0', async () => {
    const split = await fleetRun(['--host', 'web-1', '--host', 'web-3']);
    const text = await runCli(['evidence', 'diff', split]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^ {2}status: no majority\n {4}web-1: "passed"\n {4}web-3: "failed"$/m);
    const same = await fleetRun(['--host', 'web-1', '--host', 'web-2']);
    const agree = await runCli(['evidence', 'diff', same]);
    expect(agree.code, agree.stdout).toBe(0);
    expect(agree.stdout).toContain('no host differs from the others (after masking)');
  }, 180_000);

  it('one bundle of a run on this machine is a clean exit 2', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-diff-local-'));
    const local = join(fixtures, '..', 'fleet', 'drift.md');
    const run = await runCli(['run', local, '--cell', 'release', '--yes', '--evidence-dir', evidence]);
    expect(run.code, run.stderr).toBe(0);
    const bundle = join(evidence, readdirSync(evidence).find((f) => !f.startsWith('.'))!);
    const result = await runCli(['evidence', 'diff', bundle]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RP_BAD_BUNDLE .* is not a run on hosts/);
  }, 60_000);
});
