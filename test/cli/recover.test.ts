import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let cli: string;
const run = (...args: string[]) => execa('node', [cli, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', PATH: process.env.PATH ?? '/usr/bin:/bin' } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-cli-recover-'));
  cpSync(join(root, 'dist'), join(dir, 'app', 'dist'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(dir, 'app', 'package.json'));
  for (const shared of ['node_modules', 'templates']) symlinkSync(join(root, shared), join(dir, 'app', shared));
  cli = join(dir, 'app', 'dist', 'cli', 'main.js');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runproof recover', () => {
  it('rebuilds and seals a run killed with SIGKILL in its second cell; verify then passes', async () => {
    writeFileSync(join(dir, 'long.md'), '# Long\n\n## Steps\n\n```bash\necho first\n```\n\n```bash\nsleep 30\n```\n');
    const child = spawn(process.execPath, [cli, 'run', 'long.md', '--yes', '--evidence-dir', 'ev'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // The second cell has started once the journal says so.
    const bundle = await vi.waitFor(
      () => {
        const ev = join(dir, 'ev');
        const name = existsSync(ev) ? readdirSync(ev).find((f) => !f.startsWith('.')) : undefined;
        expect(name).toBeDefined();
        const journal = join(ev, name!, 'journal.jsonl');
        expect(existsSync(journal) && readFileSync(journal, 'utf8').includes('"type":"attempt-start","stepId":"c2"')).toBe(true);
        return join(ev, name!);
      },
      { timeout: 30_000, interval: 10 },
    );
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(join(bundle, 'manifest.json'))).toBe(false);
    const unsealed = await run('verify', bundle);
    expect(unsealed.exitCode).toBe(1);
    expect(unsealed.stdout).toContain('manifest.json: expected present; actual missing');

    const recovered = await run('recover', bundle);
    expect(recovered.exitCode, recovered.stderr).toBe(0);
    expect(recovered.stdout).toContain('status aborted');
    expect(recovered.stdout).toContain('1 of 2 steps finished and intact');
    expect(recovered.stdout).toMatch(/sealed: manifest sha256 [0-9a-f]{64}, chain seq 1, unsigned/);
    const files = readdirSync(bundle);
    expect(files.filter((f) => /\.(json|md|html)$/.test(f)).length).toBe(5);
    expect((await run('verify', bundle)).exitCode).toBe(0);
    const record = JSON.parse(readFileSync(join(bundle, `${files.find((f) => f.startsWith('long_') && f.endsWith('.json'))}`), 'utf8'));
    expect(record.steps.map((s: { status: string }) => s.status)).toEqual(['passed', 'interrupted']);

    const again = await run('recover', bundle);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/^RP_BAD_BUNDLE .*already sealed/);
  });
});
