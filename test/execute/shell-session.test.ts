import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/errors.js';
import { createShellSession, normalizeCommand } from '../../src/execute/shell-session.js';
import type { ShellRunRequest, ShellSession } from '../../src/execute/shell-types.js';
import { collectOutput as collect } from '../helpers/output.js';

// Collects a cell's output; fine for the small outputs of these tests.

let dir: string;
let session: ShellSession;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'rp-shell-test-')));
  session = await createShellSession({ cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
});

afterEach(async () => {
  await session.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(command: string, extra: Partial<ShellRunRequest> = {}) {
  const sink = collect();
  const outcome = await session.run({ command, timeoutMs: 20_000, ...extra }, sink);
  return { outcome, stdout: sink.stdout(), stderr: sink.stderr() };
}

describe('session state shared between cells', () => {
  it('keeps exported variables for later cells, also in their child processes', async () => {
    await run('export GREETING="hello world"');
    const { stdout } = await run('sh -c \'echo "$GREETING"\'');
    expect(stdout).toBe('hello world\n');
    expect(session.variables()).toEqual({ GREETING: 'hello world' });
  });

  it('keeps the directory a cell cd-ed into', async () => {
    await mkdir(join(dir, 'sub dir'));
    await run('cd "sub dir"');
    expect(session.cwd).toBe(join(dir, 'sub dir'));
    const { stdout } = await run('pwd; echo "$PWD"');
    expect(stdout).toBe(`${join(dir, 'sub dir')}\n${join(dir, 'sub dir')}\n`);
  });

  it('keeps plain variables, arrays and functions between bash cells, but does not export them', async () => {
    await run('COUNT=41; list=("a b" $\'line1\\nline2\'); greet() { echo "hi $1"; }');
    const { stdout } = await run(
      'COUNT=$((COUNT + 1)); echo "$COUNT"; echo "${list[0]}|${list[1]}"; greet there; sh -c \'echo "[${COUNT:-unset}]"\'',
    );
    expect(stdout).toBe('42\na b|line1\nline2\nhi there\n[unset]\n');
    expect(session.variables()).toEqual({});
    const again = await run('echo "$COUNT"');
    expect(again.stdout).toBe('42\n');
  });

  it('keeps plain variables byte for byte, UTF-8 or not', async () => {
    await run("WORD='héllo ✓'; RAW=$'\\xff\\xfe'");
    const { stdout } = await run('printf "%s" "$WORD"; printf "%s" "$RAW" | od -An -tx1');
    expect(stdout.replace(/\s+/g, ' ').trim()).toBe('héllo ✓ ff fe');
  });

  it('forgets variables a cell unsets', async () => {
    await run('export GONE=1 PLAIN_GONE=2');
    await run('unset GONE PLAIN_GONE');
    const { stdout } = await run('echo "[${GONE-unset}][${PLAIN_GONE-unset}]"');
    expect(stdout).toBe('[unset][unset]\n');
  });

  it('passes per-call env to the command without persisting it', async () => {
    const first = await run('echo "$RP_PARAM_commit_sha"; sh -c \'echo "$RP_PARAM_commit_sha"\'', {
      env: { RP_PARAM_commit_sha: 'abc123' },
    });
    expect(first.stdout).toBe('abc123\nabc123\n');
    const second = await run('echo "[${RP_PARAM_commit_sha-unset}]"');
    expect(second.stdout).toBe('[unset]\n');
    expect(session.variables()).toEqual({});
  });

  it('restores the session value of a variable a per-call env shadowed', async () => {
    await run('export MODE=session');
    const shadowed = await run('echo "$MODE"', { env: { MODE: 'call' } });
    expect(shadowed.stdout).toBe('call\n');
    expect((await run('echo "$MODE"')).stdout).toBe('session\n');
  });

  it('setVariable makes an exported variable for later cells (capture)', async () => {
    session.setVariable('TOKEN', 'a b\n"c"');
    const { stdout } = await run('sh -c \'printf "%s" "$TOKEN"\'');
    expect(stdout).toBe('a b\n"c"');
    expect(session.variables().TOKEN).toBe('a b\n"c"');
  });

  it('setVariable wins over a plain variable of the same name', async () => {
    await run('OUT=old');
    session.setVariable('OUT', 'new');
    expect((await run('echo "$OUT"; sh -c \'echo "$OUT"\'')).stdout).toBe('new\nnew\n');
  });

  it('setVariable refuses a name that is not a shell variable name', () => {
    let caught: unknown;
    try {
      session.setVariable('not-a-name', 'x');
    } catch (error) {
      caught = error;
    }
    expect(isRunproofError(caught) && caught.code).toBe('RP_BAD_ATTRIBUTE');
  });

  it('runs a cell in a per-cell cwd without moving the session', async () => {
    await mkdir(join(dir, 'work', 'deeper'), { recursive: true });
    const { stdout } = await run('pwd; cd deeper; export FROM_CWD_CELL=yes', { cwd: 'work' });
    expect(stdout).toBe(`${join(dir, 'work')}\n`);
    expect(session.cwd).toBe(dir);
    expect((await run('pwd; echo "$FROM_CWD_CELL"')).stdout).toBe(`${dir}\nyes\n`);
  });

  it('shares directory and exported variables with sh cells', async () => {
    await mkdir(join(dir, 'a'));
    await run('cd a; export FROM_SH=1', { shell: 'sh' });
    expect(session.cwd).toBe(join(dir, 'a'));
    const fromBash = await run('echo "$FROM_SH $PWD"; export FROM_BASH=2');
    expect(fromBash.stdout).toBe(`1 ${join(dir, 'a')}\n`);
    expect((await run('echo "$FROM_BASH"', { shell: 'sh' })).stdout).toBe('2\n');
  });

  it('still saves the session when the cell installs its own EXIT trap', async () => {
    const { stdout } = await run('trap \'echo bye\' EXIT; export AFTER_TRAP=1; cd /');
    expect(stdout).toBe('bye\n');
    expect(session.cwd).toBe('/');
    expect((await run('echo "$AFTER_TRAP"')).stdout).toBe('1\n');
  });

  it('does not carry shell options such as set -e to the next cell', async () => {
    await run('set -e');
    // errexit=false: only the cell's own `set -e` could stop it, and that one did not carry over.
    const { stdout, outcome } = await run('false; echo still running', { errexit: false });
    expect(stdout).toBe('still running\n');
    expect(outcome.exitCode).toBe(0);
  });

  it('runs queued cells one after the other', async () => {
    const sinkA = collect();
    const sinkB = collect();
    const [a, b] = await Promise.all([
      session.run({ command: 'sleep 0.2; export ORDER=first', timeoutMs: 20_000 }, sinkA),
      session.run({ command: 'echo "$ORDER"', timeoutMs: 20_000 }, sinkB),
    ]);
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    expect(sinkB.stdout()).toBe('first\n');
  });
});

describe('script semantics of one cell', () => {
  it('reports the exit status of exit N and of the last command', async () => {
    expect((await run('exit 3')).outcome.exitCode).toBe(3);
    expect((await run('true; false')).outcome.exitCode).toBe(1);
    expect((await run('echo ok')).outcome.exitCode).toBe(0);
    expect((await run('nope-command-xyz')).outcome.exitCode).toBe(127);
  });

  it('stops at the failing line under set -e, as a script does', async () => {
    const strict = await run('set -e\necho before\nfalse\necho after', { errexit: false });
    expect(strict.outcome.exitCode).toBe(1);
    expect(strict.stdout).toBe('before\n');
    const lax = await run('echo before\nfalse\necho after', { errexit: false });
    expect(lax.outcome.exitCode).toBe(0);
    expect(lax.stdout).toBe('before\nafter\n');
  });

  it('keeps stderr apart from stdout', async () => {
    const { stdout, stderr } = await run('echo to-out; echo to-err >&2');
    expect(stdout).toBe('to-out\n');
    expect(stderr).toBe('to-err\n');
  });

  it('gives $0 = bash and line numbers of the cell itself', async () => {
    const { stdout, stderr } = await run('echo "$0"\necho "line $LINENO"\nno-such-command-xyz');
    expect(stdout).toBe('bash\nline 2\n');
    expect(stderr).toMatch(/line 3: no-such-command-xyz: command not found/);
  });

  it('shows nothing of the session machinery under set -x', async () => {
    const { stderr } = await run('set -x\n: visible');
    expect(stderr).toBe('++ : visible\n');
  });

  it('takes positional parameters from nothing: $# is 0', async () => {
    expect((await run('echo "$#"')).stdout).toBe('0\n');
  });

  it('turns CRLF line ends into LF so that no CR reaches bash', async () => {
    const { stdout, outcome } = await run('X=1\r\n[ "$X" = 1 ] && echo ok\r\nprintf "%s|" "$X"\r\n');
    expect(outcome.exitCode).toBe(0);
    expect(stdout).toBe('ok\n1|');
    expect(normalizeCommand('a\r\nb\rc')).toBe('a\nb\nc\n');
  });

  it('passes a command with quotes and $() through without interpreting it', async () => {
    const marker = join(dir, 'must-not-exist');
    const { stdout } = await run(`echo '$(touch ${marker})' "it's"`);
    expect(stdout).toBe(`$(touch ${marker}) it's\n`);
    await expect(writeFile(marker, '', { flag: 'wx' })).resolves.toBeUndefined();
  });

  it('gives /dev/null as stdin by default', async () => {
    const { stdout, outcome } = await run('cat; echo "read: $?"');
    expect(outcome.exitCode).toBe(0);
    expect(stdout).toBe('read: 0\n');
  });
});

describe('cells that cannot run', () => {
  it('returns an error result, not a throw, when the shell does not exist', async () => {
    const { outcome } = await run('echo hi', { shell: 'no-such-shell-xyz' });
    expect(outcome.error).toMatch(/shell not found: no-such-shell-xyz/);
    expect(outcome.exitCode).toBeNull();
    expect(outcome.timedOut).toBe(false);
    // The session still works afterwards.
    expect((await run('echo fine')).stdout).toBe('fine\n');
  });

  it('returns an error result when the per-cell directory does not exist', async () => {
    const { outcome } = await run('echo hi', { cwd: 'missing-dir' });
    expect(outcome.error).toBe(`working directory not found: ${join(dir, 'missing-dir')}`);
  });

  it('refuses to run after close', async () => {
    await session.close();
    expect(() => session.run({ command: 'echo', timeoutMs: 1000 }, collect())).toThrow(/closed/);
  });
});
