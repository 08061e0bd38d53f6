// A capture opened with keepText false (a cell without assertions, expected output or capture)
// keeps no more than the inline output as its check text: a big output is not held in memory
// twice. The log, hash and inline output are the same either way.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedactor, openBundle } from '../../src/record/index.js';

let evidenceDir: string;
beforeEach(() => {
  evidenceDir = mkdtempSync(join(tmpdir(), 'rp-keep-text-'));
});
afterEach(() => {
  rmSync(evidenceDir, { recursive: true, force: true });
});

describe('captureOutput keepText', () => {
  it('keeps the whole output for checks by default, only the inline part without', async () => {
    const bundle = await openBundle({ evidenceDir, name: 'keep', redactor: createRedactor([]), inlineLimit: 4096 });
    const text = Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join('');
    const kept = bundle.captureOutput('c1', 1, 'stdout');
    const lean = bundle.captureOutput('c2', 1, 'stdout', undefined, false);
    for (let at = 0; at < text.length; at += 65_536) {
      kept.write(Buffer.from(text.slice(at, at + 65_536)));
      lean.write(Buffer.from(text.slice(at, at + 65_536)));
    }
    const keptOut = await kept.end();
    const leanOut = await lean.end();
    expect(kept.text()).toBe(text);
    expect(lean.text().length).toBeLessThanOrEqual(4096);
    expect(text.startsWith(lean.text())).toBe(true);
    expect(leanOut.sha256).toBe(keptOut.sha256);
    expect(leanOut.inline.replace('c2', 'c1')).toBe(keptOut.inline);
    expect(readFileSync(join(bundle.dir, leanOut.logFile!))).toEqual(readFileSync(join(bundle.dir, keptOut.logFile!)));
    expect(leanOut.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    await bundle.close();
  });
});
