import type { Notebook } from '../types.js';
import { guarded } from './guard.js';
import { cellShellFacts, unwrap } from './shell-analysis.js';
import type { ParseRule, ParseState } from './state.js';

/** Finds each runnable cell's placeholders and builds the notebook's parameter list. */
export const paramsRule: ParseRule = {
  name: 'params',
  run(state) {
    for (const cell of state.cells) {
      if (!cell.runnable) continue;
      cell.params = guarded(state, cell.span.line, 'findParameters', () => unwrap(cellShellFacts(state, cell).params).map((use) => ({ ...use })), []);
    }
  },
};

type NotebookParam = Notebook['params'][number];

// Front matter declarations come first, in their order, then parameters met in cells.
/** Every parameter of the notebook with the names of the cells using it. */
export function collectNotebookParams(state: ParseState): NotebookParam[] {
  const params = new Map<string, NotebookParam>();
  for (const [name, value] of Object.entries(state.frontMatter.params ?? {})) {
    const param: NotebookParam = { name, secret: false, cells: [] };
    if (value !== null && typeof value === 'object') {
      if (value.default !== undefined) param.default = String(value.default);
      if (value.description !== undefined) param.description = value.description;
      param.secret = value.secret ?? false;
      if (value.choices !== undefined) param.choices = value.choices.map(String);
      if (value.pattern !== undefined) param.pattern = value.pattern;
    } else {
      param.default = String(value);
    }
    params.set(name, param);
  }
  const users = new Map<string, Set<string>>();
  for (const cell of state.cells) {
    for (const use of cell.params) {
      let param = params.get(use.name);
      if (!param) {
        param = { name: use.name, secret: false, cells: [] };
        params.set(use.name, param);
      }
      let seen = users.get(use.name);
      if (!seen) users.set(use.name, (seen = new Set()));
      if (!seen.has(cell.name)) {
        seen.add(cell.name);
        param.cells.push(cell.name);
      }
    }
  }
  return [...params.values()];
}
