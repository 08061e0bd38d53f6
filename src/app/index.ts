/**
 * Use cases that wire the stages together (parse → plan → execute → record → render): what the
 * CLI commands call, and what the library exports for other tools.
 * @packageDocumentation
 */
export { runRunbook, finishBundle, runbookDir, operatorIdentity, runLockKeyFor } from './run-runbook.js';
export type { RunRunbookOptions, RunRunbookResult, BeforeSealHook } from './run-runbook.js';
export { readRunbookFile, decodeRunbook, lintPaths, collectRunbookFiles, RUNBOOK_EXTENSIONS } from './read-runbook.js';
export type { FileLint } from './read-runbook.js';
export { runOnHosts, sshArgs, maxFailCount } from './run-fleet.js';
export type { FleetOptions } from './run-fleet.js';
export { loadTeamPolicy, TEAM_POLICY_FILE, type LoadedTeamPolicy } from './team-policy.js';
export { buildChangePlan, changePlanContent, loadApprovalForRun, applyApproval, LOCAL_HOST } from './approval-gate.js';
export type { ChangePlanOptions, AcceptedApproval, LoadApprovalOptions } from './approval-gate.js';
export { recoverRun, type RecoverRunOptions } from './recover-run.js';
export { createMissingAsker, type AskMissing, type MissingAnswer, type MissingParameter } from './ask-missing.js';
