import type { RunnableKind } from '../../parse/index.js';
import { httpRunner } from './http.js';
import { promqlRunner } from './promql.js';
import { scriptRunner } from './script.js';
import { shellRunner } from './shell.js';
import type { Runner } from './types.js';

/** The runner of each runnable kind: a kind without one fails to compile here. */
export const RUNNERS: Record<RunnableKind, Runner> = {
  shell: shellRunner,
  http: httpRunner,
  promql: promqlRunner,
  script: scriptRunner,
};

export { attemptOf, failedLineOf, notRunOutcome, outcomeOf } from './outcome.js';
export type { AttemptInput, Runner, RunnerContext, RunnerResult } from './types.js';
