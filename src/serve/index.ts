/**
 * The serve stage: `runproof evidence serve`, a read-only local web view of an evidence folder
 * (runs, one run's report, chains, step history, diff, audit sample) over the record stage.
 * @packageDocumentation
 */
export { startEvidenceServer, isLoopbackHost, filterRuns, analyzeChain, PAGE_SIZE } from './server.js';
export type { ServeOptions, EvidenceServer, RunFilters } from './server.js';
export { EvidenceStore, summarizeBundle } from './evidence-store.js';
export type { RunSummary, VerifyState, VerifyView, StoreOptions } from './evidence-store.js';
export { drawSample, buildSample, newSeed, isValidSeed, SAMPLE_ALGORITHM, SAMPLE_MAX } from './sample.js';
export type { SampleManifest, SampleRequest } from './sample.js';
export { decodeSegments, isSafeSegment, openInside } from './safe-path.js';
