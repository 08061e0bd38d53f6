import { findParameters } from '../params.js';
import { classifyRisk, type PolicyContext, type RiskFinding } from '../risk.js';
import { analyzeShell } from '../shell-lex.js';
import type { Cell, ParamUse } from '../types.js';
import { findVariableReads, findVariableWrites } from '../variables.js';

/** One helper's answer for a cell, or what it threw (rethrown where the rule asks for it). */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What the params, risk and variables rules need from a runnable cell's text. */
export interface CellShellFacts {
  params: Outcome<ParamUse[]>;
  risk: Outcome<RiskFinding>;
  /** Shell cells only. */
  reads?: Outcome<string[]>;
  writes?: Outcome<string[]>;
}

// The params, risk and variables rules all read a cell's shell text: it is lexed once per cell,
// and every answer is computed while the tokens are fresh, so only the small answers are kept
// (keeping 30,000 cells' token trees alive until the last rule would cost more in GC than the
// lexing saved). Keyed by the cell object: two cells with the same text are lexed each on their own.
const facts = new WeakMap<Cell, CellShellFacts>();

function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The value, or the helper's own error thrown again (for the rule's `guarded` to report). */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}

/** The cell's params, risk finding and variable reads/writes, computed once per cell. */
export function cellShellFacts(cell: Cell, policy?: PolicyContext): CellShellFacts {
  let found = facts.get(cell);
  if (found === undefined && cell.kind === 'script') {
    // A program in another language: no shell text to lex, and no placeholders (its text runs as written).
    found = { params: { ok: true, value: [] }, risk: attempt(() => classifyRisk(cell.kind, cell.command)) };
    facts.set(cell, found);
  }
  if (found === undefined) {
    const analysis = attempt(() => analyzeShell(cell.command));
    const withAnalysis = <T>(fn: (a: ReturnType<typeof analyzeShell>) => T): Outcome<T> =>
      analysis.ok ? attempt(() => fn(analysis.value)) : { ok: false, error: analysis.error };
    found = {
      params: withAnalysis((a) => findParameters(cell.command, a)),
      risk: cell.kind === 'shell' ? withAnalysis((a) => classifyRisk(cell.kind, cell.command, cell.http, a, policy)) : attempt(() => classifyRisk(cell.kind, cell.command, cell.http)),
    };
    if (cell.kind === 'shell') {
      found.reads = withAnalysis((a) => findVariableReads(cell.command, a));
      found.writes = withAnalysis((a) => findVariableWrites(cell.command, a));
    }
    facts.set(cell, found);
  }
  return found;
}
