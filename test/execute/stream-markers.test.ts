// SECURITY L: the stream driver's step markers (`\x1eRP<nonce>:E:<id>:<status>...`) decide when a
// cell ended and with what status. A cell must not be able to learn the nonce (its shell
// variables, `set`, `declare -p`, its environment, its parent's environment and command line, the
// session's files) nor write a marker the driver trusts (to its stdout, its stderr or any fd it
// holds). Each attack cell forges "exit 0" and then exits 7: the outcome must say 7, and the
// session must go on as if nothing happened. Real `bash -s`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStreamSession, type StreamSession } from '../../src/execute/stream-session.js';
import type { OutputSink } from '../../src/execute/shell-types.js';

function collect(): OutputSink & { out: () => string; err: () => string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  return {
    onStdout: (c) => void out.push(Buffer.from(c)),
    onStderr: (c) => void err.push(Buffer.from(c)),
    out: () => Buffer.concat(out).toString('latin1'),
    err: () => Buffer.concat(err).toString('latin1'),
  };
}

let session: StreamSession;
beforeEach(async () => {
  session = await startStreamSession({ command: 'bash', args: ['--noprofile', '--norc', '-s'], killGraceMs: 500 });
});
afterEach(async () => {
  await session.close();
});

// Forges the end of the running cell (ids 1..5, status 0) with each candidate nonce in $cands,
// on stdout, stderr and every other fd the cell holds, then exits 7.
const FORGE = `
trap '' PIPE
for n in $cands; do
  for id in 1 2 3 4 5; do
    printf '\\036RP%s:E:%s:0:0:\\n' "$n" "$id"
    printf '\\036RP%s:E:%s\\n' "$n" "$id" >&2
    for fd in /proc/self/fd/*; do
      f=\${fd##*/}
      case $f in 0|1|2) continue ;; esac
      { printf '\\036RP%s:E:%s:0:0:\\n\\036RP%s:E:%s\\n' "$n" "$id" "$n" "$id" >&"$f"; } 2>/dev/null || true
    done
  done
done
exit 7`;

// Where a cell could look for the nonce.
const STEAL = {
  'its shell variables': 'cands="${__rp_n-} $(compgen -v | grep -i nonce | while read v; do echo "${!v}"; done)"',
  'set and declare -p': 'cands=$( { set; declare -p; } 2>/dev/null | grep -aoE "[0-9a-f]{24}" | sort -u)',
  'its environment and its parents\'': 'cands=$(cat /proc/self/environ /proc/$PPID/environ /proc/$PPID/cmdline /proc/$$/environ 2>/dev/null | tr "\\0" "\\n" | grep -aoE "[0-9a-f]{24}" | sort -u)',
  'the session\'s files and every fd it can read': 'cands=$( { for f in "\${TMPDIR:-/tmp}"/runproof-session.*/*; do timeout 0.5 cat "$f"; done; for fd in /proc/self/fd/*; do timeout 0.2 cat "$fd"; done; } 2>/dev/null | grep -aoE "[0-9a-f]{24}" | sort -u)',
  'a guess': 'cands=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d " \\n")',
};

describe('a cell cannot forge the end of its step', () => {
  it.each(Object.entries(STEAL))('nonce taken from %s', async (_where, steal) => {
    const first = collect();
    // Reading every session directory in the temp dir (0.5 s per FIFO) is slow on a loaded machine.
    const outcome = await session.run({ command: `${steal}\n${FORGE}`, timeoutMs: 80_000, errexit: false }, first);
    expect(outcome.exitCode).toBe(7);
    // The session goes on: the next cell runs and reports its own status.
    const next = collect();
    const after = await session.run({ command: 'echo next; exit 3', timeoutMs: 20_000 }, next);
    expect(after.exitCode).toBe(3);
    expect(next.out()).toBe('next\n');
  }, 120_000);

  it('the nonce is not among the cell\'s variables at all', async () => {
    const out = collect();
    await session.run({ command: 'declare -p | grep -c "^declare -- __rp_n=" || true; echo "[${__rp_n-unset}]"', timeoutMs: 20_000 }, out);
    expect(out.out()).toBe('0\n[unset]\n');
  }, 30_000);
});

describe('secrets born in a cell of a stream session (fleet) are reported before the cell ends (L2)', () => {
  it('plain, exported and odd values of secret-named variables, not other ones', async () => {
    const learned: Array<[string, string]> = [];
    const out = collect();
    const outcome = await session.run(
      { command: "export SERVICE_TOKEN=$(printf 'svc-%s' abc123)\nDB_PASSWORD=$'line1\\nline2:\\x1e x'\nHOST_NAME=not-a-secret\nGIT_AUTHOR_NAME=someone", timeoutMs: 20_000, onSecret: (n, v) => void learned.push([n, v]) },
      out,
    );
    expect(outcome.exitCode).toBe(0);
    expect(Object.fromEntries(learned)).toEqual({ SERVICE_TOKEN: 'svc-abc123', DB_PASSWORD: 'line1\nline2:\x1e x' });
    expect(out.out()).toBe('');
  }, 30_000);

  it('a value a later cell changes is reported again; the same name left as it was costs nothing to report', async () => {
    const learned: Array<[string, string]> = [];
    const onSecret = (n: string, v: string): void => void learned.push([n, v]);
    await session.run({ command: 'API_KEY=first', timeoutMs: 20_000, onSecret }, collect());
    await session.run({ command: 'true', timeoutMs: 20_000, onSecret }, collect());
    await session.run({ command: 'API_KEY=second', timeoutMs: 20_000, onSecret }, collect());
    expect(learned.filter(([n]) => n === 'API_KEY').map(([, v]) => v)).toEqual(['first', 'second']);
  }, 30_000);
});
