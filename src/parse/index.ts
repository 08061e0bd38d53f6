/**
 * The parse stage: Markdown runbook text in, Notebook out. Pure; other stages import only this.
 * @packageDocumentation
 */
export * from './types.js';
export { parseRunbook, type ParseOptions } from './parse-runbook.js';
export { lintRunbook, errorToDiagnostic } from './lint.js';
export { slugify } from './slug.js';
export { classifyRisk, DANGEROUS_ENV, type RiskFinding, type PolicyContext } from './risk.js';
export { TeamPolicySchema, matchPolicy, policyRuleNames, type TeamPolicy } from './policy.js';
export { findParameters } from './params.js';
export { parseAssertions, AssertionSchema, type Assertion, type ParseAssertionsOptions } from './assertions.js';
export { parseHttpBlock, type ParsedHttpRequest } from './http-request.js';
export { findPlaceholders, isValueAllowed, describeRestriction, type PlaceholderOccurrence } from './params.js';
export { findVariableReads, findVariableWrites, WELL_KNOWN_ENV } from './variables.js';
export { substituteTemplateVars, expandFileVariables, httpTemplateNames, httpTemplateSlots, encodeForContext, HTTP_METHODS, type HttpTemplateContext } from './http-request.js';
export {
  AssertionValueSchema,
  QuerySchema,
  FilterSchema,
  PredicateSchema,
  QUERY_NAMES,
  FILTER_NAMES,
  PREDICATE_NAMES,
  type AssertionValue,
  type Query,
  type Filter,
  type Predicate,
} from './assertions.js';
export { parseJsonPath, isDefinitePath, JsonPathSyntaxError } from './assertion-jsonpath.js';
export type { JsonPathQuery, JsonPathSegment, JsonPathSelector, JsonPathFilter, JsonPathOperand, JsonPathLiteral, JsonPathComparator } from './assertion-jsonpath.js';
export { parseMetricSelector, parseLabelBraces, readMetricName, MetricSyntaxError, type MetricSelector, type LabelMatcher } from './assertion-metric.js';
export { parseExpectJson, type ExpectNode } from './expect-json.js';
