// The redaction property (SECURITY L1–L4): secrets of every claimed form, placed at random
// offsets in outputs of random sizes and chunkings, never appear in any bundle file, on the
// terminal or in the transcript. Real bundle (files on disk), real output capture, real screen.
// Bounded: RUNS cases; RUNPROOF_FUZZ_SEED replays a failure.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSecrets, createRedactor, openBundle } from '../../src/record/index.js';
import { showTerminalOutput } from '../../src/render/index.js';
import { Screen } from '../../src/cli/interactive/screen.js';

const RUNS = 150;
const seed = process.env.RUNPROOF_FUZZ_SEED ? Number(process.env.RUNPROOF_FUZZ_SEED) : undefined;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-redact-prop-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? filesUnder(join(d, n)) : [join(d, n)]));
}

const fullUrl = (v: string): string => encodeURIComponent(v).replace(/[!'()*~._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const jsonAscii = (v: string): string => JSON.stringify(v).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// Each claimed form of a known secret: [text placed in the output, the part that must never show].
function formsOf(value: string): Array<[string, string]> {
  const bytes = Buffer.from(value, 'utf8');
  const aligned = (prefix: string, alphabet: 'base64' | 'base64url'): [string, string] => {
    const blob = Buffer.concat([Buffer.from(prefix), bytes, Buffer.from('!')]).toString(alphabet);
    const shift = (3 - (prefix.length % 3)) % 3;
    const groups = Math.floor((bytes.length - shift) / 3) * 3;
    return [blob, bytes.subarray(shift, shift + groups).toString(alphabet).replace(/=+$/, '')];
  };
  return [
    [value, value],
    [value.toUpperCase(), value.toUpperCase()],
    [value.toLowerCase(), value.toLowerCase()],
    [JSON.stringify(value).slice(1, -1), JSON.stringify(value).slice(1, -1)],
    [jsonAscii(value), jsonAscii(value)],
    [encodeURIComponent(value), encodeURIComponent(value)],
    [fullUrl(value), fullUrl(value)],
    [fullUrl(value).toLowerCase(), fullUrl(value).toLowerCase()],
    [bytes.toString('hex'), bytes.toString('hex')],
    [bytes.toString('hex').toUpperCase(), bytes.toString('hex').toUpperCase()],
    [bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, '')],
    [bytes.toString('base64').toUpperCase(), bytes.toString('base64').replace(/=+$/, '').toUpperCase()],
    [bytes.toString('base64').toLowerCase(), bytes.toString('base64').replace(/=+$/, '').toLowerCase()],
    aligned('', 'base64url'),
    aligned('x', 'base64'),
    aligned('xy', 'base64'),
    aligned('x', 'base64url'),
    aligned('xy', 'base64url'),
    // In pieces and per character (matched by their skeletons: values with 12 or more letters and digits).
    ...(value.replace(/[^A-Za-z0-9]/g, '').length >= 12 ? piecesOf(value) : []),
  ];
}

function piecesOf(value: string): Array<[string, string]> {
  const bytes = Buffer.from(value, 'utf8');
  const folded = value.match(/.{1,7}/gsu)!.join('\n');
  const spaced = [...value].join(' ');
  const odHex = bytes.toString('hex').match(/../g)!.join(' ');
  const reversed = [...value].reverse().join('');
  const entities = [...value].map((c) => `&#${c.codePointAt(0)};`).join('');
  return [folded, spaced, odHex, reversed, entities].map((f) => [f, f]);
}

// Credentials the redactor is not told about: pattern rules must find them wherever they fall.
const PATTERN_FORMS = [
  (v: string) => `API_KEY=${v}\n`,
  (v: string) => `export SERVICE_TOKEN="${v}"\n`,
  (v: string) => `Authorization: Bearer ${v}\n`,
  (v: string) => `curl -u admin:${v} http://x\n`,
  (v: string) => `\n  password: ${v}\n`, // a YAML/INI member begins its line
  (v: string) => `{"password": "${v}"}\n`,
  (v: string) => `postgresql://nova:${v}@db/x\n`,
];

const secretChar = fc.constantFrom(...'abcdefXYZ0123456789-_.()!*~+/=@:öé€'.split(''));
const secretValue = fc.array(secretChar, { minLength: 10, maxLength: 40 }).map((a) => `S${a.join('')}q`);
const patternValue = fc.array(fc.constantFrom(...'abcdefXYZ0123456789-_.'.split('')), { minLength: 10, maxLength: 40 }).map((a) => `P${a.join('')}z`);
const fillerChar = fc.constantFrom('a', 'b', ' ', '\n', '=', ':', '"', 'K', 'E', 'Y', '_', '-', 'x', '\r', '\u001b');

describe('redaction property: no claimed form survives into the bundle, the terminal or the transcript', () => {
  it(`holds for ${RUNS} random outputs, placements and chunkings`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        secretValue,
        patternValue,
        fc.array(fc.tuple(fc.nat(22), fc.nat(6), fc.array(fillerChar, { maxLength: 3000 }).map((a) => a.join(''))), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 200_000 }),
        async (secret, unknown, placements, sizes, bulk) => {
          n++;
          const forms = formsOf(secret);
          // Output: filler, a claimed form at a random offset, more filler; plus bulk bytes so logs/ is used.
          let text = 'x'.repeat(bulk);
          const mustNotShow: string[] = [unknown];
          for (const [formIndex, patternIndex, filler] of placements) {
            const [placed, core] = forms[formIndex % forms.length]!;
            mustNotShow.push(core);
            text += filler + placed + filler.slice(0, 7) + PATTERN_FORMS[patternIndex % PATTERN_FORMS.length]!(unknown);
          }
          const redactor = createRedactor(collectSecrets({ env: { DB_PASSWORD: secret }, params: [], extra: [] }));
          const bundle = await openBundle({ evidenceDir: dir, name: `p${n}`, redactor, inlineLimit: 4096 });
          const terminal: string[] = [];
          const out = new Writable({ write: (c: Buffer, _e, cb) => (terminal.push(c.toString()), cb()) });
          const screen = new Screen({ out, color: true, unicode: true });
          const capture = bundle.captureOutput('c1', 1, 'stdout', (t) => screen.write(showTerminalOutput(t, { color: true }).text));
          const raw = Buffer.from(text, 'utf8');
          for (let at = 0, i = 0; at < raw.length; i++) {
            const size = sizes[i % sizes.length]!;
            capture.write(raw.subarray(at, at + size));
            at += size;
          }
          const output = await capture.end();
          await bundle.writeFile('output.txt', output.inline);
          await bundle.close();
          const places = [
            ...filesUnder(bundle.dir).map((f) => [f, readFileSync(f, 'utf8')] as const),
            ['terminal', terminal.join('')] as const,
            ['transcript', screen.transcript()] as const,
          ];
          for (const [where, content] of places) {
            const lower = content.toLowerCase();
            for (const core of mustNotShow) {
              if (core.length >= 8 && lower.includes(core.toLowerCase())) throw new Error(`${JSON.stringify(core)} (secret ${JSON.stringify(secret)}) in ${where}`);
            }
          }
          rmSync(bundle.dir, { recursive: true, force: true });
        },
      ),
      { numRuns: RUNS, ...(seed !== undefined ? { seed } : {}) },
    );
    expect(n).toBeGreaterThanOrEqual(RUNS);
  }, 120_000);
});
