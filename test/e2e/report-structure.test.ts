/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// SECURITY J1: redaction works on data before rendering, never on markup. Real runs (the demo,
// its failing run, and a run full of credentials in headers, query strings and bodies) are
// opened in Chromium and their DOM structure is checked: each step's blocks inside its own
// <details>, every section present after the steps, nothing swallowed by a <pre>.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const screenshots = join(dirname(fileURLToPath(import.meta.url)), '..', '__screenshots__');
const SECRETS = ['qsTok-123456789', 'hdr-tok-987654321', 'demo-tok-55555', 'body-Pw-424242', 'yaml-Pw-313131', 'echoed-Pw-777777'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

interface Structure {
  stepIds: string[];
  nestedSteps: number;
  stepsOutsideList: number;
  blocksOutsideStep: number;
  swallowed: number;
  sections: Record<string, boolean>;
  sectionOrder: string[];
  footerFont: string;
}

describe('report structure under redaction (Chromium)', () => {
  let browser: Browser;
  let work: string;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    work = mkdtempSync(join(tmpdir(), 'rp-report-structure-'));
    // Echoes the request (headers, query, body) back: every credential comes back in the response too.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('set-cookie', 'session=echoed-Pw-777777');
        res.end(JSON.stringify({ url: req.url, headers: req.headers, body, password: 'echoed-Pw-777777' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function structureOf(html: string, shot: string): Promise<Structure> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      await page.$$eval('details.step', (nodes) => nodes.forEach((n) => ((n as HTMLDetailsElement).open = true)));
      await page.screenshot({ path: join(screenshots, shot), fullPage: true });
      return await page.evaluate(() => {
        const steps = [...document.querySelectorAll('details.step')];
        const names = ['section.counts', 'section.summary', 'section.steps', 'section.decisions', 'footer.integrity'];
        const top = [...document.querySelectorAll('section[aria-label], nav[aria-label], footer[aria-label]')];
        return {
          stepIds: steps.map((d) => d.getAttribute('data-step-id') ?? ''),
          nestedSteps: document.querySelectorAll('details.step details.step').length,
          stepsOutsideList: steps.filter((d) => !d.parentElement?.closest('section.steps')).length,
          blocksOutsideStep: [...document.querySelectorAll('section.steps pre, section.steps table, section.steps .output, section.steps .http, section.steps .attempt')].filter(
            (e) => !e.closest('details.step'),
          ).length,
          swallowed: document.querySelectorAll('pre table, pre div, pre p, pre section, pre details, pre footer, pre h2, pre h3, code table, code div').length,
          sections: Object.fromEntries(names.map((n) => [n, (() => {
            const el = document.querySelector(n);
            return el !== null && el.parentElement?.closest('details, pre, code, table') === null;
          })()])),
          sectionOrder: top.filter((e) => !e.parentElement?.closest('details, pre')).map((e) => e.getAttribute('aria-label') ?? ''),
          footerFont: getComputedStyle(document.querySelector('footer.integrity')!).fontFamily,
        };
      });
    } finally {
      await context.close();
    }
  }

  function expectWellFormed(s: Structure, stepIds: string[]): void {
    expect(s.stepIds).toEqual(stepIds);
    expect(s.nestedSteps).toBe(0);
    expect(s.stepsOutsideList).toBe(0);
    expect(s.blocksOutsideStep).toBe(0);
    expect(s.swallowed).toBe(0);
    expect(s.sections).toEqual({ 'section.counts': true, 'section.summary': true, 'section.steps': true, 'section.decisions': true, 'footer.integrity': true });
    // The sections after the steps are still siblings of it, in order, not inside a step.
    expect(s.sectionOrder.slice(s.sectionOrder.indexOf('Steps'))).toEqual(['Steps', 'Decisions', 'Integrity']);
    expect(s.footerFont).not.toMatch(/mono/i);
  }

  it.each([
    ['passing demo', [], 'report-demo.png'],
    ['failing demo', ['--fail'], 'report-demo-failed.png'],
  ])('the %s report keeps its structure', async (_label, extra, shot) => {
    const dir = join(work, shot);
    const r = await runCli(['demo', '--json', ...extra, '--evidence-dir', dir], { cwd: work, timeoutMs: 120_000 });
    const summary = JSON.parse(r.stdout) as { html: string; record: string };
    const record = JSON.parse(readFileSync(summary.record, 'utf8')) as { steps: Array<{ id: string }> };
    const html = readFileSync(summary.html, 'utf8');
    expect(html).toContain('[REDACTED:');
    expectWellFormed(await structureOf(summary.html, shot), record.steps.map((s) => s.id));
  }, 180_000);

  it('a run with credentials in headers, query strings and bodies: structure kept, no secret in any bundle file', async () => {
    const base = `http://127.0.0.1:${port}`;
    const runbook = [
      '# Credentials everywhere',
      '',
      '## 1. Calls',
      '',
      '```http {"name":"login"}',
      `POST ${base}/login?token=qsTok-123456789&x=1`,
      'Authorization: Bearer hdr-tok-987654321',
      'X-Demo-Token: demo-tok-55555',
      'Content-Type: application/json',
      '',
      '{"user": "ops", "password": "body-Pw-424242"}',
      '```',
      '',
      '```bash {"name":"curl-it"}',
      `curl -s -H "X-Demo-Token: demo-tok-55555" "${base}/echo?access_token=qsTok-123456789"`,
      '```',
      '',
      '```bash {"name":"config-dump"}',
      "printf 'db:\\n  password: yaml-Pw-313131\\n'; false",
      '```',
      '',
    ].join('\n');
    writeFileSync(join(work, 'creds.md'), runbook);
    const r = await runCli(['run', 'creds.md', '--yes', '--allow', 'write', '--json', '--evidence-dir', join(work, 'ev-creds')], { cwd: work, timeoutMs: 120_000 });
    const summary = JSON.parse(r.stdout) as { bundle: string; record: string; steps: Array<{ id: string; status: string }> };
    expect(summary.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'failed']);
    for (const file of filesUnder(summary.bundle)) {
      const text = readFileSync(file, 'latin1');
      for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${file}`).toBe(false);
    }
    for (const secret of SECRETS) expect(r.stdout + r.stderr).not.toContain(secret);
    const html = filesUnder(summary.bundle).find((f) => f.endsWith('.html'))!;
    expectWellFormed(await structureOf(html, 'report-credentials.png'), summary.steps.map((s) => s.id));
  }, 180_000);
});
