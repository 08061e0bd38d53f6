// Each test file gets its own run-lock folder: run locks belong to the runbook and selection
// whatever the evidence folder (L10), so two test files running the same demo at once would
// otherwise lock each other out. A test of locking itself shares one folder within its file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.RUNPROOF_LOCK_DIR ??= mkdtempSync(join(tmpdir(), 'runproof-test-locks-'));
