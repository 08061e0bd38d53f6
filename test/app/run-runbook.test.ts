import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRunbook } from '../../src/app/run-runbook.js';
import { RunRecordSchema } from '../../src/record/index.js';
import { isRunproofError } from '../../src/core/index.js';

const fixtureDir = fileURLToPath(new URL('../fixtures/run/', import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-run-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function copyFixture(name: string): string {
  const target = join(dir, name);
  copyFileSync(join(fixtureDir, name), target);
  return target;
}

describe('runRunbook', () => {
  it('shares one shell session across cells: exports and cd carry over', async () => {
    const runbook = copyFixture('session.md');
    const result = await runRunbook({
      runbookPath: runbook,
      sections: ['1', '2'],
      mode: 'unattended',
      allow: ['write'],
      cwd: dir,
      evidenceDir: join(dir, 'evidence'),
    });
    const steps = result.record.steps;
    expect(steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
    expect(steps[1]!.attempts[0]!.stdout.inline).toBe('hello from work-area\n');
    expect(existsSync(join(dir, 'work-area', 'created-by-runproof.txt'))).toBe(true);
    expect(result.status).toBe('passed');
  });

  it('records a failing step with exit code and stderr, and the run fails', async () => {
    const runbook = copyFixture('session.md');
    const result = await runRunbook({ runbookPath: runbook, sections: ['3'], mode: 'unattended', allow: ['write'], cwd: dir, evidenceDir: join(dir, 'evidence') });
    const step = result.record.steps[0]!;
    expect(step.status).toBe('failed');
    expect(step.attempts[0]!.exitCode).toBe(7);
    expect(step.attempts[0]!.stderr.inline).toBe('about to fail\n');
    expect(step.note).toContain('exit code 7');
    expect(result.status).toBe('failed');
  });

  it('blocks write cells unattended without --allow, recorded with the reason, never dropped', async () => {
    const runbook = copyFixture('session.md');
    const result = await runRunbook({ runbookPath: runbook, sections: ['2'], mode: 'unattended', cwd: dir, evidenceDir: join(dir, 'evidence') });
    const writes = result.record.steps.find((s) => s.name === 'writes-file')!;
    expect(writes.status).toBe('blocked');
    expect(writes.decisions[0]).toMatchObject({ action: 'block', by: 'policy' });
    expect(writes.decisions[0]!.reason).toContain('--allow write');
    expect(existsSync(join(dir, 'created-by-runproof.txt'))).toBe(false);
    expect(result.record.counts.blocked).toBe(1);
  });

  it('writes a bundle whose record validates against the schema, with journal and timestamped name', async () => {
    const runbook = copyFixture('params.md');
    const result = await runRunbook({
      runbookPath: runbook,
      mode: 'unattended',
      values: [{ name: 'commit_sha', value: 'deadbeef', source: 'flag' }],
      cwd: dir,
      evidenceDir: join(dir, 'evidence'),
      now: new Date('2026-01-22T10:15:00Z'),
    });
    expect(result.bundleDir.endsWith('rollback_check_20260122_101500')).toBe(true);
    const files = readdirSync(result.bundleDir);
    expect(files).toContain('rollback_check_20260122_101500.json');
    expect(files).toContain('journal.jsonl');
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(result.recordPath, 'utf8')));
    expect(record.steps[0]!.attempts[0]!.stdout.inline).toBe('deadbeef\neu-west-1\n');
    expect(record.runbook.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.parameters.find((p) => p.name === 'commit_sha')).toMatchObject({ value: 'deadbeef', source: 'flag' });
  });

  it('never overwrites a bundle written in the same second', async () => {
    const runbook = copyFixture('params.md');
    const options = {
      runbookPath: runbook,
      mode: 'unattended' as const,
      values: [{ name: 'commit_sha', value: 'x1', source: 'flag' as const }],
      cwd: dir,
      evidenceDir: join(dir, 'evidence'),
      now: new Date('2026-01-22T10:15:00Z'),
    };
    const a = await runRunbook(options);
    const b = await runRunbook(options);
    expect(a.bundleDir).not.toBe(b.bundleDir);
    expect(existsSync(a.recordPath) && existsSync(b.recordPath)).toBe(true);
  });

  it('dry run runs nothing and records the plan', async () => {
    const runbook = copyFixture('session.md');
    const result = await runRunbook({ runbookPath: runbook, mode: 'dry-run', allow: ['write'], cwd: dir, evidenceDir: join(dir, 'evidence') });
    expect(result.status).toBe('dry-run');
    expect(result.record.steps.every((s) => s.status === 'planned' && s.attempts.length === 0)).toBe(true);
    expect(existsSync(join(dir, 'work-area'))).toBe(false);
  });

  it('stops before any cell runs or any bundle is written when a parameter is missing', async () => {
    const runbook = copyFixture('params.md');
    let error: unknown;
    try {
      await runRunbook({ runbookPath: runbook, mode: 'unattended', cwd: dir, evidenceDir: join(dir, 'evidence') });
    } catch (e) {
      error = e;
    }
    expect(isRunproofError(error) && error.code).toBe('RP_MISSING_PARAMETER');
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
  });

  it('keeps secrets out of every file of the bundle', async () => {
    const runbook = join(dir, 'secret.md');
    writeFileSync(
      runbook,
      '# S\n\n## 1. Leak\n\n```bash\necho "token is $API_TOKEN"\necho "pw=$PLAIN" >&2\nprintf "%s" "s3cr3t-fl"; printf "%s\\n" "ag-value"\n```\n',
    );
    const result = await runRunbook({
      runbookPath: runbook,
      mode: 'unattended',
      cwd: dir,
      evidenceDir: join(dir, 'evidence'),
      env: { ...(process.env as Record<string, string>), API_TOKEN: 'tok-9f8e7d6c5b', PLAIN: 'hunter2-longer' },
      secrets: ['hunter2-longer', 's3cr3t-flag-value'],
    });
    expect(result.status).toBe('passed');
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    const files = walk(result.bundleDir);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const secret of ['tok-9f8e7d6c5b', 'hunter2-longer', 's3cr3t-flag-value']) expect(text, `${file} leaks ${secret}`).not.toContain(secret);
    }
    expect(result.record.steps[0]!.attempts[0]!.stdout.inline).toContain('[REDACTED:API_TOKEN]');
  });
});
