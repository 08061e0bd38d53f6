/**
 * runproof's library surface: the same operations as the CLI, typed, for other tools to embed.
 * @packageDocumentation
 */
export { RunproofError, isRunproofError, formatDiagnostic } from './core/index.js';
export type { ErrorCode, WarningCode, Span } from './core/index.js';
export { TOOL_NAME, TOOL_VERSION } from './core/index.js';
export type * from './parse/types.js';
