/** Environment variables every shell has; never reported as unset. */
export const WELL_KNOWN_ENV: ReadonlySet<string> = new Set(['HOME', 'PATH', 'USER', 'PWD', 'SHELL']);

// STUB (being written): the variables a command reads ($VAR, ${VAR}), in order of first use.
export function findVariableReads(command: string): string[] {
  void command;
  return [];
}

// STUB (being written): the variables a command sets for later cells (export X=, X=, read X, for X in).
export function findVariableWrites(command: string): string[] {
  void command;
  return [];
}
