// File reading lives in the library (app/read-runbook.ts); the CLI keeps this path for its commands.
export * from '../app/index.js';
