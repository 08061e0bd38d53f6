// Start-up is module loading: a command loads only its own module (and what that imports), so
// `runproof list` never loads undici, handlebars or archiver. `--help`, `help` and anything that
// is not a known command name load every command, so the root help and "did you mean" see all.
// A command missing from this table still works (every command is loaded); add it for speed.
import type { CommandRegistrar } from '../program.js';

/** Each command's module, in the order `--help` lists them (the same order as index.ts). */
export const COMMAND_LOADERS: ReadonlyArray<readonly [string, () => Promise<CommandRegistrar>]> = [
  ['list', async () => (await import('./list.js')).registerList],
  ['lint', async () => (await import('./lint.js')).registerLint],
  ['run', async () => (await import('./run.js')).registerRun],
  ['verify', async () => (await import('./verify.js')).registerVerify],
  ['recover', async () => (await import('./recover.js')).registerRecover],
  ['evidence', async () => (await import('./evidence.js')).registerEvidence],
  ['keygen', async () => (await import('./keygen.js')).registerKeygen],
  ['demo', async () => (await import('./demo.js')).registerDemo],
  ['checklist', async () => (await import('./checklist.js')).registerChecklist],
  ['schedule', async () => (await import('./schedule.js')).registerSchedule],
  ['plan', async () => (await import('./plan.js')).registerPlan],
  ['approve', async () => (await import('./approve.js')).registerApprove],
];

/** The registrars `args` needs: only the named command's, or all of them. */
export async function registrarsFor(args: readonly string[]): Promise<CommandRegistrar[]> {
  const first = args[0];
  const loader = first === undefined ? undefined : COMMAND_LOADERS.find(([name]) => name === first);
  if (loader) return [await loader[1]()];
  return (await import('./index.js')).registrars;
}
