import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintRunbook, parseRunbook } from '../../src/parse/index.js';
import { runRunbook } from '../../src/app/run-runbook.js';
import { startDemoService, type DemoService } from '../../src/demo/index.js';
import { loadChecklistFile } from '../../src/checklist/index.js';

// The project's own example notebooks: lint-clean under --strict, and each runs as it says.

const NOTEBOOKS = fileURLToPath(new URL('../../notebooks/', import.meta.url));
const notebook = (name: string): string => join(NOTEBOOKS, name);

let dir: string;
let service: DemoService | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-notebooks-'));
});
afterEach(async () => {
  await service?.close();
  service = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('notebooks/', () => {
  const markdown = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.md')).sort();

  it('holds the daily checks, the fleet host checks, the incident runbook, the rollback runbook and a checklist', () => {
    expect(markdown).toEqual(['demo-daily-checks.md', 'fleet-host-checks.md', 'incident-ready-503.md', 'rollback.md']);
    expect(existsSync(notebook('daily.checklist.yaml'))).toBe(true);
  });

  it.each(markdown)('%s has no error and no warning (lint --strict)', (name) => {
    const text = readFileSync(notebook(name), 'utf8');
    expect(lintRunbook(text, { path: `notebooks/${name}` })).toEqual([]);
  });

  it('the daily checks hold HTTP cells, assertions, an expected output and an authenticated POST', () => {
    const nb = parseRunbook(readFileSync(notebook('demo-daily-checks.md'), 'utf8'), { path: 'demo-daily-checks.md' });
    const kinds = nb.cells.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'http').length).toBeGreaterThanOrEqual(4);
    expect(kinds).toContain('assert');
    expect(kinds).toContain('expect');
    const post = nb.cells.find((c) => c.http?.method === 'POST')!;
    expect(post.http!.headers.map(([k]) => k)).toContain('X-Demo-Token');
    expect(post.risk?.level).toBe('write');
  });

  it('the incident runbook has a destructive restart step; the rollback has <commit_sha> and front matter', () => {
    const incident = parseRunbook(readFileSync(notebook('incident-ready-503.md'), 'utf8'), { path: 'incident-ready-503.md' });
    expect(incident.cells.find((c) => c.name === 'restart-pool')?.risk?.level).toBe('destructive');
    const rollback = parseRunbook(readFileSync(notebook('rollback.md'), 'utf8'), { path: 'rollback.md' });
    expect(rollback.frontMatter.evidence).toBe('rollback_check');
    expect(rollback.params.map((p) => p.name)).toEqual(expect.arrayContaining(['commit_sha', 'deploy_dir', 'base']));
    expect(rollback.cells.find((c) => c.name === 'checkout')).toMatchObject({ risk: { level: 'destructive' } });
    expect(rollback.cells.find((c) => c.name === 'checkout')?.params.map((p) => p.token)).toContain('<commit_sha>');
  });

  it('the checklist file loads: a read-only daily checklist and a weekly one allowed to write', async () => {
    const file = await loadChecklistFile(notebook('daily.checklist.yaml'));
    const [daily, weekly] = file.checklists;
    expect(daily).toMatchObject({ name: 'demo-daily', runbookPath: notebook('demo-daily-checks.md'), allow: ['read'], sections: ['Health Checks', 'Metrics'] });
    expect(daily!.schedule?.cron).toBe('0 6 * * *');
    expect(weekly).toMatchObject({ name: 'demo-weekly-bench', allow: ['write'], sections: ['Benchmark'] });
    expect(weekly!.params).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'DEMO_TOKEN', env: 'DEMO_TOKEN', secret: true })]));
  });

  it('the incident runbook brings a 503 service back: diagnosis, destructive restart, ready again', async () => {
    service = await startDemoService({ fail: true, restartMs: 200 });
    const result = await runRunbook({
      runbookPath: notebook('incident-ready-503.md'),
      mode: 'unattended',
      allow: ['destructive'],
      values: [{ name: 'base', value: service.url, source: 'flag' }],
      env: { ...(process.env as Record<string, string>), DEMO_TOKEN: service.token },
      evidenceDir: join(dir, 'evidence'),
      cwd: dir,
    });
    const statuses = Object.fromEntries(result.record.steps.map((s) => [s.name, s.status]));
    expect(statuses).toEqual({
      'ready-before': 'passed',
      'pool-metrics': 'passed',
      'pool-detail': 'passed',
      'restart-pool': 'passed',
      'ready-after': 'passed',
      'metrics-after': 'passed',
    });
    expect(result.status).toBe('passed');
    expect(service.pools().find((p) => p.name === 'beta')).toMatchObject({ reachable: true, restarts: 1 });
  });

  it('unattended without --allow destructive, the restart is blocked by policy and nothing restarts', async () => {
    service = await startDemoService({ fail: true });
    const result = await runRunbook({
      runbookPath: notebook('incident-ready-503.md'),
      mode: 'unattended',
      sections: ['Diagnosis', 'Restart the pool'],
      values: [{ name: 'base', value: service.url, source: 'flag' }],
      env: { ...(process.env as Record<string, string>), DEMO_TOKEN: service.token },
      evidenceDir: join(dir, 'evidence'),
      cwd: dir,
    });
    const restart = result.record.steps.find((s) => s.name === 'restart-pool')!;
    expect(restart.status).toBe('blocked');
    expect(restart.decisions.map((d) => d.by)).toContain('policy');
    expect(service.pools().find((p) => p.name === 'beta')).toMatchObject({ reachable: false, restarts: 0 });
  });

  it('the rollback runbook puts a real git checkout back on <commit_sha> and checks the service', async () => {
    const repo = join(dir, 'deploy');
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=Demo', '-c', 'user.email=demo@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' }).trim();
    execFileSync('git', ['init', '--quiet', repo]);
    writeFileSync(join(repo, 'version.txt'), '1\n');
    git('add', 'version.txt');
    git('commit', '--quiet', '-m', 'good');
    const good = git('rev-parse', 'HEAD');
    writeFileSync(join(repo, 'version.txt'), '2\n');
    git('commit', '--quiet', '-am', 'bad');
    service = await startDemoService();
    const result = await runRunbook({
      runbookPath: notebook('rollback.md'),
      mode: 'unattended',
      allow: ['destructive'],
      values: [
        { name: 'commit_sha', value: good.slice(0, 8), source: 'flag' },
        { name: 'deploy_dir', value: repo, source: 'flag' },
        { name: 'base', value: service.url, source: 'flag' },
      ],
      evidenceDir: join(dir, 'evidence'),
      cwd: dir,
    });
    expect(result.record.steps.map((s) => [s.name, s.status])).toEqual([
      ['recent-commits', 'passed'],
      ['clean-tree', 'passed'],
      ['commit-exists', 'passed'],
      ['checkout', 'passed'],
      ['head-now', 'passed'],
      ['ready-after-rollback', 'passed'],
    ]);
    expect(git('rev-parse', 'HEAD')).toBe(good);
    expect(readFileSync(join(repo, 'version.txt'), 'utf8')).toBe('1\n');
    expect(result.bundleDir).toContain('rollback_check_');
  });

  it('the rollback runbook refuses to start without commit_sha and deploy_dir, naming both', async () => {
    const error = await runRunbook({ runbookPath: notebook('rollback.md'), mode: 'unattended', evidenceDir: join(dir, 'evidence'), cwd: dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RP_MISSING_PARAMETER' });
    expect((error as Error).message).toContain('commit_sha');
    expect((error as Error).message).toContain('deploy_dir');
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });
});
