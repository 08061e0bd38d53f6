/**
 * The report stage: every output format beside the bundle, each an {@link EvidenceSink}: JUnit XML
 * for CI, the Prometheus textfile for node_exporter, and a signed webhook. A new format is one
 * file here that returns an `EvidenceSink`, exported below.
 * @packageDocumentation
 */
export type { EvidenceSink, SinkRun } from './sink.js';
export { runOutcome, checksRun, isSuccess, nothingCheckedReason, REPORTED_STATUSES } from './outcome.js';
export type { SinkStatus } from './outcome.js';
export { renderJUnit, JUnitFiles, junitSink } from './junit.js';
export type { JUnitSuiteInput } from './junit.js';
export { renderTextfile, readTextfileSeries, applyTextfileUpdate, updateTextfile, textfileSink } from './textfile.js';
export type { ChecklistSeries, TextfileUpdate } from './textfile.js';
export { postWebhook, webhookPayload, signWebhookBody, parseWebhookUrl } from './webhook.js';
export type { WebhookPayload, WebhookOutcome, WebhookAttempt, PostWebhookOptions } from './webhook.js';
