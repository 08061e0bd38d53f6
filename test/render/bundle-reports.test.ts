import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { finishBundle, runRunbook } from '../../src/app/run-runbook.js';
import { recoverBundle } from '../../src/record/index.js';

// Every bundle carries both reports, rendered before the manifest that covers them.

const here = dirname(fileURLToPath(import.meta.url));
const runbookPath = join(here, '..', 'fixtures', 'run', 'session.md');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runproof-bundle-reports-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('reports in bundles', () => {
  test('run: <base>.md and <base>.html, the record SHA-256 they show is the record file, the manifest lists them', async () => {
    const evidenceDir = join(dir, 'run');
    const result = await runRunbook({ runbookPath, mode: 'unattended', allow: ['write'], cwd: await mkdtemp(join(dir, 'cwd-')), evidenceDir, env: { PATH: process.env.PATH ?? '' } });
    const base = basename(result.bundleDir);
    expect(result.reportPaths).toEqual({ markdown: join(result.bundleDir, `${base}.md`), html: join(result.bundleDir, `${base}.html`) });
    const [markdown, html, recordText] = await Promise.all([
      readFile(result.reportPaths.markdown, 'utf8'),
      readFile(result.reportPaths.html, 'utf8'),
      readFile(result.recordPath),
    ]);
    const recordSha = sha256(recordText);
    expect(markdown).toContain(`SHA-256 \`${recordSha}\``);
    expect(html).toContain(`id="record-sha256">${recordSha}<`);
    expect(markdown).toContain('**FAILED**');
    expect(markdown).toContain('about to fail');
    const manifest = JSON.parse(await readFile(join(result.bundleDir, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    const listed = new Map(manifest.files.map((f) => [f.path, f.sha256]));
    expect(listed.get(`${base}.md`)).toBe(sha256(markdown));
    expect(listed.get(`${base}.html`)).toBe(sha256(html));
  });

  test('dry run: the bundle carries both reports too', async () => {
    const result = await runRunbook({ runbookPath, mode: 'dry-run', cwd: dir, evidenceDir: join(dir, 'dry'), env: { PATH: process.env.PATH ?? '' } });
    expect(await readFile(result.reportPaths.markdown, 'utf8')).toContain('**DRY RUN**');
    expect(await readFile(result.reportPaths.html, 'utf8')).toContain('data-status="dry-run"');
  });

  test('a template folder passed to the run renders that bundle\'s reports', async () => {
    const templateDir = join(dir, 'templates');
    await mkdir(templateDir, { recursive: true });
    await writeFile(join(templateDir, 'report.md.hbs'), 'Audit of {{text title}}: {{statusLabel}}\n');
    const result = await runRunbook({ runbookPath, mode: 'unattended', cwd: dir, evidenceDir: join(dir, 'custom'), templateDir, env: { PATH: process.env.PATH ?? '' } });
    expect(await readFile(result.reportPaths.markdown, 'utf8')).toBe('Audit of Session runbook: FAILED\n');
    expect(await readFile(result.reportPaths.html, 'utf8')).toContain('<details class="step');
  });

  test('recover re-renders the same reports from the journal alone', async () => {
    const evidenceDir = join(dir, 'recover');
    const result = await runRunbook({ runbookPath, mode: 'unattended', cwd: await mkdtemp(join(dir, 'cwd-')), evidenceDir, env: { PATH: process.env.PATH ?? '' } });
    const before = await readFile(result.reportPaths.markdown, 'utf8');
    await rm(result.reportPaths.markdown);
    await rm(result.reportPaths.html);
    const recovered = await recoverBundle(result.bundleDir, { evidenceDir, force: true, finish: (b, record) => finishBundle(b, record, { evidenceDir, env: {} }) });
    expect(recovered.reportPaths?.markdown).toBe(result.reportPaths.markdown);
    // The rebuilt record says `sealedBy: recover-force` (SECURITY L13), so its SHA-256 differs; the rest is the same.
    const hashless = (text: string): string => text.replace(/[0-9a-f]{64}/g, '<sha256>');
    expect(hashless(await readFile(result.reportPaths.markdown, 'utf8'))).toBe(hashless(before));
    expect(JSON.parse(await readFile(recovered.recordPath, 'utf8'))).toMatchObject({ sealedBy: 'recover-force' });
    expect(await readFile(result.reportPaths.html, 'utf8')).toContain('<details class="step');
  });
});
