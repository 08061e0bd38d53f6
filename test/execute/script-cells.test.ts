// Issue K.5: cells in other languages, as Runme runs them. Real python3, node and perl; real
// process groups; the session's directory and environment; risk `write` unless the author says.
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/app/run-runbook.js';
import { parseRunbook } from '../../src/parse/index.js';
import { RunRecordSchema } from '../../src/record/index.js';
import { probeSandbox } from '../../src/execute/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-script-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(markdown: string, options: { allow?: Array<'write'>; sandbox?: 'off' | 'warn' | 'required' } = { allow: ['write'] }) {
  const runbookPath = join(dir, 'runbook.md');
  writeFileSync(runbookPath, markdown);
  const result = await runRunbook({
    runbookPath,
    mode: 'unattended',
    ...(options.allow ? { allow: options.allow } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    cwd: dir,
    evidenceDir: join(dir, 'evidence'),
  });
  expect(RunRecordSchema.safeParse(result.record).success).toBe(true);
  return result;
}

const fence = (info: string, body: string): string => `\`\`\`${info}\n${body}\n\`\`\`\n`;

describe('script cells', () => {
  it('parses python/py, js/javascript/node, ruby/rb, perl fences and interpreter= as script cells with their interpreter, risk write', () => {
    const text = [
      '# Scripts',
      fence('python', 'print(1)'),
      fence('py', 'print(1)'),
      fence('js', 'console.log(1)'),
      fence('javascript', 'console.log(1)'),
      fence('node', 'console.log(1)'),
      fence('ruby', 'puts 1'),
      fence('rb', 'puts 1'),
      fence('perl', 'print 1'),
      fence('lua {interpreter=lua5.4}', 'print(1)'),
      fence('bash {interpreter="python3 -u"}', 'print(1)'),
      fence('bash {interpreter=zsh}', 'echo still a shell cell'),
      fence('python {risk=read}', 'print(1)'),
      fence('lua', 'print(1)'),
    ].join('\n');
    const cells = parseRunbook(text, { path: 'scripts.md' }).cells;
    expect(cells.map((c) => [c.kind, c.interpreter ?? null])).toEqual([
      ['script', 'python3'],
      ['script', 'python3'],
      ['script', 'node'],
      ['script', 'node'],
      ['script', 'node'],
      ['script', 'ruby'],
      ['script', 'ruby'],
      ['script', 'perl'],
      ['script', 'lua5.4'],
      ['script', 'python3 -u'],
      ['shell', null],
      ['script', 'python3'],
      ['doc', null],
    ]);
    expect(cells.slice(0, 11).filter((c) => c.kind === 'script').every((c) => c.risk?.level === 'write' && /script cell runs a program/.test(c.risk.reason))).toBe(true);
    expect(cells[11]!.risk).toMatchObject({ level: 'read', classified: 'write', overridden: true });
    // Placeholders are not filled in in program text: `{x}` in an f-string is Python, not a parameter.
    expect(parseRunbook(`# P\n\n${fence('python', 'x = 1\nprint(f"{x} <y>")')}`, { path: 'p.md' }).params).toEqual([]);
  });

  it('runs python3, node and perl in the session directory with its exported variables, and records their output and exit codes', async () => {
    const result = await run(
      [
        '# Scripts',
        '## Prepare',
        fence('bash', 'mkdir -p work && cd work && export GREETING=hello'),
        '## Python',
        fence('python', 'import os, sys\nprint(os.environ["GREETING"], os.getcwd().endswith("/work"))\nprint("to stderr", file=sys.stderr)'),
        '## Node',
        fence('js', 'console.log(process.env.GREETING + " from node", process.cwd().endsWith("/work"))'),
        '## Perl',
        fence('perl', 'use Cwd; print "$ENV{GREETING} from perl ", (getcwd() =~ m{/work$} ? "yes" : "no"), "\\n"; exit 3;'),
        '## After',
        fence('bash', 'echo still-running'),
      ].join('\n'),
    );
    const [, python, node, perl, after] = result.record.steps;
    expect(python!.kind).toBe('script');
    expect(python!.status).toBe('passed');
    expect(python!.attempts[0]!.stdout.inline).toBe('hello True\n');
    expect(python!.attempts[0]!.stderr.inline).toBe('to stderr\n');
    expect(node!.attempts[0]!.stdout.inline).toBe('hello from node true\n');
    expect(node!.status).toBe('passed');
    expect(perl!.attempts[0]!.stdout.inline).toBe('hello from perl yes\n');
    expect(perl!.attempts[0]!.exitCode).toBe(3);
    expect(perl!.status).toBe('failed');
    expect(perl!.note).toMatch(/exit code 3, expected 0/);
    expect(after!.status).toBe('passed');
  }, 120_000);

  it('kills the script and everything it started at the timeout, in its own process group', async () => {
    const pidFile = join(dir, 'child.pid');
    const script = `import subprocess, time\np = subprocess.Popen(["sleep", "300"])\nwith open(${JSON.stringify(pidFile)}, "w") as f: f.write(str(p.pid))\ntime.sleep(300)`;
    const result = await run(['# Slow', '## Sleep', fence('python {timeout=5s}', script), '## After', fence('bash', 'echo still-running')].join('\n'));
    const [slow, after] = result.record.steps;
    expect(slow!.status).toBe('timed-out');
    expect(slow!.attempts[0]!.timedOut).toBe(true);
    expect(existsSync(pidFile)).toBe(true);
    // Gone, or a zombie nobody reaps in this container (killed all the same): never running.
    const child = Number(readFileSync(pidFile, 'utf8'));
    const state = existsSync(`/proc/${child}/stat`) ? readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]![0] : 'gone';
    expect(['gone', 'Z']).toContain(state);
    expect(after!.status).toBe('passed');
  }, 120_000);

  it('a missing interpreter is a failed step with a clear reason, and the run goes on', async () => {
    const result = await run(['# Missing', '## Lua', fence('lua {interpreter=no-such-interpreter-rp}', 'print(1)'), '## After', fence('bash', 'echo still-running')].join('\n'));
    const [missing, after] = result.record.steps;
    expect(missing!.status).toBe('failed');
    expect(missing!.note).toBe('the interpreter no-such-interpreter-rp was not found on PATH: install it, or name another with interpreter=');
    expect(after!.status).toBe('passed');
  }, 60_000);

  it('unattended, a script is blocked without --allow write; with risk=read it runs in the sandbox, where it cannot write', async () => {
    const target = join(dir, 'written-by-script');
    const body = `open(${JSON.stringify(target)}, "w").write("x")`;
    const blocked = await run(['# Blocked', '## Write', fence('python', body)].join('\n'), {});
    expect(blocked.record.steps[0]!.status).toBe('blocked');
    const sandboxed = await run(['# Read', '## Claims read', fence('python {risk=read}', body)].join('\n'), { sandbox: 'warn' });
    const step = sandboxed.record.steps[0]!;
    // Where bwrap cannot run (--sandbox warn), the record says so and the script ran unsandboxed.
    const { available } = await probeSandbox();
    expect(step.sandboxed).toBe(available);
    if (available) {
      expect(step.status).toBe('failed');
      expect(step.attempts[0]!.stderr.inline).toMatch(/Read-only file system|Permission denied/);
    }
    expect(existsSync(target)).toBe(!available);
  }, 60_000);
});

