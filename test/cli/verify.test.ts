import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let cli: string;
let bundle: string;
const run = (...args: string[]) => execa('node', [cli, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', PATH: process.env.PATH ?? '/usr/bin:/bin' } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-cli-verify-'));
  cpSync(join(root, 'dist'), join(dir, 'app', 'dist'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(dir, 'app', 'package.json'));
  for (const shared of ['node_modules', 'templates']) symlinkSync(join(root, shared), join(dir, 'app', shared));
  cli = join(dir, 'app', 'dist', 'cli', 'main.js');
  writeFileSync(join(dir, 'quick.md'), '# Quick\n\n## Check\n\n```bash\necho ready\n```\n');
  expect((await run('keygen', '--out', 'ops.key')).exitCode).toBe(0);
  const result = await run('run', 'quick.md', '--yes', '--evidence-dir', 'ev', '--archive', 'tgz', '--signing-key', 'ops.key', '--json');
  expect(result.exitCode, result.stderr).toBe(0);
  const summary = JSON.parse(result.stdout) as { bundle: string; archive: string };
  bundle = summary.bundle;
  expect(summary.archive).toBe(`${bundle}.tgz`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runproof verify', () => {
  it('exits 0 for the bundle and its archive, checking the Ed25519 signature with --key', async () => {
    const plain = await run('verify', bundle);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toMatch(/^OK quick_\d{8}_\d{6}: integrity only: signature present, not checked: no key given; 6 files, \d+ bytes hashed as listed \(directory\)/);
    const signed = await run('verify', `${bundle}.tgz`, '--key', 'ops.pub', '--require-signature');
    expect(signed.exitCode, signed.stdout).toBe(0);
    expect(signed.stdout).toContain('note: signature verified: ed25519:');
    const json = await run('verify', bundle, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, problems: [], chain: { seq: 1, origin: true } });
  });

  it('exits 1 with one line per problem: file, expected, actual', async () => {
    const record = readdirSync(bundle).find((f) => f.endsWith('.json') && f.startsWith('quick_'))!;
    const original = readFileSync(join(bundle, record));
    writeFileSync(join(bundle, record), Buffer.concat([original, Buffer.from(' ')]));
    writeFileSync(join(bundle, 'planted.txt'), 'x');
    try {
      const result = await run('verify', bundle);
      expect(result.exitCode).toBe(1);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^FAILED quick_\d{8}_\d{6}: 2 problem\(s\)$/);
      expect(lines).toContain(`${record}: expected sha256 ${lines.find((l) => l.startsWith(record))!.match(/expected sha256 ([0-9a-f]{64})/)![1]} (${original.length} bytes); actual sha256 ${lines.find((l) => l.startsWith(record))!.match(/actual sha256 ([0-9a-f]{64})/)![1]} (${original.length + 1} bytes)`);
      expect(lines).toContain('planted.txt: expected not present (unlisted in manifest.json); actual present: sha256 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 (1 bytes)');
    } finally {
      writeFileSync(join(bundle, record), original);
      rmSync(join(bundle, 'planted.txt'));
    }
  });

  it('--require-signature fails on an unsigned bundle; a missing path is bad input (2)', async () => {
    const unsigned = await run('run', 'quick.md', '--yes', '--evidence-dir', 'ev2', '--json');
    const dirOf = (JSON.parse(unsigned.stdout) as { bundle: string }).bundle;
    const result = await run('verify', dirOf, '--require-signature');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('attestation.json: expected a signature (--require-signature); actual unsigned');
    const missing = await run('verify', 'no/such/bundle');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^RP_BAD_BUNDLE /);
  });
});
