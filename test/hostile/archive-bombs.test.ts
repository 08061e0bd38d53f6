// Hostile archives (issue I.3): verify reads .tgz/.zip without extracting anything; entries that
// could escape a folder are refused, and bombs (overlapping zip entries, lying sizes, huge
// metadata or seal files) are refused with a clear problem before they cost memory or time.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARCHIVE_KEEP_LIMIT } from '../../src/record/archive.js';
import { scanArchive, verifyBundle } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-hostile-archive-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface ZipSpec {
  name: string;
  /** The bytes stored (deflated unless `stored`). */
  data: Buffer;
  stored?: boolean;
  /** Central-directory uncompressed size (default: the real one). */
  declared?: number;
  /** Name written in the local header (default: `name`). */
  localName?: string;
  mode?: number;
}

// A zip writer independent of archiver, to build archives runproof never writes. `extraCentral`
// adds central entries that point at the local header of entry `of` (the overlapping bomb).
function zipOf(entries: ZipSpec[], extraCentral: Array<{ name: string; of: number }> = []): Buffer {
  const parts: Buffer[] = [];
  const centrals: Buffer[] = [];
  const info: Array<{ offset: number; crc: number; csize: number; usize: number; method: number }> = [];
  let offset = 0;
  const central = (name: string, i: number, declared?: number, mode = 0o100644): Buffer => {
    const e = info[i]!;
    const nameBuf = Buffer.from(name);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt32LE(e.crc, 16);
    c.writeUInt32LE(e.csize, 20);
    c.writeUInt32LE(declared ?? e.usize, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt32LE((mode << 16) >>> 0, 38);
    c.writeUInt32LE(e.offset, 42);
    return Buffer.concat([c, nameBuf]);
  };
  entries.forEach((e, i) => {
    const method = e.stored ? 0 : 8;
    const body = e.stored ? e.data : deflateRawSync(e.data, { level: 9 });
    const nameBuf = Buffer.from(e.localName ?? e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(e.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    info.push({ offset, crc: crc32(e.data), csize: body.length, usize: e.data.length, method });
    parts.push(local, nameBuf, body);
    offset += 30 + nameBuf.length + body.length;
  });
  entries.forEach((e, i) => centrals.push(central(e.name, i, e.declared, e.mode)));
  for (const x of extraCentral) centrals.push(central(x.name, x.of));
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length, 8);
  end.writeUInt16LE(centrals.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

// One ustar header block with a valid checksum.
function tarHeader(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function tarOf(entries: Array<{ name: string; data: Buffer; type?: string }>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(tarHeader(e.name, e.data.length, e.type ?? '0'), e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const MANIFEST = Buffer.from('{"not":"checked here"}\n');

describe('entries that could escape a folder', () => {
  const escapes = [
    ['a ".." entry', 'b/../../../etc/cron.d/x', /refused: a "\.\." path segment/],
    ['an absolute entry', '/etc/passwd', /refused: an absolute path/],
    ['a Windows drive entry', 'C:/Windows/x', /refused: an absolute path/],
    ['a backslash entry', 'b\\..\\..\\x', /refused: a backslash/],
  ] as const;
  for (const [what, name, message] of escapes) {
    it(`zip and tgz with ${what} are refused by verify (exit 1), nothing extracted`, async () => {
      const zip = write('b.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name, data: Buffer.from('payload') }]));
      const tgz = write('b.tgz', gzipSync(tarOf([{ name: 'b/manifest.json', data: MANIFEST }, { name, data: Buffer.from('payload') }])));
      for (const path of [zip, tgz]) {
        const scan = await scanArchive(path);
        expect(scan.problems.find((p) => p.entry === name)?.message).toMatch(message);
        const cli = await runCli(['verify', path], { cwd: dir });
        expect(cli.code, cli.stderr).toBe(1);
        expect(cli.stdout).toContain(name);
      }
      expect(readdirSync(dir).sort()).toEqual(['b.tgz', 'b.zip']);
    });
  }

  it('symlink, hard link and device entries are refused in tgz; symlinks in zip', async () => {
    const tgz = write('l.tgz', gzipSync(tarOf([
      { name: 'b/manifest.json', data: MANIFEST },
      { name: 'b/logs', data: Buffer.alloc(0), type: '2' },
      { name: 'b/hard', data: Buffer.alloc(0), type: '1' },
      { name: 'b/dev', data: Buffer.alloc(0), type: '3' },
    ])));
    const messages = (await scanArchive(tgz)).problems.map((p) => `${p.entry} ${p.message}`);
    expect(messages).toEqual(['b/logs refused: a symlink', 'b/hard refused: a hardlink', 'b/dev refused: a device, fifo or unknown entry type']);
    const zip = write('l.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs', data: Buffer.from('/etc'), stored: true, mode: 0o120777 }]));
    expect((await scanArchive(zip)).problems.map((p) => p.message)).toEqual(['refused: a symlink']);
  });
});

describe('zip bombs', () => {
  it('overlapping entries (many central entries sharing one compressed stream) are refused before inflating', async () => {
    const kernel = Buffer.alloc(8 * 1024 * 1024); // 8 MiB of zeros, ~8 KiB deflated
    const extra = Array.from({ length: 400 }, (_, i) => ({ name: `b/logs/copy-${i}.log`, of: 1 }));
    const path = write('overlap.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/kernel.log', data: kernel }], extra));
    // Without the check, verify would inflate and hash 400 × 8 MiB = 3.2 GiB from this small file.
    const scan = await scanArchive(path);
    const refused = scan.problems.filter((p) => /overlaps another entry/.test(p.message));
    expect(refused).toHaveLength(401);
    expect(scan.files.has('logs/kernel.log')).toBe(false);
    const result = await verifyBundle(path);
    expect(result.ok).toBe(false);
    expect(result.bytes).toBeLessThan(1024);
  });

  it('an entry inflating past its declared size is stopped at the declared size and refused', async () => {
    const path = write('lie.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/x.log', data: Buffer.alloc(64 * 1024 * 1024), declared: 100 }]));
    const scan = await scanArchive(path);
    expect(scan.problems).toEqual([{ entry: 'b/logs/x.log', message: 'refused: inflates to more than the 100 bytes its header declares (a zip bomb); stopped reading' }]);
    expect(scan.files.has('logs/x.log')).toBe(false);
  });

  it('a seal or record file larger than the keep limit is refused, not read into memory', async () => {
    const huge = Buffer.alloc(ARCHIVE_KEEP_LIMIT + 1024 * 1024, 0x20); // spaces: valid JSON padding, ~65 KiB deflated
    const path = write('big-manifest.zip', zipOf([{ name: 'b/manifest.json', data: huge }]));
    const scan = await scanArchive(path, (rel) => rel === 'manifest.json');
    expect(scan.problems).toEqual([{ entry: 'manifest.json', message: `refused: ${huge.length} bytes, more than the ${ARCHIVE_KEEP_LIMIT} bytes a seal or record file may have (not read)` }]);
    expect(scan.files.get('manifest.json')?.content).toBeUndefined();
    const result = await verifyBundle(path);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.file)).toContain('manifest.json');
  });

  it('a local header naming another file than the central directory is refused', async () => {
    const path = write('names.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/ok.log', localName: '../../evil', data: Buffer.from('x') }]));
    const scan = await scanArchive(path);
    expect(scan.problems).toEqual([{ entry: 'b/logs/ok.log', message: 'refused: its local header names "../../evil"' }]);
  });
});