describe('script cells and a remote session', () => {
  it('with shell cells on another host (a given session), a script cell is a failed step saying it runs only here', async () => {
    const { openBundle, createRedactor, readJournal, buildRecord } = await import('../../src/record/index.js');
    const { runNotebook, createShellSession } = await import('../../src/execute/index.js');
    const { planRun } = await import('../../src/plan/index.js');
    const notebook = parseRunbook(['# Remote', '## Py', fence('python', 'print(1)'), '## Sh', fence('bash', 'echo remote-shell')].join('\n'), { path: 'remote.md' });
    const plan = planRun(notebook, { mode: 'unattended', allow: ['write'] });
    const bundle = await openBundle({ evidenceDir: join(dir, 'ev'), name: 'remote', redactor: createRedactor([]) });
    const session = await createShellSession({ cwd: dir });
    try {
      const outcome = await runNotebook({
        plan,
        runbook: { path: 'remote.md', sha256: '0'.repeat(64), title: 'Remote', git: { commit: null, dirty: null } },
        sink: bundle,
        evidenceName: 'remote',
        bundleName: bundle.baseName,
        operator: { user: 'test', host: 'test' },
        cwd: dir,
        session,
      });
      expect(outcome.status).toBe('failed');
      const record = buildRecord((await readJournal(bundle.journalPath)).events);
      expect(record.steps.map((s) => s.status)).toEqual(['failed', 'passed']);
      expect(record.steps[0]!.note).toMatch(/script cells run only on this machine, not on a remote host/);
    } finally {
      await session.close();
      await bundle.close();
    }
  }, 60_000);
});
