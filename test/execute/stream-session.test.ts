import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StreamSession, StreamSessionError, startStreamSession } from '../../src/execute/stream-session.js';
import { pgrep } from '../helpers/processes.js';
import { listMarkedProcesses } from '../../src/execute/process-group.js';
import { startSshd, type SshFixture } from '../helpers/sshd.js';
import { collectOutput as collect } from '../helpers/output.js';

const local = (): Promise<StreamSession> => startStreamSession({ command: 'bash', args: ['--noprofile', '--norc', '-s'], killGraceMs: 500 });

describe('stream session over a local pipe', () => {
  it('carries exports, plain variables, functions and the directory from cell to cell', async () => {
    const s = await local();
    const dir = mkdtempSync(join(tmpdir(), 'rp-stream-'));
    const a = collect();
    expect((await s.run({ command: `export FOO=bar\nx=1\nf() { echo "fn $1"; }\ncd ${dir}`, timeoutMs: 10_000 }, a)).exitCode).toBe(0);
    const b = collect();
    const end = await s.run({ command: 'echo "$FOO $x"; f 2; pwd', timeoutMs: 10_000 }, b);
    expect(end.exitCode).toBe(0);
    expect(b.stdout()).toBe(`bar 1\nfn 2\n${dir}\n`);
    await s.close();
  });

  it('a change after cells that changed nothing still carries, and a cell whose state is not saved changes nothing', async () => {
    // The driver skips sourcing a state it already holds: this is what must not be skipped.
    const s = await local();
    const dir = mkdtempSync(join(tmpdir(), 'rp-stream-skip-'));
    await s.run({ command: 'x=1; export E=1', timeoutMs: 10_000 }, collect());
    for (let i = 0; i < 3; i++) expect((await s.run({ command: 'true', timeoutMs: 10_000 }, collect())).exitCode).toBe(0);
    await s.run({ command: `x=2; E=2; cd ${dir}`, timeoutMs: 10_000 }, collect());
    await s.run({ command: 'true', timeoutMs: 10_000 }, collect());
    // Replacing the EXIT trap, then exiting: nothing is saved, the session stays as it was.
    await s.run({ command: "trap 'echo bye' EXIT\nx=3; cd /\nexit 0", timeoutMs: 10_000 }, collect());
    const b = collect();
    await s.run({ command: 'echo "$x $E $PWD"', timeoutMs: 10_000 }, b);
    expect(b.stdout()).toBe(`2 2 ${dir}\n`);
    await s.close();
  });

  it('`exit`, `exec`, `set -e`, `trap ... EXIT` and reading stdin neither end nor wedge the session', async () => {
    // Detached, as a local session is started: `kill -- -$$` aims at the session's own group.
    const s = await startStreamSession({ command: 'bash', args: ['--noprofile', '--norc', '-s'], killGraceMs: 500, detached: true });
    // In a cell, $$ is the session shell: TERM, INT, HUP sent there are ignored by it.
    const cells = ['exit 3', 'exec true', 'set -e; false', "trap 'exit 9' EXIT", 'cat; read -r line; echo "[$line]"', 'exec 1>&-; exec 2>&-; sleep 0.1', 'kill $$; kill -INT $$; kill -HUP $$', 'kill -- -$$'];
    for (const command of cells) expect((await s.run({ command, timeoutMs: 10_000 }, collect())).error).toBeUndefined();
    // SIGSTOP cannot be ignored: the cell's timeout continues the session shell.
    const stopped = await s.run({ command: 'kill -STOP $$ & sleep 0.2; true', timeoutMs: 1_500 }, collect());
    expect(stopped.timedOut).toBe(true);
    expect(stopped.error).toBeUndefined();
    const d = collect();
    expect((await s.run({ command: 'echo alive', timeoutMs: 10_000 }, d)).exitCode).toBe(0);
    expect(d.stdout()).toBe('alive\n');
    await s.close();
  }, 60_000);

  it('what a cell unsets is gone in later cells; a per-call variable of the same name leaves the session value alone', async () => {
    const s = await local();
    await s.run({ command: 'export GONE=1 KEEP=1\nplain=1\nf() { :; }\ng() { :; }', timeoutMs: 10_000 }, collect());
    await s.run({ command: 'unset GONE plain\nunset -f f', timeoutMs: 10_000 }, collect());
    await s.run({ command: 'echo "$KEEP"', timeoutMs: 10_000, env: { KEEP: 'param' } }, collect());
    const b = collect();
    await s.run({ command: 'echo "[${GONE-unset}] [${plain-unset}] [$KEEP]"; type -t f || echo nof; type -t g', timeoutMs: 10_000 }, b);
    expect(b.stdout()).toBe('[unset] [unset] [1]\nnof\nfunction\n');
    await s.close();
  });

  it('a per-call directory runs the cell there and leaves the session directory as it was', async () => {
    const s = await local();
    const home = mkdtempSync(join(tmpdir(), 'rp-stream-home-'));
    const other = mkdtempSync(join(tmpdir(), 'rp-stream-other-'));
    await s.run({ command: `cd ${home}`, timeoutMs: 10_000 }, collect());
    const a = collect();
    await s.run({ command: 'pwd; cd /; export SEEN=1', timeoutMs: 10_000, cwd: other }, a);
    expect(a.stdout()).toBe(`${other}\n`);
    const b = collect();
    await s.run({ command: 'pwd; echo "$SEEN"', timeoutMs: 10_000 }, b);
    expect(b.stdout()).toBe(`${home}\n1\n`);
    await s.close();
  });

  it('with a marker, every cell carries RUNPROOF_SESSION and its start names its own process group', async () => {
    const marker = `rp-stream-marker-${process.pid}`;
    const s = await startStreamSession({ command: 'bash', args: ['--noprofile', '--norc', '-s'], killGraceMs: 500, detached: true, marker });
    const started: Array<{ pgid: number; session: string }> = [];
    const a = collect();
    const end = await s.run({ command: 'echo "$RUNPROOF_SESSION"; ps -o pgid= -p $BASHPID | tr -d " "', timeoutMs: 10_000, onStart: (info) => void started.push(info) }, a);
    expect(end.exitCode).toBe(0);
    expect(started).toEqual([{ pgid: end.pid, session: marker }]);
    expect(a.stdout()).toBe(`${marker}\n${end.pid}\n`);
    await s.close();
  });

  it('with a marker, runproof killed by SIGKILL leaves no process of the session, not even one that left its group', async () => {
    const marker = `rp-stream-supervised-${process.pid}`;
    const lib = join(process.cwd(), 'dist', 'execute', 'index.js');
    const script = `const { startStreamSession } = await import(${JSON.stringify(lib)});
const s = await startStreamSession({ command: 'bash', args: ['--noprofile', '--norc', '-s'], detached: true, marker: ${JSON.stringify(marker)} });
await s.run({ command: 'setsid sleep 300 & sleep 300', timeoutMs: 600_000 }, { onStdout() {}, onStderr() {} });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    await vi.waitFor(async () => expect((await listMarkedProcesses(marker)).length).toBeGreaterThanOrEqual(3), { timeout: 15_000 });
    child.kill('SIGKILL');
    await vi.waitFor(async () => expect(await listMarkedProcesses(marker)).toEqual([]), { timeout: 15_000 });
  }, 40_000);

  it('keeps per-call variables out of later cells and splits stdout from stderr', async () => {
    const s = await local();
    const a = collect();
    await s.run({ command: 'echo "$RP_PARAM_x"; echo oops >&2', timeoutMs: 10_000, env: { RP_PARAM_x: "a'b$(touch /tmp/nope)" } }, a);
    expect(a.stdout()).toBe("a'b$(touch /tmp/nope)\n");
    expect(a.stderr()).toBe('oops\n');
    const b = collect();
    await s.run({ command: 'echo "[${RP_PARAM_x-unset}]"', timeoutMs: 10_000 }, b);
    expect(b.stdout()).toBe('[unset]\n');
    await s.close();
  });

  it('reports exit statuses, `exit N`, and output without a final newline', async () => {
    const s = await local();
    expect((await s.run({ command: 'false', timeoutMs: 10_000 }, collect())).exitCode).toBe(1);
    expect((await s.run({ command: 'exit 7', timeoutMs: 10_000 }, collect())).exitCode).toBe(7);
    const c = collect();
    expect((await s.run({ command: "printf 'no newline \\036RP'", timeoutMs: 10_000 }, c)).exitCode).toBe(0);
    expect(c.stdout()).toBe('no newline \x1eRP');
    // The session survives all of them.
    const d = collect();
    await s.run({ command: 'echo alive', timeoutMs: 10_000 }, d);
    expect(d.stdout()).toBe('alive\n');
    await s.close();
  });

  it('stops a cell at its first failing line, as the local session does, unless errexit is off', async () => {
    const s = await local();
    const a = collect();
    const end = await s.run({ command: 'echo one\nfalse\necho two', timeoutMs: 10_000 }, a);
    expect(end.exitCode).toBe(1);
    expect(end.failedLine).toBe(2);
    expect(a.stdout()).toBe('one\n');
    const b = collect();
    // A pipeline fails when any part fails; SIGPIPE of the left side of `| head` does not.
    expect((await s.run({ command: 'false | cat\necho after', timeoutMs: 10_000 }, b)).exitCode).toBe(1);
    expect((await s.run({ command: 'yes | head -1 >/dev/null\nif grep -q nothing /dev/null; then :; fi\ngrep -q x /dev/null || true\necho fine', timeoutMs: 10_000 }, b)).exitCode).toBe(0);
    const c = collect();
    const plain = await s.run({ command: 'false\necho still', timeoutMs: 10_000, errexit: false }, c);
    expect(plain.exitCode).toBe(0);
    expect(c.stdout()).toBe('still\n');
    // The session is unharmed: state still carries over after a failed cell.
    await s.run({ command: 'export KEPT=1\nfalse', timeoutMs: 10_000 }, collect());
    const d = collect();
    await s.run({ command: 'echo "$KEPT"', timeoutMs: 10_000 }, d);
    expect(d.stdout()).toBe('1\n');
    await s.close();
  });

  it('a timeout ends the whole process group of the cell, and only it', async () => {
    const s = await local();
    const tag = `rp-stream-timeout-${process.pid}`;
    const end = await s.run({ command: `sleep 300 & exec -a ${tag} sleep 300`, timeoutMs: 300 }, collect());
    expect(end.timedOut).toBe(true);
    expect(end.signal).toBe('SIGTERM');
    await vi.waitFor(() => expect(pgrep(tag)).toBe(''));
    const d = collect();
    await s.run({ command: 'echo next', timeoutMs: 10_000 }, d);
    expect(d.stdout()).toBe('next\n');
    await s.close();
  });

  it('an abort interrupts the cell', async () => {
    const s = await local();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const end = await s.run({ command: 'sleep 300', timeoutMs: 60_000, signal: controller.signal }, collect());
    expect(end.interrupted).toBe(true);
    await s.close();
  });

  it('when the session shell is killed (kill -9), its files do not stay behind', async () => {
    const s = await local();
    await s.run({ command: 'true', timeoutMs: 10_000 }, collect());
    const pid = (s as unknown as { child: { pid: number } }).child.pid;
    // The session shell reads its requests on fd 3 from the FIFO in its directory.
    const dir = dirname(readlinkSync(`/proc/${pid}/fd/3`));
    expect(existsSync(join(dir, 'ctl'))).toBe(true);
    process.kill(pid, 'SIGKILL');
    const end = await s.run({ command: 'true', timeoutMs: 10_000 }, collect());
    expect(end.error).toMatch(/session ended/);
    await s.close();
    await vi.waitFor(() => expect(existsSync(dir)).toBe(false), { timeout: 5000 });
  });

  it('when the channel dies (runproof killed), the running cell dies with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-stream-orphan-'));
    const tag = `rp-stream-orphan-${process.pid}`;
    const s = await local();
    const running = s.run({ command: `(exec -a ${tag} sleep 2); touch ${dir}/survived`, timeoutMs: 60_000 }, collect());
    await vi.waitFor(() => expect(pgrep(tag)).not.toBe(''));
    // SIGKILL of the local end: nobody says goodbye, the driver only sees its input end.
    (s as unknown as { child: { kill(sig: string): void } }).child.kill('SIGKILL');
    await running;
    await vi.waitFor(() => expect(pgrep(tag)).toBe(''), { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 2500)); // time itself is what is tested: the cell would have finished by now
    expect(existsSync(join(dir, 'survived'))).toBe(false);
  });
});

describe('stream session over OpenSSH', () => {
  let fx: SshFixture;
  beforeAll(async () => {
    fx = await startSshd();
  }, 120_000);
  afterAll(async () => {
    await fx?.stop();
  });
  const ssh = (alias: string): Promise<StreamSession> =>
    startStreamSession({ command: 'ssh', args: ['-F', fx.config, '-T', alias, 'bash --noprofile --norc -s'], killGraceMs: 500, startTimeoutMs: 15_000 });

  it('runs cells on the host with state carried over', async () => {
    const s = await ssh('web-1');
    const a = collect();
    await s.run({ command: 'export A=1; cd /tmp', timeoutMs: 10_000 }, a);
    const b = collect();
    await s.run({ command: 'echo "$A $(pwd) $SSH_CONNECTION"', timeoutMs: 10_000 }, b);
    expect(b.stdout()).toMatch(/^1 \/tmp 127\.0\.0\.\d+ \d+ 127\.0\.0\.2 \d+\n$/);
    await s.close();
  });

  it('a secret parameter never appears on the remote process list', async () => {
    const s = await ssh('web-2');
    const secret = `s3cr3t-${process.pid}-value`;
    const running = s.run({ command: 'sleep 1; echo "${#RP_PARAM_token}"', timeoutMs: 10_000, env: { RP_PARAM_token: secret } }, collect());
    await new Promise((r) => setTimeout(r, 300));
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps).not.toContain(secret);
    await running;
    await s.close();
  });

  it('a timeout leaves no process on the host', async () => {
    const s = await ssh('web-3');
    const tag = `rp-remote-timeout-${process.pid}`;
    const end = await s.run({ command: `sleep 300 & exec -a ${tag} sleep 300`, timeoutMs: 500 }, collect());
    expect(end.timedOut).toBe(true);
    await vi.waitFor(() => expect(pgrep(tag)).toBe(''));
    await s.close();
  });

  it('a dropped connection ends the remote cell', async () => {
    const s = await ssh('web-4');
    const tag = `rp-remote-drop-${process.pid}`;
    const running = s.run({ command: `exec -a ${tag} sleep 300`, timeoutMs: 60_000 }, collect());
    await vi.waitFor(() => expect(pgrep(tag)).not.toBe(''));
    (s as unknown as { child: { kill(sig: string): void } }).child.kill('SIGKILL');
    const end = await running;
    expect(end.error).toMatch(/session ended/);
    await vi.waitFor(() => expect(pgrep(tag)).toBe(''), { timeout: 8000 });
  });

  it.each([
    ['down', 'unreachable'],
    ['badkey', 'host-key'],
    ['stranger', 'auth'],
  ])('%s fails to start as %s, with ssh’s own words', async (alias, kind) => {
    const error = await ssh(alias).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StreamSessionError);
    expect((error as StreamSessionError).kind).toBe(kind);
    expect((error as StreamSessionError).message.length).toBeGreaterThan(5);
  });
});