describe('tgz bombs', () => {
  it('a huge pax header is refused (RP_BAD_BUNDLE) instead of being held in memory', async () => {
    const pax = Buffer.alloc(32 * 1024 * 1024, 0x61); // 32 MiB of "a", ~32 KiB gzipped
    const path = write('pax.tgz', gzipSync(tarOf([{ name: 'b/PaxHeaders/x', data: pax, type: 'x' }, { name: 'b/manifest.json', data: MANIFEST }])));
    await expect(scanArchive(path)).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: expect.stringMatching(/33554432-byte pax header .* refused/) });
    const cli = await runCli(['verify', path], { cwd: dir });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^RP_BAD_BUNDLE the tar archive holds a 33554432-byte pax header/);
  });

  it('a huge GNU long-name header is refused the same way', async () => {
    const path = write('long.tgz', gzipSync(tarOf([{ name: '././@LongLink', data: Buffer.alloc(4 * 1024 * 1024, 0x62), type: 'L' }, { name: 'b/x', data: Buffer.from('x') }])));
    await expect(scanArchive(path)).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: expect.stringMatching(/long-name header/) });
  });

  it('a highly compressed large entry is streamed through the hash, never kept: the sizes and hash are right', async () => {
    const zeros = Buffer.alloc(48 * 1024 * 1024);
    const path = write('zeros.tgz', gzipSync(tarOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/zeros.log', data: zeros }])));
    const scan = await scanArchive(path);
    const file = scan.files.get('logs/zeros.log')!;
    expect(file.size).toBe(zeros.length);
    expect(file.sha256).toBe(createHash('sha256').update(zeros).digest('hex'));
    expect(file.content).toBeUndefined();
  });
});
