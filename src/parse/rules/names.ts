import { RunproofError } from '../../core/index.js';
import type { Cell } from '../types.js';
import { sectionById, type ParseRule } from './state.js';

// Names must line up across runs of the same runbook: `name` attribute, else the request's
// `# @name` (http), else `<section-slug>/<n>` counting runnable cells of the section. Cells
// that never run are named `<section-slug>/<kind>-<k>` (`health-checks/expect-1`).
/** Gives every cell its stable name and rejects two cells with one name. */
export const namesRule: ParseRule = {
  name: 'names',
  run(state) {
    const counters = new Map<string, number>();
    const seen = new Map<string, Cell>();
    const requestsOfBlock = new Map<number, number>();
    for (const cell of state.cells) {
      if (cell.kind === 'http') requestsOfBlock.set(cell.span.line, (requestsOfBlock.get(cell.span.line) ?? 0) + 1);
    }
    const requestIndex = new Map<number, number>();
    for (const cell of state.cells) {
      const section = sectionById(state, cell.sectionId);
      const counterKey = `${section.id}\u0000${cell.runnable ? '' : cell.kind}`;
      const n = (counters.get(counterKey) ?? 0) + 1;
      counters.set(counterKey, n);
      const fallback = cell.runnable ? `${section.slug}/${n}` : `${section.slug}/${cell.kind}-${n}`;
      const attributeName = cell.attributes.name;
      if (cell.kind === 'http') {
        const k = (requestIndex.get(cell.span.line) ?? 0) + 1;
        requestIndex.set(cell.span.line, k);
        const several = (requestsOfBlock.get(cell.span.line) ?? 1) > 1;
        // A request's own `# @name` wins; a block `name` names a lone request, or prefixes several.
        if (cell.name === '') cell.name = attributeName === undefined ? fallback : several ? `${attributeName}-${k}` : attributeName;
      } else {
        cell.name = attributeName ?? fallback;
      }
      const first = seen.get(cell.name);
      if (first) {
        state.report(
          new RunproofError('RP_DUPLICATE_CELL_NAME', `two cells are named "${cell.name}" (lines ${first.span.line} and ${cell.span.line})`, {
            file: state.file,
            span: { line: cell.span.line, col: cell.span.col },
            hint: 'give one of them another name attribute, e.g. {name=check-ready-2}',
          }),
        );
      } else {
        seen.set(cell.name, cell);
      }
    }
  },
};
