/**
 * The checklist stage: checklist files (YAML, zod, JSON Schema), running them unattended now or
 * on a cron schedule, and units for cron, systemd and Kubernetes. What a run leaves for other
 * systems (JUnit XML, a Prometheus textfile, a signed webhook) is the report stage's (src/report/).
 * @packageDocumentation
 */
export { ChecklistFileSchema, ChecklistSchema, ChecklistDefaultsSchema, ParamValueSchema, ScheduleSchema, WebhookSchema } from './schema.js';
export type { ChecklistFileInput, ChecklistInput, ParamValue } from './schema.js';
export { loadChecklistFile, parseChecklistText, selectChecklists, ChecklistFileError } from './load.js';
export type { Checklist, ChecklistFile, ChecklistParam, ChecklistProblem, WebhookConfig } from './load.js';
export { lintChecklistText, lintRunbooksAndChecklists, looksLikeChecklist, CHECKLIST_EXTENSIONS } from './lint.js';
export { checklistJsonSchema, checklistJsonSchemaText, CHECKLIST_SCHEMA_FILE } from './json-schema.js';
export { cronProblem, isTimeZone, nextCronTime, cronTimesBetween, latestCronTime, cronToOnCalendar, hasSeconds } from './cron.js';
export type { CronSchedule } from './cron.js';
export { runChecklist, runChecklists, resolveChecklistParams, wantsWebhook, sinksOf, withOutputsUnder, WEBHOOK_FILE } from './run.js';
export type { ChecklistRunOptions, ChecklistRunResult, ChecklistTrigger } from './run.js';
export { startScheduler, lastScheduledTime, MAX_MISSED_BUNDLES } from './scheduler.js';
export type { Scheduler, SchedulerOptions } from './scheduler.js';
export { writeMarkerBundle } from './marker.js';
export type { MarkerBundleOptions } from './marker.js';
export { printCron, printSystemd, printK8s, unitNameFor, checklistEnvNames, envFileFor, DEFAULT_ENV_FILE_DIR } from './units.js';
export type { UnitFile, UnitOptions, K8sOptions } from './units.js';
export { formatEvent, createLineLogger } from './log.js';
export type { ChecklistEvent, ChecklistLogger } from './log.js';
