// J4: a multi-line shell cell stops at its first failing command, as an operator at a terminal
// would, with pipefail semantics; SIGPIPE of the left side of `cmd | head` is not a failure; the
// outcome names the cell line that failed. Real bash, real curl and jq, a real closed port.
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createShellSession } from '../../src/execute/shell-session.js';
import type { ShellRunRequest, ShellSession } from '../../src/execute/shell-types.js';
import { collectOutput as collect } from '../helpers/output.js';

let dir: string;
let session: ShellSession;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'rp-failing-line-')));
  await writeFile(join(dir, 'hosts.txt'), 'alpha\nbeta\n');
  session = await createShellSession({ cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
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

// A port on which nothing listens: bound once, then closed.
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a failing line fails the cell', () => {
  it('stops at the first failing line and names it', async () => {
    const { outcome, stdout } = await run('echo one\nfalse\necho two');
    expect(outcome.exitCode).toBe(1);
    expect(stdout).toBe('one\n');
    expect(outcome.failedLine).toBe(2);
  });

  it('keeps the failing command\'s own exit status', async () => {
    const { outcome } = await run('echo a\n\nsh -c "exit 3"\necho b');
    expect(outcome.exitCode).toBe(3);
    expect(outcome.failedLine).toBe(3);
  });

  it('does not run git checkout after a cd that failed (the ROXY rollback)', async () => {
    const { outcome } = await run('cd ~/nonexistent\ntouch checked-out-here');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.failedLine).toBe(1);
    expect(existsSync(join(dir, 'checked-out-here'))).toBe(false);
    expect(session.cwd).toBe(dir);
  });

  it('fails curl to a dead port piped to jq (pipefail)', async () => {
    const port = await deadPort();
    const { outcome, stdout } = await run(`echo start\ncurl -s http://127.0.0.1:${port}/health | jq .status\necho after`);
    expect(outcome.exitCode).toBe(7);
    expect(outcome.failedLine).toBe(2);
    expect(stdout).toBe('start\n');
  });

  it.each([
    ['false | true', 1],
    ['true | false | true', 1],
    ['false | yes | head -1', 141], // pipefail: the status of the rightmost failing part
    ['sh -c "exit 4" | cat', 4],
  ])('fails the pipeline %s when any part fails', async (line, code) => {
    const { outcome, stdout } = await run(`${line}\necho after`);
    expect(outcome.exitCode).toBe(code);
    expect(outcome.failedLine).toBe(1);
    expect(stdout).not.toContain('after');
  });

  it.each([
    'yes | head -1',
    'seq 1 200000 | head -n 2',
    'yes | head -c 10 | wc -c',
    'cat /dev/zero | head -c 100000 > /dev/null',
    'yes | grep -m1 y',
  ])('does not count SIGPIPE of the left side of %s as a failure', async (line) => {
    const middle = await run(`${line}\necho after`);
    expect(middle.outcome.exitCode).toBe(0);
    expect(middle.stdout.endsWith('after\n')).toBe(true);
    const last = await run(line);
    expect(last.outcome.exitCode).toBe(0);
    expect(last.outcome.failedLine).toBeUndefined();
  });

  it.each([
    'if grep -q zzz hosts.txt; then echo found; fi',
    'grep zzz hosts.txt || true',
    'grep zzz hosts.txt || echo none',
    'grep -q zzz hosts.txt && echo found',
    '! grep -q zzz hosts.txt',
    'while grep -q zzz hosts.txt; do break; done',
    'until grep -q alpha hosts.txt; do break; done',
    'count=$(grep -c zzz hosts.txt || true)',
    'f() { grep -q zzz hosts.txt; }\nif f; then echo yes; fi',
    'set +e; false; set -e',
  ])('lets a command fail where the author handled it: %s', async (line) => {
    const { outcome, stdout } = await run(`${line}\necho after`);
    if (line.startsWith('set +e')) {
      // "set +e" does not turn the check off (it is runproof's, not the cell's): errexit=false does.
      expect(outcome.exitCode).toBe(1);
      return;
    }
    expect(outcome.exitCode).toBe(0);
    expect(stdout.endsWith('after\n')).toBe(true);
  });

  it('stops inside a function and names the line of the cell that called it', async () => {
    const { outcome, stdout } = await run('f() {\n  echo in-f\n  false\n  echo not-reached\n}\necho before\nf\necho after');
    expect(outcome.exitCode).toBe(1);
    expect(stdout).toBe('before\nin-f\n');
    expect(outcome.failedLine).toBe(7);
  });

  it('stops inside a function defined by an earlier cell', async () => {
    await run('check() { test -f "$1"; }');
    const { outcome, stdout } = await run('check hosts.txt\necho ok\ncheck missing.txt\necho after');
    expect(outcome.exitCode).toBe(1);
    expect(stdout).toBe('ok\n');
    expect(outcome.failedLine).toBe(3);
  });

  it('stops inside a subshell and a command substitution', async () => {
    const sub = await run('echo a\n( echo in-sub; false; echo not-reached )\necho after');
    expect(sub.outcome.exitCode).toBe(1);
    expect(sub.stdout).toBe('a\nin-sub\n');
    expect(sub.outcome.failedLine).toBe(2);
    const subst = await run('x=$(false; echo not-reached)\necho "x=$x"');
    expect(subst.outcome.exitCode).toBe(1);
    expect(subst.stdout).toBe('');
    expect(subst.outcome.failedLine).toBe(1);
  });

  it('names the line of the cell that sourced a failing script', async () => {
    await writeFile(join(dir, 'lib.sh'), 'echo lib\nfalse\necho lib-not-reached\n');
    const { outcome, stdout } = await run('echo a\n. ./lib.sh\necho after');
    expect(outcome.exitCode).toBe(1);
    expect(stdout).toBe('a\nlib\n');
    expect(outcome.failedLine).toBe(2);
  });

  it('records no failed line for a cell that passes or ends with exit N', async () => {
    expect((await run('true\necho ok')).outcome.failedLine).toBeUndefined();
    const exited = await run('echo a\nexit 4\necho b');
    expect(exited.outcome.exitCode).toBe(4);
    expect(exited.outcome.failedLine).toBeUndefined();
  });

  it('keeps the session state a failing cell set before it failed', async () => {
    await run('export BEFORE=1\ncd /\nfalse\nexport AFTER=1');
    const { stdout } = await run('echo "${BEFORE:-}-${AFTER:-}-$PWD"');
    expect(stdout).toBe('1--/\n');
  });

  it('runs every line with errexit=false, as a plain script does', async () => {
    const { outcome, stdout } = await run('echo one\nfalse\nfalse | true\necho two', { errexit: false });
    expect(outcome.exitCode).toBe(0);
    expect(stdout).toBe('one\ntwo\n');
    expect(outcome.failedLine).toBeUndefined();
  });

  it('stops sh cells at the first failing line too', async () => {
    const { outcome, stdout } = await run('echo one\nfalse\necho two', { shell: 'sh' });
    expect(outcome.exitCode).toBe(1);
    expect(stdout).toBe('one\n');
  });
});
