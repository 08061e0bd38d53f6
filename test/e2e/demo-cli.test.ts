import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, runCli } from '../helpers/cli.js';

// `runproof demo` as a newcomer runs it: the built binary, a fresh folder, the bundle it writes
// verified by `runproof verify` (its HTML report in Chromium: demo-report.test.ts).

const NOTEBOOKS = fileURLToPath(new URL('../../notebooks/', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-demo-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function onlyBundle(evidence: string): string {
  const bundles = readdirSync(evidence).filter((n) => !n.startsWith('.'));
  expect(bundles).toHaveLength(1);
  return join(evidence, bundles[0]!);
}

describe('runproof demo (built CLI)', () => {
  it('runs the daily checks green, prints the report paths, exit 0; the bundle verifies', async () => {
    const result = await runCli(['demo'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^runproof demo: demo service on http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.filter((l) => /^ {2}ok {6}\[\d\/5\] /.test(l))).toHaveLength(5);
    expect(result.stdout).toMatch(/^PASSED: 5 passed, 0 failed, 0 blocked, 0 skipped \(\d+\.\d s\)$/m);
    const bundle = onlyBundle(join(dir, 'evidence'));
    const name = bundle.split('/').pop()!;
    expect(name).toMatch(/^demo_daily_\d{8}_\d{6}$/);
    expect(result.stdout).toContain(`HTML report: evidence/${name}/${name}.html\n`);
    expect(result.stdout).toContain(`JSON record: evidence/${name}/${name}.json\n`);
    expect(lines[lines.length - 1]).toBe('demo service stopped');

    const verified = await runCli(['verify', `evidence/${name}`], { cwd: dir });
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^OK /);
  });

  it('--fail shows the failing checks and what they got, exit 1', async () => {
    const result = await runCli(['demo', '--fail'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(pool beta made unreachable with --fail)');
    expect(result.stdout).toMatch(/^ {2}FAILED {2}\[2\/5\] \/ready - Production Ready {2}\(GET \/ready\)$/m);
    expect(result.stdout).toMatch(/^ {2}FAILED {2}\[3\/5\] Pool reachability/m);
    expect(result.stdout).toMatch(/^FAILED: 3 passed, 2 failed/m);
    expect(result.stdout).toMatch(/^ {2}line \d+ {2}status == 200: got 503$/m);
    expect(result.stdout).toMatch(/^ {2}expected output {2}\$\.checks\.pool_invariants\.pools\.beta\.reachable: expected true got false$/m);
    const bundle = onlyBundle(join(dir, 'evidence'));
    const record = JSON.parse(readFileSync(join(bundle, `${bundle.split('/').pop()}.json`), 'utf8')) as { status: string };
    expect(record.status).toBe('failed');
  });

  it('--port without --serve is RP_BAD_FLAG, exit 2; a bad --port too', async () => {
    const port = await runCli(['demo', '--port', '8766'], { cwd: dir });
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/^RP_BAD_FLAG --port is only for --serve/);
    const bad = await runCli(['demo', '--serve', '--port', 'http'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^RP_BAD_FLAG --port http is not a TCP port/);
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });

  it('an unknown flag is RP_BAD_FLAG naming the closest, exit 2', async () => {
    const result = await runCli(['demo', '--fial'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^RP_BAD_FLAG unknown flag --fial .*did you mean --fail\?/);
  });

  it('--serve keeps the service up until SIGTERM and prints how to use it', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '--serve', '--fail'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 300 && !stdout.includes('Ctrl-C stops it'); i++) await new Promise((r) => setTimeout(r, 100));
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      expect(url).toBeDefined();
      expect(stdout).toMatch(/export DEMO_TOKEN=[0-9a-f]{32}\n/);
      expect(stdout).toContain(`runproof run notebooks/incident-ready-503.md --set base=${url}`);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      await ready.text();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('demo service stopped\n');
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('every notebook passes runproof lint --strict', async () => {
    const result = await runCli(['lint', '--strict', NOTEBOOKS]);
    expect(result.stdout).toBe('');
    // Four runbooks and the checklist file (lint checks checklist files too).
    expect(result.stderr).toMatch(/^5 files: 0 errors, 0 warnings/);
    expect(result.code).toBe(0);
  });
});
