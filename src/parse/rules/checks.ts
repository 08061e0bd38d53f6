import { RunproofError, didYouMean } from '../../core/index.js';
import { parseAssertions } from '../assertions.js';
import type { Cell } from '../types.js';
import { guarded } from './guard.js';
import { sectionById, type ParseRule, type ParseState } from './state.js';

/** Links `assert` and `expect` cells to the runnable cell they check; parses assertion lines. */
export const checksRule: ParseRule = {
  name: 'checks',
  run(state) {
    const byName = new Map<string, Cell>();
    for (const cell of state.cells) if (!byName.has(cell.name)) byName.set(cell.name, cell);
    const byId = new Map(state.cells.map((cell) => [cell.id, cell] as const));
    for (const cell of state.cells) {
      if (cell.kind !== 'assert' && cell.kind !== 'expect') continue;
      const target = cell.attributes.of !== undefined ? namedTarget(state, cell, byName) : nearestAbove(state, cell, byId);
      if (target) cell.checks = target.id;
      if (cell.kind === 'assert') {
        const parsed = guarded(
          state,
          cell.span.line,
          'parseAssertions',
          () => parseAssertions(cell.source, { line: cell.contentLine, col: cell.span.col, file: state.file }),
          { assertions: [], errors: [] },
        );
        parsed.errors.forEach((e) => state.report(e));
        cell.assertions = parsed.assertions;
      }
    }
  },
};

// `of=NAME` may point anywhere in the runbook, but at a cell that runs.
function namedTarget(state: ParseState, cell: Cell, byName: Map<string, Cell>): Cell | undefined {
  const name = cell.attributes.of!;
  const target = byName.get(name);
  if (target?.runnable) return target;
  const runnable = state.cells.filter((c) => c.runnable).map((c) => c.name);
  const close = didYouMean(name, runnable);
  state.report(
    new RunproofError('RP_CELL_NOT_FOUND', target ? `of="${name}" names a cell that does not run (${target.kind})` : `of="${name}" names no cell of this runbook`, {
      file: state.file,
      span: { line: cell.span.line, col: cell.span.col },
      hint: close ? `did you mean ${close}?` : runnable.length > 0 ? `runnable cells: ${runnable.slice(0, 8).join(', ')}${runnable.length > 8 ? ', ...' : ''}` : 'this runbook has no runnable cell',
    }),
  );
  return undefined;
}

// The nearest runnable cell above, in the same section: a check never reaches across headings.
function nearestAbove(state: ParseState, cell: Cell, byId: Map<string, Cell>): Cell | undefined {
  const ids = sectionById(state, cell.sectionId).cellIds;
  for (let i = ids.indexOf(cell.id) - 1; i >= 0; i--) {
    const candidate = byId.get(ids[i]!);
    if (candidate?.runnable) return candidate;
  }
  const code = cell.kind === 'assert' ? 'RP_ORPHAN_ASSERT' : 'RP_ORPHAN_EXPECT';
  const what = cell.kind === 'assert' ? 'assert block' : 'expected output';
  state.warn(code, `the ${what} has no runnable cell above it in its section, so it checks nothing`, { line: cell.span.line, col: cell.span.col }, 'move it under the command it checks, or name that cell with of=NAME');
  return undefined;
}
