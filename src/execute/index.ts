export { runNotebook, countStatuses, runStatusFor } from './run-notebook.js';
export type { RunNotebookOptions, RunOutcome, RunProgress, RunSink, StepDecider } from './run-notebook.js';
export { createShellSession } from './shell-session.js';
export type { ShellSession, ShellSessionOptions, ShellRunRequest, ShellOutcome, OutputSink } from './shell-types.js';
export { createHttpClient } from './http.js';
export type { HttpClient, HttpClientOptions } from './http.js';
export type { HttpExchange } from './http-types.js';
export { evaluateAssertion, evaluateAssertions, type CheckSubject, type AssertionOutcome } from './checks.js';
export { checkExpected } from './expect.js';
