// K2: unattended read cells run inside bubblewrap. A table of write, delete and exec forms, forced
// through the sandbox as if the classifier had called them `read`, must leave the filesystem as it
// was: a sentinel file and folder in a temp folder outside /tmp and in one inside /tmp. Run as
// root here (CI runs as root: bwrap keeps every capability unless told to drop them) and, for the
// same table, as an unprivileged user through setpriv (sandbox-unprivileged.test.ts).
import { closeSync, constants, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSandbox, sandboxArgs } from '../../src/execute/sandbox.js';
import { createShellSession } from '../../src/execute/shell-session.js';
import type { OutputSink, ShellSession } from '../../src/execute/shell-types.js';
import { collectOutput as collect } from '../helpers/output.js';
import { asSubshells, BATCH, FORMS, makeTarget, snapshot, SYSTEM_PLACES } from './sandbox-forms.js';

let outside: string;
let inside: string;
let session: ShellSession;
const hostname = readFileSync('/proc/sys/kernel/hostname', 'utf8');
const hostsFile = readFileSync('/etc/hosts', 'utf8');

beforeAll(async () => {
  outside = makeTarget('/var/tmp');
  inside = makeTarget(tmpdir());
  session = await createShellSession({ cwd: outside, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: outside } });
});

afterAll(async () => {
  await session.close();
  rmSync(outside, { recursive: true, force: true });
  rmSync(inside, { recursive: true, force: true });
});

