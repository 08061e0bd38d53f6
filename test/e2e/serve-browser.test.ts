import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEvidenceServer, type EvidenceServer } from '../../src/serve/index.js';
import { buildEvidenceFixture, type EvidenceFixture } from '../serve/evidence-fixture.js';

// `runproof evidence serve` in Debian's Chromium, as an auditor uses it: every page, filters
// by form (no script), a tampered bundle shown broken, traversal refused, no request leaving
// the origin, and XSS payloads from runbook titles and outputs inert.

const here = dirname(fileURLToPath(import.meta.url));
const screenshots = join(here, '..', '__screenshots__');
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let fx: EvidenceFixture;
let server: EvidenceServer;

interface Opened {
  page: Page;
  context: BrowserContext;
  /** Requests to anything but the server's origin (aborted). */
  foreign: string[];
  dialogs: string[];
  errors: string[];
  close(): Promise<void>;
}

async function openBrowser(): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, javaScriptEnabled: true });
  const origin = server.origin.replace(/\/$/, '');
  const foreign: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === origin || url.startsWith(`${origin}/`)) await route.continue();
    else {
      foreign.push(url);
      await route.abort();
    }
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, context, foreign, dialogs, errors, close: () => context.close() };
}

// Every frame of the page: no payload ran, no script element, nothing injected.
async function expectInert(page: Page, label: string): Promise<void> {
  for (const frame of page.frames()) {
    const state = await frame
      .evaluate(() => ({
        flag: (window as unknown as { __xss?: unknown }).__xss,
        scripts: document.scripts.length,
        injected: document.querySelectorAll('img, svg, object, embed').length,
        jsLinks: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')!).filter((h) => /^\s*javascript:/i.test(h)),
      }))
      .catch(() => null); // a sandboxed report frame without scripts cannot be evaluated
    if (!state) continue;
    expect(state.flag, label).toBeUndefined();
    expect(state.scripts, label).toBe(0);
    expect(state.injected, label).toBe(0);
    expect(state.jsLinks, label).toEqual([]);
  }
}

