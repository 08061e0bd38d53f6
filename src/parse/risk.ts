import type { CellKind, HttpRequestSpec, RiskLevel } from './types.js';

export interface RiskFinding {
  level: RiskLevel;
  /** The rule and the matched text. */
  reason: string;
}

// STUB (being written): classifies a runnable cell's command as read, write or destructive.
export function classifyRisk(kind: CellKind, command: string, http?: HttpRequestSpec): RiskFinding {
  void kind;
  void command;
  void http;
  return { level: 'write', reason: 'write: not yet classified' };
}
