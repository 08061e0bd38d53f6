import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRunbook } from '../../src/app/run-runbook.js';
import { generateSigningKeyPair, sealBundle, verifyBundle } from '../../src/record/index.js';
import { writeBundle } from './manifest-helpers.js';

const fixture = fileURLToPath(new URL('../fixtures/evidence/checks.md', import.meta.url));
let dir: string;
let evidenceDir: string;
let first: string;
let second: string;
let keys: { privateKeyPath: string; publicKeyPath: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-verify-'));
  evidenceDir = join(dir, 'evidence');
  const runbook = join(dir, 'checks.md');
  copyFileSync(fixture, runbook);
  keys = await generateSigningKeyPair(join(dir, 'ops.key'));
  const options = { runbookPath: runbook, mode: 'unattended' as const, cwd: dir, evidenceDir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, signingKeyFile: keys.privateKeyPath };
  first = (await runRunbook({ ...options, now: new Date('2026-01-22T10:15:00Z') })).bundleDir;
  second = (await runRunbook({ ...options, now: new Date('2026-01-23T10:15:00Z') })).bundleDir;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function filesOf(bundle: string): string[] {
  return (readdirSync(bundle, { recursive: true }) as string[]).filter((p) => statSync(join(bundle, p)).isFile()).sort();
}

// Byte positions to flip in a file: first, last, and evenly spread ones.
function positions(size: number, count: number): number[] {
  const out = new Set<number>([0, size - 1]);
  for (let i = 1; i <= count; i++) out.add(Math.floor((i * size) / (count + 1)));
  return [...out].filter((p) => p >= 0 && p < size).sort((a, b) => a - b);
}

describe('verifyBundle', () => {
  it('passes a bundle written by run, signed with Ed25519, with its chain link checked', async () => {
    const result = await verifyBundle(second, { keyFiles: [keys.publicKeyPath], requireSignature: true });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.signature.verified).toHaveLength(1);
    expect(result.chain).toMatchObject({ seq: 2, origin: false, previousChecked: true });
    expect(filesOf(second)).toContain('logs/c3.1.stdout.log');
  });

  it('catches every one-byte change, deleted file and added file (200+ mutations)', async () => {
    const targets: Array<{ bundle: string; file: string }> = [
      ...filesOf(second).map((file) => ({ bundle: second, file })),
      // The previous bundle's manifest is what the chain link names.
      { bundle: first, file: 'manifest.json' },
    ];
    const missed: string[] = [];
    let mutations = 0;
    const check = async (label: string): Promise<void> => {
      mutations += 1;
      const result = await verifyBundle(second, { keyFiles: [keys.publicKeyPath] });
      if (result.ok) missed.push(label);
    };
    for (const { bundle, file } of targets) {
      const path = join(bundle, file);
      const original = readFileSync(path);
      for (const at of positions(original.length, 24)) {
        const changed = Buffer.from(original);
        changed[at] = changed[at]! ^ 0x01;
        writeFileSync(path, changed);
        await check(`${file}@${at}`);
        writeFileSync(path, original);
      }
      unlinkSync(path);
      await check(`deleted ${file}`);
      writeFileSync(path, original);
      writeFileSync(path, Buffer.concat([original, Buffer.from('\n')]));
      await check(`appended to ${file}`);
      writeFileSync(path, original);
    }
    for (const extra of ['extra.txt', 'logs/c9.1.stdout.log', '.hidden', 'sub/dir/file', 'manifest.json.bak']) {
      mkdirSync(join(second, extra, '..'), { recursive: true });
      writeFileSync(join(second, extra), 'added later\n');
      await check(`added ${extra}`);
      unlinkSync(join(second, extra));
    }
    rmSync(join(second, 'sub'), { recursive: true });
    // Renaming a log keeps its bytes but not its name.
    renameSync(join(second, 'logs/c3.1.stdout.log'), join(second, 'logs/c3.2.stdout.log'));
    await check('renamed log');
    renameSync(join(second, 'logs/c3.2.stdout.log'), join(second, 'logs/c3.1.stdout.log'));
    expect(missed).toEqual([]);
    expect(mutations).toBeGreaterThanOrEqual(200);
    expect((await verifyBundle(second, { keyFiles: [keys.publicKeyPath] })).ok).toBe(true);
  });

  it('reports each problem as file, expected and actual', async () => {
    const log = join(second, 'logs/c3.1.stdout.log');
    const original = readFileSync(log);
    writeFileSync(log, 'rewritten\n');
    writeFileSync(join(second, 'notes.txt'), 'x');
    try {
      const result = await verifyBundle(second);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({ file: 'logs/c3.1.stdout.log', expected: expect.stringContaining(`(${original.length} bytes)`), actual: expect.stringContaining('(10 bytes)') });
      expect(result.problems).toContainEqual({ file: 'notes.txt', expected: 'not present (unlisted in manifest.json)', actual: expect.stringContaining('present') });
    } finally {
      writeFileSync(log, original);
      unlinkSync(join(second, 'notes.txt'));
    }
  });

  it('checks signatures only with a key, and --require-signature fails without one or when unsigned', async () => {
    expect((await verifyBundle(second)).ok).toBe(true);
    const noKey = await verifyBundle(second, { requireSignature: true });
    expect(noKey.problems.map((p) => p.expected)).toContain('a key to check the signature (--require-signature)');
    const other = await generateSigningKeyPair(join(dir, 'other.key'));
    const wrong = await verifyBundle(second, { keyFiles: [other.publicKeyPath] });
    expect(wrong.ok).toBe(false);
    expect(wrong.problems[0]!.expected).toBe('a signature that verifies with the given key');
    const hmacOnly = await verifyBundle(second, { hmacKey: 'not the key' });
    expect(hmacOnly.ok).toBe(false);

    const ev = join(dir, 'unsigned');
    const bundle = writeBundle(ev, 'u_20260122_101500');
    await sealBundle(bundle, { evidenceDir: ev, chainKey: '/u.md' });
    expect((await verifyBundle(bundle)).ok).toBe(true);
    const required = await verifyBundle(bundle, { requireSignature: true });
    expect(required.problems).toEqual([{ file: 'attestation.json', expected: 'a signature (--require-signature)', actual: 'unsigned' }]);
  });

  it('refuses a symlink inside a bundle', async () => {
    const ev = join(dir, 'links');
    const bundle = writeBundle(ev, 'l_20260122_101500');
    await sealBundle(bundle, { evidenceDir: ev, chainKey: '/l.md' });
    symlinkSync('/etc/hostname', join(bundle, 'logs', 'link.log'));
    const result = await verifyBundle(bundle);
    expect(result.problems).toContainEqual({ file: 'logs/link.log', expected: 'a regular file', actual: 'a symbolic link' });
  });

  it('says "chain broken between X and Z" when a middle bundle is deleted, and new bundles keep chaining', async () => {
    const ev = join(dir, 'chain');
    const names = ['r_20260122_101500', 'r_20260123_101500', 'r_20260124_101500'];
    for (const name of names) await sealBundle(writeBundle(ev, name), { evidenceDir: ev, chainKey: '/r.md' });
    rmSync(join(ev, names[1]!), { recursive: true });
    const result = await verifyBundle(join(ev, names[2]!));
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.actual)).toContain(`chain broken between ${names[0]} and ${names[2]}: ${names[1]} (seq 2) is missing`);
    expect((await verifyBundle(join(ev, names[0]!))).ok).toBe(true);
    const next = await sealBundle(writeBundle(ev, 'r_20260125_101500'), { evidenceDir: ev, chainKey: '/r.md' });
    expect(next).toMatchObject({ seq: 4, previous: { bundle: names[2], seq: 3 } });
    expect((await verifyBundle(join(ev, 'r_20260125_101500'))).ok).toBe(true);
  });

  it('catches a previous bundle that was re-sealed after the next one linked to it', async () => {
    const ev = join(dir, 'reseal');
    const a = writeBundle(ev, 'q_20260122_101500');
    await sealBundle(a, { evidenceDir: ev, chainKey: '/q.md' });
    const b = writeBundle(ev, 'q_20260123_101500');
    await sealBundle(b, { evidenceDir: ev, chainKey: '/q.md' });
    writeFileSync(join(a, 'logs', 'c1.1.stdout.log'), 'history rewritten\n');
    await sealBundle(a, { evidenceDir: join(dir, 'elsewhere'), chainKey: '/q.md' });
    expect((await verifyBundle(a)).ok).toBe(true);
    const result = await verifyBundle(b);
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.file).toBe('q_20260122_101500/manifest.json');
  });

  it('throws RP_BAD_BUNDLE for a path that is neither a folder nor an archive', async () => {
    await expect(verifyBundle(join(dir, 'nope'))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
    writeFileSync(join(dir, 'file.txt'), 'x');
    await expect(verifyBundle(join(dir, 'file.txt'))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
  });
});
