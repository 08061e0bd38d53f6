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
export { acquireLock, bootId, lockKeyFor, LOCKS_DIR, LOCK_HEARTBEAT_MS, LOCK_STALE_MS, locksOfBundle, releaseLocksOfBundle, runLockDir, runLockKey, type TakenOver } from './lock.js';
export type { RunLock, LockOwner } from './lock.js';
export { asciiSlug, evidenceNameFor, validateEvidenceName, formatBundleTimestamp } from './names.js';
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
  RunModeSchema,
  SelectionSchema,
  PolicySchema,
  ParameterValueSchema,
  DecisionBySchema,
  PlannedActionSchema,
} from './types.js';
export type {
  RunRecord,
  Step,
  StepHeader,
  StepStatus,
  Attempt,
  Decision,
  DecisionAction,
  DecisionBy,
  PlannedAction,
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
  HostResult,
} from './types.js';
export { runRecordJsonSchema, runRecordJsonSchemaText, RUN_RECORD_SCHEMA_FILE } from './json-schema.js';
export { sealBundle, readBundleRecord, chainKeyFor, isSealed } from './seal.js';
export type { SealOptions, SealResult } from './seal.js';
export {
  MANIFEST_FILE,
  ATTESTATION_FILE,
  MANIFEST_SCHEMA,
  ManifestSchema,
  serializeManifest,
  hashFile,
  readManifest,
  listSealedBundles,
  chainBundles,
} from './manifest.js';
export type { Manifest, ManifestFile, ChainLink, SealedBundle } from './manifest.js';
export {
  pae,
  createEnvelope,
  serializeEnvelope,
  buildRunStatement,
  statementBytes,
  EnvelopeSchema,
  IN_TOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE,
  RUN_PREDICATE_TYPE,
} from './attestation.js';
export type { Envelope, RunStatement, RunPredicate } from './attestation.js';
export { generateSigningKeyPair, loadSigningKey, loadVerifyKey, keyIdFor, hmacKeyId, hmacSigner, ed25519Signer } from './keys.js';
export type { Signer, VerifyKeys, GeneratedKeyPair } from './keys.js';
export { verifyBundle } from './verify.js';
export type { VerifyOptions, VerifyResult, VerifyProblem } from './verify.js';
export { recoverBundle, prepareResume } from './recover.js';
export type { RecoverOptions, RecoverResult, RecoveredBundle, ResumePoint } from './recover.js';
export {
  listEvidence,
  loadBundleRecord,
  diffBundles,
  maskVolatile,
  MASKING_RULES,
} from './evidence-index.js';
export type { BundleSummary, EvidenceDiff, StepChange, MaskingRule } from './evidence-index.js';
export { diffHosts } from './host-diff.js';
export type { HostDiff, HostFieldDifference } from './host-diff.js';
export { createCheckpoint, readCheckpointFile, checkCheckpoint, CHECKPOINT_PAYLOAD_TYPE } from './checkpoint.js';
export type { Checkpoint, SignedCheckpoint } from './checkpoint.js';
export { archiveBundle, scanArchive, archivePathFor, archiveFormatOf } from './archive.js';
export type { ArchiveFormat, ArchiveScan, ArchiveFile } from './archive.js';
export { buildRecord, countStatuses, nothingRanNote, type BuildRecordOptions } from './build-record.js';
export { TriggerSchema, type Trigger } from './types.js';
export { ensureRealDir } from './safe-dir.js';
export { writeAtomic, writeFailed } from './write-atomic.js';
export {
  canonicalJson,
  planDigest,
  sealPlan,
  serializePlan,
  parsePlan,
  readPlanFile,
  createApproval,
  serializeApproval,
  openApproval,
  readApprovalFile,
  readTrustFile,
  checkTrust,
  globToRegExp,
  atOrAbove,
  PLAN_SCHEMA,
  APPROVAL_SCHEMA,
  APPROVAL_PREDICATE_TYPE,
  BUNDLE_PLAN_FILE,
  BUNDLE_APPROVAL_FILE,
  ChangePlanSchema,
  ApprovalFileSchema,
  TrustFileSchema,
} from './approval.js';
export type { ChangePlan, ChangePlanContent, ChangePlanStep, PlanParameter, ApprovalFile, ApprovalStatement, ApprovalPredicate, OpenedApproval, TrustedApprover, TrustDecision, ApproveOptions } from './approval.js';
export { StepApprovalSchema, type StepApproval } from './types.js';
export {
  buildTimestampRequest,
  parseTsaUrl,
  readTsaCertificates,
  requestTimestamp,
  stampBundle,
  verifyTimestamp,
  TIMESTAMP_QUERY_FILE,
  TIMESTAMP_REPLY_FILE,
  TIMESTAMP_SKEW_MS,
} from './timestamp.js';
export type { BundleTimestamp, TimestampCheck, TimestampExchange } from './timestamp.js';
export {
  HttpCertificateSchema,
  HttpErrorCodeSchema,
  HttpErrorSchema,
  HttpExchangeSchema,
  HttpRedirectSchema,
  HttpResponseSchema,
  HttpSentRequestSchema,
  HttpTimingsSchema,
  HttpTlsSchema,
  type HttpCertificate,
  type HttpError,
  type HttpErrorCode,
  type HttpExchange,
  type HttpRedirect,
  type HttpResponse,
  type HttpSentRequest,
  type HttpTimings,
  type HttpTls,
} from './http-exchange.js';
