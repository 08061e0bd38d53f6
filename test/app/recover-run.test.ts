import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recoverRun, runRunbook } from '../../src/app/index.js';
import { verifyBundle } from '../../src/record/index.js';

// M5: the recover use case lives in app/ (the CLI only prints its result): record's rebuild, the
// same finish as a run (reports from the record, templates, signing) in the bundle's own folder.
const runbookPath = fileURLToPath(new URL('../fixtures/run/session.md', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runproof-recover-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recoverRun', () => {
  test('rebuilds the record, renders the reports with the given templates and seals in the bundle\'s evidence folder', async () => {
    const evidenceDir = join(dir, 'ev');
    const result = await runRunbook({ runbookPath, mode: 'unattended', cwd: dir, evidenceDir, env: { PATH: process.env.PATH ?? '' } });
    await rm(result.reportPaths.markdown);
    await rm(join(result.bundleDir, 'manifest.json'));
    const templateDir = join(dir, 'templates');
    await mkdir(templateDir, { recursive: true });
    await writeFile(join(templateDir, 'report.md.hbs'), 'Recovered {{text title}}: {{statusLabel}}\n');
    // Called from another folder: the evidence folder is the bundle's parent, not the current one.
    const recovered = await recoverRun(result.bundleDir, { force: true, templateDir, env: {} });
    expect(recovered.bundleDir).toBe(result.bundleDir);
    expect(recovered.record.status).toBe(result.record.status);
    expect(await readFile(result.reportPaths.markdown, 'utf8')).toBe(`Recovered Session runbook: ${result.record.status.toUpperCase()}\n`);
    expect(recovered.seal.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    const verified = await verifyBundle(result.bundleDir);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
  });

  test('a sealed bundle is refused without force (RP_BAD_BUNDLE), and nothing is rewritten', async () => {
    const evidenceDir = join(dir, 'ev2');
    const result = await runRunbook({ runbookPath, mode: 'unattended', cwd: dir, evidenceDir, env: { PATH: process.env.PATH ?? '' } });
    const before = await readFile(join(result.bundleDir, 'manifest.json'), 'utf8');
    await expect(recoverRun(result.bundleDir, { env: {} })).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
    expect(await readFile(join(result.bundleDir, 'manifest.json'), 'utf8')).toBe(before);
  });
});
