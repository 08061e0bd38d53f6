import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

// The "done when": `runproof demo` then `runproof evidence serve` shows the demo's runs.

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runproof-serve-demo-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('runproof demo, then runproof evidence serve: the demo run is listed, opens, and verifies', async () => {
  const demo = await runCli(['demo'], { cwd: dir });
  expect(demo.code, demo.stderr).toBe(0);
  const bundles = (await readdir(join(dir, 'evidence'))).filter((n) => !n.startsWith('.'));
  expect(bundles).toHaveLength(1);

  const child = spawn(process.execPath, [CLI, 'evidence', 'serve'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`evidence serve exited ${code}: ${out}`)));
    });
    expect(out).toContain('1 run(s) in evidence');
    const runs = await (await fetch(url)).text();
    expect(runs).toContain(bundles[0]);
    expect(runs).toContain('Demo service daily checks');
    expect(runs).toMatch(new RegExp(`data-bundle="${bundles[0]}" data-verify="unsigned"`));
    const run = await fetch(`${url}run/${bundles[0]}`);
    expect(run.status).toBe(200);
    const report = await fetch(`${url}report/${bundles[0]}`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toContain('sandbox');
    expect(await report.text()).toContain('Demo service daily checks');
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  expect(child.exitCode).toBe(0);
}, 120_000);
