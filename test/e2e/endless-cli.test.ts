// Issue K.4, end to end with the built CLI: an unattended `tail -f` with timeout= ends at its
// timeout, recorded as the expected end (passed, not timed out), its assertions checked, and the
// reports say so; without timeout= it is blocked and never started.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-endless-'));
  writeFileSync(join(dir, 'app.log'), 'service ready\n');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function bundle(): { record: RunRecord; dir: string } {
  const [name] = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.'));
  const bundleDir = join(dir, 'ev', name!);
  const file = readdirSync(bundleDir).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return { record: RunRecordSchema.parse(JSON.parse(readFileSync(join(bundleDir, file), 'utf8'))), dir: bundleDir };
}

describe('endless commands, unattended', () => {
  it('tail -f with timeout=2s ends at its timeout as expected: passed, end expected-timeout, checks run, reports say so', async () => {
    writeFileSync(
      join(dir, 'follow.md'),
      ['# Follow', '', '## Watch the log', '', '```bash {name=follow timeout=2s}', 'tail -f app.log', '```', '', '```assert', 'stdout contains "service ready"', '```', ''].join('\n'),
    );
    const result = await runCli(['run', 'follow.md', '--yes', '--evidence-dir', 'ev'], { cwd: dir, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const { record, dir: bundleDir } = bundle();
    expect(record.status).toBe('passed');
    const follow = record.steps[0]!;
    expect(follow.status).toBe('passed');
    expect(follow.attempts[0]).toMatchObject({ timedOut: true, end: 'expected-timeout' });
    expect(follow.assertions[0]).toMatchObject({ passed: true });
    expect(follow.note).toMatch(/ran until its timeout \(2000 ms\), the expected end: tail -f runs until interrupted/);
    const report = readFileSync(join(bundleDir, readdirSync(bundleDir).find((f) => f.endsWith('.md'))!), 'utf8');
    expect(report).toContain('ran until its timeout (expected end)');
  }, 180_000);

  it('a failing assertion on an endless cell fails it, and it is not reported as timed out', async () => {
    writeFileSync(join(dir, 'follow.md'), ['# Follow', '', '## Watch', '', '```bash {name=follow timeout=1s}', 'tail -f app.log', '```', '', '```assert', 'stdout contains "never printed"', '```', ''].join('\n'));
    const result = await runCli(['run', 'follow.md', '--yes', '--evidence-dir', 'ev'], { cwd: dir, timeoutMs: 120_000 });
    expect(result.code).not.toBe(0);
    const follow = bundle().record.steps[0]!;
    expect(follow.status).toBe('failed');
    expect(follow.attempts[0]!.end).toBe('expected-timeout');
    expect(follow.note).toMatch(/1 assertion\(s\) failed/);
    expect(follow.note).not.toMatch(/timed out/);
  }, 180_000);

  it('without timeout= the cell is blocked with the reason and never started', async () => {
    writeFileSync(join(dir, 'follow.md'), ['# Follow', '', '## Watch', '', '```bash {name=follow}', 'tail -f app.log', '```', ''].join('\n'));
    const result = await runCli(['run', 'follow.md', '--yes', '--evidence-dir', 'ev'], { cwd: dir, timeoutMs: 120_000 });
    expect(result.code).not.toBe(0);
    const follow = bundle().record.steps[0]!;
    expect(follow.status).toBe('blocked');
    expect(follow.attempts).toEqual([]);
    expect(follow.note).toMatch(/endless: tail -f runs until interrupted.*add timeout=/);
  }, 180_000);
});
