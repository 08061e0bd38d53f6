/**
 * The demo stage: an embedded demo service on 127.0.0.1 and `runDemo`, which runs the project's
 * own daily-checks notebook against it and writes a bundle. Other stages import only this.
 * @packageDocumentation
 */
export { startDemoService, DEMO_HOST, DEMO_TOKEN_HEADER, DEMO_FAILING_POOL } from './service.js';
export type { DemoService, DemoServiceOptions, DemoPool } from './service.js';
export { runDemo, DEMO_RUNBOOK, DEMO_BASE_PARAM, DEMO_TOKEN_ENV } from './run-demo.js';
export type { RunDemoOptions, DemoRun } from './run-demo.js';
