import { WELL_KNOWN_ENV } from '../variables.js';
import { guarded } from './guard.js';
import { cellShellFacts, unwrap } from './shell-analysis.js';
import type { ParseRule } from './state.js';

const UPPER_CASE = /^[A-Z_][A-Z0-9_]*$/;

// Unattended, a variable nothing sets expands to nothing: `curl -H "X-API-Key: $AOS_API_KEY"`
// then runs without its key. Front matter params, earlier cells (export, assignment, capture,
// an UPPER_CASE name as in Runme) and the well-known environment count as set.
/** Lists the variables each shell cell reads that nothing sets before it; one warning per variable. */
export const variablesRule: ParseRule = {
  name: 'variables',
  run(state) {
    const available = new Set<string>(Object.keys(state.frontMatter.params ?? {}));
    const unset = new Map<string, { cells: string[]; seen: Set<string>; line: number; col: number }>();
    for (const cell of state.cells) {
      if (!cell.runnable || cell.kind !== 'shell') continue;
      const reads = guarded(state, cell.span.line, 'findVariableReads', () => unwrap(cellShellFacts(state, cell).reads ?? { ok: true, value: [] }), []);
      cell.variables = reads.filter((name) => !available.has(name) && !WELL_KNOWN_ENV.has(name));
      for (const name of cell.variables) {
        const entry = unset.get(name);
        if (!entry) {
          unset.set(name, { cells: [cell.name], seen: new Set([cell.name]), line: cell.span.line, col: cell.span.col });
        } else if (!entry.seen.has(cell.name)) {
          entry.seen.add(cell.name);
          entry.cells.push(cell.name);
        }
      }
      for (const name of guarded(state, cell.span.line, 'findVariableWrites', () => unwrap(cellShellFacts(state, cell).writes ?? { ok: true, value: [] }), [])) available.add(name);
      if (cell.attributes.capture !== undefined) available.add(cell.attributes.capture);
      if (cell.attributes.name !== undefined && UPPER_CASE.test(cell.attributes.name)) available.add(cell.attributes.name);
    }
    for (const [name, entry] of unset) {
      const cells = entry.cells.length > 3 ? `${entry.cells.slice(0, 3).join(', ')} and ${entry.cells.length - 3} more` : entry.cells.join(', ');
      state.warn(
        'RP_UNSET_VARIABLE',
        `$${name} is read by ${entry.cells.length === 1 ? 'cell' : 'cells'} ${cells} but nothing in the runbook sets it; unattended it expands to nothing`,
        { line: entry.line, col: entry.col },
        `provide it with --set ${name}=value, a front matter param, or an export in an earlier cell`,
      );
    }
  },
};
