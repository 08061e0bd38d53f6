import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

// Fuzzing the CLI surface in-process (runCli, the same entry as `node dist/cli/main.js`): random
// commands, flags and values against a small runbook, `run` always in --dry-run so nothing
// executes. Every call exits 0, or 2 with RP_* lines on stderr; never 1, never a foreign error
// or a stack trace. RUNPROOF_FUZZ_SEED=<n> replays a failure (fast-check prints seed and path).

const seed = process.env.RUNPROOF_FUZZ_SEED;
const settings = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, ...(seed ? { seed: Number(seed) } : {}) });

const root = mkdtempSync(join(tmpdir(), 'rp-hostile-cli-'));
// The CLI runs with its cwd three levels down, so a relative `../../x` stays inside `root`.
const cwd = join(root, 'a', 'b', 'c');
const evidence = join(root, 'evidence');
const RUNBOOK = `---
title: Fuzz
---
# Fuzz

## Health

\`\`\`bash {name=hello}
echo hello <name>
\`\`\`

\`\`\`assert
exit == 0
\`\`\`

## Change

\`\`\`bash {name=restart}
systemctl restart nothing-here
\`\`\`
`;
const initialCwd = process.cwd();

beforeAll(() => {
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'rb.md'), RUNBOOK);
  writeFileSync(join(cwd, 'nul.md'), Buffer.from('# x\n\u0000'));
  writeFileSync(join(cwd, 'env.txt'), 'name=world\n');
  writeFileSync(join(cwd, 'bad.env'), '=\nexport\n"x\n');
  mkdirSync(join(cwd, 'dir'), { recursive: true });
  process.chdir(cwd);
});
afterAll(() => {
  process.chdir(initialCwd);
  rmSync(root, { recursive: true, force: true });
});

const junk = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('', ' ', '-', '---', '-x', '--nope', '--dry-runn', '-sc', '\u0000', '\n', '../../x', '.', '*', '$(echo)', '`id`', '%s%n', '\u202e', 'a'.repeat(5_000)),
);
const path = fc.constantFrom('rb.md', './rb.md', 'missing.md', 'nul.md', 'dir', 'env.txt', '/dev/null', '', '../../x.md');
const duration = fc.oneof(fc.constantFrom('30s', '0', '-1s', '1h30m', '500ms', '5x', '', '1e309s', '99999999999999h'), junk);
const flagValue: Record<string, fc.Arbitrary<string>> = {
  '--section': fc.oneof(fc.constantFrom('Health', 'health', 'Change', '2', '1', 'Nope', 'Fuzz/Health', ''), junk),
  '-s': fc.constantFrom('Health', 'Heath', '9'),
  '--cell': fc.oneof(fc.constantFrom('hello', 'restart', 'helo', 'health/1', ''), junk),
  '-c': fc.constantFrom('hello', 'restart'),
  '--tag': junk,
  '--set': fc.oneof(fc.constantFrom('name=x', 'name=', 'name', '=x', 'NAME=x', 'name=a=b', 'unknown=1', 'name=\u0000'), junk),
  '--env-file': fc.constantFrom('env.txt', 'bad.env', 'missing.env', 'dir', 'nul.md'),
  '--secret': junk,
  '--timeout': duration,
  '--allow': fc.oneof(fc.constantFrom('read', 'write', 'destructive', 'all', ''), junk),
  '--evidence-name': fc.oneof(fc.constantFrom('ok-name', '../../x', 'a/b', '.', '..', '', 'x\u0000y', 'x\ny', 'CON', 'a'.repeat(300)), junk),
  '--evidence-dir': fc.constantFrom(evidence, join(evidence, 'two'), 'rb.md', '/dev/null'),
  '--ca-file': fc.constantFrom('missing.pem', 'rb.md', 'dir'),
  '--resume': fc.constantFrom('missing-bundle', 'dir', 'rb.md', evidence),
  '--archive': fc.oneof(fc.constantFrom('tgz', 'zip', 'rar', ''), junk),
  '--signing-key': fc.constantFrom('missing.pem', 'rb.md', 'env.txt'),
  '--template-dir': fc.constantFrom('missing-dir', 'dir', 'rb.md'),
};
const booleanFlags = ['--yes', '-y', '--json', '--insecure', '--force', '--help', '--strict', '-h', '--version', '-V'];

