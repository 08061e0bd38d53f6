import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestSchema, sealBundle, verifyBundle } from '../../src/record/index.js';
import { writeBundle } from './manifest-helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-manifest-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const readManifest = (bundle: string) => ManifestSchema.parse(JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')));

describe('manifest.json', () => {
  it('lists the size and SHA-256 of every file, sorted, and says what the bundle is', async () => {
    const ev = join(dir, 'ev');
    const bundle = writeBundle(ev, 'roxy_20260122_101500');
    await sealBundle(bundle, { evidenceDir: ev, chainKey: '/ops/roxy.md', now: new Date('2026-01-22T10:16:00Z') });
    const manifest = readManifest(bundle);
    expect(manifest.files.map((f) => f.path)).toEqual(['journal.jsonl', 'logs/c1.1.stdout.log', 'roxy_20260122_101500.json']);
    for (const f of manifest.files) {
      const bytes = readFileSync(join(bundle, f.path));
      expect(f).toEqual({ path: f.path, size: bytes.length, sha256: sha(bytes) });
    }
    expect(manifest).toMatchObject({
      schema: 'runproof.manifest/v1',
      bundle: 'roxy_20260122_101500',
      record: 'roxy_20260122_101500.json',
      tool: { name: 'runproof' },
      sealedAt: '2026-01-22T10:16:00.000Z',
      runbook: { path: 'ops/roxy.md', title: 'ROXY Runbook', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    });
    expect(manifest.host.length).toBeGreaterThan(0);
  });

  it('starts a chain explicitly and links each later bundle of the same runbook to the previous manifest', async () => {
    const ev = join(dir, 'ev');
    const names = ['roxy_20260122_101500', 'roxy_20260123_101500', 'roxy_20260124_101500'];
    for (const name of names) await sealBundle(writeBundle(ev, name), { evidenceDir: ev, chainKey: '/ops/roxy.md' });
    const [m1, m2, m3] = names.map((n) => readManifest(join(ev, n)));
    expect(m1!.chain).toEqual({ key: '/ops/roxy.md', seq: 1, origin: true, previous: null });
    expect(m2!.chain).toEqual({ key: '/ops/roxy.md', seq: 2, origin: false, previous: { bundle: names[0], seq: 1, manifestSha256: sha(readFileSync(join(ev, names[0]!, 'manifest.json'))) } });
    expect(m3!.chain.previous).toEqual({ bundle: names[1], seq: 2, manifestSha256: sha(readFileSync(join(ev, names[1]!, 'manifest.json'))) });
  });

  it('keeps one chain per runbook in a shared evidence folder', async () => {
    const ev = join(dir, 'ev');
    await sealBundle(writeBundle(ev, 'a_20260122_101500'), { evidenceDir: ev, chainKey: '/ops/a.md' });
    await sealBundle(writeBundle(ev, 'b_20260122_101500'), { evidenceDir: ev, chainKey: '/ops/b.md' });
    const second = await sealBundle(writeBundle(ev, 'a_20260122_101501'), { evidenceDir: ev, chainKey: '/ops/a.md' });
    expect(readManifest(join(ev, 'b_20260122_101500')).chain).toMatchObject({ seq: 1, origin: true });
    expect(second.seq).toBe(2);
    expect(second.previous?.bundle).toBe('a_20260122_101500');
  });

  it('seals concurrent runs of one runbook (two selections) one after the other: no fork, no repeated seq', async () => {
    const ev = join(dir, 'ev');
    const bundles = Array.from({ length: 6 }, (_, i) => writeBundle(ev, `roxy_sel${i}_20260122_101500`));
    const seals = await Promise.all(bundles.map((b) => sealBundle(b, { evidenceDir: ev, chainKey: '/ops/roxy.md' })));
    expect(seals.map((s) => s.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const previous = seals.map((s) => s.previous?.bundle ?? null);
    expect(new Set(previous).size).toBe(6);
  });

  it('derives the chain key from the record: the runbook path resolved to an absolute path', async () => {
    const ev = join(dir, 'ev');
    const runbook = join(dir, 'ops.md');
    writeFileSync(runbook, '# ops\n');
    await sealBundle(writeBundle(ev, 'x_20260122_101500', { runbook: { path: runbook, title: 'ops', sha256: sha('# ops\n'), git: { commit: null, dirty: null } } }), { evidenceDir: ev });
    expect(readManifest(join(ev, 'x_20260122_101500')).chain.key).toBe(runbook);
  });

  it('a sealed bundle moved to another folder and another machine path still verifies', async () => {
    const ev = join(dir, 'ev');
    await sealBundle(writeBundle(ev, 'roxy_20260122_101500'), { evidenceDir: ev, chainKey: '/ops/roxy.md' });
    await sealBundle(writeBundle(ev, 'roxy_20260123_101500'), { evidenceDir: ev, chainKey: '/ops/roxy.md' });
    const elsewhere = join(dir, 'other-machine', 'archive', '2026');
    cpSync(ev, elsewhere, { recursive: true });
    rmSync(ev, { recursive: true });
    const both = await verifyBundle(join(elsewhere, 'roxy_20260123_101500'));
    expect(both.problems).toEqual([]);
    expect(both.chain?.previousChecked).toBe(true);
    // Alone in a new folder: its own files verify; the absent link is a note, not a failure.
    const alone = join(dir, 'alone');
    cpSync(join(elsewhere, 'roxy_20260123_101500'), join(alone, 'roxy_20260123_101500'), { recursive: true });
    const result = await verifyBundle(join(alone, 'roxy_20260123_101500'));
    expect(result.ok).toBe(true);
    expect(result.notes.join('\n')).toContain('chain link not checked');
    renameSync(join(alone, 'roxy_20260123_101500'), join(alone, 'renamed'));
    // A renamed copy is what auditors make: it verifies, and the folder name is reported (J10).
    const renamed = await verifyBundle(join(alone, 'renamed'));
    expect(renamed.ok).toBe(true);
    expect(renamed.notes.join('\n')).toContain('folder renamed holds bundle roxy_20260123_101500');
  });
});
