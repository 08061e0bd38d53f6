// The setup the interactive (tmux) end-to-end tests share: a folder holding copies of the
// interactive fixtures, and the run record read back from the bundle a run wrote under `ev/`.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/interactive/', import.meta.url));

/** A fresh temp folder with the named interactive fixtures copied in; `cacheDir` adds `cache-dir/keep.txt`. */
export function interactiveDir(prefix: string, names: string[], options: { cacheDir?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const name of names) copyFileSync(join(fixtures, name), join(dir, name));
  if (options.cacheDir) {
    mkdirSync(join(dir, 'cache-dir'));
    writeFileSync(join(dir, 'cache-dir', 'keep.txt'), 'cached\n');
  }
  return dir;
}

/** The bundle folders a run wrote under `<dir>/ev`, hidden entries (locks, temp files) left out. */
export function bundlesIn(dir: string): string[] {
  return readdirSync(join(dir, 'ev'))
    .filter((n) => !n.startsWith('.'))
    .map((n) => join(dir, 'ev', n));
}

/** The run record of a bundle folder, validated against the schema. */
export function recordIn(bundle: string): RunRecord {
  const file = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, file), 'utf8')));
}

/** The record and bundle of the (first) run under `<dir>/ev`. */
export function runIn(dir: string): { record: RunRecord; bundle: string } {
  const bundle = bundlesIn(dir)[0]!;
  return { record: recordIn(bundle), bundle };
}

/** The step of a record with this cell name. */
export function stepNamed(record: RunRecord, name: string): RunRecord['steps'][number] {
  return record.steps.find((s) => s.name === name)!;
}
