/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { renderReports } from '../../src/render/index.js';

// The HTML report opened in Debian's Chromium, as an auditor would: counts, open/closed steps,
// no network, no script from any payload, printing with every step expanded.

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'render');
const screenshots = join(here, '..', '__screenshots__');
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let dir: string;

async function loadRecord(name: string): Promise<RunRecord> {
  return RunRecordSchema.parse(JSON.parse(await readFile(join(fixtures, `${name}.record.json`), 'utf8')));
}

interface Opened {
  page: Page;
  requests: string[];
  dialogs: string[];
  errors: string[];
  close(): Promise<void>;
}

// Writes the report where a bundle would hold it and opens it from a file:// URL, recording
// every request, dialog and page error.
async function openReport(name: string, html: string): Promise<Opened> {
  const file = join(dir, `${name}.html`);
  await writeFile(file, html);
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests, dialogs, errors, close: () => context.close() };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does it on CI`);
  }
  dir = await mkdtemp(join(tmpdir(), 'runproof-report-browser-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HTML report in Chromium', () => {
  test('a failed run: counts equal the record, failures open, passed closed, no request, prints expanded', async () => {
    const record = await loadRecord('failed');
    const { html } = await renderReports(record);
    const opened = await openReport('failed', html);
    const { page } = opened;
    try {
      const shown = await page.$$eval('[data-count]', (nodes) =>
        Object.fromEntries(nodes.map((n) => [n.getAttribute('data-count'), Number(n.textContent)])),
      );
      expect(shown).toEqual(record.counts);
      expect(await page.textContent('#run-status')).toBe('FAILED');
      await page.screenshot({ path: join(screenshots, 'report-failed.png') });

      const steps = await page.$$eval('details.step', (nodes) =>
        nodes.map((n) => ({ id: n.getAttribute('data-step-id'), status: n.getAttribute('data-status'), open: (n as HTMLDetailsElement).open })),
      );
      expect(steps.map((s) => s.id)).toEqual(record.steps.map((s) => s.id));
      expect(steps.map((s) => s.status)).toEqual(record.steps.map((s) => s.status));
      for (const step of steps) {
        if (step.status === 'failed' || step.status === 'timed-out') expect(step.open, `${step.id} (${step.status})`).toBe(true);
        if (step.status === 'passed' || step.status === 'skipped') expect(step.open, `${step.id} (${step.status})`).toBe(false);
      }

      // The failures jump list links to every step needing attention, and the links land on them.
      const jumps = await page.$$eval('nav.failures a', (links) => links.map((a) => a.getAttribute('href')));
      const attention = record.steps.filter((s) => ['failed', 'timed-out', 'interrupted', 'blocked'].includes(s.status));
      expect(jumps).toEqual(attention.map((s) => `#step-${s.id}`));
      await page.click('nav.failures a >> nth=0');
      expect(page.url().endsWith(`#step-${attention[0]!.id}`)).toBe(true);

      // On screen a passed step's output is hidden; in print every step's body is shown.
      const passedId = record.steps.find((s) => s.status === 'passed')!.id;
      const body = `details[data-step-id="${passedId}"] > .body`;
      expect(await page.isVisible(body)).toBe(false);
      await page.emulateMedia({ media: 'print' });
      const hiddenInPrint = await page.$$eval('details.step > .body', (nodes) =>
        nodes.filter((n) => !n.checkVisibility() || n.getBoundingClientRect().height === 0).length,
      );
      expect(hiddenInPrint).toBe(0);
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(10_000);
      // Control: without the ::details-content print rule, Chromium keeps closed steps hidden on paper.
      const removed = await page.evaluate(() => {
        for (const sheet of [...document.styleSheets]) {
          for (const media of [...sheet.cssRules].filter((r): r is CSSMediaRule => r instanceof CSSMediaRule)) {
            const i = [...media.cssRules].findIndex((r) => r.cssText.includes('::details-content'));
            if (i >= 0) {
              media.deleteRule(i);
              return true;
            }
          }
        }
        return false;
      });
      expect(removed).toBe(true);
      expect(await page.isVisible(body)).toBe(false);

      expect(opened.requests).toEqual([page.url().replace(/#.*$/, '')]);
      expect(opened.dialogs).toEqual([]);
      expect(opened.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('a passed run: status badge, every step closed, screenshot for review', async () => {
    const record = await loadRecord('passed');
    const { html } = await renderReports(record);
    const opened = await openReport('passed', html);
    const { page } = opened;
    try {
      expect(await page.textContent('#run-status')).toBe('PASSED');
      await page.screenshot({ path: join(screenshots, 'report-passed.png') });
      const shown = await page.$$eval('[data-count]', (nodes) => nodes.map((n) => [n.getAttribute('data-count'), Number(n.textContent)]));
      expect(Object.fromEntries(shown)).toEqual(record.counts);
      const open = await page.$$eval('details.step', (nodes) => nodes.map((n) => (n as HTMLDetailsElement).open));
      expect(open).toHaveLength(record.steps.length);
      expect(open.every((o) => !o)).toBe(true);
      expect(await page.$('nav.failures')).toBeNull();
      // A closed step opens on click (plain <details>, no script needed).
      await page.click(`details[data-step-id="${record.steps[0]!.id}"] > summary`);
      expect(await page.isVisible(`details[data-step-id="${record.steps[0]!.id}"] > .body`)).toBe(true);
      expect(opened.requests).toHaveLength(1);
      expect(opened.dialogs).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('XSS payloads in outputs, titles, parameters and section names execute nothing, even without the CSP', async () => {
    const record = await loadRecord('xss');
    const { html } = await renderReports(record);
    // The CSP alone would stop inline scripts; removing it proves the escaping holds by itself.
    const withoutCsp = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
    expect(withoutCsp).not.toBe(html);
    for (const [name, text] of [['xss', html], ['xss-no-csp', withoutCsp]] as const) {
      const opened = await openReport(name, text);
      const { page } = opened;
      try {
        // Hover and open everything a payload could hook into.
        await page.$$eval('details', (nodes) => nodes.forEach((n) => ((n as HTMLDetailsElement).open = true)));
        await page.mouse.move(10, 10);
        await page.mouse.move(500, 400);
        const state = await page.evaluate(() => ({
          flag: (window as unknown as { __xss?: unknown }).__xss,
          scripts: document.scripts.length,
          injected: document.querySelectorAll('img, svg, iframe, object, embed, b, style:not(head style), meta[http-equiv="refresh"]').length,
          jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => !a.getAttribute('href')!.startsWith('#')).map((a) => a.getAttribute('href')),
          details: document.querySelectorAll('details.step').length,
          bodyText: document.body.innerText,
        }));
        expect(state.flag, name).toBeUndefined();
        expect(state.scripts, name).toBe(0);
        expect(state.injected, name).toBe(0);
        expect(state.jsLinks, name).toEqual([]);
        expect(state.details, name).toBe(record.steps.length);
        // The payloads are shown as text, literally.
        expect(state.bodyText).toContain('<script>window.__xss=1</script>');
        expect(state.bodyText).toContain('{{constructor.constructor("window.__xss=5")()}}');
        expect(state.bodyText).toContain('<img src=x onerror="window.__xss=13">');
        expect(opened.dialogs, name).toEqual([]);
        expect(opened.requests, name).toHaveLength(1);
        expect(opened.errors, name).toEqual([]);
      } finally {
        await opened.close();
      }
    }
  });

  test('control: the XSS check catches a template that writes output unescaped', async () => {
    const record = await loadRecord('xss');
    const templateDir = join(dir, 'unsafe-templates');
    await mkdir(join(templateDir, 'partials'), { recursive: true });
    await writeFile(join(templateDir, 'partials', 'html-output.hbs'), '<div class="output"><pre>{{{text}}}</pre></div>\n');
    const { html } = await renderReports(record, { templateDir });
    const opened = await openReport('xss-unsafe', html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
    try {
      const flag = await opened.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
      expect(flag).toBeDefined();
    } finally {
      await opened.close();
    }
  });
});
