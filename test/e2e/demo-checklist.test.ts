import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoService, type DemoService } from '../../src/demo/index.js';
import { runCli } from '../helpers/cli.js';

// The scheduler's walk-through: notebooks/daily.checklist.yaml run by `runproof checklist run`
// against a demo service, as cron would start it (only its URL changed to the service's port).

const NOTEBOOKS = fileURLToPath(new URL('../../notebooks/', import.meta.url));

let dir: string;
let service: DemoService;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-demo-checklist-'));
  service = await startDemoService({ benchMs: 300 });
  // The repository's layout: notebooks/ beside evidence/ (the file says evidenceDir: ../evidence).
  mkdirSync(join(dir, 'notebooks'));
  copyFileSync(join(NOTEBOOKS, 'demo-daily-checks.md'), join(dir, 'notebooks', 'demo-daily-checks.md'));
  const checklist = readFileSync(join(NOTEBOOKS, 'daily.checklist.yaml'), 'utf8');
  expect(checklist).toContain('base: http://127.0.0.1:8766');
  writeFileSync(join(dir, 'notebooks', 'daily.checklist.yaml'), checklist.replace('http://127.0.0.1:8766', service.url));
});
afterEach(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('notebooks/daily.checklist.yaml', () => {
  it('runs both checklists green: the daily one read-only, the weekly one with the token; JUnit and textfile written', async () => {
    const result = await runCli(['checklist', 'run', 'notebooks/daily.checklist.yaml', '--json'], { cwd: dir, env: { DEMO_TOKEN: service.token }, timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('demo-daily');
    const evidence = join(dir, 'evidence');
    const bundles = readdirSync(evidence).filter((n) => !n.startsWith('.') && statSync(join(evidence, n)).isDirectory());
    expect(bundles.some((b) => b.startsWith('demo-daily_'))).toBe(true);
    expect(bundles.some((b) => b.startsWith('demo-weekly-bench_'))).toBe(true);
    expect(readFileSync(join(evidence, 'junit.xml'), 'utf8')).toContain('demo-weekly-bench');
    expect(existsSync(join(evidence, 'runproof.prom'))).toBe(true);
    // The daily checklist ran read steps only: no benchmark was started.
    expect(service.requestCounts()['/bench/run']).toBe(1);
    for (const bundle of bundles) {
      for (const file of readdirSync(join(evidence, bundle), { recursive: true, encoding: 'utf8' })) {
        const path = join(evidence, bundle, file);
        if (statSync(path).isFile()) expect(readFileSync(path, 'latin1'), path).not.toContain(service.token);
      }
    }
  });

  it('the daily checklist alone fails, exit 1, when pool beta is down', async () => {
    service.setPoolReachable('beta', false);
    const result = await runCli(['checklist', 'run', 'notebooks/daily.checklist.yaml', 'demo-daily'], { cwd: dir, timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/demo-daily: FAILED/);
    expect(readdirSync(join(dir, 'evidence')).filter((n) => n.startsWith('demo-daily_'))).toHaveLength(1);
    expect(service.requestCounts()['/bench/run']).toBe(0);
  });
});
