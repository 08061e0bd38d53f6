import { parseHttpBlock } from '../http-request.js';
import { guarded } from './guard.js';
import type { ParseRule } from './state.js';

/** Splits each `http` block into its requests (REST-Client form, `###` between requests). */
export const httpRule: ParseRule = {
  name: 'http',
  run(state) {
    for (const block of state.blocks) {
      if (block.kind !== 'http') continue;
      const parsed = guarded(state, block.line, 'parseHttpBlock', () => parseHttpBlock(block.source, { line: block.contentLine, file: state.file }), { requests: [], errors: [] });
      parsed.errors.forEach((e) => state.report(e));
      block.requests = parsed.requests;
      if (parsed.requests.length === 0 && parsed.errors.length === 0) {
        state.warn('RP_EMPTY_CELL', 'the http block holds no request; it is shown only', { line: block.line, col: block.col }, 'write METHOD URL, e.g. GET http://localhost:8000/health');
        block.kind = 'doc';
        block.docReason = 'empty';
      }
    }
  },
};
