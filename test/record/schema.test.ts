import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  JournalEventSchema,
  RUN_RECORD_SCHEMA_FILE,
  RunRecordSchema,
  runRecordJsonSchema,
  runRecordJsonSchemaText,
} from '../../src/record/index.js';
import { RunHeaderSchema, RunStartEventSchema } from '../../src/record/types.js';
import { makeAttempt, makeRecord, makeStep } from './make-record.js';

describe('the published JSON Schema', () => {
  it('is exactly what the zod schema generates (run scripts/gen-schema.mjs after changing it)', () => {
    expect(readFileSync(new URL(`../../${RUN_RECORD_SCHEMA_FILE}`, import.meta.url), 'utf8')).toBe(runRecordJsonSchemaText());
  });

  it('names every top-level field of the record as required, schemaVersion pinned to 1', () => {
    const schema = runRecordJsonSchema() as { required: string[]; properties: Record<string, { const?: unknown }> };
    for (const key of ['schemaVersion', 'tool', 'runbook', 'selection', 'mode', 'policy', 'operator', 'startedAt', 'endedAt', 'status', 'parameters', 'steps', 'counts', 'warnings']) {
      expect(schema.required).toContain(key);
    }
    expect(schema.required).not.toContain('resumedFrom');
    expect(schema.properties['schemaVersion']!.const).toBe(1);
  });
});

describe('the run header', () => {
  it('is one schema: the record and the run-start event hold each of its fields as the same schema object', () => {
    const recordShape: Record<string, unknown> = RunRecordSchema.shape;
    const startShape: Record<string, unknown> = RunStartEventSchema.shape;
    for (const [key, schema] of Object.entries(RunHeaderSchema.shape)) {
      expect(recordShape[key], key).toBe(schema);
      expect(startShape[key], key).toBe(schema);
    }
  });

  it('keeps the key order records and journals have always been written in (their bytes, and so their hashes, do not move)', () => {
    expect(Object.keys(RunRecordSchema.shape)).toEqual(['schemaVersion', 'tool', 'runbook', 'selection', 'mode', 'policy', 'operator', 'startedAt', 'endedAt', 'durationMs', 'status', 'parameters', 'resumedFrom', 'trigger', 'evidenceName', 'bundleName', 'counts', 'steps', 'warnings', 'hosts', 'sealedBy', 'sandbox']);
    expect(Object.keys(RunStartEventSchema.shape)).toEqual(['seq', 'at', 'prev', 'type', 'tool', 'runbook', 'selection', 'mode', 'policy', 'operator', 'parameters', 'evidenceName', 'bundleName', 'resumedFrom', 'trigger', 'startedAt', 'plan', 'warnings', 'hosts', 'sandbox']);
  });
});

describe('RunRecordSchema', () => {
  it('accepts a complete record with every optional part', () => {
    const record = makeRecord({
      resumedFrom: 'roxy_20260121_090000',
      runbook: { path: 'r.md', title: 'R', sha256: 'a'.repeat(64), git: { commit: 'b'.repeat(40), dirty: false, root: '/srv' } },
      steps: [
        makeStep({
          boundCommand: 'curl -s "$RP_P_host"',
          status: 'failed',
          expect: { passed: false, diffs: [{ path: '$.ok', expected: true, actual: false }] },
          note: 'retried twice',
          attempts: [makeAttempt({ exitCode: null, signal: 'SIGKILL', timedOut: true, http: { request: { method: 'GET', url: 'http://127.0.0.1:9/ready', headers: [] }, timings: { totalMs: 30000 }, curl: 'curl -sS http://127.0.0.1:9/ready', error: { code: 'TIMEOUT', message: 'timed out after 30s' } }, error: 'timed out after 30s' })],
        }),
      ],
    });
    expect(RunRecordSchema.parse(record)).toEqual(record);
  });

  it.each([
    ['a wrong schemaVersion', { schemaVersion: 2 }],
    ['a local time instead of UTC', { startedAt: '2026-01-22T10:15:00+01:00' }],
    ['an unknown status', { status: 'ok' }],
    ['an unknown field (typos do not pass silently)', { extra: 1 }],
    ['a short sha256', { runbook: { path: 'r', title: 'r', sha256: 'abc', git: { commit: null, dirty: null } } }],
  ])('rejects %s', (_what, patch) => {
    expect(RunRecordSchema.safeParse({ ...makeRecord(), ...patch }).success).toBe(false);
  });
});

describe('JournalEventSchema', () => {
  it('discriminates on type and requires seq and at', () => {
    const base = { seq: 1, at: '2026-01-22T10:15:00.000Z' };
    expect(JournalEventSchema.safeParse({ ...base, type: 'step-end', stepId: 'c1', status: 'passed' }).success).toBe(true);
    expect(JournalEventSchema.safeParse({ ...base, type: 'step-end', stepId: 'c1' }).success).toBe(false);
    expect(JournalEventSchema.safeParse({ ...base, type: 'teleport' }).success).toBe(false);
    expect(JournalEventSchema.safeParse({ type: 'run-end', status: 'aborted', endedAt: base.at }).success).toBe(false);
    expect(
      JournalEventSchema.safeParse({ ...base, type: 'attempt-start', stepId: 'c1', n: 1, startedAt: base.at, logs: { stdout: 'logs/c1.1.stdout.log', stderr: 'logs/c1.1.stderr.log' } }).success,
    ).toBe(true);
  });
});
