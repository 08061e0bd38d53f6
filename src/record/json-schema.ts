// The record's JSON Schema, published in the repository for auditors and other tools; generated
// from the zod schema so the two cannot drift (a test compares the committed file).
import { z } from 'zod';
import { RunRecordSchema, SCHEMA_VERSION } from './types.js';

/** Where the published schema lives, relative to the package root. */
export const RUN_RECORD_SCHEMA_FILE = 'schema/run-record.schema.json';

/**
 * The JSON Schema (draft 2020-12) of a run record, as committed in `schema/run-record.schema.json`.
 * @example JSON.stringify(runRecordJsonSchema(), null, 2)
 */
export function runRecordJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RunRecordSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema['$schema'],
    title: `runproof run record, schemaVersion ${SCHEMA_VERSION}`,
    ...schema,
  };
}

/** The published file's exact text: 2-space JSON and a final newline. */
export function runRecordJsonSchemaText(): string {
  return `${JSON.stringify(runRecordJsonSchema(), null, 2)}\n`;
}
