import { copyFileSync, cpSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let cli: string;
const run = (...args: string[]) => execa('node', [cli, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-cli-keygen-'));
  // A private copy of the built CLI: another test run rebuilding dist/ cannot change it mid-test.
  cpSync(join(root, 'dist'), join(dir, 'app', 'dist'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(dir, 'app', 'package.json'));
  for (const shared of ['node_modules', 'templates']) symlinkSync(join(root, shared), join(dir, 'app', shared));
  cli = join(dir, 'app', 'dist', 'cli', 'main.js');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runproof keygen', () => {
  it('writes a private key (0600) and its public key (0644), and refuses to overwrite', async () => {
    const first = await run('keygen', '--out', 'ops.key');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('private key ops.key (mode 0600');
    expect(first.stdout).toMatch(/key id\s+ed25519:[0-9a-f]{64}/);
    expect(statSync(join(dir, 'ops.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ops.pub')).mode & 0o777).toBe(0o644);
    const again = await run('keygen', '--out', 'ops.key');
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/RP_BAD_KEY .*already exists/);
  });
});
