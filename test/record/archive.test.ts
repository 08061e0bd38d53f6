import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { crc32 } from 'node:zlib';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveBundle, scanArchive, sealBundle, verifyBundle } from '../../src/record/index.js';
import { writeBundle } from './manifest-helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-archive-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function sealedBundle(ev = join(dir, 'ev'), name = 'roxy_20260122_101500'): Promise<string> {
  const bundle = writeBundle(ev, name);
  writeFileSync(join(bundle, 'logs', 'big.log'), 'x'.repeat(300_000));
  await sealBundle(bundle, { evidenceDir: ev, chainKey: '/ops/roxy.md' });
  return bundle;
}

// A minimal zip writer (stored entries, central directory), independent of archiver, to build
// archives runproof would never write.
function zipOf(entries: Array<{ name: string; data: string; mode?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = Buffer.from(e.data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('archiveBundle', () => {
  for (const format of ['tgz', 'zip'] as const) {
    it(`writes <bundle>.${format} beside the bundle, every entry under its folder, and verify accepts it`, async () => {
      const bundle = await sealedBundle();
      const archive = await archiveBundle(bundle, format);
      expect(archive).toBe(`${bundle}.${format}`);
      const listing = execFileSync(format === 'tgz' ? 'tar' : 'unzip', format === 'tgz' ? ['-tzf', archive] : ['-Z1', archive], { encoding: 'utf8' }).trim().split('\n');
      expect(listing.every((name) => name.startsWith('roxy_20260122_101500/'))).toBe(true);
      expect(listing).toContain('roxy_20260122_101500/manifest.json');
      const result = await verifyBundle(archive);
      expect(result.problems).toEqual([]);
      expect(result).toMatchObject({ ok: true, source: format, bundle: 'roxy_20260122_101500', files: 6 });
      // Extracted by the system tool, the same archive verifies as a folder.
      const out = join(dir, `x-${format}`);
      mkdirSync(out);
      execFileSync(format === 'tgz' ? 'tar' : 'unzip', format === 'tgz' ? ['-xzf', archive, '-C', out] : ['-q', archive, '-d', out]);
      expect((await verifyBundle(join(out, 'roxy_20260122_101500'))).ok).toBe(true);
    });

    it(`catches a changed file inside a ${format} archive`, async () => {
      const bundle = await sealedBundle();
      const copy = join(dir, 'tampered', 'roxy_20260122_101500');
      cpSync(bundle, copy, { recursive: true });
      writeFileSync(join(copy, 'logs', 'big.log'), `${'x'.repeat(299_999)}y`);
      const archive = await archiveBundle(copy, format);
      const result = await verifyBundle(archive);
      expect(result.ok).toBe(false);
      expect(result.problems.map((p) => p.file)).toEqual(['logs/big.log']);
    });
  }

  it('refuses to archive a bundle holding a symlink', async () => {
    const bundle = await sealedBundle();
    symlinkSync('/etc/passwd', join(bundle, 'logs', 'passwd'));
    await expect(archiveBundle(bundle, 'tgz')).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
    expect(existsSync(`${bundle}.tgz`)).toBe(false);
  });
});

describe('verify refuses unsafe archives', () => {
  it('tgz with an absolute entry, a ".." entry, a symlink', async () => {
    const bundle = await sealedBundle();
    const ev = join(dir, 'ev');
    writeFileSync(join(dir, 'outside.txt'), 'outside');
    symlinkSync('/etc/passwd', join(bundle, 'logs', 'passwd'));
    const cases: Array<{ args: string[]; expect: string }> = [
      { args: ['-P', '-czf', join(dir, 'abs.tgz'), '-C', ev, 'roxy_20260122_101500', join(dir, 'outside.txt')], expect: 'refused: an absolute path' },
      { args: ['-P', '-czf', join(dir, 'dots.tgz'), '-C', ev, 'roxy_20260122_101500', 'roxy_20260122_101500/../../outside.txt'], expect: 'refused: a ".." path segment' },
      { args: ['-czf', join(dir, 'link.tgz'), '-C', ev, 'roxy_20260122_101500'], expect: 'refused: a symlink' },
    ];
    for (const c of cases) {
      execFileSync('tar', c.args, { stdio: 'ignore' });
      const archive = c.args[c.args.indexOf('-czf') + 1]!;
      const result = await verifyBundle(archive);
      expect(result.ok, archive).toBe(false);
      expect(result.problems.map((p) => p.actual)).toContain(c.expect);
    }
  });

  it('zip with a ".." entry, an absolute entry, a symlink, a second top folder', async () => {
    const manifest = 'x';
    const cases: Array<{ entries: Array<{ name: string; data: string; mode?: number }>; expect: string }> = [
      { entries: [{ name: 'b/manifest.json', data: manifest }, { name: 'b/../../evil.sh', data: 'rm -rf ~' }], expect: 'refused: a ".." path segment' },
      { entries: [{ name: 'b/manifest.json', data: manifest }, { name: '/etc/cron.d/evil', data: '* * * * *' }], expect: 'refused: an absolute path' },
      { entries: [{ name: 'b/manifest.json', data: manifest }, { name: 'b/logs/x', data: '/etc/passwd', mode: 0o120777 }], expect: 'refused: a symlink' },
      { entries: [{ name: 'b/manifest.json', data: manifest }, { name: 'c/other', data: 'y' }], expect: 'outside the bundle folder b/' },
    ];
    for (const [i, c] of cases.entries()) {
      const file = join(dir, `case${i}.zip`);
      writeFileSync(file, zipOf(c.entries));
      const scan = await scanArchive(file);
      expect(scan.problems.map((p) => p.message)).toContain(c.expect);
      const result = await verifyBundle(file);
      expect(result.ok).toBe(false);
      expect(result.problems.map((p) => p.actual)).toContain(c.expect);
    }
  });

  it('a corrupt archive is RP_BAD_BUNDLE, not a crash', async () => {
    writeFileSync(join(dir, 'junk.tgz'), 'not gzip at all');
    await expect(verifyBundle(join(dir, 'junk.tgz'))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
    writeFileSync(join(dir, 'junk.zip'), Buffer.alloc(100));
    await expect(verifyBundle(join(dir, 'junk.zip'))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
    expect(readFileSync(join(dir, 'junk.tgz'), 'utf8')).toBe('not gzip at all');
  });
});
