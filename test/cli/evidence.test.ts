import { copyFileSync, cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let cli: string;
const bundles: string[] = [];
const run = (...args: string[]) => execa('node', [cli, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', PATH: process.env.PATH ?? '/usr/bin:/bin' } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-cli-evidence-'));
  cpSync(join(root, 'dist'), join(dir, 'app', 'dist'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(dir, 'app', 'package.json'));
  for (const shared of ['node_modules', 'templates']) symlinkSync(join(root, shared), join(dir, 'app', shared));
  cli = join(dir, 'app', 'dist', 'cli', 'main.js');
  // Output that differs only in what masking hides, and one step that changes its exit code.
  writeFileSync(
    join(dir, 'svc.md'),
    '# Service\n\n## Checks\n\n```bash {"name":"stamp"}\necho "checked at $(date -u +%Y-%m-%dT%H:%M:%S.%NZ) request $(cat /proc/sys/kernel/random/uuid)"\n```\n\n```bash {"name":"gate"}\ntest -f gate-open\n```\n',
  );
  for (const open of [false, true]) {
    if (open) writeFileSync(join(dir, 'gate-open'), '');
    const result = await run('run', 'svc.md', '--yes', '--evidence-dir', 'ev', '--json');
    bundles.push((JSON.parse(result.stdout) as { bundle: string }).bundle);
    await new Promise((r) => setTimeout(r, 1100)); // distinct bundle names (one per second)
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runproof evidence', () => {
  it('list: newest first, as a table or JSON', async () => {
    const table = await run('evidence', 'list', 'ev');
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^svc_\d{8}_\d{6}\s+Service\s+\(all\)\s+passed\s+\S+\s+2\/0\/0$/);
    expect(lines[2]).toMatch(/\s+failed\s+\S+\s+1\/1\/0$/);
    const json = JSON.parse((await run('evidence', 'list', 'ev', '--json')).stdout) as Array<{ dir: string; seq: number }>;
    expect(json.map((r) => r.dir)).toEqual([bundles[1], bundles[0]]);
    expect(json.map((r) => r.seq)).toEqual([2, 1]);
  });

  it('show: the summary and each step', async () => {
    const show = await run('evidence', 'show', bundles[0]!);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toContain('status   FAILED');
    expect(show.stdout).toMatch(/FAILED\s+gate \[shell, read\] exit 1/);
  });

  it('diff: only the step whose status changed (timestamps and UUIDs masked), exit 1, rules listed', async () => {
    const diff = await run('evidence', 'diff', bundles[0]!, bundles[1]!);
    expect(diff.exitCode).toBe(1);
    expect(diff.stdout).toContain('gate\n  status: "failed" → "passed"\n  exitCode: 1 → 0');
    expect(diff.stdout).not.toMatch(/^stamp$/m);
    expect(diff.stdout).toContain('output compared after masking:');
    expect(diff.stdout).toContain('iso-timestamp:');
    const json = JSON.parse((await run('evidence', 'diff', bundles[0]!, bundles[1]!, '--json')).stdout) as { steps: Array<{ name: string }>; maskingRules: unknown[] };
    expect(json.steps.map((s) => s.name)).toEqual(['gate']);
    expect(json.maskingRules.length).toBeGreaterThanOrEqual(4);
  });

  it('checkpoint: printed and written; verify --checkpoint passes', async () => {
    const cp = await run('evidence', 'checkpoint', 'ev', '--out', 'cp.json');
    expect(cp.exitCode).toBe(0);
    expect(JSON.parse(cp.stdout)).toMatchObject({ payloadType: 'application/vnd.runproof.checkpoint+json', signatures: [] });
    expect(cp.stderr).toContain('2 bundle(s)');
    const verified = await run('verify', bundles[1]!, '--checkpoint', 'cp.json');
    expect(verified.exitCode, verified.stdout).toBe(0);
    expect(verified.stdout).toContain('the chain extends the checkpoint');
  });
});
