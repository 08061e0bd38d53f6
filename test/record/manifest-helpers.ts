// Hand-made bundles for the manifest, attestation, verify and checkpoint tests: a valid record,
// a journal line and a log, without running anything.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRecord } from './make-record.js';
import type { RunRecord } from '../../src/record/index.js';

/** Writes `<evidenceDir>/<name>/` with `<name>.json`, journal.jsonl and logs/c1.1.stdout.log. */
export function writeBundle(evidenceDir: string, name: string, overrides: Partial<RunRecord> = {}): string {
  const dir = join(evidenceDir, name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const record = makeRecord({ bundleName: name, ...overrides });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(dir, 'journal.jsonl'), `${JSON.stringify({ seq: 1, at: record.startedAt, type: 'run-end', status: record.status, endedAt: record.endedAt })}\n`);
  writeFileSync(join(dir, 'logs', 'c1.1.stdout.log'), `output of ${name}\n`);
  return dir;
}
