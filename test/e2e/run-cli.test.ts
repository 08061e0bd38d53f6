import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { RunRecordSchema } from '../../src/record/index.js';
import { CLI, runCli } from '../helpers/cli.js';
import { startRoxyServer } from '../helpers/servers.js';

const fixtures = fileURLToPath(new URL('../fixtures/run/', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-cli-run-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function bundles(evidence: string): string[] {
  return existsSync(evidence) ? readdirSync(evidence).filter((n) => !n.startsWith('.')) : [];
}

function recordOf(bundleDir: string): ReturnType<typeof RunRecordSchema.parse> {
  const name = readdirSync(bundleDir).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundleDir, name), 'utf8')));
}

describe('runproof run (built CLI)', () => {
  it('runs the ROXY-like health checks against a real server and passes, exit 0', async () => {
    const server = await startRoxyServer({ ready: true });
    try {
      const runbook = join(dir, 'roxy.md');
      writeFileSync(runbook, readFileSync(join(fixtures, 'roxy-health.md'), 'utf8').replaceAll('http://127.0.0.1:8766', server.url));
      const result = await runCli(['run', runbook, '--section', 'Health Checks', '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('PASSED');
      const [bundle] = bundles(join(dir, 'ev'));
      const record = recordOf(join(dir, 'ev', bundle!));
      expect(record.status).toBe('passed');
      expect(record.steps.every((s) => s.status === 'passed')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('fails with exit 1 and a precise diff against the 503 server', async () => {
    const server = await startRoxyServer({ ready: false });
    try {
      const runbook = join(dir, 'roxy.md');
      writeFileSync(runbook, readFileSync(join(fixtures, 'roxy-health.md'), 'utf8').replaceAll('http://127.0.0.1:8766', server.url));
      const result = await runCli(['run', runbook, '--section', '2', '--yes', '--json', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout) as { status: string; record: string };
      expect(summary.status).toBe('failed');
      const record = RunRecordSchema.parse(JSON.parse(readFileSync(summary.record, 'utf8')));
      const ready = record.steps.find((s) => s.sectionPath.some((p) => p.includes('/ready')))!;
      expect(ready.status).toBe('failed');
      expect(ready.expect?.passed).toBe(false);
      expect(ready.expect?.diffs.map((d) => d.path)).toContain('$.ready');
    } finally {
      await server.close();
    }
  });

  it('exits 2 for an unknown section, listing the sections, and writes nothing', async () => {
    const runbook = join(dir, 'session.md');
    copyFileSync(join(fixtures, 'session.md'), runbook);
    const result = await runCli(['run', runbook, '--section', '99', '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^RP_SECTION_NOT_FOUND .*1\. Prepare.*2\. Use the session/);
    expect(bundles(join(dir, 'ev'))).toEqual([]);
  });

  it('exits 2 with RP_BAD_FLAG and the closest flag for an unknown flag', async () => {
    const result = await runCli(['run', 'x.md', '--dry-rnu'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('RP_BAD_FLAG');
    expect(result.stderr).toContain('--dry-run');
  });

  it('exits 2 naming each missing parameter and its cells, before anything runs', async () => {
    const runbook = join(dir, 'params.md');
    copyFileSync(join(fixtures, 'params.md'), runbook);
    const result = await runCli(['run', runbook, '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^RP_MISSING_PARAMETER .*commit_sha \(needed by 1-show\/1\)/);
    expect(bundles(join(dir, 'ev'))).toEqual([]);
  });

  it('--dry-run runs nothing, exit 0, and writes a dry-run bundle', async () => {
    const runbook = join(dir, 'session.md');
    copyFileSync(join(fixtures, 'session.md'), runbook);
    const result = await runCli(['run', runbook, '--dry-run', '--allow', 'write', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'work-area'))).toBe(false);
    const [bundle] = bundles(join(dir, 'ev'));
    expect(recordOf(join(dir, 'ev', bundle!)).status).toBe('dry-run');
  });

  it('without a TTY it never prompts and follows the unattended policy', async () => {
    const runbook = join(dir, 'session.md');
    copyFileSync(join(fixtures, 'session.md'), runbook);
    const result = await runCli(['run', runbook, '--section', '2', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(0);
    const [bundle] = bundles(join(dir, 'ev'));
    const record = recordOf(join(dir, 'ev', bundle!));
    expect(record.mode).toBe('unattended');
    expect(record.steps.find((s) => s.name === 'writes-file')!.status).toBe('blocked');
  });

  it('SIGTERM kills the running cell group, writes an aborted bundle and exits 3', async () => {
    const runbook = join(dir, 'slow.md');
    const marker = join(dir, 'child-alive');
    writeFileSync(runbook, `# Slow\n\n## 1. Wait\n\n\`\`\`bash {"name":"wait","risk":"read"}\necho started\nsleep 600\n\`\`\`\n\n## 2. After\n\n\`\`\`bash\necho never\n\`\`\`\n`);
    void marker;
    const child = spawn(process.execPath, [CLI, 'run', runbook, '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!out.includes('started') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('started');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(3);
    const [bundle] = bundles(join(dir, 'ev'));
    const record = recordOf(join(dir, 'ev', bundle!));
    expect(record.status).toBe('aborted');
    expect(record.steps.map((s) => s.status)).toEqual(['interrupted', 'not-run']);
  });
});
