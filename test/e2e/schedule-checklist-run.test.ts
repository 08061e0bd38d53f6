import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecordSchema } from '../../src/record/index.js';
import { CLI, runCli } from '../helpers/cli.js';

const fixtures = fileURLToPath(new URL('../fixtures/checklist/', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-checklist-cli-'));
  copyFileSync(join(fixtures, 'quick.md'), join(dir, 'quick.md'));
  copyFileSync(join(fixtures, 'slow.md'), join(dir, 'slow.md'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('runproof checklist run (built CLI)', () => {
  it('a checklist that checked nothing exits 5 and says so; with a passing one the worst code wins', async () => {
    copyFileSync(join(fixtures, 'nothing.md'), join(dir, 'nothing.md'));
    writeFileSync(join(dir, 'c.yaml'), 'checklists:\n  - name: ok\n    runbook: quick.md\n  - name: nothing\n    runbook: nothing.md\n    sections: ["Daily checks"]\n');
    const result = await runCli(['checklist', 'run', 'c.yaml', 'nothing', '--evidence-dir', 'ev'], { cwd: dir });
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/^nothing: EMPTY \(nothing checked: the selection ran no check\) /m);
    const both = await runCli(['checklist', 'run', 'c.yaml', '--json', '--evidence-dir', 'ev'], { cwd: dir });
    expect(both.code).toBe(5);
    expect(JSON.parse(both.stdout).checklists.map((c: { name: string; status: string; exitCode: number }) => [c.name, c.status, c.exitCode])).toEqual([['ok', 'passed', 0], ['nothing', 'empty', 5]]);
  });

  it('runs the named checklists, prints a JSON summary, exits with the worst code', async () => {
    writeFileSync(
      join(dir, 'c.yaml'),
      'checklists:\n  - name: ok\n    runbook: quick.md\n  - name: broken\n    runbook: slow.md\n    params: { x: env:RP_TEST_NOT_SET_ANYWHERE }\n  - name: other\n    runbook: quick.md\n',
    );
    const result = await runCli(['checklist', 'run', 'c.yaml', 'ok', 'broken', '--json', '--evidence-dir', 'ev'], { cwd: dir });
    expect(result.code).toBe(2);
    const summary = JSON.parse(result.stdout);
    expect(summary.checklists.map((c: { name: string; status: string; exitCode: number }) => [c.name, c.status, c.exitCode])).toEqual([['ok', 'passed', 0], ['broken', 'error', 2]]);
    expect(summary.checklists[1].error.code).toBe('RP_MISSING_PARAMETER');
    const bundles = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.'));
    expect(bundles).toHaveLength(1);
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(join(dir, 'ev', bundles[0]!, `${bundles[0]}.json`), 'utf8')));
    expect(record.trigger).toMatchObject({ kind: 'manual', checklist: 'ok' });
    expect(result.stderr).toMatch(/run-start checklist=ok trigger=manual/);
  });

  it('records a system scheduler trigger with its cron time', async () => {
    writeFileSync(join(dir, 'c.yaml'), 'checklists:\n  - name: ok\n    runbook: quick.md\n    schedule: { cron: "0 6 * * *", timezone: UTC }\n    evidenceDir: ev\n');
    const result = await runCli(['checklist', 'run', 'c.yaml', '--trigger', 'schedule', '--via', 'systemd'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: PASSED \(1 passed, 0 failed, 0 blocked\) /);
    const [bundle] = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.'));
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(join(dir, 'ev', bundle!, `${bundle}.json`), 'utf8')));
    expect(record.trigger).toMatchObject({ kind: 'schedule', via: 'systemd', cron: '0 6 * * *', timezone: 'UTC' });
    expect(record.trigger!.scheduledAt).toMatch(/T06:00:00\.000Z$/);
    expect(Date.parse(record.trigger!.scheduledAt!)).toBeLessThanOrEqual(Date.parse(record.trigger!.startedAt));
  });

  it('prints one line per problem of a bad file, with its line, and exits 2; an unknown name is exit 2 with a hint', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'checklists:\n  - name: a\n    runbook: nope.md\n    schedule: "0 25 * * *"\n    alow: write\n');
    const bad = await runCli(['checklist', 'run', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    const lines = bad.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^bad\.yaml:5:5 RP_BAD_CHECKLIST checklists\[0\]\.alow: unknown key "alow"$/)]);
    writeFileSync(join(dir, 'bad2.yaml'), 'checklists:\n  - name: a\n    runbook: nope.md\n    schedule: "0 25 * * *"\n');
    const bad2 = await runCli(['checklist', 'run', 'bad2.yaml'], { cwd: dir });
    expect(bad2.stderr.trim().split('\n').map((l) => l.replace(/ RP_BAD_CHECKLIST .*/, ''))).toEqual(['bad2.yaml:3:14', 'bad2.yaml:4:15']);
    writeFileSync(join(dir, 'c.yaml'), 'checklists:\n  - name: daily\n    runbook: quick.md\n');
    const unknown = await runCli(['checklist', 'run', 'c.yaml', 'dialy'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/RP_BAD_CHECKLIST no checklist named "dialy".*did you mean daily/);
  });

  it('on SIGTERM stops the running step, writes the aborted bundle and exits 3', async () => {
    writeFileSync(join(dir, 'c.yaml'), 'checklists:\n  - name: slow\n    runbook: slow.md\n    evidenceDir: ev\n');
    const child = spawn(process.execPath, [CLI, 'checklist', 'run', 'c.yaml'], { cwd: dir, env: { ...process.env, SLEEP_S: '30' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Wait until the step's output is streaming to its log, then stop.
    const started = Date.now();
    while (Date.now() - started < 20_000) {
      const ev = join(dir, 'ev');
      const bundle = existsSync(ev) ? readdirSync(ev).find((n) => !n.startsWith('.')) : undefined;
      if (bundle && readdirSync(join(ev, bundle, 'logs')).length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code, stderr).toBe(3);
    const [bundle] = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.'));
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(join(dir, 'ev', bundle!, `${bundle}.json`), 'utf8')));
    expect(record.status).toBe('aborted');
    expect(existsSync(join(dir, 'ev', bundle!, 'manifest.json'))).toBe(true);
  });
});
