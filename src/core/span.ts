import { z } from 'zod';

// 1-based line and column of a place in a runbook, carried by every node so errors point at it.
export const SpanSchema = z.object({
  line: z.number().int().min(1),
  col: z.number().int().min(1).default(1),
  endLine: z.number().int().min(1).optional(),
});
export type Span = z.infer<typeof SpanSchema>;

export function spanAt(line: number, col = 1, endLine?: number): Span {
  return endLine === undefined ? { line, col } : { line, col, endLine };
}
