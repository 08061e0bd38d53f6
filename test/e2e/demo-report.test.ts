import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { runCli } from '../helpers/cli.js';

// The demo's HTML report as a newcomer opens it: in Chromium, with no error, no request.

const CHROMIUM = '/usr/bin/chromium';

describe("the demo's HTML report in Chromium", () => {
  let browser: Browser;
  let reports: string;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    reports = mkdtempSync(join(tmpdir(), 'rp-demo-html-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(reports, { recursive: true, force: true });
  });

  interface Summary {
    status: string;
    counts: Record<string, number>;
    html: string;
    record: string;
    bundle: string;
    serviceUrl: string;
  }
  const runs = new Map<string, Summary>();
  beforeAll(async () => {
    // Both runs at once. The run lock belongs to the runbook and selection whatever the evidence
    // folder (L10), so each run gets its own lock folder.
    const [passing, failing] = await Promise.all([
      runCli(['demo', '--json', '--evidence-dir', 'pass/ev'], { cwd: reports, env: { RUNPROOF_LOCK_DIR: join(reports, 'pass/locks') } }),
      runCli(['demo', '--json', '--fail', '--evidence-dir', 'fail/ev'], { cwd: reports, env: { RUNPROOF_LOCK_DIR: join(reports, 'fail/locks') } }),
    ]);
    expect([passing.code, failing.code]).toEqual([0, 1]);
    runs.set('passing', JSON.parse(passing.stdout) as Summary);
    runs.set('failing', JSON.parse(failing.stdout) as Summary);
  });

  it('--json prints the summary as JSON; --evidence-dir chooses the folder', () => {
    const summary = runs.get('passing')!;
    expect(summary).toMatchObject({ status: 'passed', counts: { passed: 5, failed: 0 } });
    expect(summary.bundle.startsWith(join(reports, 'pass', 'ev'))).toBe(true);
    expect(existsSync(summary.html)).toBe(true);
    expect(existsSync(summary.record)).toBe(true);
    expect(summary.serviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(runs.get('failing')).toMatchObject({ status: 'failed', counts: { passed: 3, failed: 2 } });
  });

  it.each([
    ['passing', 'PASSED'],
    ['failing', 'FAILED'],
  ])('the %s run opens with no error, no request, and the status at the top', async (label, status) => {
    const summary = runs.get(label)!;
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('request', (r) => requests.push(r.url()));
    try {
      const href = pathToFileURL(summary.html).href;
      await page.goto(href, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      expect(requests.filter((u) => u !== href)).toEqual([]);
      expect(await page.title()).toContain('Demo service daily checks');
      const body = await page.textContent('body');
      expect(body).toContain(status);
      expect(body).toContain('/ready - Production Ready');
    } finally {
      await context.close();
    }
  });
});
