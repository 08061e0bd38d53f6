// The checklist file's JSON Schema, published for editors (yaml-language-server) and other tools;
// generated from the zod schema so the two cannot drift (a test compares the committed file).
import { z } from 'zod';
import { ChecklistFileSchema } from './schema.js';

/** Where the published schema lives, relative to the package root. */
export const CHECKLIST_SCHEMA_FILE = 'schema/checklist.schema.json';

/** The JSON Schema (draft 2020-12) of a checklist file. */
export function checklistJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ChecklistFileSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { $schema: schema['$schema'], title: 'runproof checklist file', ...schema };
}

/** The published file's exact text: 2-space JSON and a final newline. */
export function checklistJsonSchemaText(): string {
  return `${JSON.stringify(checklistJsonSchema(), null, 2)}\n`;
}
