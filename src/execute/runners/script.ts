import { valuesReadBy } from '../env-scope.js';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { startGroupProcess } from '../process-group.js';
import { sandboxArgs } from '../sandbox.js';
import { DEFAULT_KILL_GRACE_MS, DEFAULT_PIPE_DRAIN_MS } from '../shell-types.js';
import { reclassified } from './edit.js';
import { notRunOutcome, outcomeOf } from './outcome.js';
import type { Runner } from './types.js';

const EXTENSIONS: Record<string, string> = { python3: 'py', python: 'py', node: 'js', ruby: 'rb', perl: 'pl' };

// Where `program` is found on PATH (or itself, when it names a path); undefined when nowhere.
function findProgram(program: string, path: string | undefined, cwd: string): string | undefined {
  const executable = (file: string): boolean => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes('/')) {
    const file = isAbsolute(program) ? program : resolve(cwd, program);
    return executable(file) ? file : undefined;
  }
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

/**
 * Script cells (`python`, `js`/`node`, `ruby`, `perl` fences, or Runme's `interpreter=`): the text is
 * written to a private file and run as `INTERPRETER FILE` in the session's directory and environment,
 * in its own process group, killed (the whole group) at the timeout or on Ctrl-C. A script cannot
 * change the shell session. An unattended `read` script (the author's `risk=read`) runs in the sandbox.
 */
export const scriptRunner: Runner = {
  judgesExitCode: true,
  sandboxable: true,
  edit: (step, text) => reclassified(step, text),

  async run(context, { step, startedAt, signal, output, onProcessStart }) {
    if (context.remote) return { outcome: notRunOutcome(startedAt, 'script cells run only on this machine, not on a remote host; write the step as a shell cell') };
    const words = (step.interpreter ?? '').trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) return { outcome: notRunOutcome(startedAt, 'the script cell names no interpreter: set interpreter=PROGRAM') };
    const session = context.openSession();
    const env: Record<string, string> = { ...context.baseEnv, ...valuesReadBy(step.command, context.plan.env), ...(session ? session.variables() : {}), ...context.captured, ...step.env };
    const base = context.cwd();
    const cwd = step.cwd ? resolve(base, step.cwd) : base;
    const program = words[0]!;
    const found = findProgram(program, env.PATH, cwd);
    if (found === undefined) {
      return { outcome: notRunOutcome(startedAt, `the interpreter ${program} was not found${program.includes('/') ? '' : ' on PATH'}: install it, or name another with interpreter=`) };
    }
    const dir = mkdtempSync(join(tmpdir(), 'runproof-script-'));
    try {
      const file = join(dir, `cell.${EXTENSIONS[program.split('/').pop()!] ?? 'txt'}`);
      writeFileSync(file, step.command.endsWith('\n') ? step.command : `${step.command}\n`, { mode: 0o600 });
      const marker = `script-${randomBytes(6).toString('hex')}`;
      env.RUNPROOF_SESSION = marker;
      env.PWD = cwd;
      const sandboxed = context.sandboxed(step);
      const command = [found, ...words.slice(1), file];
      const [exe, ...args] = sandboxed ? ['bwrap', ...sandboxArgs({ cwd, ...(env.HOME ? { home: env.HOME } : {}), readOnly: [dir] }), ...command] : command;
      const proc = startGroupProcess({
        file: exe!,
        args,
        cwd,
        env,
        stdin: 'ignore',
        sink: output,
        timeoutMs: step.timeoutMs,
        signal,
        killGraceMs: DEFAULT_KILL_GRACE_MS,
        pipeDrainMs: DEFAULT_PIPE_DRAIN_MS,
        onSpawn: (pid) => onProcessStart({ pgid: pid, session: marker }),
      });
      const end = await proc.done;
      const outcome = outcomeOf(end.startedAt.toISOString(), {
        durationMs: end.durationMs,
        exitCode: end.exitCode,
        signal: end.signal,
        timedOut: end.timedOut,
        interrupted: end.interrupted,
        ...(proc.pid !== undefined ? { pid: proc.pid } : {}),
        ...(end.error ? { error: end.error } : {}),
        ...(end.warnings.length > 0 ? { warnings: end.warnings } : {}),
        ...(sandboxed ? { sandboxed: true } : {}),
      });
      return { outcome };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
