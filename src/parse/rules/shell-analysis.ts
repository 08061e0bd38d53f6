import { findParameters } from '../params.js';
import { classifyRisk, type PolicyContext, type RiskFinding } from '../risk.js';
import { analyzeShell } from '../shell-lex.js';
import type { Cell, ParamUse } from '../types.js';
import { findVariableReads, findVariableWrites } from '../variables.js';
import type { ParseState } from './state.js';

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

// The params, risk and variables rules all read a cell's shell text: it is lexed once per cell
// text, and every answer is computed while the tokens are fresh, so only the small answers are kept
// (keeping 30,000 cells' token trees alive until the last rule would cost more in GC than the
// lexing saved). Runbooks repeat commands (`kubectl get pods -n <ns>` in every section), so the
// answers of a shell cell are kept per text for one parse: every answer depends only on the text
// and the parse's team policy (which is the same for the whole parse). Other kinds read their
// parsed request (`cell.http`), so they are keyed by the cell object only.
const byCell = new WeakMap<Cell, CellShellFacts>();
// Per parse (the state), so nothing outlives it.
const byText = new WeakMap<ParseState, Map<string, CellShellFacts>>();
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

/** The cell's params, risk finding and variable reads/writes, computed once per shell text in a parse. */
export function cellShellFacts(state: ParseState, cell: Cell): CellShellFacts {
  let found = byCell.get(cell);
  if (found !== undefined) return found;
  let cache = byText.get(state);
  if (cache === undefined) byText.set(state, (cache = new Map()));
  found = cell.kind === 'shell' ? cache.get(cell.command) : undefined;
  if (found === undefined) {
    found = computeFacts(cell, state.policy);
    // A failed answer is reported at each cell's line as its own error, so it is not shared.
    if (cell.kind === 'shell' && isAllOk(found)) cache.set(cell.command, found);
  }
  byCell.set(cell, found);
  return found;
}

/** Drops what was computed for a cell whose text changed (pasted output split off). */
export function forgetCellShellFacts(cell: Cell): void {
  byCell.delete(cell);
}

function isAllOk(facts: CellShellFacts): boolean {
  return facts.params.ok && facts.risk.ok && facts.reads?.ok !== false && facts.writes?.ok !== false;
}

function computeFacts(cell: Cell, policy?: PolicyContext): CellShellFacts {
  // A program in another language: no shell text to lex, and no placeholders (its text runs as written).
  if (cell.kind === 'script') return { params: { ok: true, value: [] }, risk: attempt(() => classifyRisk(cell.kind, cell.command)) };
  const analysis = attempt(() => analyzeShell(cell.command));
  const withAnalysis = <T>(fn: (a: ReturnType<typeof analyzeShell>) => T): Outcome<T> =>
    analysis.ok ? attempt(() => fn(analysis.value)) : { ok: false, error: analysis.error };
  const found: CellShellFacts = {
    params: withAnalysis((a) => findParameters(cell.command, a)),
    risk: cell.kind === 'shell' ? withAnalysis((a) => classifyRisk(cell.kind, cell.command, cell.http, a, policy)) : attempt(() => classifyRisk(cell.kind, cell.command, cell.http)),
  };
  if (cell.kind === 'shell') {
    found.reads = withAnalysis((a) => findVariableReads(cell.command, a));
    found.writes = withAnalysis((a) => findVariableWrites(cell.command, a));
  }
  return found;
}
