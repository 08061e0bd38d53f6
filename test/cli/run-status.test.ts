// J3: a run that checked nothing never looks like a pass (status `empty`, exit 5), and a run whose
// every runnable step was blocked says so unmistakably (status `blocked`, exit 1).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecordSchema } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';

const runbook = fileURLToPath(new URL('../fixtures/runev/status.md', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-status-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function onlyBundle(evidence: string): string {
  const names = readdirSync(evidence).filter((n) => !n.startsWith('.'));
  expect(names).toHaveLength(1);
  return join(evidence, names[0]!);
}

function recordIn(bundle: string) {
  const name = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, name), 'utf8')));
}

describe('run status when nothing was checked', () => {
  it('a section with no runnable cell: status empty, NOTHING CHECKED, exit 5, reports say so, bundle verifies', async () => {
    const ev = join(dir, 'ev');
    const result = await runCli(['run', runbook, '--section', 'Daily checks', '--yes', '--evidence-dir', ev], { cwd: dir });
    expect(result.code).toBe(5);
    expect(result.stdout).not.toContain('PASSED');
    expect(result.stdout).toContain('NOTHING CHECKED');
    expect(result.stdout).toContain('nothing ran');
    const bundle = onlyBundle(ev);
    const record = recordIn(bundle);
    expect(record.status).toBe('empty');
    const md = readFileSync(join(bundle, `${record.bundleName}.md`), 'utf8');
    const html = readFileSync(join(bundle, `${record.bundleName}.html`), 'utf8');
    expect(md).toContain('NOTHING CHECKED');
    expect(md).not.toContain('PASSED');
    expect(html).toContain('data-status="empty"');
    expect(html).toContain('id="nothing-ran"');
    const verify = await runCli(['verify', bundle], { cwd: dir });
    expect(verify.code).toBe(0);
  });

  it('--json carries status empty and exits 5', async () => {
    const result = await runCli(['run', runbook, '--section', 'daily-checks', '--yes', '--json', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(5);
    expect((JSON.parse(result.stdout) as { status: string }).status).toBe('empty');
  });

  it('every runnable step blocked by policy: status blocked, exit 1, "nothing ran: N steps blocked by policy" with how to allow', async () => {
    const ev = join(dir, 'ev');
    const result = await runCli(['run', runbook, '--section', 'Changes', '--yes', '--evidence-dir', ev], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('BLOCKED');
    expect(result.stdout).toContain('nothing ran: 2 steps blocked by policy');
    expect(result.stdout).toContain('--allow destructive');
    expect(result.stdout).toContain('--allow write');
    const record = recordIn(onlyBundle(ev));
    expect(record.status).toBe('blocked');
    const md = readFileSync(join(onlyBundle(ev), `${record.bundleName}.md`), 'utf8');
    expect(md).toContain('nothing ran: 2 steps blocked by policy');
  });

  it('a run where something passed is still PASSED, exit 0 (no "nothing ran" line)', async () => {
    const result = await runCli(['run', runbook, '--section', 'Checks', '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('PASSED');
    expect(result.stdout).not.toContain('nothing ran');
    // J11: the run ends with the HTML report's path and the verify command.
    expect(result.stdout).toMatch(/^report: +ev\/\S+\.html$/m);
    expect(result.stdout).toMatch(/^verify: +runproof verify ev\/\S+$/m);
    // Not at a terminal and no --yes: one line says the run is unattended and under which policy.
    const noTty = await runCli(['run', runbook, '--section', 'Checks', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(noTty.code).toBe(0);
    expect(noTty.stderr).toMatch(/^runproof: no terminal and no --yes: running unattended; policy runs read cells/m);
    expect(result.stderr).not.toContain('no terminal');
  });

  it('--dry-run of an empty selection stays exit 0', async () => {
    const result = await runCli(['run', runbook, '--section', 'Daily checks', '--dry-run', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'ev'))).toBe(true);
  });
});