const rows = (page: Page): Promise<Array<{ bundle: string; verify: string }>> =>
  page.$$eval('table.runs tbody tr', (trs) => trs.map((tr) => ({ bundle: tr.getAttribute('data-bundle')!, verify: tr.getAttribute('data-verify')! })));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does it on CI`);
  fx = await buildEvidenceFixture('serve-browser');
  server = await startEvidenceServer({ dir: fx.evidence, refreshMs: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fx?.cleanup();
});

describe('evidence serve in Chromium', () => {
  test('Runs: newest first, verify state per row, filters by form, XSS title shown as text', async () => {
    const o = await openBrowser();
    try {
      const { page } = o;
      await page.goto(server.url);
      const shown = await rows(page);
      expect(shown.map((r) => r.bundle)).toEqual([...fx.bundles].reverse());
      expect(shown.every((r) => r.verify === 'unsigned')).toBe(true);
      const text = await page.innerText('table.runs');
      expect(text).toContain('Daily <script>window.__xss=1</script> checks <img src=x onerror="window.__xss=2">');
      await page.screenshot({ path: join(screenshots, 'serve-runs.png'), fullPage: true });

      // Status filter through the form (a plain GET form).
      await page.selectOption('select[name=status]', 'failed');
      await Promise.all([page.waitForURL(/status=failed/), page.click('form.filters button')]);
      expect((await rows(page)).map((r) => r.bundle)).toEqual([fx.bundles[1]]);
      // Runbook filter, section filter, text filter, operator, host, date range.
      const daily = await page.$$eval('select[name=runbook] option', (opts) => opts.map((op) => ({ v: op.getAttribute('value')!, t: op.textContent! })));
      const dailyKey = daily.find((d) => d.t.startsWith('Daily'))!.v;
      const base = server.origin;
      const check = async (query: string, expected: string[]): Promise<void> => {
        await page.goto(`${base}?${query}`);
        expect((await rows(page)).map((r) => r.bundle), query).toEqual(expected);
      };
      await check(`runbook=${encodeURIComponent(dailyKey)}`, [fx.bundles[2]!, fx.bundles[1]!, fx.bundles[0]!]);
      await check('section=flak', [fx.bundles[1]!]);
      await check('q=other', [fx.bundles[3]!]);
      await check('q=no-such-text-anywhere', []);
      const today = new Date().toISOString().slice(0, 10);
      await check(`from=${today}&to=${today}&runbook=${encodeURIComponent(dailyKey)}&status=passed`, [fx.bundles[2]!, fx.bundles[0]!]);
      await check('to=2000-01-01', []);
      await check('operator=no-such-user', []);
      await check('host=no-such-host', []);
      expect(await page.textContent('p.empty')).toContain('No run matches');
      await page.goto(`${base}?status=failed`);
      await page.screenshot({ path: join(screenshots, 'serve-runs-filtered.png'), fullPage: true });
      await expectInert(page, 'runs');
      expect(o.foreign).toEqual([]);
      expect(o.dialogs).toEqual([]);
    } finally {
      await o.close();
    }
  }, 150_000);

  test('Run: the report in place (sandboxed), verify result, chain links previous/next; XSS output inert', async () => {
    const o = await openBrowser();
    try {
      const { page } = o;
      const middle = fx.bundles[1]!;
      await page.goto(`${server.origin}run/${middle}`);
      expect(await page.getAttribute('#verify-state', 'class')).toContain('v-unsigned');
      expect(await page.getAttribute('a[rel=prev]', 'href')).toBe(`/run/${fx.bundles[0]}`);
      expect(await page.getAttribute('a[rel=next]', 'href')).toBe(`/run/${fx.bundles[2]}`);
      expect(await page.textContent('nav.chainpos')).toContain('chain seq 2 of 3');
      const iframe = page.locator('iframe.report');
      expect(await iframe.getAttribute('sandbox')).toBe('');
      const frame = page.frameLocator('iframe.report');
      await expect.poll(() => frame.locator('#run-status').textContent()).toBe('FAILED');
      await page.screenshot({ path: join(screenshots, 'serve-run.png'), fullPage: true });
      // The run with the XSS output: shown literally inside the report frame.
      await page.goto(`${server.origin}run/${fx.bundles[0]}`);
      await expect.poll(() => frame.locator('body').textContent()).toContain('ok <script>window.__xss=3</script>');
      await page.click('details.history summary');
      await expectInert(page, 'run');
      expect(o.foreign).toEqual([]);
      expect(o.dialogs).toEqual([]);
    } finally {
      await o.close();
    }
  }, 150_000);

  test('Step history, Diff and Audit sample pages', async () => {
    const o = await openBrowser();
    try {
      const { page } = o;
      const dailyKey = server.store.get(fx.bundles[0]!)!.chainKey;
      await page.goto(`${server.origin}steps?runbook=${encodeURIComponent(dailyKey)}`);
      const flaky = await page.$$eval('tr[data-step] ', (trs) =>
        trs.map((tr) => ({ step: tr.getAttribute('data-step'), cells: [...tr.querySelectorAll('a.cell')].map((a) => a.getAttribute('data-status')) })),
      );
      // Newest first: run 3 passed all, run 2 ran only Flaky (failed), run 1 passed all.
      const row = flaky.find((r) => r.step?.includes('flaky'))!;
      expect(row.cells).toEqual(['passed', 'failed', 'passed']);
      const health = flaky.find((r) => r.step?.includes('health'))!;
      expect(health.cells).toEqual(['passed', 'absent', 'passed']);
      await page.screenshot({ path: join(screenshots, 'serve-steps.png'), fullPage: true });
      // Each square links to its run.
      await Promise.all([page.waitForURL(/\/run\//), page.click(`tr[data-step="${row.step}"] a.cell[data-status=failed]`)]);
      expect(page.url()).toContain(`/run/${fx.bundles[1]}`);

      await page.goto(`${server.origin}diff?runbook=${encodeURIComponent(dailyKey)}`);
      await page.selectOption('select[name=a]', fx.bundles[1]!);
      await page.selectOption('select[name=b]', fx.bundles[2]!);
      await Promise.all([page.waitForURL(/a=/), page.click('form.filters button')]);
      const changed = await page.$$eval('table.diff tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-step')));
      expect(changed.some((s) => s?.includes('flaky'))).toBe(true);
      expect(changed.some((s) => s?.includes('health'))).toBe(true);
      await page.screenshot({ path: join(screenshots, 'serve-diff.png'), fullPage: true });
      await page.goto(`${server.origin}diff?a=${fx.bundles[0]}&b=${fx.bundles[2]}`);
      expect(await page.textContent('#no-change')).toContain('No step changed');
      await expectInert(page, 'diff');

      await page.goto(`${server.origin}sample`);
      await page.fill('input[name=n]', '2');
      await Promise.all([page.waitForURL(/n=2/), page.click('form.filters button')]);
      const seed = await page.textContent('#seed');
      expect(seed).toMatch(/^[0-9a-f]{32}$/);
      expect(await page.textContent('#population')).toBe(String(fx.bundles.length));
      const drawn = await page.$$eval('table.sample tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-bundle')));
      expect(drawn).toHaveLength(2);
      await page.screenshot({ path: join(screenshots, 'serve-sample.png'), fullPage: true });
      // Another auditor redraws from the seed and gets the same bundles.
      const other = await openBrowser();
      try {
        await other.page.goto(`${server.origin}sample?n=2&seed=${seed}`);
        expect(await other.page.$$eval('table.sample tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-bundle')))).toEqual(drawn);
      } finally {
        await other.close();
      }
      const zipHref = await page.getAttribute('#zip', 'href');
      expect(zipHref).toContain(`seed=${seed}`);
      const download = await Promise.all([page.waitForEvent('download'), page.click('#zip')]).then(([d]) => d);
      expect(download.suggestedFilename()).toBe(`runproof-sample-${seed}.zip`);
      expect(o.foreign).toEqual([]);
    } finally {
      await o.close();
    }
  }, 150_000);

  test('a tampered bundle is shown broken on Runs, Run and Chains; a rewritten manifest breaks the chain', async () => {
    const o = await openBrowser();
    const b = fx.bundles[2]!;
    const md = join(fx.evidence, b, `${b}.md`);
    const manifest = join(fx.evidence, fx.bundles[0]!, 'manifest.json');
    const originalManifest = await readFile(manifest);
    const originalMd = await readFile(md);
    try {
      const { page } = o;
      await page.goto(server.url);
      expect((await rows(page)).find((r) => r.bundle === b)!.verify).toBe('unsigned');
      await appendFile(md, '\nall good, trust me\n');
      await page.reload();
      expect((await rows(page)).find((r) => r.bundle === b)!.verify).toBe('broken');
      await page.goto(`${server.origin}run/${b}`);
      expect(await page.getAttribute('#verify-state', 'class')).toContain('v-broken');
      expect(await page.textContent('#verify-state')).toContain(`${b}.md`);
      await page.screenshot({ path: join(screenshots, 'serve-run-broken.png'), fullPage: true });

      // Rewriting the first bundle's manifest (same JSON, other bytes) breaks the next link.
      await writeFile(manifest, `${originalManifest.toString().trimEnd()} \n`);
      await page.goto(`${server.origin}chains`);
      const links = await page.$$eval('section.chain:first-of-type li.link', (lis) => lis.map((li) => ({ seq: li.getAttribute('data-seq'), kind: li.getAttribute('data-kind') })));
      expect(links).toContainEqual({ seq: '2', kind: 'rewritten' });
      expect(await page.textContent('section.chain:first-of-type h2 .badge')).toBe('broken');
      await page.screenshot({ path: join(screenshots, 'serve-chains.png'), fullPage: true });
      await expectInert(page, 'chains');
      expect(o.foreign).toEqual([]);
    } finally {
      await writeFile(md, originalMd);
      await writeFile(manifest, originalManifest);
      await o.close();
    }
  }, 150_000);

  test('a traversal attempt from the address bar is refused', async () => {
    const o = await openBrowser();
    try {
      const { page } = o;
      for (const path of [`file/${fx.bundles[0]}/..%2f..%2fdaily.md`, `file/${fx.bundles[0]}/%2e%2e/%2e%2e/daily.md`, 'report/..%2fdaily.md']) {
        const response = await page.goto(`${server.origin}${path}`);
        expect([400, 404], path).toContain(response!.status());
        expect(await page.content()).not.toContain('Daily checks\n\n## 1. Health');
      }
      expect(o.foreign).toEqual([]);
    } finally {
      await o.close();
    }
  }, 150_000);
});
