// SECURITY L2: a secret born in a cell is reported the moment it exists, before any later command
// of the cell prints it, and the watch changes nothing else a cell can see (status, PIPESTATUS,
// failing line, set -u, its own fd 3, servers it leaves running). Real bash.
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchedVariables } from '../../src/execute/secret-watch.js';
import { createShellSession } from '../../src/execute/shell-session.js';
import type { ShellRunRequest, ShellSession } from '../../src/execute/shell-types.js';

let dir: string;
let session: ShellSession;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'rp-secret-watch-')));
  session = await createShellSession({ cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
});

afterEach(async () => {
  await session.close();
  await rm(dir, { recursive: true, force: true });
});

// Runs a cell; each output chunk records which secret values were known when it arrived.
async function run(command: string, extra: Partial<ShellRunRequest> = {}) {
  const known = new Map<string, string>();
  const chunks: Array<{ text: string; known: string[] }> = [];
  const on = (c: Buffer) => void chunks.push({ text: c.toString('utf8'), known: [...known.values()] });
  const outcome = await session.run(
    { command, timeoutMs: 30_000, onSecret: (name, value) => known.set(`${name}=${value}`, value), ...extra },
    { onStdout: on, onStderr: on },
  );
  // A value printed in a chunk must have been known before that chunk arrived.
  const early = chunks.flatMap((c) => [...known.values()].filter((v) => c.text.includes(v) && !c.known.includes(v)).map((v) => `${v} before it was reported`));
  return { outcome, known, early, text: chunks.map((c) => c.text).join('') };
}

describe('secrets born in a cell are reported before the next command', () => {
  it.each([
    ['export, stdout', 'export SERVICE_TOKEN=$(openssl rand -hex 16); echo "$SERVICE_TOKEN"'],
    ['read <<<, stderr', 'read -r API_KEY <<<"k-$(openssl rand -hex 8)"; echo $API_KEY >&2'],
    ['declare', 'declare DB_PASSWORD="p-$(openssl rand -hex 8)"\necho "$DB_PASSWORD"'],
    ['printf -v', 'printf -v MY_SECRET %s "s-$(openssl rand -hex 8)"; printf "%s\\n" "$MY_SECRET"'],
    ['mapfile', 'mapfile -t AUTH_LINES < <(openssl rand -hex 8; openssl rand -hex 8); echo "${AUTH_LINES[1]}"'],
    ['+= append', 'X_TOKEN=ab; X_TOKEN+=$(openssl rand -hex 8); echo "$X_TOKEN"'],
    ['a function', 'mk() { local ROOT_PASS="r-$(openssl rand -hex 8)"; echo "$ROOT_PASS"; }; mk'],
    ['a subshell', '( CHILD_SECRET="c-$(openssl rand -hex 8)"; echo "$CHILD_SECRET" )'],
    ['a pipeline', 'P_TOKEN="t-$(openssl rand -hex 8)"; echo "$P_TOKEN" | cat'],
    ['printed before it is assigned', 'V=$(openssl rand -hex 12)\necho "$V"\nexport LATER_TOKEN=$V'],
    ['through two variables', 'A=$(openssl rand -hex 12); echo "$A"; B=$A; echo "$B"; API_SECRET=${B}'],
    ['read into REPLY, then assigned', 'read -r <<<"$(openssl rand -hex 9)"; echo "$REPLY"; API_KEY=$REPLY'],
  ])('%s', async (_name, command) => {
    const { outcome, known, early } = await run(command);
    expect(outcome.exitCode).toBe(0);
    expect(known.size).toBeGreaterThan(0);
    expect(early).toEqual([]);
  }, 30_000);

  it('watches the variables of the session too, and reports a changed value', async () => {
    await run('export API_TOKEN=first-value-1234');
    const { known, early } = await run('API_TOKEN=$(openssl rand -hex 9); echo "$API_TOKEN"');
    expect([...known.keys()].some((k) => k.startsWith('API_TOKEN=') && !k.endsWith('first-value-1234'))).toBe(true);
    expect(early).toEqual([]);
  }, 30_000);
});

describe('the watch changes nothing else', () => {
  it('keeps $?, PIPESTATUS, $_ and the failing line', async () => {
    const a = await run('API_KEY=abcd1234efgh; false || echo "st=$?"; false | true | (exit 3) || echo "ps=${PIPESTATUS[*]}"; echo x y; echo "last=$_"');
    expect(a.text).toContain('st=1');
    expect(a.text).toContain('ps=1 0 3');
    expect(a.text).toContain('last=y');
    const b = await run('API_KEY=abcd1234efgh\necho one\nfalse\necho two');
    expect(b.outcome.exitCode).toBe(1);
    expect(b.outcome.failedLine).toBe(3);
    expect(b.text).toBe('one\n');
  }, 30_000);

  it('works under set -eu with unset secret-named variables', async () => {
    const { outcome, text } = await run('set -eu\necho "${NOT_SET_TOKEN:-none}"\nNEW_TOKEN=zzzz9999\necho done');
    expect(outcome.exitCode).toBe(0);
    expect(text).toBe('none\ndone\n');
  }, 30_000);

  it('leaves fd 3 to the cell, and a cell that closes the watch only loses the live report', async () => {
    const { outcome, text } = await run(`exec 3>${dir}/three.txt; echo mine >&3; exec 3>&-; cat ${dir}/three.txt; API_TOKEN=qwerty12345; echo ok`);
    expect(outcome.exitCode).toBe(0);
    expect(text).toBe('mine\nok\n');
    const closed = await run('for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; SOME_TOKEN=abcdef123456; echo fine');
    expect(closed.outcome.exitCode).toBe(0);
    expect(closed.text).toBe('fine\n');
  }, 30_000);

  it('a server the cell leaves running with its output elsewhere does not hold the cell open', async () => {
    const { outcome } = await run(`API_KEY=abcd1234; nohup sleep 30 > ${dir}/srv.log 2>&1 &\necho started`);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.warnings ?? []).toEqual([]);
  }, 30_000);
});

describe('watchedVariables', () => {
  it('finds secret-named variables, names after builtins and what flows into them', () => {
    const w = watchedVariables('V=$(gen)\nW=$V\nexport API_TOKEN="$W"\nread -r DB_PASS\necho "$FILE" ${X_KEY:-a}\nY_SECRET=$(cat "$FILE")', ['OLD_PASSWORD', 'HOME']);
    expect(Object.fromEntries(w)).toEqual({
      OLD_PASSWORD: 'OLD_PASSWORD',
      API_TOKEN: 'API_TOKEN',
      W: 'API_TOKEN',
      V: 'API_TOKEN',
      DB_PASS: 'DB_PASS',
      X_KEY: 'X_KEY',
      Y_SECRET: 'Y_SECRET',
    });
  });

  it('does not taint a neighbouring statement nor bash\'s own variables', () => {
    expect([...watchedVariables('API_KEY=abcd; echo "$USER $HOST_NAME"; echo "last=$_"', []).keys()]).toEqual(['API_KEY']);
  });

  it('watches nothing in a cell without secret-named variables', () => {
    expect(watchedVariables('for i in $(seq 1 10); do echo $i; done', ['HOME', 'PATH']).size).toBe(0);
  });
});
