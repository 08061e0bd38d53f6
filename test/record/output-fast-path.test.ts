// The output capture's fast paths (issue N item 3) against the slow path they replace:
// - a chunk of whole, valid UTF-8 that redaction leaves unchanged is hashed and written as the
//   bytes that came, not encoded again from its text;
// - the regex rules that scan every position are skipped when their `mayMatch` pre-check fails.
// The oracle is the same output decoded by a StringDecoder here and written as text (the slow
// path) to a capture whose redactor runs every rule on every text (createExhaustiveRedactor).
// Both must give the same bytes, hash, inline text and check text, and hide every secret.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutputCapture } from '../../src/record/output.js';
import { collectSecrets, createExhaustiveRedactor, createRedactor, type Redactor } from '../../src/record/redact.js';

const RUNS = 120;
const seed = process.env.RUNPROOF_FUZZ_SEED ? Number(process.env.RUNPROOF_FUZZ_SEED) : undefined;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-output-fast-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Captured {
  log: Buffer;
  inline: string;
  size: number;
  sha256: string;
  text: string;
}

async function capture(name: string, redactor: Redactor, chunks: readonly (Buffer | string)[], inlineLimit: number): Promise<Captured> {
  const logPath = join(dir, `${name}.log`);
  const cap = createOutputCapture({ logPath, logRelPath: 'o.log', redaction: redactor.stream(), inlineLimit });
  for (const chunk of chunks) cap.write(chunk);
  const out = await cap.end();
  const log = existsSync(logPath) ? readFileSync(logPath) : Buffer.from(out.inline, 'utf8');
  rmSync(logPath, { force: true });
  return { log, inline: out.inline, size: out.size, sha256: out.sha256, text: cap.text() };
}

// Pieces of output: plain text, the words and anchors the rules look for, characters of 2, 3 and
// 4 bytes (a surrogate pair in the text), and bytes that are not UTF-8 (a lone lead, a lone
// continuation, 0xff): chunk splits fall inside characters and inside credentials.
const piece = fc.oneof(
  fc.constantFrom('x', 'xxxxxxxxxxxxxxxx', ' ', '\n', '\r\n', ':', '"', '=', '-', '<<<', '://', 'é', '€', '😀', '\u001b[31m'),
  fc.constantFrom('Authorization: Bearer ', 'cookie', 'X-Api-Key', 'token', '"password": "', 'API_KEY=', 'export DB_TOKEN=', '--password ', 'read -r DB_PASSWORD <<< ', 'https://u:'),
  fc.constantFrom(Buffer.from([0xe2]), Buffer.from([0x82, 0xac]), Buffer.from([0xff]), Buffer.from([0xf0, 0x9f])),
);
const secretValue = fc.array(fc.constantFrom(...'abcXYZ0189-_.öé€😀'.split('')), { minLength: 8, maxLength: 24 }).map((a) => `S${a.join('')}q`);

describe('output capture fast paths', () => {
  it(`give the bytes of the slow path and hide every secret, for ${RUNS} random outputs and chunkings`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        secretValue,
        fc.array(fc.oneof(piece, secretValue), { minLength: 1, maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.constantFrom(64, 4096),
        async (secret, pieces, sizes, bulk, inlineLimit) => {
          n++;
          const parts = pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
          // The known secret at random places, and bulk output with no anchor at all.
          parts.splice(parts.length >> 1, 0, Buffer.from(`${secret}\n`), Buffer.from('y'.repeat(bulk)));
          parts.push(Buffer.from(secret));
          const raw = Buffer.concat(parts);
          const chunks: Buffer[] = [];
          for (let at = 0, i = 0; at < raw.length; i++) {
            const size = sizes[i % sizes.length]!;
            chunks.push(raw.subarray(at, at + size));
            at += size;
          }
          const secrets = collectSecrets({ env: { DB_PASSWORD: secret }, params: [], extra: [] });
          const fast = await capture(`f${n}`, createRedactor(secrets), chunks, inlineLimit);
          const decoder = new StringDecoder('utf8');
          const texts = [...chunks.map((c) => decoder.write(c)), decoder.end()];
          const slow = await capture(`s${n}`, createExhaustiveRedactor(secrets), texts, inlineLimit);
          expect(fast.log.equals(slow.log)).toBe(true);
          expect(fast).toEqual(slow);
          expect(fast.sha256).toBe(createHash('sha256').update(fast.log).digest('hex'));
          expect(fast.size).toBe(fast.log.length);
          expect(fast.log.toString('utf8')).not.toContain(secret);
          expect(fast.text).not.toContain(secret);
        },
      ),
      { numRuns: RUNS, ...(seed !== undefined ? { seed } : {}) },
    );
    expect(n).toBeGreaterThanOrEqual(RUNS);
  }, 120_000);

  it('keeps a character of two UTF-16 halves whole where the stream holds text back', async () => {
    // One line without a line end: the stream cuts PATTERN_WINDOW (1024) characters before the
    // end, here between the halves of 😀; each half alone used to be written as U+FFFD.
    for (const before of [10, 3000, 70_000]) {
      const text = `${'a'.repeat(before)}😀${'b'.repeat(1023)}`;
      const out = await capture(`pair${before}`, createRedactor([]), [Buffer.from(text, 'utf8')], 64);
      expect(out.log.toString('utf8')).toBe(text);
      expect(out.log.equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });

  it('writes a buffer that was passed in pieces, whatever the piece sizes, with the hash of what is on disk', async () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `line ${i} ok\n`).join('');
    const raw = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let at = 0, i = 0; at < raw.length; i++) {
      const size = [1, 7, 65_536, 3, 300_000][i % 5]!;
      chunks.push(raw.subarray(at, at + size));
      at += size;
    }
    const out = await capture('pieces', createRedactor([]), chunks, 64);
    expect(out.log.equals(raw)).toBe(true);
    expect(out.sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(out.inline.startsWith('line 0 ok\n')).toBe(true);
    expect(out.inline.endsWith('line 19999 ok\n')).toBe(true);
  });
});
