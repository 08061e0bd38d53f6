import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRunbook } from '../../src/app/run-runbook.js';
import { ManifestSchema, verifyBundle } from '../../src/record/index.js';

const fixture = fileURLToPath(new URL('../fixtures/evidence/checks.md', import.meta.url));
let dir: string;
let runbook: string;
let env: Record<string, string>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-resume-'));
  runbook = join(dir, 'checks.md');
  copyFileSync(fixture, runbook);
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', RP_FLAG_FILE: join(dir, 'ready') };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ({ runbookPath: runbook, mode: 'unattended' as const, cwd: dir, env, evidenceDir: join(dir, 'evidence') });

describe('run --resume', () => {
  it('continues a failed run: completed steps are skipped, the failed one runs again, the new bundle links to the old', async () => {
    const failed = await runRunbook({ ...base(), now: new Date('2026-01-22T10:15:00Z') });
    expect(failed.status).toBe('failed');
    expect(failed.record.steps.map((s) => [s.name, s.status])).toEqual([['hello', 'passed'], ['big-output', 'passed'], ['flaky', 'failed'], ['after', 'passed']]);
    writeFileSync(join(dir, 'ready'), '');
    const { evidenceDir: _unused, ...withoutDir } = base();
    void _unused;
    const resumed = await runRunbook({ ...withoutDir, resumeFrom: failed.bundleDir, now: new Date('2026-01-22T11:00:00Z') });
    expect(resumed.status).toBe('passed');
    expect(dirname(resumed.bundleDir)).toBe(dirname(failed.bundleDir));
    expect(resumed.record.resumedFrom).toBe('nightly_checks_20260122_101500');
    expect(resumed.record.steps.map((s) => [s.name, s.status])).toEqual([['hello', 'skipped'], ['big-output', 'skipped'], ['flaky', 'passed'], ['after', 'skipped']]);
    expect(resumed.record.steps[0]!.decisions[0]!.reason).toBe('completed in the run this one resumes');
    expect(resumed.record.steps[0]!.attempts).toEqual([]);
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(resumed.bundleDir, 'manifest.json'), 'utf8')));
    expect(manifest.resumedFrom).toEqual({ bundle: 'nightly_checks_20260122_101500', seq: 1, manifestSha256: failed.seal.manifestSha256 });
    expect(manifest.chain.previous?.bundle).toBe('nightly_checks_20260122_101500');
    const verified = await verifyBundle(resumed.bundleDir);
    expect(verified.problems).toEqual([]);
    expect(verified.notes.join('\n')).toContain('resumed run nightly_checks_20260122_101500 checked');
  });

  it('refuses when the runbook changed, unless forced', async () => {
    const failed = await runRunbook({ ...base(), now: new Date('2026-01-22T10:15:00Z') });
    appendFileSync(runbook, '\n<!-- edited -->\n');
    await expect(runRunbook({ ...base(), resumeFrom: failed.bundleDir })).rejects.toMatchObject({ code: 'RP_RUNBOOK_CHANGED' });
    writeFileSync(join(dir, 'ready'), '');
    const forced = await runRunbook({ ...base(), resumeFrom: failed.bundleDir, force: true, now: new Date('2026-01-22T12:00:00Z') });
    expect(forced.status).toBe('passed');
    expect(forced.record.warnings.join('\n')).toContain('resumed with --force although the runbook changed');
  });

  it('refuses to resume a passed run', async () => {
    writeFileSync(join(dir, 'ready'), '');
    const passed = await runRunbook({ ...base(), now: new Date('2026-01-22T10:15:00Z') });
    expect(passed.status).toBe('passed');
    await expect(runRunbook({ ...base(), resumeFrom: passed.bundleDir })).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
  });

  it('recovers an unsealed (killed) bundle before resuming it', async () => {
    const failed = await runRunbook({ ...base(), now: new Date('2026-01-22T10:15:00Z') });
    // As if killed before sealing: no manifest, no attestation.
    rmSync(join(failed.bundleDir, 'manifest.json'));
    rmSync(join(failed.bundleDir, 'attestation.json'));
    writeFileSync(join(dir, 'ready'), '');
    const resumed = await runRunbook({ ...base(), resumeFrom: failed.bundleDir, now: new Date('2026-01-22T11:00:00Z') });
    expect(resumed.record.warnings.join('\n')).toContain('was not sealed (killed run): it was recovered first');
    expect((await verifyBundle(failed.bundleDir)).ok).toBe(true);
    expect((await verifyBundle(resumed.bundleDir)).ok).toBe(true);
  });
});
