import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRunbook } from '../../src/app/run-runbook.js';
import { diffBundles, listEvidence, loadBundleRecord, maskVolatile, MASKING_RULES } from '../../src/record/index.js';
import { formatBundleShow, formatEvidenceDiff, formatEvidenceList } from '../../src/cli/evidence-format.js';

const fixture = fileURLToPath(new URL('../fixtures/evidence/checks.md', import.meta.url));
let dir: string;
let evidenceDir: string;
let failedRun: string;
let passedRun: string;
let partial: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-evidence-'));
  evidenceDir = join(dir, 'evidence');
  const runbook = join(dir, 'checks.md');
  copyFileSync(fixture, runbook);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', RP_FLAG_FILE: join(dir, 'ready') };
  const base = { runbookPath: runbook, mode: 'unattended' as const, cwd: dir, env, evidenceDir };
  failedRun = (await runRunbook({ ...base, now: new Date('2026-01-22T10:15:00Z') })).bundleDir;
  writeFileSync(join(dir, 'ready'), '');
  passedRun = (await runRunbook({ ...base, now: new Date('2026-01-23T10:15:00Z') })).bundleDir;
  partial = (await runRunbook({ ...base, sections: ['Flaky'], now: new Date('2026-01-24T10:15:00Z') })).bundleDir;
  // A killed run: only its journal remains.
  rmSync(join(partial, 'manifest.json'));
  rmSync(join(partial, 'attestation.json'));
  rmSync(join(partial, 'nightly_checks_20260124_101500.json'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('evidence list', () => {
  it('lists runs newest first with runbook, section, status, duration and counts', async () => {
    const runs = await listEvidence(evidenceDir);
    expect(runs.map((r) => [r.name, r.status, r.sealed, r.seq])).toEqual([
      ['nightly_checks_20260124_101500', 'unfinished', false, null],
      ['nightly_checks_20260123_101500', 'passed', true, 2],
      ['nightly_checks_20260122_101500', 'failed', true, 1],
    ]);
    expect(runs[2]!.counts).toMatchObject({ passed: 3, failed: 1, blocked: 0 });
    expect(runs[0]!.sections).toEqual(['Flaky']);
    const text = formatEvidenceList(runs);
    expect(text.split('\n')[0]).toMatch(/^BUNDLE\s+RUNBOOK\s+SECTION\s+STATUS\s+DURATION\s+PASS\/FAIL\/BLOCK$/);
    expect(text).toMatch(/nightly_checks_20260122_101500\s+Nightly checks\s+\(all\)\s+failed\s+\S+\s+3\/1\/0/);
    expect(text).toContain('unfinished (unsealed)');
  });

  it('fails clearly on a missing folder', async () => {
    await expect(listEvidence(join(dir, 'nope'))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
  });
});

describe('evidence show', () => {
  it('prints the summary and every step with status, exit code and failed checks', async () => {
    const loaded = await loadBundleRecord(failedRun);
    const text = formatBundleShow(loaded.record, { dir: failedRun, ...loaded });
    expect(text).toContain('status   FAILED   3 passed, 1 failed');
    expect(text).toContain('sealed, chain seq 1');
    expect(text).toMatch(/FAILED\s+flaky \[shell, read\] exit 3/);
    expect(text).toMatch(/PASSED\s+hello \[shell, read\] exit 0/);
    expect(text).toContain('ok   stdout contains "hello"');
  });

  it('shows an unfinished bundle from its journal', async () => {
    const loaded = await loadBundleRecord(partial);
    expect(loaded.fromJournal).toBe(true);
    expect(formatBundleShow(loaded.record, { dir: partial, ...loaded })).toContain('NOT SEALED');
  });
});

describe('evidence diff', () => {
  it('reports the steps whose status, exit code or output changed, after masking', async () => {
    const diff = await diffBundles(failedRun, passedRun);
    expect(diff.steps.map((s) => s.name)).toEqual(['flaky']);
    const flaky = diff.steps[0]!.changes;
    expect(flaky).toContainEqual({ field: 'status', a: 'failed', b: 'passed' });
    expect(flaky).toContainEqual({ field: 'exitCode', a: 3, b: 0 });
    expect(flaky).toContainEqual({ field: 'stdout', detail: 'line 1', a: '', b: 'ok' });
    expect(flaky).toContainEqual({ field: 'stderr', detail: 'line 1', a: 'not yet', b: '' });
    expect(diff.maskingRules.map((r) => r.name)).toEqual(MASKING_RULES.map((r) => r.name));
    const text = formatEvidenceDiff(diff);
    expect(text).toContain('status: "failed" → "passed"');
    expect(text).toContain('output compared after masking:');
    expect(text).toContain('uuid: UUIDs');
  });

  it('lists no change for two identical runs', async () => {
    const diff = await diffBundles(passedRun, passedRun);
    expect(diff.steps).toEqual([]);
    expect(formatEvidenceDiff(diff)).toContain('no step changed (after masking)');
  });
});

describe('masking', () => {
  it('masks timestamps, durations and UUIDs, and nothing else', () => {
    expect(maskVolatile('at 2026-01-22T10:15:00.123Z took 12ms id 123e4567-e89b-12d3-a456-426614174000')).toBe('at <TIMESTAMP> took <DURATION> id <UUID>');
    expect(maskVolatile('Date: Thu, 22 Jan 2026 10:15:00 GMT')).toBe('Date: <TIMESTAMP>');
    expect(maskVolatile('Thu Jan 22 10:15:00 UTC 2026 up')).toBe('<TIMESTAMP> up');
    expect(maskVolatile('real 0m0.004s; 3 seconds; 1.5s; 250µs')).toBe('real <DURATION>; <DURATION>; <DURATION>; <DURATION>');
    expect(maskVolatile('2026-01-22 10:15:00+01:00 at 10:15:07')).toBe('<TIMESTAMP> at <TIME>');
    const stable = 'status ok: 3 replicas, version 1.2.3, sha 2c8b08da5ce6, 200 OK';
    expect(maskVolatile(stable)).toBe(stable);
  });
});
