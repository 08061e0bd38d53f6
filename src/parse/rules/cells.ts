import { isRunnableKind, type Cell } from '../types.js';
import { sectionById, type Block, type ParseRule } from './state.js';

/** Turns blocks into cells `c1..cN` in document order; an `http` block gives one cell per request. */
export const cellsRule: ParseRule = {
  name: 'cells',
  run(state) {
    for (const block of state.blocks) {
      const section = sectionById(state, block.sectionId);
      const add = (cell: Cell): void => {
        state.cells.push(cell);
        section.cellIds.push(cell.id);
      };
      if (block.kind === 'http' && block.requests) {
        for (const request of block.requests) {
          const cell = baseCell(block, `c${state.cells.length + 1}`);
          cell.source = request.text;
          cell.command = request.text;
          cell.contentLine = request.line;
          cell.http = {
            method: request.method,
            url: request.url,
            headers: request.headers,
            ...(request.body === undefined ? {} : { body: request.body }),
            ...(request.variables === undefined ? {} : { variables: request.variables }),
          };
          if (request.name !== undefined) cell.name = request.name;
          add(cell);
        }
        continue;
      }
      add(baseCell(block, `c${state.cells.length + 1}`));
    }
  },
};

function baseCell(block: Block, id: string): Cell {
  const cell: Cell = {
    id,
    name: '',
    kind: block.kind,
    language: block.language,
    info: block.info,
    attributes: block.attributes,
    source: block.source,
    command: block.command,
    sectionId: block.sectionId,
    span: { line: block.line, col: block.col, endLine: block.endLine },
    contentLine: block.contentLine,
    runnable: isRunnableKind(block.kind),
    params: [],
    variables: [],
  };
  if (block.exampleOutput !== undefined) cell.exampleOutput = block.exampleOutput;
  if (block.docReason !== undefined && block.kind === 'doc') cell.docReason = block.docReason;
  if (block.expectFormat !== undefined && block.kind === 'expect') cell.expectFormat = block.expectFormat;
  if (block.durationsMs?.timeout !== undefined) cell.timeoutMs = block.durationsMs.timeout;
  if (block.durationsMs?.interval !== undefined) cell.intervalMs = block.durationsMs.interval;
  if (block.interpreter !== undefined && block.kind === 'script') cell.interpreter = block.interpreter;
  return cell;
}
