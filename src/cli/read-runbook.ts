// File reading lives in the library (app/read-runbook.ts); the CLI keeps this path for its commands.
// Re-exported from the module itself, not app/index.ts: that index also loads the whole run use
// case (execute, record, render: undici, handlebars, archiver), which `list` never needs.
export { readRunbookFile, decodeRunbook, lintPaths, RUNBOOK_EXTENSIONS } from '../app/read-runbook.js';
export { loadTeamPolicy } from '../app/team-policy.js';
