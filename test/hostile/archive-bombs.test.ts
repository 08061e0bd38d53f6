// Hostile archives (issue I.3): verify reads .tgz/.zip without extracting anything; entries that
// could escape a folder are refused, and bombs (overlapping zip entries, lying sizes, huge
// metadata or seal files) are refused with a clear problem before they cost memory or time.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARCHIVE_KEEP_LIMIT, TAR_HEADER_LIMIT } from '../../src/record/archive.js';
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
  /** General purpose flags (bit 0: encrypted) and a compression method written over the real one. */
  flags?: number;
  method?: number;
  /** Central-directory extra fields. */
  extra?: Buffer;
}

// A zip writer independent of archiver, to build archives runproof never writes. `extraCentral`
// adds central entries that point at the local header of entry `of` (the overlapping bomb).
function zipOf(entries: ZipSpec[], extraCentral: Array<{ name: string; of: number }> = []): Buffer {
  const parts: Buffer[] = [];
  const centrals: Buffer[] = [];
  const info: Array<{ offset: number; crc: number; csize: number; usize: number; method: number }> = [];
  let offset = 0;
  const central = (name: string, i: number, declared?: number, mode = 0o100644, spec?: ZipSpec): Buffer => {
    const e = info[i]!;
    const extra = spec?.extra ?? Buffer.alloc(0);
    const nameBuf = Buffer.from(name);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(spec?.flags ?? 0, 8);
    c.writeUInt16LE(spec?.method ?? e.method, 10);
    c.writeUInt32LE(e.crc, 16);
    c.writeUInt32LE(e.csize, 20);
    c.writeUInt32LE(declared ?? e.usize, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE((mode << 16) >>> 0, 38);
    c.writeUInt32LE(e.offset, 42);
    return Buffer.concat([c, nameBuf, extra]);
  };
  entries.forEach((e, i) => {
    const method = e.stored ? 0 : 8;
    const body = e.stored ? e.data : deflateRawSync(e.data, { level: 9 });
    const nameBuf = Buffer.from(e.localName ?? e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(e.method ?? method, 8);
    local.writeUInt32LE(crc32(e.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    info.push({ offset, crc: crc32(e.data), csize: body.length, usize: e.data.length, method });
    parts.push(local, nameBuf, body);
    offset += 30 + nameBuf.length + body.length;
  });
  entries.forEach((e, i) => centrals.push(central(e.name, i, e.declared, e.mode, e)));
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

describe('zip policy on the library reader (yauzl): limits, ratios, names, kinds', () => {
  it('more entries than the limit is RP_BAD_BUNDLE before any entry is read', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `b/logs/${i}.log`, data: Buffer.from('x') }));
    const path = write('many.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, ...many]));
    await expect(scanArchive(path, undefined, { entries: 10, totalBytes: 1 << 30 })).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: expect.stringMatching(/holds 13 entries, more than verify reads \(an archive bomb\)/) });
    expect((await scanArchive(path, undefined, { entries: 13, totalBytes: 1 << 30 })).problems).toEqual([]);
  });

  it('entries declaring more bytes in total than the limit are RP_BAD_BUNDLE before anything is inflated', async () => {
    const path = write('total.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/a.log', data: Buffer.alloc(600_000) }, { name: 'b/logs/b.log', data: Buffer.alloc(600_000) }]));
    await expect(scanArchive(path, undefined, { entries: 100, totalBytes: 1_000_000 })).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: expect.stringMatching(/declare 1200023 bytes/) });
    expect((await scanArchive(path, undefined, { entries: 100, totalBytes: 2_000_000 })).files.get('logs/b.log')?.size).toBe(600_000);
  });

  it('an entry declaring more than deflate can produce from its bytes is refused without inflating', async () => {
    // 10 deflated bytes cannot hold 1 GiB: the header lies, whatever the data.
    const path = write('ratio.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/x.log', data: Buffer.from('abc'), declared: 1024 * 1024 * 1024 }]));
    const scan = await scanArchive(path);
    expect(scan.problems).toEqual([{ entry: 'b/logs/x.log', message: expect.stringMatching(/^refused: declares 1073741824 bytes from \d+ deflated bytes, more than deflate can produce \(a zip bomb\)$/) }]);
    expect(scan.files.has('logs/x.log')).toBe(false);
    // Real deflate at its best (zeros) stays within the bound and is read.
    const zeros = write('zeros.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/z.log', data: Buffer.alloc(16 * 1024 * 1024) }]));
    expect((await scanArchive(zeros)).files.get('logs/z.log')?.size).toBe(16 * 1024 * 1024);
  });

  it('device and fifo entries, encrypted entries and unknown compression methods are refused', async () => {
    const path = write('kinds.zip', zipOf([
      { name: 'b/manifest.json', data: MANIFEST },
      { name: 'b/dev', data: Buffer.alloc(0), stored: true, mode: 0o020644 },
      { name: 'b/fifo', data: Buffer.alloc(0), stored: true, mode: 0o010644 },
      { name: 'b/secret.log', data: Buffer.from('x'), flags: 0x1 },
      { name: 'b/bz.log', data: Buffer.from('x'), stored: true, method: 12 },
    ]));
    expect((await scanArchive(path)).problems.map((p) => `${p.entry} ${p.message}`)).toEqual([
      'b/dev refused: a device, fifo or unknown entry type',
      'b/fifo refused: a device, fifo or unknown entry type',
      'b/secret.log refused: encrypted entry',
      'b/bz.log refused: compression method 12',
    ]);
  });

  it('a Unicode path field naming another file (Info-ZIP unzip would write there) is refused', async () => {
    const name = 'b/logs/ok.log';
    const unicode = Buffer.from('../../../etc/cron.d/evil');
    const field = Buffer.alloc(4 + 5 + unicode.length);
    field.writeUInt16LE(0x7075, 0);
    field.writeUInt16LE(5 + unicode.length, 2);
    field.writeUInt8(1, 4);
    field.writeUInt32LE(crc32(Buffer.from(name)), 5);
    unicode.copy(field, 9);
    const path = write('unicode.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name, data: Buffer.from('x'), extra: field }]));
    expect((await scanArchive(path)).problems).toEqual([{ entry: name, message: 'refused: its Unicode path field names "../../../etc/cron.d/evil"' }]);
  });

  it('an entry shorter than its header says is a problem with its real size; a truncated zip is RP_BAD_BUNDLE', async () => {
    const short = write('short.zip', zipOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/a.log', data: Buffer.alloc(1000, 0x61), declared: 1100 }]));
    const scan = await scanArchive(short);
    expect(scan.problems).toEqual([{ entry: 'b/logs/a.log', message: 'holds 1000 bytes, its header says 1100' }]);
    expect(scan.files.get('logs/a.log')?.size).toBe(1000);
    const full = zipOf([{ name: 'b/manifest.json', data: MANIFEST }]);
    await expect(scanArchive(write('cut.zip', full.subarray(0, full.length - 10)))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
  });
});

describe('tar policy on the library reader (tar-stream): limits and corruption', () => {
  it('more entries than the limit is RP_BAD_BUNDLE', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `b/logs/${i}.log`, data: Buffer.from('x') }));
    const path = write('many.tgz', gzipSync(tarOf([{ name: 'b/manifest.json', data: MANIFEST }, ...many])));
    await expect(scanArchive(path, undefined, { entries: 10, totalBytes: 1 << 30 })).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: expect.stringMatching(/more than 10 entries/) });
    expect((await scanArchive(path, undefined, { entries: 13, totalBytes: 1 << 30 })).files.size).toBe(13);
  });

  it('a gzip bomb stops at the byte limit (RP_BAD_BUNDLE), long before its end', async () => {
    const path = write('bomb.tgz', gzipSync(tarOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/zeros.log', data: Buffer.alloc(64 * 1024 * 1024) }])));
    await expect(scanArchive(path, undefined, { entries: 100, totalBytes: 8 * 1024 * 1024 })).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: expect.stringMatching(/holds more than 8388608 bytes, more than verify reads \(an archive bomb\)/) });
  });

  it('a bad header checksum and a cut-short archive are RP_BAD_BUNDLE with their reason', async () => {
    const tar = tarOf([{ name: 'b/manifest.json', data: MANIFEST }, { name: 'b/logs/a.log', data: Buffer.alloc(5000, 0x61) }]);
    const damaged = Buffer.from(tar);
    damaged[512 + 512 + 10] ^= 0xff; // inside the second header's name
    await expect(scanArchive(write('sum.tgz', gzipSync(damaged)))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: expect.stringMatching(/the tar archive is corrupt/) });
    await expect(scanArchive(write('cut.tgz', gzipSync(tar.subarray(0, 512 * 3))))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: 'the tar archive ends in the middle of an entry' });
  });

  it('a hard link or symlink pointing outside the folder is refused whatever its target', async () => {
    const linkTo = (name: string, type: string, target: string): Buffer => {
      const h = tarHeader(name, 0, type);
      h.write(target, 157, 100, 'utf8');
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      return h;
    };
    const tar = Buffer.concat([tarOf([{ name: 'b/manifest.json', data: MANIFEST }]).subarray(0, 1024), linkTo('b/hard', '1', '../../etc/shadow'), linkTo('b/soft', '2', '/etc/shadow'), Buffer.alloc(1024)]);
    const scan = await scanArchive(write('links.tgz', gzipSync(tar)));
    expect(scan.problems.map((p) => `${p.entry} ${p.message}`)).toEqual(['b/hard refused: a hardlink', 'b/soft refused: a symlink']);
    expect([...scan.files.keys()]).toEqual(['manifest.json']);
  });
});

describe('tgz bombs', () => {
  it('a huge pax header is refused (RP_BAD_BUNDLE) instead of being held in memory', async () => {
    const pax = Buffer.alloc(32 * 1024 * 1024, 0x61); // 32 MiB of "a", ~32 KiB gzipped
    const path = write('pax.tgz', gzipSync(tarOf([{ name: 'b/PaxHeaders/x', data: pax, type: 'x' }, { name: 'b/manifest.json', data: MANIFEST }])));
    await expect(scanArchive(path)).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE', message: expect.stringMatching(/pax or long-name header of more than 4194304 bytes: refused/) });
    const cli = await runCli(['verify', path], { cwd: dir });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^RP_BAD_BUNDLE the tar archive holds a pax or long-name header of more than 4194304 bytes/);
  });

  it('a huge GNU long-name header is refused the same way', async () => {
    const path = write('long.tgz', gzipSync(tarOf([{ name: '././@LongLink', data: Buffer.alloc(TAR_HEADER_LIMIT + 1, 0x62), type: 'L' }, { name: 'b/x', data: Buffer.from('x') }])));
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
