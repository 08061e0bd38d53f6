import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isRunproofError } from '../../src/core/index.js';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { DEFAULT_TEMPLATE_DIR, renderReports } from '../../src/render/index.js';

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;
let record: RunRecord;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runproof-templates-'));
  record = RunRecordSchema.parse(JSON.parse(await readFile(join(here, '..', 'fixtures', 'render', 'passed.record.json'), 'utf8')));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  return isRunproofError(error) ? error.code : `not a RunproofError: ${String(error)}`;
}

describe('the default templates', () => {
  test('live in templates/ at the package root', () => {
    expect(readdirSync(DEFAULT_TEMPLATE_DIR)).toEqual(expect.arrayContaining(['report.md.hbs', 'report.html.hbs', 'partials']));
  });

  test('never use triple-stash (unescaped output) in HTML templates', () => {
    const files = ['report.html.hbs', ...readdirSync(join(DEFAULT_TEMPLATE_DIR, 'partials')).map((f) => `partials/${f}`)];
    for (const file of files.filter((f) => f.includes('html'))) {
      const text = readFileSync(join(DEFAULT_TEMPLATE_DIR, file), 'utf8').replace(/\{\{!--[\s\S]*?--\}\}/g, '');
      expect(text, file).not.toMatch(/\{\{\{|\{\{&/);
    }
  });
});

describe('--template-dir', () => {
  test('a user report.md.hbs replaces the Markdown report; HTML stays the default', async () => {
    await writeFile(join(dir, 'report.md.hbs'), 'Custom {{text title}}: {{statusLabel}} ({{counts.passed}}/{{counts.total}})\n');
    const { markdown, html } = await renderReports(record, { templateDir: dir });
    expect(markdown).toBe('Custom Rollback check: PASSED (4/4)\n');
    expect(html).toContain('<details class="step');
  });

  test('a user partial overrides the default of the same name (the stylesheet)', async () => {
    await mkdir(join(dir, 'partials'));
    await writeFile(join(dir, 'partials', 'html-styles.hbs'), 'body { font-family: serif; }\n');
    const { html } = await renderReports(record, { templateDir: dir });
    expect(html).toContain('<style>\nbody { font-family: serif; }\n</style>');
    expect(html).not.toContain('--bad-bg');
  });

  test('user HTML templates are escaped by default too', async () => {
    await writeFile(join(dir, 'report.html.hbs'), '<p>{{title}}</p>');
    const { html } = await renderReports({ ...record, runbook: { ...record.runbook, title: '<b>x</b>' } }, { templateDir: dir });
    expect(html).toBe('<p>&lt;b&gt;x&lt;/b&gt;</p>');
  });

  test('a syntax error is RP_BAD_TEMPLATE naming the file', async () => {
    await writeFile(join(dir, 'report.html.hbs'), '<p>{{#if title}}unclosed</p>');
    const error = await renderReports(record, { templateDir: dir }).catch((e: unknown) => e);
    expect(isRunproofError(error) && error.code).toBe('RP_BAD_TEMPLATE');
    expect((error as Error).message).toContain(join(dir, 'report.html.hbs'));
  });

  test('a field the view lacks is RP_BAD_TEMPLATE (strict), not an empty string', async () => {
    await writeFile(join(dir, 'report.md.hbs'), '{{text titel}}\n');
    const error = await renderReports(record, { templateDir: dir }).catch((e: unknown) => e);
    expect(isRunproofError(error) && error.code).toBe('RP_BAD_TEMPLATE');
    expect((error as Error).message).toMatch(/\{\{text\}\} was given a field that does not exist \(line 1\)/);
  });

  test('templates cannot reach prototypes', async () => {
    await writeFile(join(dir, 'report.md.hbs'), '[{{#with title}}{{constructor.name}}{{/with}}]\n');
    expect(await codeOf(renderReports(record, { templateDir: dir }))).toBe('RP_BAD_TEMPLATE');
  });

  test('a missing folder, a file, and a folder without templates are errors', async () => {
    expect(await codeOf(renderReports(record, { templateDir: join(dir, 'nope') }))).toBe('RP_BAD_TEMPLATE');
    await writeFile(join(dir, 'file.txt'), 'x');
    expect(await codeOf(renderReports(record, { templateDir: join(dir, 'file.txt') }))).toBe('RP_BAD_TEMPLATE');
    expect(await codeOf(renderReports(record, { templateDir: dir }))).toBe('RP_BAD_TEMPLATE');
  });
});
