// The shell execution mechanism through the built CLI: a failing line fails the cell and the record
// names it (J4), a capture printing a NUL byte is a failed step in a sealed bundle, not exit 2 (J7),
// a removed working directory falls back to the run's directory with a recorded warning (L12).
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunRecordSchema } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'rp-shell-cli-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function recordOf(evidence: string): ReturnType<typeof RunRecordSchema.parse> {
  const [bundle] = readdirSync(evidence).filter((n) => !n.startsWith('.'));
  const bundleDir = join(evidence, bundle!);
  const name = readdirSync(bundleDir).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundleDir, name), 'utf8')));
}

async function runRunbook(text: string) {
  const runbook = join(dir, 'book.md');
  writeFileSync(runbook, text);
  const evidence = join(dir, 'ev');
  const result = await runCli(['run', runbook, '--yes', '--allow', 'destructive', '--evidence-dir', evidence], { cwd: dir });
  return { result, record: recordOf(evidence) };
}

describe('shell cells through the CLI', () => {
  it('fails a cell at its first failing line and records the runbook line and text', async () => {
    const { result, record } = await runRunbook(
      ['# Rollback', '', '## Roll back', '', '```bash', 'echo start', 'cd ~/.roxy-missing', 'touch deployed-in-wrong-dir', '```', ''].join('\n'),
    );
    expect(result.code).toBe(1);
    expect(existsSync(join(dir, 'deployed-in-wrong-dir'))).toBe(false);
    const step = record.steps[0]!;
    expect(step.status).toBe('failed');
    const attempt = step.attempts[0]!;
    expect(attempt.failedLine).toEqual({ line: 7, cellLine: 2, text: 'cd ~/.roxy-missing' });
    expect(step.note).toContain('stopped at line 7: cd ~/.roxy-missing');
  });

  it('runs past failing lines in a cell marked errexit=false', async () => {
    const { result, record } = await runRunbook(
      ['# T', '', '## S', '', '```bash {errexit=false}', 'false', 'touch ran-anyway', '```', ''].join('\n'),
    );
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'ran-anyway'))).toBe(true);
    expect(record.steps[0]!.attempts[0]!.failedLine).toBeUndefined();
  });

  it('records a capture cell printing NUL bytes as a failed step in a sealed bundle, not exit 2', async () => {
    for (const printer of ["printf 'ab\\0cd'", "printf '\\0'", "head -c 64 /dev/zero; echo x"]) {
      rmSync(join(dir, 'ev'), { recursive: true, force: true });
      const { result, record } = await runRunbook(
        ['# T', '', '## S', '', '```bash {name=TOKEN_VALUE}', printer, '```', '', '```bash', 'echo after', '```', ''].join('\n'),
      );
      expect(result.code, printer).toBe(1);
      expect(record.status).toBe('failed');
      const [capture, after] = record.steps;
      expect(capture!.status).toBe('failed');
      expect(capture!.note).toContain('NUL byte');
      expect(after!.status).toBe('passed');
    }
  });

  it('falls back to the run directory, with a warning, when a cell removed the session directory', async () => {
    const { result, record } = await runRunbook(
      [
        '# T', '', '## S', '',
        '```bash', 'mkdir -p work/tmpdir && cd work/tmpdir', '```', '',
        '```bash', 'rm -rf "$PWD"', '```', '',
        '```bash', 'pwd', '```', '',
        '```bash', 'echo still-here', '```', '',
      ].join('\n'),
    );
    expect(result.code).toBe(0);
    const [, , pwd, next] = record.steps;
    expect(pwd!.status).toBe('passed');
    expect(pwd!.attempts[0]!.stdout.inline).toBe(`${dir}\n`);
    expect(pwd!.attempts[0]!.warnings?.join(' ')).toContain(`${join(dir, 'work/tmpdir')} no longer exists`);
    expect(next!.status).toBe('passed');
    expect(next!.attempts[0]!.warnings).toBeUndefined();
  });

  it('runs an unattended read cell in the sandbox: a write the classifier missed does not happen', async () => {
    const { result, record } = await runRunbook(
      ['# T', '', '## S', '', '```bash {risk=read}', 'echo reading', 'touch forced-write', '```', '', '```bash {risk=write}', 'touch allowed-write', '```', ''].join('\n'),
    );
    expect(result.code).toBe(1);
    expect(existsSync(join(dir, 'forced-write'))).toBe(false);
    expect(existsSync(join(dir, 'allowed-write'))).toBe(true);
    expect(record.sandbox).toEqual({ mode: 'warn', available: true });
    const [read, write] = record.steps;
    expect(read!.sandboxed).toBe(true);
    expect(read!.status).toBe('failed');
    expect(read!.attempts[0]!.failedLine?.text).toBe('touch forced-write');
    expect(write!.sandboxed).toBe(false);
  });

  it('refuses with RP_SANDBOX_UNAVAILABLE, exit 2 and nothing run, when the sandbox is required and bwrap cannot run', async () => {
    const runbook = join(dir, 'book.md');
    writeFileSync(runbook, ['# T', '', '## S', '', '```bash {risk=read}', 'touch ran', '```', ''].join('\n'));
    const result = await runCli(['run', runbook, '--yes', '--sandbox', 'required', '--evidence-dir', join(dir, 'ev')], { cwd: dir, env: { PATH: join(dir, 'no-bwrap-here') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^RP_SANDBOX_UNAVAILABLE .*bubblewrap/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(existsSync(join(dir, 'ev')) ? readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.')) : []).toEqual([]);
  });

  it('rejects an unknown --sandbox setting with RP_BAD_FLAG', async () => {
    const result = await runCli(['run', join(dir, 'x.md'), '--yes', '--sandbox', 'maybe'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('RP_BAD_FLAG');
  });

  it('runs read cells without a sandbox under --sandbox warn where bwrap is missing, and says so in the record and the summary', async () => {
    const bin = join(dir, 'bin-without-bwrap');
    mkdirSync(bin);
    symlinkSync('/bin/bash', join(bin, 'bash'));
    const runbook = join(dir, 'book.md');
    writeFileSync(runbook, ['# T', '', '## S', '', '```bash {risk=read}', 'echo hi', '```', ''].join('\n'));
    const result = await runCli(['run', runbook, '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir, env: { PATH: bin } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sandbox: none (bubblewrap (bwrap) is not installed): read cells ran without it');
    const record = recordOf(join(dir, 'ev'));
    expect(record.sandbox).toEqual({ mode: 'warn', available: false, reason: 'bubblewrap (bwrap) is not installed' });
    expect(record.steps[0]!.sandboxed).toBe(false);
    expect(record.warnings.join('\n')).toContain('no sandbox');
  });
});
