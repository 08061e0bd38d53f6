import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DEMO_RUNBOOK, runDemo } from '../../src/demo/index.js';
import { RunRecordSchema, verifyBundle } from '../../src/record/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-demo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function collect(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  return { stream, text: () => text };
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((f) => join(root, f))
    .filter((f) => statSync(f).isFile());
}

const TOKEN = 'demo-token-7c1e0b9d4a2f68e3';

describe('runDemo', () => {
  it('runs the daily checks green against the embedded service and writes a bundle that verifies', async () => {
    const out = collect();
    const demo = await runDemo({ evidenceDir: 'evidence', cwd: dir, out: out.stream, benchMs: 300, token: TOKEN });
    expect(demo.status).toBe('passed');
    expect(demo.run.counts).toMatchObject({ total: 5, passed: 5, failed: 0, blocked: 0 });
    expect(demo.bundleDir.startsWith(join(dir, 'evidence'))).toBe(true);
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(demo.recordPath, 'utf8')));
    expect(record.steps.map((s) => s.name)).toEqual(['health-service-alive/1', 'ready', 'metrics', 'bench-start', 'bench-status']);
    expect(record.steps.every((s) => s.status === 'passed')).toBe(true);
    expect(record.runbook.title).toBe('Demo service daily checks');
    // The benchmark takes a while: the status step needed more than one attempt.
    expect(record.steps.find((s) => s.name === 'bench-status')!.attempts.length).toBeGreaterThan(1);
    expect(record.parameters.find((p) => p.name === 'base')?.value).toBe(demo.serviceUrl);

    const verified = await verifyBundle(demo.bundleDir);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
    expect(existsSync(demo.reportPaths.html)).toBe(true);
    expect(readFileSync(demo.reportPaths.html, 'utf8')).toContain('Demo service daily checks');

    const text = out.text();
    expect(text).toContain(`demo service on ${demo.serviceUrl}`);
    expect(text).toMatch(/^ {2}ok {6}\[5\/5\] Wait until it finishes {2}\(GET \/bench\/status\)$/m);
    expect(text).toMatch(/^PASSED: 5 passed, 0 failed, 0 blocked, 0 skipped \(\d+\.\d s\)$/m);
    expect(text).toContain(`HTML report: evidence/${demo.bundleDir.split('/').pop()}/`);
    expect(text).toContain('JSON record: evidence/');
    expect(text.trimEnd().endsWith('demo service stopped')).toBe(true);
  });

  it('never writes the service token into any file of the bundle', async () => {
    const demo = await runDemo({ evidenceDir: join(dir, 'ev'), cwd: dir, benchMs: 100, token: TOKEN });
    expect(demo.status).toBe('passed');
    const files = filesUnder(demo.bundleDir);
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) expect(readFileSync(file, 'latin1'), file).not.toContain(TOKEN);
    expect(readFileSync(demo.recordPath, 'utf8')).toContain('[REDACTED');
  });

  it('with fail, /ready and the metrics fail with precise reasons, the rest passes, status failed', async () => {
    const out = collect();
    const demo = await runDemo({ fail: true, evidenceDir: 'evidence', cwd: dir, out: out.stream, benchMs: 100, token: TOKEN });
    expect(demo.status).toBe('failed');
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(demo.recordPath, 'utf8')));
    const byName = new Map(record.steps.map((s) => [s.name, s]));
    expect(byName.get('health-service-alive/1')!.status).toBe('passed');
    const ready = byName.get('ready')!;
    expect(ready.status).toBe('failed');
    expect(ready.expect?.passed).toBe(false);
    expect(ready.expect?.diffs.map((d) => d.path)).toEqual(expect.arrayContaining(['$.ready', '$.checks.pool_invariants.pools.beta.reachable']));
    expect(ready.assertions.find((a) => a.text === 'status == 200')).toMatchObject({ passed: false });
    const metrics = byName.get('metrics')!;
    expect(metrics.status).toBe('failed');
    expect(metrics.assertions.filter((a) => !a.passed).map((a) => a.text)).toEqual([
      'metric "demo_pool_reachable{pool=\\"beta\\"}" == 1',
      'metric "demo_ready_checks_total{result=\\"fail\\"}" == 0',
    ]);
    expect(byName.get('bench-status')!.status).toBe('passed');
    expect((await verifyBundle(demo.bundleDir)).ok).toBe(true);

    const text = out.text();
    expect(text).toContain('(pool beta made unreachable with --fail)');
    expect(text).toMatch(/^ {2}FAILED {2}\[2\/5\] \/ready - Production Ready/m);
    expect(text).toMatch(/^FAILED: 3 passed, 2 failed/m);
    // Why, after the summary: each failed step with its runbook line, what each check got.
    expect(text).toMatch(/^\/ready - Production Ready \(\S*demo-daily-checks\.md:\d+\)\n {2}line \d+ {2}status == 200: got 503\n {2}expected output {2}\$\.ready: expected true got false\n/m);
    expect(text).toMatch(/^Pool reachability \(\S*demo-daily-checks\.md:\d+\)\n {2}line \d+ {2}metric "demo_pool_reachable\{pool=\\"beta\\"\}" == 1: got 0\n/m);
  });

  it('stops the service when it returns, also after a failing run', async () => {
    const demo = await runDemo({ fail: true, evidenceDir: join(dir, 'ev'), cwd: dir, benchMs: 50 });
    await expect(fetch(`${demo.serviceUrl}/health`)).rejects.toThrow();
  });

  it('an aborted run is recorded as aborted and the service still stops', async () => {
    const controller = new AbortController();
    const out = collect();
    out.stream.on('data', (c: Buffer) => {
      // Abort while the benchmark is being waited for.
      if (c.toString().includes('[4/5]')) controller.abort();
    });
    const demo = await runDemo({ evidenceDir: join(dir, 'ev'), cwd: dir, out: out.stream, benchMs: 30_000, signal: controller.signal });
    expect(demo.status).toBe('aborted');
    await expect(fetch(`${demo.serviceUrl}/health`)).rejects.toThrow();
  });

  it('a missing runbook is RP_DEMO_FAILED before any service starts', async () => {
    await expect(runDemo({ runbookPath: join(dir, 'missing.md'), cwd: dir })).rejects.toMatchObject({ code: 'RP_DEMO_FAILED' });
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });

  it('runs the notebook shipped in notebooks/', () => {
    expect(DEMO_RUNBOOK.endsWith(join('notebooks', 'demo-daily-checks.md'))).toBe(true);
    expect(existsSync(DEMO_RUNBOOK)).toBe(true);
  });
});
