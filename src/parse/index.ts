/**
 * The parse stage: Markdown runbook text in, Notebook out. Pure; other stages import only this.
 * @packageDocumentation
 */
export * from './types.js';
export { parseRunbook, type ParseOptions } from './parse-runbook.js';
export { lintRunbook, errorToDiagnostic } from './lint.js';
export { slugify } from './slug.js';
export { classifyRisk, type RiskFinding } from './risk.js';
export { findParameters } from './params.js';
export { parseAssertions, AssertionSchema, type Assertion, type ParseAssertionsOptions } from './assertions.js';
export { parseHttpBlock, type ParsedHttpRequest } from './http-request.js';
