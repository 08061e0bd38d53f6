/**
 * The record stage: events → evidence bundle on disk (journal, logs, record) and back,
 * with redaction of every byte written, run locks and bundle naming.
 * @packageDocumentation
 */
export { openBundle, JOURNAL_FILE, LOGS_DIR } from './bundle.js';
export type { Bundle, OpenBundleOptions } from './bundle.js';
export { createOutputCapture, DEFAULT_INLINE_LIMIT, DEFAULT_TEXT_LIMIT } from './output.js';
export type { OutputCapture, OutputCaptureOptions } from './output.js';
export { createRedactor, collectSecrets, isSecretName, isSensitiveHeader } from './redact.js';
export type { Redactor, RedactionStream, SecretInput } from './redact.js';
export { readJournal, SYNCED_EVENT_TYPES } from './journal.js';
export type { JournalReadResult } from './journal.js';
export { acquireLock, lockKeyFor, LOCKS_DIR } from './lock.js';
export type { RunLock, LockOwner } from './lock.js';
export { slugify, evidenceNameFor, validateEvidenceName, formatBundleTimestamp } from './names.js';
export { gitInfo } from './git.js';
export type { GitInfo } from './git.js';
export {
  SCHEMA_VERSION,
  RunRecordSchema,
  StepSchema,
  StepHeaderSchema,
  AttemptSchema,
  DecisionSchema,
  OutputSchema,
  AssertionResultSchema,
  ExpectResultSchema,
  JournalEventSchema,
  PlanEntrySchema,
  StepStatusSchema,
  RunStatusSchema,
} from './types.js';
export type {
  RunRecord,
  Step,
  StepHeader,
  StepStatus,
  Attempt,
  Decision,
  DecisionAction,
  Output,
  AssertionResult,
  ExpectResult,
  JournalEvent,
  JournalEventInput,
  JournalEventType,
  PlanEntry,
  RunStatus,
  RunMode,
  RunbookInfo,
  Selection,
  Policy,
  Operator,
  ParameterValue,
  Counts,
} from './types.js';
export { runRecordJsonSchema, runRecordJsonSchemaText, RUN_RECORD_SCHEMA_FILE } from './json-schema.js';
