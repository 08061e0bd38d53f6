import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { describe, expect, test } from 'vitest';
import { isRunproofError } from '../../src/core/index.js';
import { RunRecordSchema, type RunRecord, type Step } from '../../src/record/index.js';
import { recordFileText, renderReports } from '../../src/render/index.js';

// Each test/fixtures/render/<case>.record.json renders to <case>.expected.md (UPDATE_FIXTURES=1
// rewrites them): a change of the Markdown report shows as a fixture diff in review.

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'render');
const update = process.env.UPDATE_FIXTURES === '1';
const cases = readdirSync(fixtures)
  .filter((f) => f.endsWith('.record.json'))
  .map((f) => f.replace(/\.record\.json$/, ''))
  .sort();

async function loadRecord(name: string): Promise<RunRecord> {
  return RunRecordSchema.parse(JSON.parse(await readFile(join(fixtures, `${name}.record.json`), 'utf8')));
}

const md = new MarkdownIt({ html: true, linkify: true });

// Markup a payload would need to run: a dangerous element, an event-handler attribute inside a
// tag, or a javascript: link. Escaped payload text (`&lt;img onerror=...`) does not match.
const ACTIVE_MARKUP = /<(?:script|img|svg|iframe|object|embed|b|meta|style|link|base|form)[\s>/]|<[a-z][^>]*\son[a-z]+\s*=|(?:href|src)\s*=\s*["']?\s*javascript:/i;

describe('fixtures', () => {
  test('there are passed, failed, dry-run and XSS records', () => {
    expect(cases).toEqual(expect.arrayContaining(['passed', 'failed', 'dry-run', 'xss']));
  });

  test.each(cases)('%s: Markdown matches %s.expected.md', async (name) => {
    const record = await loadRecord(name);
    const { markdown } = await renderReports(record);
    const file = join(fixtures, `${name}.expected.md`);
    if (update) await writeFile(file, markdown);
    expect(markdown).toBe(await readFile(file, 'utf8'));
  });

  test.each(cases)('%s: the same record renders the same bytes twice', async (name) => {
    const record = await loadRecord(name);
    const first = await renderReports(record);
    const second = await renderReports(structuredClone(record));
    expect(second).toEqual(first);
  });

  test.each(cases)('%s: HTML is one self-contained page with a CSP and no script', async (name) => {
    const record = await loadRecord(name);
    const { html } = await renderReports(record);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`);
    const [head, body] = html.split('</head>') as [string, string];
    expect(head.match(/<[a-z]+/g)).toEqual(['<html', '<head', '<meta', '<meta', '<meta', '<meta', '<meta', '<title', '<style']);
    expect(body).not.toMatch(ACTIVE_MARKUP);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:|\/\/|javascript:)/i);
    expect(html.match(/<details class="step/g) ?? []).toHaveLength(record.steps.length);
    expect(html.match(/<\/details>/g) ?? []).toHaveLength(record.steps.length);
  });

  test.each(cases)('%s: the Markdown, read by a CommonMark/GFM parser, has one step heading per step and no raw HTML but anchors', async (name) => {
    const record = await loadRecord(name);
    const { markdown } = await renderReports(record);
    const tokens = md.parse(markdown, {});
    const h4 = tokens.filter((t) => t.type === 'heading_open' && t.tag === 'h4');
    expect(h4).toHaveLength(record.steps.length);
    const htmlBits = tokens.flatMap((t) => [t, ...(t.children ?? [])]).filter((t) => t.type === 'html_block' || t.type === 'html_inline');
    for (const bit of htmlBits) expect(bit.content.trim()).toMatch(/^(?:<a id="step-[A-Za-z0-9_.-]+">|<\/a>)+$/);
    expect(md.render(markdown)).not.toMatch(ACTIVE_MARKUP);
  });
});

describe('content', () => {
  test('the Markdown summary names runbook, SHA, commit, host, operator, mode, selection, times, status and counts', async () => {
    const record = await loadRecord('failed');
    const { markdown } = await renderReports(record);
    for (const fact of [
      '| Runbook | `ops/nightly-db.md` (Nightly database checks) |',
      `| Runbook SHA-256 | \`${record.runbook.sha256}\` |`,
      `| Git commit | \`${record.runbook.git.commit}\` (with uncommitted changes) |`,
      '| Host | `db-cron-2` |',
      '| Operator | `scheduler` |',
      '| Mode | unattended |',
      '| Selection | the whole runbook |',
      '| Status | **FAILED** |',
      '| Steps | 1 passed, 4 failed, 1 blocked, 1 skipped, 0 not run (7 steps) |',
    ]) {
      expect(markdown).toContain(fact);
    }
    expect(markdown).toMatch(/\| Started \| 2026-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/);
  });

  test('a long output shows head and tail, and points at the log file and its SHA-256', async () => {
    const record = await loadRecord('failed');
    const step = record.steps.find((s) => s.attempts[0]?.stdout.truncated)!;
    const out = step.attempts[0]!.stdout;
    const { markdown, html } = await renderReports(record);
    expect(markdown).toContain(`stdout, 204 KiB, SHA-256 \`${out.sha256}\`; the record keeps head and tail only, the whole output is in [${out.logFile}](${out.logFile}); shortened in this report:`);
    expect(markdown).toContain('line 1\nline 2\n');
    expect(markdown).toContain('line 20000\n');
    expect(html).toContain(`<a href="${out.logFile}">${out.logFile}</a>`);
    // The report shows less than the record's 64 KiB inline text.
    expect(markdown.length).toBeLessThan(out.inline.length);
  });

  test('assertions show expected and actual; expected-output diffs show each path', async () => {
    const { markdown, html } = await renderReports(await loadRecord('failed'));
    expect(markdown).toContain('| FAIL | `stdout contains "healthy"` (line 27) | `"healthy"` |');
    expect(markdown).toMatch(/\| `\$\.status` \| `"ok"` \| `"degraded"` \|/);
    expect(html).toContain('<tr class="fail">');
  });

  test('the HTTP exchange shows the request, the error and the curl line', async () => {
    const { markdown } = await renderReports(await loadRecord('failed'));
    expect(markdown).toContain('HTTP error: ECONNREFUSED: GET http://127.0.0.1:9/health');
    expect(markdown).toContain('```http\nGET http://127.0.0.1:9/health\nAccept: application/json\nUser-Agent: runproof/');
    expect(markdown).toContain("curl -sS -H 'Accept: application/json' http://127.0.0.1:9/health");
  });

  test('ANSI colour codes are stripped from output', async () => {
    const record = await loadRecord('passed');
    const coloured = record.steps.find((s) => s.attempts.some((a) => a.stdout.inline.includes('\u001b[')))!;
    expect(coloured).toBeDefined();
    const { markdown, html } = await renderReports(record);
    expect(markdown).not.toContain('\u001b');
    expect(html).not.toContain('\u001b');
    expect(markdown).toContain('green OK and bold red');
  });

  test('a backtick fence inside output cannot break out of its Markdown block', async () => {
    const { markdown } = await renderReports(await loadRecord('passed'));
    expect(markdown).toContain("`````text\ngreen OK and bold red\na fence inside: ```` and ``` done\n`````");
  });

  test('the footer shows the SHA-256 of the record file as the bundle writes it, and the verify command', async () => {
    const record = await loadRecord('passed');
    const sha = createHash('sha256').update(recordFileText(record)).digest('hex');
    const { markdown, html } = await renderReports(record);
    expect(markdown).toContain(`- Record: \`${record.bundleName}.json\`, SHA-256 \`${sha}\``);
    expect(html).toContain(`<code class="hash" id="record-sha256">${sha}</code>`);
    expect(html).toContain(`<code id="verify-command">runproof verify ${record.bundleName}</code>`);
    expect(markdown).toContain('is written after this report and lists the SHA-256 of this file');
  });

  test('a known seal shows the manifest hash and signature status', async () => {
    const record = await loadRecord('passed');
    const seal = { manifestSha256: 'ab'.repeat(32), signed: 'ed25519' };
    const { markdown, html } = await renderReports(record, { seal });
    expect(markdown).toContain(`- Manifest: \`manifest.json\`, SHA-256 \`${seal.manifestSha256}\`, signature: ed25519.`);
    expect(html).toContain(`<td id="signature">ed25519</td>`);
  });

  test('a dry run says so and shows planned steps', async () => {
    const { markdown, html } = await renderReports(await loadRecord('dry-run'));
    expect(markdown).toContain('**DRY RUN**');
    expect(markdown).toContain(': planned');
    expect(html).toContain('data-status="dry-run"');
  });

  test('secret parameters show only the redacted marker', async () => {
    const { markdown, html } = await renderReports(await loadRecord('passed'));
    expect(markdown).toContain('| `API_TOKEN` | `[REDACTED:API_TOKEN]` | flag (secret, redacted) |');
    expect(html).not.toContain('s3cr3t-token-value');
    expect(markdown).not.toContain('s3cr3t-token-value');
  });
});

