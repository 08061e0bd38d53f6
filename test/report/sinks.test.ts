import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JUnitFiles, junitSink, runOutcome, textfileSink, type EvidenceSink, type SinkRun } from '../../src/report/index.js';
import type { RunRecord } from '../../src/record/index.js';
import { parsePrometheusText } from '../../src/execute/prometheus-text.js';
import { parseXml } from './xml.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-sinks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// A record as the runev stage writes it for a run that checked nothing (status `empty`), and an
// older record that says `passed` with no step run: both must read as empty.
function record(status: string, counts: Partial<RunRecord['counts']> = {}): RunRecord {
  return {
    schemaVersion: 1, tool: { name: 'runproof', version: '0.1.0' },
    runbook: { path: 'ops/daily.md', title: 'Daily', sha256: 'a'.repeat(64), git: { commit: null, dirty: null } },
    selection: { sections: ['Daily checks'], cells: [], tags: [] }, mode: 'unattended', policy: { allow: ['read'] },
    operator: { user: 'ci', host: 'build-1' }, startedAt: '2026-01-22T06:00:00.000Z', endedAt: '2026-01-22T06:00:00.100Z', durationMs: 100,
    status, parameters: [], evidenceName: 'daily', bundleName: 'daily_20260122_060000',
    counts: { total: 0, passed: 0, failed: 0, blocked: 0, skipped: 0, notRun: 0, ...counts },
    steps: [], warnings: [],
  } as unknown as RunRecord;
}

const run = (r: RunRecord): SinkRun => ({ name: 'daily', status: runOutcome(r.status, r), record: r, bundleDir: '/ev/daily_1', at: new Date('2026-01-22T06:00:00Z') });

describe('evidence sinks', () => {
  it('runOutcome: passed with no check run is empty; a real pass stays passed', () => {
    expect(runOutcome('passed', record('passed'))).toBe('empty');
    expect(runOutcome('empty', record('empty'))).toBe('empty');
    expect(runOutcome('passed', record('passed', { total: 1, passed: 1 }))).toBe('passed');
    expect(runOutcome('blocked', record('blocked', { total: 2, blocked: 2 }))).toBe('blocked');
  });

  for (const status of ['empty', 'passed']) {
    it(`a record with status ${status} and no check run: JUnit fails with "nothing checked", the textfile says empty`, async () => {
      const r = record(status);
      const sinks: EvidenceSink[] = [junitSink(join(dir, 'j.xml'), new JUnitFiles()), textfileSink(join(dir, 't.prom'))];
      expect(sinks.map((s) => s.name)).toEqual(['junit', 'textfile']);
      for (const s of sinks) await s.write(run(r));
      const xml = parseXml(readFileSync(join(dir, 'j.xml'), 'utf8'));
      expect(xml.attrs.failures).toBe('1');
      const suite = xml.children[0]!;
      expect(suite.children.find((c) => c.name === 'properties')!.children.find((p) => p.attrs.name === 'status')!.attrs.value).toBe('empty');
      const failure = suite.children.find((c) => c.name === 'testcase')!.children[0]!;
      expect(failure.name).toBe('failure');
      expect(failure.attrs.type).toBe('empty');
      const samples = parsePrometheusText(readFileSync(join(dir, 't.prom'), 'utf8')).samples;
      const v = (name: string, st?: string) => samples.find((s) => s.name === name && (st === undefined || s.labels.status === st))?.value;
      expect(v('runproof_checklist_status', 'empty')).toBe(1);
      expect(v('runproof_checklist_status', 'passed')).toBe(0);
      expect(v('runproof_checklist_checks_run')).toBe(0);
      expect(v('runproof_last_run_success')).toBe(0);
    });
  }

  it('a passing run after an empty one flips the status series and counts its checks', async () => {
    const sink = textfileSink(join(dir, 't.prom'));
    await sink.write(run(record('empty')));
    await sink.write(run(record('passed', { total: 3, passed: 3 })));
    const samples = parsePrometheusText(readFileSync(join(dir, 't.prom'), 'utf8')).samples;
    const v = (name: string, st?: string) => samples.find((s) => s.name === name && (st === undefined || s.labels.status === st))?.value;
    expect(v('runproof_checklist_status', 'passed')).toBe(1);
    expect(v('runproof_checklist_status', 'empty')).toBe(0);
    expect(v('runproof_checklist_checks_run')).toBe(3);
    expect(v('runproof_last_run_success')).toBe(1);
  });

  it('a new format is one object implementing EvidenceSink', async () => {
    const got: string[] = [];
    const jsonLines: EvidenceSink = { name: 'jsonl', target: 'memory', write: async (r) => void got.push(JSON.stringify({ name: r.name, status: r.status })) };
    await jsonLines.write(run(record('passed')));
    expect(got).toEqual(['{"name":"daily","status":"empty"}']);
  });
});
