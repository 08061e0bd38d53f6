import { isSecretName } from '../../core/index.js';
import type { ShellRunRequest } from '../shell-types.js';
import { valuesReadBy } from '../env-scope.js';
import { reclassified } from './edit.js';
import { notRunOutcome, outcomeOf } from './outcome.js';
import type { Runner } from './types.js';

/** Shell cells: one cell of the run's shell session (local, or a remote host's for fleet runs). */
export const shellRunner: Runner = {
  judgesExitCode: true,
  sandboxable: true,
  edit: (step, text) => reclassified(step, text),

  async run(context, { step, startedAt, signal, output, onProcessStart }) {
    const shell = await context.session();
    const request: ShellRunRequest = {
      command: step.command,
      timeoutMs: step.timeoutMs,
      // --env-file and --set values reach only the cells that name them.
      env: { ...valuesReadBy(step.command, context.plan.env), ...step.env },
      ...(signal ? { signal } : {}),
      // An `interactive` cell (sudo, ssh prompts) reads the operator's terminal in an interactive run.
      ...(step.interactive && context.plan.mode === 'interactive' ? { stdin: 'inherit' as const } : {}),
      ...(step.shell ? { shell: step.shell } : {}),
      ...(step.cwd ? { cwd: step.cwd } : {}),
      ...(step.errexit === false ? { errexit: false } : {}),
      ...(context.sandboxed(step) ? { sandbox: true } : {}),
      onStart: onProcessStart,
      // A secret born in the cell is hidden before the cell's next command prints (SECURITY L2).
      onSecret: (name: string, value: string) => context.addSecret(name, value),
    };
    if (!step.background) return { outcome: await shell.run(request, output) };
    const handle = await shell.startBackground(request, output);
    return handle.error ? { outcome: notRunOutcome(startedAt, handle.error) } : { outcome: outcomeOf(startedAt, { background: true }), background: handle };
  },

  // Secret-named variables the cell created are secrets before the next cell runs (SECURITY L2).
  afterAttempt(context) {
    const session = context.openSession();
    if (!session) return;
    for (const [name, value] of Object.entries(session.variables({ plain: true }))) {
      if (isSecretName(name.replace(/\[\d+\]$/, '')) && value.trim() !== '') context.addSecret(name, value);
    }
  },
};