describe('XSS payloads', () => {
  test('HTML: every payload is escaped; none appears as markup', async () => {
    const { html } = await renderReports(await loadRecord('xss'));
    // Handlebars escapes = and ` too.
    expect(html).toContain('&lt;script&gt;window.__xss&#x3D;1&lt;/script&gt;');
    expect(html).toContain('{{constructor.constructor(&quot;window.__xss&#x3D;5&quot;)()}}');
    expect(html.split('</head>')[1]).not.toMatch(ACTIVE_MARKUP);
    expect(html.match(/<meta /g)).toHaveLength(5);
    // The javascript: log file is not turned into a link.
    expect(html).toContain('<code>javascript:window.__xss&#x3D;19</code>');
  });

  test('Markdown: payloads stay text and inside fences', async () => {
    const { markdown } = await renderReports(await loadRecord('xss'));
    const rendered = md.render(markdown);
    expect(rendered).not.toMatch(ACTIVE_MARKUP);
    expect(rendered).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;');
    expect(rendered).toContain('[link](javascript:window.__xss=9)');
  });
});

describe('bad input', () => {
  test('a record that does not validate is RP_BAD_RECORD', async () => {
    const record = await loadRecord('passed');
    const broken = { ...record, steps: [{ ...record.steps[0], status: 'exploded' } as unknown as Step] };
    const error = await renderReports(broken).catch((e: unknown) => e);
    expect(isRunproofError(error) && error.code).toBe('RP_BAD_RECORD');
    expect((error as Error).message).toContain('steps.0.status');
  });
});

