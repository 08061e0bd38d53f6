import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadChecklistFile, parsePrometheusTextForTest, runChecklist } from './run-helpers.js';
import { exitCodeForChecklist, EXIT } from '../../src/cli/exit.js';
import { parseXml, type XmlElement } from '../report/xml.js';

// A run that checked nothing must never look like a pass to a scheduler: not in the exit code,
// not in JUnit, not in the textfile, not in the webhook. Real runs of a real runbook.
const fixtures = fileURLToPath(new URL('../fixtures/checklist/', import.meta.url));
let dir: string;
let server: Server;
let hookUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(Buffer.concat(chunks).toString('utf8'));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-nothing-'));
  copyFileSync(join(fixtures, 'nothing.md'), join(dir, 'nothing.md'));
  seen.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(section: string) {
  const path = join(dir, 'checklists.yaml');
  writeFileSync(path, `
defaults:
  evidenceDir: ev
  junit: out/junit.xml
  textfile: out/runproof.prom
  webhook: { url: "${hookUrl}", timeout: 5s }
checklists:
  - name: daily
    runbook: nothing.md
    sections: ["${section}"]
`);
  const file = await loadChecklistFile(path);
  const result = await runChecklist(file.checklists[0]!, { env: { ...process.env } as Record<string, string>, trigger: { kind: 'manual' } });
  const junit = parseXml(readFileSync(join(dir, 'out/junit.xml'), 'utf8'));
  const samples = parsePrometheusTextForTest(readFileSync(join(dir, 'out/runproof.prom'), 'utf8'));
  const metric = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && s.labels.checklist === 'daily' && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  return { result, junit, metric };
}

function allCases(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === 'testcase') out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

describe('a checklist run that checked nothing', () => {
  it('an empty selection is `empty`: exit 5, a failing JUnit testcase, status="empty" and checks_run 0 in the textfile, a failure webhook', async () => {
    const { result, junit, metric } = await run('Daily checks');
    expect(result.status).toBe('empty');
    expect(exitCodeForChecklist(result.status)).toBe(EXIT.nothingChecked);
    expect(exitCodeForChecklist(result.status)).not.toBe(0);
    // JUnit: the suite fails; one testcase says nothing was checked.
    expect(Number(junit.attrs.failures)).toBeGreaterThan(0);
    const cases = allCases(junit);
    const nothing = cases.find((c) => c.children.some((k) => k.name === 'failure' && /nothing checked/.test(k.attrs.message ?? '')));
    expect(nothing, 'a failure testcase "nothing checked"').toBeDefined();
    expect(nothing!.children.find((k) => k.name === 'failure')!.attrs.type).toBe('empty');
    // Textfile: distinct from a pass.
    expect(metric('runproof_last_run_success')).toBe(0);
    expect(metric('runproof_checklist_status', { status: 'empty' })).toBe(1);
    expect(metric('runproof_checklist_status', { status: 'passed' })).toBe(0);
    expect(metric('runproof_checklist_checks_run')).toBe(0);
    expect(metric('runproof_last_success_timestamp_seconds')).toBeUndefined();
    // The default webhook (on: failure) fires and says empty.
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!)).toMatchObject({ checklist: 'daily', status: 'empty' });
  });

  it('every check blocked by policy is `blocked`: exit 1, a failing JUnit testcase, status="blocked" and checks_run 0', async () => {
    const { result, junit, metric } = await run('Service Management');
    expect(result.status).toBe('blocked');
    expect(exitCodeForChecklist(result.status)).toBe(EXIT.failed);
    const cases = allCases(junit);
    // Every step is <skipped/>, and one more testcase fails so the suite is not green.
    expect(cases.filter((c) => c.children.some((k) => k.name === 'skipped'))).toHaveLength(2);
    const failure = cases.flatMap((c) => c.children).find((k) => k.name === 'failure');
    expect(failure?.attrs.type).toBe('blocked');
    expect(failure?.attrs.message).toMatch(/nothing checked: every check \(2\) was blocked by policy/);
    expect(Number(junit.attrs.failures)).toBe(1);
    expect(metric('runproof_checklist_status', { status: 'blocked' })).toBe(1);
    expect(metric('runproof_checklist_status', { status: 'empty' })).toBe(0);
    expect(metric('runproof_checklist_checks_run')).toBe(0);
    expect(metric('runproof_last_run_success')).toBe(0);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!)).toMatchObject({ status: 'blocked' });
  });
});
