import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutputCapture, createRedactor } from '../../src/record/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-output-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function capture(options: { secrets?: Array<{ name: string; value: string }>; inlineLimit?: number; textLimit?: number } = {}) {
  const redactor = createRedactor(options.secrets ?? []);
  return createOutputCapture({
    logPath: join(dir, 'c1.1.stdout.log'),
    logRelPath: 'logs/c1.1.stdout.log',
    redaction: redactor.stream(),
    ...(options.inlineLimit === undefined ? {} : { inlineLimit: options.inlineLimit }),
    ...(options.textLimit === undefined ? {} : { textLimit: options.textLimit }),
  });
}

describe('OutputCapture', () => {
  it('keeps small output inline, redacted, and deletes its log file', async () => {
    const c = capture({ secrets: [{ name: 'API_TOKEN', value: 'tok-abcdef123' }] });
    c.write(Buffer.from('hello tok-abc'));
    c.write(Buffer.from('def123 world\n'));
    expect(c.text()).not.toContain('tok-abc');
    const out = await c.end();
    const expected = 'hello [REDACTED:API_TOKEN] world\n';
    expect(out).toEqual({ inline: expected, size: Buffer.byteLength(expected), sha256: sha(expected), truncated: false, encoding: 'utf8' });
    expect(c.text()).toBe(expected);
    expect(existsSync(join(dir, 'c1.1.stdout.log'))).toBe(false);
  });

  it('redacts the whole output again when a secret is learned while it is written (L2: printed before it was known)', async () => {
    for (const size of [200, 2_000_000]) {
      const redactor = createRedactor([]);
      const shown: string[] = [];
      const c = createOutputCapture({ logPath: join(dir, `again-${size}.log`), logRelPath: `logs/again-${size}.log`, redaction: redactor.stream(), inlineLimit: 1000, onText: (t) => shown.push(t) });
      const filler = 'x'.repeat(99) + '\n';
      for (let i = 0; i < size / 100; i++) c.write(filler);
      c.write('early born-Val-7777 and a tail\n');
      c.write(filler.repeat(3));
      expect(c.redactedAgain).toBe(false);
      redactor.add('SERVICE_TOKEN', 'born-Val-7777');
      c.write('late born-Val-7777\n');
      const out = await c.end();
      expect(c.redactedAgain).toBe(true);
      const full = filler.repeat(size / 100) + 'early [REDACTED:SERVICE_TOKEN] and a tail\n' + filler.repeat(3) + 'late [REDACTED:SERVICE_TOKEN]\n';
      expect(out.size).toBe(Buffer.byteLength(full));
      expect(out.sha256).toBe(sha(full));
      expect(c.text()).toBe(full);
      expect(out.inline).not.toContain('born-Val');
      if (size > 1000) {
        expect(out.truncated).toBe(true);
        expect(readFileSync(join(dir, `again-${size}.log`), 'utf8')).toBe(full);
        expect(existsSync(join(dir, `again-${size}.log.redacting`))).toBe(false);
      } else expect(out.inline).toBe(full);
      // The live view got each piece once: the replay is not shown again.
      expect(shown.join('')).toContain('early born-Val-7777');
      expect(shown.join('').match(/late/g)).toHaveLength(1);
    }
  });

  it('does not redact again when nothing was learned', async () => {
    const c = capture({ secrets: [{ name: 'API_TOKEN', value: 'tok-abcdef123' }] });
    c.write('tok-abcdef123\n');
    await c.end();
    expect(c.redactedAgain).toBe(false);
  });

  it('records empty output', async () => {
    const out = await capture().end();
    expect(out).toMatchObject({ inline: '', size: 0, sha256: sha(''), truncated: false });
  });

  it('keeps head and tail inline and the whole redacted output in the log beyond the limit', async () => {
    const c = capture({ inlineLimit: 1000, secrets: [{ name: 'PW', value: 'hunter2-secret' }] });
    const lines = Array.from({ length: 500 }, (_, i) => `line ${String(i).padStart(4, '0')} hunter2-secret\n`);
    for (const l of lines) c.write(Buffer.from(l));
    const out = await c.end();
    const full = lines.join('').replaceAll('hunter2-secret', '[REDACTED:PW]');
    expect(out.truncated).toBe(true);
    expect(out.logFile).toBe('logs/c1.1.stdout.log');
    expect(out.size).toBe(Buffer.byteLength(full));
    expect(out.sha256).toBe(sha(full));
    const log = readFileSync(join(dir, 'c1.1.stdout.log'), 'utf8');
    expect(log).toBe(full);
    expect(out.inline.startsWith(full.slice(0, 500))).toBe(true);
    expect(out.inline.endsWith(full.slice(-500))).toBe(true);
    expect(out.inline).toContain('bytes omitted');
    expect(out.inline).toContain('logs/c1.1.stdout.log');
    expect(out.inline).not.toContain('line 0250');
  });

  it('keeps the exact tail whatever the chunk sizes (chunks larger and smaller than the tail)', async () => {
    const c = capture({ inlineLimit: 1000 });
    let full = '';
    for (let i = 0; i < 300; i++) {
      const size = [1, 7, 499, 500, 501, 1200, 3][i % 7]!;
      const piece = String.fromCharCode(97 + (i % 26)).repeat(size - 1) + '\n';
      full += piece;
      c.write(Buffer.from(piece));
    }
    const out = await c.end();
    expect(out.truncated).toBe(true);
    expect(out.inline.startsWith(full.slice(0, 500))).toBe(true);
    expect(out.inline.endsWith(`\n${full.slice(-500)}`) || out.inline.endsWith(full.slice(-500))).toBe(true);
    const tail = out.inline.split(/\n… .* …\n/)[1]!;
    expect(tail).toBe(full.slice(-tail.length));
    expect(tail.length).toBeGreaterThanOrEqual(500 - 1);
  });

  it('decodes a multi-byte character split across chunks and never cuts one in head or tail', async () => {
    const c = capture({ inlineLimit: 11 });
    const text = 'ééééé€€€€€€';
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i++) c.write(bytes.subarray(i, i + 1));
    const out = await c.end();
    expect(readFileSync(join(dir, 'c1.1.stdout.log'), 'utf8')).toBe(text);
    expect(out.inline).not.toContain('\uFFFD');
    const [head, tail] = out.inline.split(/\n… .* …\n/);
    expect(text.startsWith(head!)).toBe(true);
    expect(text.endsWith(tail!)).toBe(true);
  });

  it('caps text() and says so', async () => {
    const c = capture({ inlineLimit: 10, textLimit: 100 });
    c.write(Buffer.from(`${'x'.repeat(249)}\n`));
    expect(c.text()).toHaveLength(100);
    expect(c.textTruncated).toBe(true);
    const out = await c.end();
    expect(out.size).toBe(250);
  });

  it('refuses writes after end', async () => {
    const c = capture();
    await c.end();
    expect(() => c.write(Buffer.from('late'))).toThrow(/after end/);
  });

  it('streams 128 MB to disk with flat memory', async () => {
    const c = capture({ secrets: [{ name: 'API_TOKEN', value: 'tok-0123456789' }] });
    const line = `${'0123456789abcdef'.repeat(7)} tok-0123456789 end\n`;
    const chunk = Buffer.from(line.repeat(Math.ceil(65536 / line.length)));
    const total = 128 * 1024 * 1024;
    const chunks = Math.ceil(total / chunk.length);
    globalThis.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    for (let i = 0; i < chunks; i++) {
      c.write(chunk);
      if (i % 256 === 0) {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }
    }
    const out = await c.end();
    const redactedChunkSize = chunk.toString().replaceAll('tok-0123456789', '[REDACTED:API_TOKEN]').length;
    expect(out.size).toBe(redactedChunkSize * chunks);
    expect(out.truncated).toBe(true);
    expect(c.textTruncated).toBe(true);
    // 128 MB went through: keeping it would grow memory by far more than this.
    expect(peakRss - before.rss).toBeLessThan(100 * 1024 * 1024);
    expect(peakHeap - before.heapUsed).toBeLessThan(80 * 1024 * 1024);
  }, 60_000);
});
