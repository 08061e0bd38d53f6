// The shell execution mechanism through the built CLI: a failing line fails the cell and the record
// names it (J4), a capture printing a NUL byte is a failed step in a sealed bundle, not exit 2 (J7),
// a removed working directory falls back to the run's directory with a recorded warning (L12).
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
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
});
