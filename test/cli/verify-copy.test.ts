// J10: a copy of a bundle in a folder with another name still verifies (the folder name is
// reported, not failed); renamed chain members are still linked by their manifest hash; a
// renamed copy that was edited still fails.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const runbook = fileURLToPath(new URL('../fixtures/runev/status.md', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-verify-copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bundlesIn = (ev: string): string[] => readdirSync(ev).filter((n) => !n.startsWith('.') && !n.endsWith('.tgz')).sort();

async function twoRuns(ev: string): Promise<[string, string]> {
  for (let i = 0; i < 2; i++) {
    const run = await runCli(['run', runbook, '--section', 'Checks', '--yes', '--archive', 'tgz', '--evidence-dir', ev], { cwd: dir });
    expect(run.code).toBe(0);
  }
  const names = bundlesIn(ev);
  expect(names).toHaveLength(2);
  return [names[0]!, names[1]!];
}

describe('verify of copied bundles', () => {
  it('a bundle copied into a folder with another name verifies, and the folder name is reported', async () => {
    const ev = join(dir, 'ev');
    const [, second] = await twoRuns(ev);
    const copy = join(dir, 'audit', 'copy-for-auditor');
    mkdirSync(join(dir, 'audit'));
    cpSync(join(ev, second), copy, { recursive: true });
    const result = await runCli(['verify', copy], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK /);
    expect(result.stdout).toContain(`folder copy-for-auditor holds bundle ${second}`);
  });

  it('a renamed copy beside the original, and a renamed archive, verify too', async () => {
    const ev = join(dir, 'ev');
    const [first, second] = await twoRuns(ev);
    cpSync(join(ev, second), join(ev, `${second}-copy`), { recursive: true });
    const beside = await runCli(['verify', join(ev, `${second}-copy`)], { cwd: dir });
    expect(beside.code).toBe(0);
    renameSync(join(ev, `${first}.tgz`), join(dir, 'renamed.tgz'));
    const archive = await runCli(['verify', join(dir, 'renamed.tgz')], { cwd: dir });
    expect(archive.code).toBe(0);
  });

  it('a whole evidence folder copied with every bundle renamed: the chain link is still checked by manifest hash', async () => {
    const ev = join(dir, 'ev');
    const [first, second] = await twoRuns(ev);
    const copy = join(dir, 'copy');
    mkdirSync(copy);
    cpSync(join(ev, first), join(copy, 'one'), { recursive: true });
    cpSync(join(ev, second), join(copy, 'two'), { recursive: true });
    const result = await runCli(['verify', join(copy, 'two')], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`chain link checked: ${first} (seq 1, in folder one)`);
  });

  it('a renamed copy whose files were changed still fails', async () => {
    const ev = join(dir, 'ev');
    const [, second] = await twoRuns(ev);
    const copy = join(dir, 'tampered');
    cpSync(join(ev, second), copy, { recursive: true });
    const md = readdirSync(copy).find((f) => f.endsWith('.md'))!;
    appendFileSync(join(copy, md), '\nall good\n');
    const result = await runCli(['verify', copy], { cwd: dir });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/^FAILED /);
  });
});
