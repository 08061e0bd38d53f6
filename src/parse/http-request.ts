import type { RunproofError } from '../core/index.js';
import type { HttpRequestSpec } from './types.js';

export interface ParsedHttpRequest extends HttpRequestSpec {
  /** From `# @name x` (REST Client / httpyac). */
  name?: string;
  /** 1-based runbook line of the request line. */
  line: number;
  /** The request's own text (one `###`-separated part). */
  text: string;
}

// STUB (being written): parses an `http` block in REST-Client form; `###` separates requests.
export function parseHttpBlock(text: string, options: { line: number; file?: string }): { requests: ParsedHttpRequest[]; errors: RunproofError[] } {
  void options;
  void text;
  return { requests: [], errors: [] };
}
