export { planRun, DEFAULT_TIMEOUT_MS, type PlanOptions, type PlanResult } from './plan-run.js';
export { selectSections, selectCells, hasTag } from './select.js';
export { parseSetFlag, parseEnvFile, resolveParameters, isSecretName, missingParametersError, type GivenValue } from './parameters.js';
export { policyFromAllow, decideStep } from './policy.js';
export { bindParameters, paramEnvName, paramReference, type BoundCommand } from './bind-params.js';
export * from './types.js';
