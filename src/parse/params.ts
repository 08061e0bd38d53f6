import type { ParamUse } from './types.js';

// STUB (being written): finds `<commit_sha>` / `{trace_id}` placeholders in a runnable command.
export function findParameters(command: string): ParamUse[] {
  void command;
  return [];
}
