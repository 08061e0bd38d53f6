// Checklists that name hosts: a checklist file with an inventory, a group and an ssh_config runs
// on the hosts of a real sshd (127.0.0.2–.5); JUnit names each testcase step@host, the textfile
// has a success gauge per host, and lint checks the inventory and its group.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startSshd, type SshFixture } from '../helpers/sshd.js';

const fixtures = fileURLToPath(new URL('../fixtures/fleet/', import.meta.url));

describe('checklists that name hosts', () => {
  let fx: SshFixture;
  let dir: string;
  beforeAll(async () => {
    fx = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'rp-fleet-checklist-'));
    copyFileSync(join(fixtures, 'disk-checks.md'), join(dir, 'disk-checks.md'));
    copyFileSync(join(fixtures, 'inventory.ini'), join(dir, 'inventory.ini'));
    copyFileSync(fx.config, join(dir, 'ssh_config'));
    writeFileSync(join(dir, 'disk-full'), '');
  }, 120_000);
  afterAll(async () => {
    await fx?.stop();
  });

  it('runs on the inventory group; JUnit says step@host, the textfile has a gauge per host', async () => {
    const file = join(dir, 'fleet.yaml');
    writeFileSync(file, `checklists:
  - name: fleet-disk
    runbook: disk-checks.md
    sections: ["Daily checks"]
    inventory: inventory.ini
    group: web
    sshConfig: ssh_config
    parallel: 2
    maxFail: 50%
    params:
      DISK_FULL_FLAG: ${join(dir, 'disk-full')}
    junit: out/junit.xml
    textfile: out/runproof.prom
`);
    const lint = await runCli(['lint', file]);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    const result = await runCli(['checklist', 'run', file, '--json'], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(1);
    const junit = readFileSync(join(dir, 'out', 'junit.xml'), 'utf8');
    for (const host of ['web-1', 'web-2', 'web-4']) expect(junit).toMatch(new RegExp(`<testcase name="disk@${host}" [^>]*/>`));
    expect(junit).toMatch(/<testcase name="disk@web-3" [^>]*>\s*<failure /);
    expect(junit).toMatch(/<testcase name="whoami@web-3" [^>]*\/>/);
    const prom = readFileSync(join(dir, 'out', 'runproof.prom'), 'utf8');
    expect(prom).toContain('# TYPE runproof_host_last_run_success gauge');
    expect(prom).toContain('runproof_host_last_run_success{checklist="fleet-disk",host="web-1"} 1');
    expect(prom).toContain('runproof_host_last_run_success{checklist="fleet-disk",host="web-3"} 0');
    expect(prom).toContain('runproof_last_run_success{checklist="fleet-disk"} 0');
  }, 180_000);

  it('lint names a missing inventory, an unknown group, a missing ssh_config and fleet keys without hosts', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `checklists:
  - name: missing-inventory
    runbook: disk-checks.md
    inventory: nowhere.ini
  - name: bad-group
    runbook: disk-checks.md
    inventory: inventory.ini
    group: wbe
    sshConfig: no_ssh_config
  - name: no-hosts
    runbook: disk-checks.md
    parallel: 3
  - name: group-alone
    runbook: disk-checks.md
    hosts: [web-1]
    group: web
  - name: bad-host
    runbook: disk-checks.md
    hosts: ["-oProxyCommand=sh"]
`);
    const lint = await runCli(['lint', file]);
    expect(lint.code).toBe(2);
    const out = lint.stdout + lint.stderr;
    expect(out).toMatch(/:4:\d+ error RP_BAD_CHECKLIST checklists\[0\]\.inventory: cannot read hosts file .*nowhere\.ini/);
    expect(out).toMatch(/:8:\d+ error RP_BAD_CHECKLIST checklists\[1\]\.group: no group "wbe" in .*inventory\.ini \(hint: groups: web, edge, all-hosts\)/);
    expect(out).toMatch(/:9:\d+ error RP_BAD_CHECKLIST checklists\[1\]\.sshConfig: sshConfig no_ssh_config is not a readable file/);
    expect(out).toMatch(/checklists\[2\]\.parallel: parallel applies to checklists that run on hosts/);
    expect(out).toMatch(/checklists\[3\]\.group: group needs an inventory/);
    expect(out).toMatch(/checklists\[4\]\.hosts: --host: "-oProxyCommand=sh" is not a host name/);
    // And checklist run refuses the file before anything runs.
    const run = await runCli(['checklist', 'run', file, 'no-hosts', '--evidence-dir', join(dir, 'ev-bad')]);
    expect(run.code).toBe(2);
  }, 60_000);
});
