// The session state file (one write per cell, ended by a trailer): edge cases of its layout and
// the rule that a state not completely written is never applied.
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createShellSession } from '../../src/execute/shell-session.js';
import type { ShellRunRequest, ShellSession } from '../../src/execute/shell-types.js';
import { collectOutput as collect } from '../helpers/output.js';

let dir: string;
let session: ShellSession;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'rp-shell-state-')));
  session = await createShellSession({ cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, killGraceMs: 200 });
});

afterEach(async () => {
  await session.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(command: string, extra: Partial<ShellRunRequest> = {}) {
  const sink = collect();
  const outcome = await session.run({ command, timeoutMs: 20_000, ...extra }, sink);
  return { outcome, stdout: sink.stdout() };
}

describe('session state file', () => {
  it('keeps values holding newlines, = signs and empty strings, exported or not', async () => {
    await run("export MULTI=$'a=1\\n\\nb=2\\n' EMPTY_X=; plain=$'x\\n=\\ny'; f() { printf '%s|' \"$@\"; }");
    const { stdout } = await run('printf "[%s][%s][%s]" "$MULTI" "$EMPTY_X" "$plain"; f 1 2');
    expect(stdout).toBe('[a=1\n\nb=2\n][][x\n=\ny]1|2|');
    expect(session.variables()).toMatchObject({ MULTI: 'a=1\n\nb=2\n', EMPTY_X: '' });
  });

  it('keeps the previous state when the cell is killed before saving it', async () => {
    await run('export KEEP=before; cd /');
    const killed = await run('export KEEP=after; cd "$HOME"; kill -9 $$');
    expect(killed.outcome.signal).toBe('SIGKILL');
    expect(session.cwd).toBe('/');
    expect((await run('echo "$KEEP"')).stdout).toBe('before\n');
  });

  it('keeps the previous state when a cell replaced the saving EXIT trap and then exited', async () => {
    await run('export KEEP=before');
    await run("trap - EXIT; export KEEP=after; exit 0");
    expect((await run('echo "$KEEP"')).stdout).toBe('before\n');
  });

  it('leaves no per-cell files behind in its private directory', async () => {
    // os.tmpdir() follows TMPDIR: the session's private directory goes under `dir`.
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    let other: ShellSession;
    try {
      other = await createShellSession({ cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    try {
      const [privateDir] = (await readdir(dir)).filter((n) => n.startsWith('runproof-shell-'));
      expect(privateDir).toBeDefined();
      await other.run({ command: 'export A=1; x=2', timeoutMs: 20_000 }, collect());
      const sink = collect();
      await other.run({ command: 'echo "$A$x"', timeoutMs: 20_000 }, sink);
      expect(sink.stdout()).toBe('12\n');
      await other.run({ command: 'export B=3', timeoutMs: 20_000, shell: 'sh' }, collect());
      expect((await readdir(join(dir, privateDir!))).sort()).toEqual(['prelude.bash', 'prelude.sh']);
    } finally {
      await other.close();
    }
  });
});