describe('size', () => {
  test('1,000 steps with long outputs render, each output clipped, and the HTML stays bounded', async () => {
    const base = await loadRecord('failed');
    const template = base.steps.find((s) => s.attempts[0]?.stdout.truncated)!;
    const small = base.steps[0]!;
    const steps: Step[] = Array.from({ length: 1000 }, (_, i) => ({
      ...(i % 10 === 0 ? template : small),
      id: `c${i + 1}`,
      name: `step-${i + 1}`,
      sectionId: `s${Math.floor(i / 20) + 1}`,
      sectionPath: ['Big runbook', `Section ${Math.floor(i / 20) + 1}`],
      status: i % 50 === 0 ? 'failed' : 'passed',
    }));
    const record: RunRecord = {
      ...base,
      steps,
      counts: { total: 1000, passed: 980, failed: 20, blocked: 0, skipped: 0, notRun: 0 },
    };
    const { markdown, html } = await renderReports(record);
    expect(html.match(/<details class="step/g) ?? []).toHaveLength(1000);
    expect(html.match(/<details class="step[^>]* open>/g) ?? []).toHaveLength(20);
    expect(markdown.match(/^#### /gm) ?? []).toHaveLength(1000);
    // 100 steps carry 64 KiB of inline output each; the report shows at most ~32 KiB of each.
    expect(html.length).toBeLessThan(100 * 40 * 1024 + 900 * 8 * 1024);
  });
});
