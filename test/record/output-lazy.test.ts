// Log files are created by the first write that needs them: small output never touches the disk,
// and a killed cell's output still ends up whole in its log.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/errors.js';
import { createOutputCapture, createRedactor } from '../../src/record/index.js';
import { createShellSession } from '../../src/execute/shell-session.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-output-lazy-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const logPath = (): string => join(dir, 'c1.1.stdout.log');

function capture(options: { inlineLimit?: number; secrets?: Array<{ name: string; value: string }> } = {}) {
  return createOutputCapture({
    logPath: logPath(),
    logRelPath: 'logs/c1.1.stdout.log',
    redaction: createRedactor(options.secrets ?? []).stream(),
    ...(options.inlineLimit === undefined ? {} : { inlineLimit: options.inlineLimit }),
  });
}

describe('lazily created logs', () => {
  it('never creates the log of output that stays inline', async () => {
    const c = capture();
    expect(existsSync(logPath())).toBe(false);
    c.write(Buffer.from('small output\n'));
    expect(existsSync(logPath())).toBe(false);
    const out = await c.end();
    expect(out).toMatchObject({ inline: 'small output\n', truncated: false });
    expect(existsSync(logPath())).toBe(false);
  });

  it('creates the log at the end when the output passed the inline limit but not a write batch', async () => {
    const c = capture({ inlineLimit: 100, secrets: [{ name: 'PW', value: 'hunter2-secret' }] });
    const text = 'x'.repeat(150) + ' hunter2-secret\n';
    c.write(Buffer.from(text));
    const out = await c.end();
    const full = text.replace('hunter2-secret', '[REDACTED:PW]');
    expect(out).toMatchObject({ truncated: true, logFile: 'logs/c1.1.stdout.log', size: full.length, sha256: sha(full) });
    expect(readFileSync(logPath(), 'utf8')).toBe(full);
  });

  it('streams a large output to the log before the end', async () => {
    const c = capture();
    c.write(Buffer.alloc(600 * 1024, 'y'));
    expect(readFileSync(logPath()).length).toBeGreaterThanOrEqual(256 * 1024);
    const out = await c.end();
    expect(out.size).toBe(600 * 1024);
    expect(readFileSync(logPath()).length).toBe(600 * 1024);
  });

  it('deletes a log a batch reached when a large inline limit still keeps the output inline', async () => {
    const c = capture({ inlineLimit: 1024 * 1024 });
    c.write(Buffer.alloc(300 * 1024, 'z'));
    expect(existsSync(logPath())).toBe(true);
    const out = await c.end();
    expect(out.truncated).toBe(false);
    expect(out.inline.length).toBe(300 * 1024);
    expect(existsSync(logPath())).toBe(false);
  });

  it('reports a log it cannot create at the end, and leaves the file that was in the way alone', async () => {
    writeFileSync(logPath(), 'someone else');
    const c = capture({ inlineLimit: 10 });
    c.write(Buffer.from('more than ten characters\n'));
    await expect(c.end()).rejects.toSatisfy((e: unknown) => isRunproofError(e) && e.code === 'RP_EVIDENCE_WRITE_FAILED');
    expect(readFileSync(logPath(), 'utf8')).toBe('someone else');
  });

  it('keeps the whole output of a cell killed by its timeout', async () => {
    const session = await createShellSession({ cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, killGraceMs: 200 });
    try {
      const c = capture({ inlineLimit: 1000 });
      const outcome = await session.run(
        { command: "head -c 300000 /dev/zero | tr '\\0' k; echo; echo done-writing; sleep 30", timeoutMs: 4000 },
        { onStdout: (chunk) => c.write(chunk), onStderr: () => undefined },
      );
      expect(outcome.timedOut).toBe(true);
      const out = await c.end();
      const expected = `${'k'.repeat(300000)}\ndone-writing\n`;
      expect(out).toMatchObject({ truncated: true, size: expected.length, sha256: sha(expected) });
      expect(readFileSync(logPath(), 'utf8')).toBe(expected);
    } finally {
      await session.close();
    }
  }, 30_000);
});
