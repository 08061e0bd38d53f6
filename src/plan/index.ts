export { planRun, DEFAULT_TIMEOUT_MS, type PlanOptions, type PlanResult } from './plan-run.js';
export { selectSections, selectCells, hasTag } from './select.js';
export { parseSetFlag, parseEnvFile, resolveParameters, isSecretName, missingParametersError, checkParameterValue, checkVariableNames, isRunnerConfigName, ENV_FILE_LIMIT, type GivenValue } from './parameters.js';
export { policyFromAllow, decideStep } from './policy.js';
export { bindParameters, paramEnvName, paramReference, quoteForPlace, unsafeContextError, type BoundCommand } from './bind-params.js';
export * from './types.js';
