import { z } from 'zod';
import type { RunproofError } from '../core/index.js';

// STUB (being written): the assertion language's AST.
export const AssertionSchema = z.object({ text: z.string(), line: z.number().int(), col: z.number().int() }).passthrough();
export type Assertion = z.infer<typeof AssertionSchema>;

export interface ParseAssertionsOptions {
  /** 1-based line of the first line of `text` in the runbook. */
  line: number;
  /** 1-based column where the block's content starts (list indentation). */
  col?: number;
  file?: string;
}

// STUB (being written): parses an `assert` block, one assertion per line; errors carry file:line:col.
export function parseAssertions(text: string, options: ParseAssertionsOptions): { assertions: Assertion[]; errors: RunproofError[] } {
  void options;
  void text;
  return { assertions: [], errors: [] };
}