describe('the bubblewrap sandbox of read cells', () => {
  it('is available on this machine (bwrap installed; CI installs it)', async () => {
    expect(await probeSandbox()).toEqual({ available: true });
  });

  it(`holds ${FORMS.length} write/delete/exec forms, against a folder outside /tmp and one inside it`, async () => {
    expect(FORMS.length).toBeGreaterThanOrEqual(150);
    const before = { outside: snapshot(outside), inside: snapshot(inside) };
    const escaped: string[] = [];
    // Ten forms per cell, each in its own subshell once per target (errexit off: all of them run).
    for (let i = 0; i < FORMS.length && escaped.length === 0; i += BATCH) {
      const batch = FORMS.slice(i, i + BATCH);
      const outcome = await session.run({ command: asSubshells(batch), timeoutMs: 60_000, sandbox: true, errexit: false, env: { OUT: outside, IN: inside } }, collect());
      expect(outcome.sandboxed).toBe(true);
      // A form that hangs would end the batch at its timeout and skip every form after it.
      expect(outcome.timedOut, JSON.stringify(batch)).toBe(false);
      // A form that hangs would end the batch at its timeout and skip every form after it.
      expect(outcome.timedOut, JSON.stringify(batch)).toBe(false);
      if (snapshot(outside) !== before.outside || snapshot(inside) !== before.inside) escaped.push(...batch);
    }
    expect(escaped).toEqual([]);
    for (const place of SYSTEM_PLACES) expect(() => statSync(place), place).toThrow();
    expect(readFileSync('/proc/sys/kernel/hostname', 'utf8')).toBe(hostname);
    expect(readFileSync('/etc/hosts', 'utf8')).toBe(hostsFile);
  }, 600_000);

  it('still lets a sandboxed cell read, use the network stack and carry exports and cd to the next cell', async () => {
    const out: Buffer[] = [];
    const sink: OutputSink = { onStdout: (c) => void out.push(c), onStderr: () => undefined };
    const first = await session.run({ command: `cat "${outside}/sentinel"\nexport SEEN=yes\ncd /usr`, timeoutMs: 20_000, sandbox: true }, sink);
    expect(first.exitCode).toBe(0);
    const second = await session.run({ command: 'echo "$SEEN $PWD"; getent hosts localhost >/dev/null && echo resolves', timeoutMs: 20_000, sandbox: true }, sink);
    expect(second.exitCode).toBe(0);
    expect(Buffer.concat(out).toString()).toBe('keep\nyes /usr\nresolves\n');
    await session.run({ command: `cd "${outside}"`, timeoutMs: 20_000 }, sink);
  });

  // The kernel lets a process open a FIFO for writing on a read-only mount, and the session shell's
  // request FIFO lives in TMPDIR (`runproof-session.*/ctl`): a TMPDIR outside /tmp is private too.
  it('hides a TMPDIR outside /tmp, so a FIFO in it cannot be written from a read cell', async () => {
    const temp = makeTarget('/var/tmp');
    const fifo = `${temp}/ctl`;
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const own = await createShellSession({ cwd: outside, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: outside, TMPDIR: temp } });
    try {
      const outcome = await own.run({ command: 'echo injected > "$TMPDIR/ctl"; ls -A "$TMPDIR"', timeoutMs: 20_000, sandbox: true, errexit: false }, collect());
      expect(outcome.sandboxed).toBe(true);
      const buffer = Buffer.alloc(64);
      let got = '';
      try {
        got = buffer.subarray(0, readSync(reader, buffer)).toString();
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('EAGAIN');
      }
      expect(got).toBe('');
    } finally {
      closeSync(reader);
      await own.close();
      rmSync(temp, { recursive: true, force: true });
    }
    // System folders are never hidden (read cells read /var/log); /tmp is private anyway.
    expect(sandboxArgs({ cwd: '/', tempDirs: ['/var/log', '/usr', '/', 'relative'] }).filter((a) => a === '--tmpfs').length).toBe(sandboxArgs({ cwd: '/' }).filter((a) => a === '--tmpfs').length);
  });

  // The state a sandboxed cell saves is written inside the sandbox and restored as code by the next
  // cell, which may run outside it. A read cell the classifier got wrong planted variables, a
  // declaration record and a function there, and the next (unsandboxed) cell ran them (red team).
  it('carries no code from a sandboxed cell\'s saved state into the next cell, and still carries its plain state', async () => {
    const own = await createShellSession({ cwd: outside, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: outside } });
    try {
      const planted = [
        `printf '%s\\0SHELLOPTS=xtrace\\0PS4=$(touch "${outside}/ps4")\\0BASH_ENV=/dev/null\\0\\0`,
        `declare -- x=1; touch "${outside}/var"\\0declare -i n="0"\\0declare -n r="PATH"\\0\\0`,
        `kubectl () \\n{ \\n    touch "${outside}/fn"\\n}\\n\\0end\\n' "$PWD" > "$__rp_out"; __rp_saved=1`,
      ].join('');
      const first = await own.run({ command: planted, timeoutMs: 20_000, sandbox: true }, collect());
      expect(first.sandboxed).toBe(true);
      expect((first.warnings ?? []).join('\n')).toContain('SHELLOPTS');
      const legit = 'NS=prod\ndeclare -a arr=(1 "two words" \'$(x)\')\nf() { echo "f $NS"; }\nexport KEEP=yes';
      const second = await own.run({ command: legit, timeoutMs: 20_000, sandbox: true }, collect());
      expect(second.warnings ?? [], JSON.stringify(second.warnings)).toEqual([]);
      const out: Buffer[] = [];
      const sink: OutputSink = { onStdout: (c) => void out.push(c), onStderr: () => undefined };
      const last = await own.run({ command: 'kubectl version --client >/dev/null 2>&1 || true\necho "$NS ${arr[1]} ${arr[2]} $KEEP ${x-unset} ${r-unset}"\nf', timeoutMs: 20_000 }, sink);
      expect(last.exitCode).toBe(0);
      expect(Buffer.concat(out).toString()).toBe('prod two words $(x) yes unset unset\nf prod\n');
      for (const name of ['ps4', 'var', 'fn']) expect(() => statSync(`${outside}/${name}`), name).toThrow();
    } finally {
      await own.close();
    }
  });

  it('ends a sandboxed cell\'s background processes with the cell', async () => {
    const outcome = await session.run({ command: `(sleep 1; echo late > /dev/null) &\necho started`, timeoutMs: 20_000, sandbox: true }, collect());
    expect(outcome.exitCode).toBe(0);
    expect(outcome.warnings ?? []).toEqual([]);
  });
});