const runFlag = fc.oneof(
  fc.constantFrom(...Object.keys(flagValue)).chain((flag) => flagValue[flag]!.map((value) => [flag, value])),
  fc.constantFrom(...Object.keys(flagValue)).chain((flag) => flagValue[flag]!.map((value) => [`${flag}=${value}`])),
  fc.constantFrom(...booleanFlags).map((flag) => [flag]),
  junk.map((word) => [word]),
);
const flags = fc.array(runFlag, { maxLength: 6 }).map((list) => list.flat());
// `--` would turn the fixed --dry-run into a positional word, so it is never generated.
const noDoubleDash = (args: string[]): string[] => args.filter((arg) => arg !== '--');

const argv = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(path, flags).map(([file, rest]) => ['run', '--dry-run', '--evidence-dir', evidence, file, ...rest]) },
  { weight: 2, arbitrary: fc.tuple(path, flags).map(([file, rest]) => ['list', file, ...rest]) },
  { weight: 2, arbitrary: fc.tuple(fc.array(path, { maxLength: 3 }), flags).map(([files, rest]) => ['lint', ...files, ...rest]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('verify', 'evidence', 'recover', 'checklist', 'keygen', 'rnu', 'lsit', ''), fc.array(junk, { maxLength: 3 })).map(([command, rest]) => [command, '--help', ...rest]) },
  { weight: 1, arbitrary: fc.array(junk, { maxLength: 4 }) },
).map(noDoubleDash);

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

// The commands write to process.stdout/stderr directly: both are captured around each call.
async function captured(args: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
}

describe('the CLI surface under random flags (5,000 cases, in-process)', () => {
  it('exits 0, or 2 with RP_* errors; never 1, a foreign error or a stack trace; nothing is written outside', async () => {
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const result = await captured(args);
        codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
        const context = `runproof ${JSON.stringify(args)}\n${result.stderr.slice(0, 2_000)}`;
        expect([0, 2], context).toContain(result.code);
        expect(result.stderr, context).not.toMatch(/RP_INTERNAL|\n\s+at .+:\d+:\d+|TypeError|RangeError|ReferenceError/);
        // Exit 2 names its RP_* code: on stderr, or in the JSON on stdout with --json.
        if (result.code === 2) expect(`${result.stderr}\n${result.stdout}`, context).toMatch(/\bRP_[A-Z0-9_]+\b/);
        expect(process.exitCode).toBeUndefined();
      }),
      settings(5_000),
    );
    // The generator reaches both successful runs and refusals.
    expect(codes.get(0) ?? 0).toBeGreaterThan(100);
    expect(codes.get(2) ?? 0).toBeGreaterThan(100);
    // Evidence names like ../../x never leave the evidence folder: nothing lands beside the runbook's folders.
    expect(readdirSync(root).sort()).toEqual(['a', 'evidence']);
    expect(readdirSync(join(root, 'a'))).toEqual(['b']);
    // 5,000 in-process calls; a successful dry run writes a whole bundle (~0.3 s on a loaded machine).
  }, 300_000);

  it('a dry run through runCli writes a bundle and exits 0; a bad flag exits 2 with a did-you-mean', async () => {
    const ok = await captured(['run', 'rb.md', '--dry-run', '--json', '--evidence-dir', evidence, '--set', 'name=x']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'dry-run' });
    const bad = await captured(['run', 'rb.md', '--dry-runn']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/RP_BAD_FLAG unknown flag --dry-runn \(hint: did you mean --dry-run\?/);
  });
});
