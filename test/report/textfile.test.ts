import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTextfile, updateTextfile } from '../../src/report/index.js';
import { parsePrometheusText } from '../../src/execute/prometheus-text.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-textfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const counts = (passed: number, failed: number) => ({ total: passed + failed + 1, passed, failed, blocked: 1, skipped: 0, notRun: 0 });

// Exposition-format rules the parser does not enforce: one HELP and TYPE per family, before its
// samples, and each family's samples contiguous; label sets unique per family.
function checkExposition(text: string): void {
  const parsed = parsePrometheusText(text);
  expect(parsed.skipped).toBe(0);
  expect(text.endsWith('\n')).toBe(true);
  const seenFamilies = new Set<string>();
  let current = '';
  const typed = new Set<string>();
  const series = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['gauge', 'counter']).toContain(meta[3]);
        expect(typed.has(meta[2]!)).toBe(false);
        typed.add(meta[2]!);
      }
      continue;
    }
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)![1]!;
    expect(typed.has(name), `${name} has a TYPE line before its samples`).toBe(true);
    if (name !== current) {
      expect(seenFamilies.has(name), `${name} samples are contiguous`).toBe(false);
      seenFamilies.add(name);
      current = name;
    }
    const key = line.replace(/ [^ ]+$/, '');
    expect(series.has(key)).toBe(false);
    series.add(key);
  }
  for (const s of parsed.samples) {
    for (const label of Object.keys(s.labels)) expect(['checklist', 'status']).toContain(label);
  }
}

describe('Prometheus textfile', () => {
  it('writes the required metrics, valid per the exposition format, labelled by checklist only', async () => {
    const path = join(dir, 'runproof.prom');
    const text = await updateTextfile(path, 'daily', { run: { startedAt: new Date('2026-01-22T06:00:00Z'), success: true, durationMs: 1500, counts: counts(3, 0) } });
    expect(readFileSync(path, 'utf8')).toBe(text);
    checkExposition(text);
    const samples = parsePrometheusText(text).samples;
    const value = (name: string, labels: Record<string, string> = { checklist: 'daily' }) =>
      samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
    expect(value('runproof_last_run_timestamp_seconds')).toBe(Date.parse('2026-01-22T06:00:00Z') / 1000);
    expect(value('runproof_last_run_success')).toBe(1);
    expect(value('runproof_last_run_duration_seconds')).toBe(1.5);
    expect(value('runproof_last_success_timestamp_seconds')).toBe(Date.parse('2026-01-22T06:00:00Z') / 1000);
    expect(value('runproof_steps', { checklist: 'daily', status: 'passed' })).toBe(3);
    expect(value('runproof_steps', { checklist: 'daily', status: 'blocked' })).toBe(1);
    expect(value('runproof_skipped_runs_total')).toBe(0);
    expect(readdirSync(dir)).toEqual(['runproof.prom']); // the temp file was renamed away
  });

  it('carries the last success forward over a failure, counts skips and keeps other checklists in a shared file', async () => {
    const path = join(dir, 'shared.prom');
    await updateTextfile(path, 'daily', { run: { startedAt: new Date('2026-01-22T06:00:00Z'), success: true, durationMs: 1000, counts: counts(2, 0) } });
    await updateTextfile(path, 'weekly "a\\b"', { run: { startedAt: new Date('2026-01-22T07:00:00Z'), success: true, durationMs: 10, counts: counts(1, 0) } });
    await Promise.all([
      updateTextfile(path, 'daily', { run: { startedAt: new Date('2026-01-23T06:00:00Z'), success: false, durationMs: 2000, counts: counts(1, 1) }, webhookDelivered: false }),
      updateTextfile(path, 'daily', { skipped: 1 }),
      updateTextfile(path, 'daily', { skipped: 1 }),
      updateTextfile(path, 'daily', { missed: 3 }),
    ]);
    const text = readFileSync(path, 'utf8');
    checkExposition(text);
    const samples = parsePrometheusText(text).samples.filter((s) => s.labels.checklist === 'daily');
    const value = (name: string) => samples.find((s) => s.name === name && !s.labels.status)?.value;
    expect(value('runproof_last_run_success')).toBe(0);
    expect(value('runproof_last_run_timestamp_seconds')).toBe(Date.parse('2026-01-23T06:00:00Z') / 1000);
    expect(value('runproof_last_success_timestamp_seconds')).toBe(Date.parse('2026-01-22T06:00:00Z') / 1000);
    expect(value('runproof_skipped_runs_total')).toBe(2);
    expect(value('runproof_missed_runs_total')).toBe(3);
    expect(value('runproof_last_webhook_success')).toBe(0);
    const weekly = parsePrometheusText(text).samples.filter((s) => s.labels.checklist === 'weekly "a\\b"');
    expect(weekly.find((s) => s.name === 'runproof_last_run_success')?.value).toBe(1);
  });

  it('renders nothing for no series and never a run id', () => {
    expect(renderTextfile(new Map())).toBe('');
    const text = renderTextfile(new Map([['daily', { skippedRunsTotal: 1, missedRunsTotal: 0 }]]));
    expect(text).not.toMatch(/run_id|bundle/);
    checkExposition(text);
  });
});
