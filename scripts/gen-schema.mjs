#!/usr/bin/env node
// Regenerates schema/run-record.schema.json from the built zod schema: `npm run build && node scripts/gen-schema.mjs`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let record;
try {
  record = await import(new URL('../dist/record/index.js', import.meta.url).href);
} catch (err) {
  console.error(`RP_INTERNAL cannot load dist/record/index.js: ${err.message} (hint: run npm run build first)`);
  process.exit(2);
}
const target = join(root, record.RUN_RECORD_SCHEMA_FILE);
writeFileSync(target, record.runRecordJsonSchemaText());
console.log(`wrote ${record.RUN_RECORD_SCHEMA_FILE}`);
