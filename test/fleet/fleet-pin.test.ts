// Pinning cells to hosts, groups and the operator's machine in a run on many hosts, against a
// real sshd on 127.0.0.2–.5 and a real HTTP server on 127.0.0.1 (no mock of ssh nor HTTP).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startSshd, type SshFixture } from '../helpers/sshd.js';

const fixtures = fileURLToPath(new URL('../fixtures/fleet/', import.meta.url));
const runbook = join(fixtures, 'pinned.md');

interface RecordStep { id: string; name: string; host?: string; status: string; attempts: { startedAt: string; durationMs: number; stdout: { inline: string } }[]; decisions: { reason: string }[] }
function recordOf(bundle: string): { status: string; hosts: { name: string; status: string; groups?: string[] }[]; steps: RecordStep[] } {
  const file = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return JSON.parse(readFileSync(join(bundle, file), 'utf8'));
}
const endOf = (s: RecordStep): number => Date.parse(s.attempts[0]!.startedAt) + s.attempts[0]!.durationMs;
const startOf = (s: RecordStep): number => Date.parse(s.attempts[0]!.startedAt);

describe('pinning cells in a run on hosts', () => {
  let fx: SshFixture;
  let server: Server;
  let url: string;
  const seen: string[] = [];
  let inventory: string;
  beforeAll(async () => {
    fx = await startSshd();
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    inventory = join(mkdtempSync(join(tmpdir(), 'rp-pin-inv-')), 'inventory.ini');
    writeFileSync(inventory, '[front]\nweb-1\nweb-2\n[back]\nweb-3\n[site:children]\nfront\nback\n');
  }, 120_000);
  afterAll(async () => {
    await fx?.stop();
    await new Promise((r) => server?.close(r));
  });

  it('runs each cell where it is pinned, HTTP once from this machine after every host, and records where each ran', async () => {
    seen.length = 0;
    const evidence = mkdtempSync(join(tmpdir(), 'rp-pin-ev-'));
    const result = await runCli(['run', runbook, '--hosts', inventory, '--group', 'site', '--ssh-config', fx.config, '--set', `HEALTH_URL=${url}`, '--yes', '--json', '--evidence-dir', evidence], { timeoutMs: 120_000, env: { SSH_CONNECTION: undefined } });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { bundle: string; hosts: { name: string; status: string }[] };
    expect(summary.hosts.map((h) => [h.name, h.status])).toEqual([['web-1', 'passed'], ['web-2', 'passed'], ['web-3', 'passed']]);
    const record = recordOf(summary.bundle);
    const where = (name: string): string[] => record.steps.filter((s) => s.name === name).map((s) => s.host ?? '(this machine)').sort();
    expect(where('prepare')).toEqual(['web-1', 'web-2', 'web-3']);
    expect(where('only-web-2')).toEqual(['web-2']);
    expect(where('front-only')).toEqual(['web-1', 'web-2']);
    expect(where('here')).toEqual(['(this machine)']);
    expect(where('health')).toEqual(['(this machine)']);
    expect(where('per-host')).toEqual(['web-1', 'web-2']);
    expect(where('finish')).toEqual(['web-1', 'web-2', 'web-3']);
    // The HTTP check went out once; the pinned one once per front host, naming it.
    expect(seen.filter((u) => u === '/health')).toHaveLength(1);
    expect(seen.filter((u) => u.startsWith('/host/')).sort()).toEqual(['/host/web-1', '/host/web-2']);
    const step = (name: string, host?: string): RecordStep => record.steps.find((s) => s.name === name && s.host === host)!;
    // Remote cells ran over ssh on their host, with the session's state; the local one here.
    expect(step('only-web-2', 'web-2').attempts[0]!.stdout.inline).toBe('prepared on 127.0.0.3\n');
    expect(step('here').attempts[0]!.stdout.inline).toBe('here: no ssh\n');
    expect(step('finish', 'web-3').attempts[0]!.stdout.inline).toBe('finish prepared\n');
    // This machine's steps wait for every host's steps before them, and the hosts wait for them.
    const health = step('health');
    for (const host of ['web-1', 'web-2', 'web-3']) {
      expect(startOf(health)).toBeGreaterThanOrEqual(endOf(step('prepare', host)));
      expect(startOf(step('finish', host))).toBeGreaterThanOrEqual(endOf(health));
    }
    expect(record.hosts.find((h) => h.name === 'web-1')!.groups).toEqual(expect.arrayContaining(['front', 'site']));
    const verify = await runCli(['verify', summary.bundle]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 180_000);

  it('--resume goes back to the same hosts and groups: a group pin still places its step, only what failed reruns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-pin-resume-'));
    const book = join(dir, 'back.md');
    const flag = join(dir, 'broken');
    writeFileSync(flag, '');
    writeFileSync(book, '# Back\n\n```bash {name=everywhere}\necho "on $RUNPROOF_HOST"\n```\n\n```bash {name=back-check host=back}\ntest ! -e "$FLAG"\n```\n');
    const first = await runCli(['run', book, '--hosts', inventory, '--ssh-config', fx.config, '--set', `FLAG=${flag}`, '--yes', '--json', '--evidence-dir', join(dir, 'ev')], { timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(1);
    const bundle = (JSON.parse(first.stdout) as { bundle: string }).bundle;
    expect(recordOf(bundle).steps.filter((s) => s.name === 'back-check').map((s) => [s.host, s.status])).toEqual([['web-3', 'failed']]);
    rmSync(flag);
    const resumed = await runCli(['run', '--resume', bundle, '--ssh-config', fx.config, '--set', `FLAG=${flag}`, '--yes', '--json'], { timeoutMs: 120_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const again = recordOf((JSON.parse(resumed.stdout) as { bundle: string }).bundle);
    expect(again.steps.filter((s) => s.name === 'back-check').map((s) => [s.host, s.status])).toEqual([['web-3', 'passed']]);
    expect(again.steps.filter((s) => s.name === 'everywhere').every((s) => s.status === 'skipped')).toBe(true);
  }, 240_000);

  it('a host on which no selected step is placed is recorded as not started, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-pin-none-'));
    const book = join(dir, 'one.md');
    writeFileSync(book, '# One\n\n```bash {name=only-2 host=web-2}\necho "on $RUNPROOF_HOST"\n```\n');
    const result = await runCli(['run', book, '--host', 'web-1', '--host', 'web-2', '--ssh-config', fx.config, '--yes', '--json', '--evidence-dir', join(dir, 'ev')], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { hosts: { name: string; status: string; message?: string }[]; steps: { host?: string; status: string }[] };
    expect(summary.hosts).toEqual([
      { name: 'web-1', status: 'not-started', message: 'no step of the selection is placed on this host (host= pins)' },
      expect.objectContaining({ name: 'web-2', status: 'passed' }),
    ]);
    expect(summary.steps.map((s) => [s.host, s.status])).toEqual([['web-2', 'passed']]);
  }, 120_000);

  it('a pin to no host nor group of the run is exit 2 before anything runs or is written', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-pin-bad-'));
    const bad = join(mkdtempSync(join(tmpdir(), 'rp-pin-rb-')), 'bad.md');
    const marker = join(evidence, 'ran');
    for (const [pin, args] of [
      ['web-9', ['--host', 'web-1']],
      ['back', ['--host', 'web-1', '--host', 'web-2']],
      ['back', ['--hosts', inventory, '--group', 'front']],
      ['frnot', ['--hosts', inventory]],
    ] as const) {
      writeFileSync(bad, `# Bad\n\n\`\`\`bash\ntouch ${marker}\n\`\`\`\n\n\`\`\`bash {host=${pin}}\nhostname\n\`\`\`\n`);
      const result = await runCli(['run', bad, ...args, '--ssh-config', fx.config, '--yes', '--evidence-dir', evidence]);
      expect(result.code, `${pin}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`RP_BAD_HOSTS.*host=${pin}, which is neither a host of this run nor a group of its hosts`));
      expect(result.stderr).toMatch(/hint: this run's hosts: /);
    }
    expect(readdirSync(evidence).filter((f) => !f.startsWith('.'))).toEqual([]);
  }, 120_000);

  it('a pin that is not a host name is a lint error, and "local" is no host of a run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-pin-lint-'));
    const bad = join(dir, 'bad.md');
    writeFileSync(bad, '# Bad\n\n```bash {host=-oProxyCommand=sh}\nhostname\n```\n');
    const lint = await runCli(['lint', bad]);
    expect(lint.code).toBe(2);
    expect(lint.stdout + lint.stderr).toMatch(/RP_BAD_ATTRIBUTE.*"host"/);
    const local = await runCli(['run', runbook, '--host', 'local', '--yes', '--evidence-dir', dir]);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/RP_BAD_HOSTS.*"local"/);
  });

  it('a run on this machine blocks the cells pinned to a host and runs the rest', async () => {
    const evidence = mkdtempSync(join(tmpdir(), 'rp-pin-local-'));
    const result = await runCli(['run', runbook, '--set', `HEALTH_URL=${url}`, '--yes', '--json', '--evidence-dir', evidence], { timeoutMs: 60_000, env: { SSH_CONNECTION: undefined } });
    const summary = JSON.parse(result.stdout) as { steps: { name: string; status: string; note?: string }[] };
    const byName = Object.fromEntries(summary.steps.map((s) => [s.name, s]));
    expect(byName['only-web-2']).toMatchObject({ status: 'blocked', note: expect.stringMatching(/pinned to host=web-2: it runs only in a run on hosts/) });
    expect(byName['front-only']!.status).toBe('blocked');
    expect(byName['per-host']!.status).toBe('blocked');
    expect(byName.here!.status).toBe('passed');
    expect(byName.health!.status).toBe('passed');
    expect(byName.prepare!.status).toBe('passed');
  }, 120_000);
});
