import { describe, expect, it } from 'vitest';
import { renderJUnit } from '../../src/report/index.js';
import { RunRecordSchema, type RunRecord, type Step } from '../../src/record/index.js';
import { parseXml, type XmlElement } from './xml.js';

const out = (text: string) => ({ inline: text, size: Buffer.byteLength(text), sha256: '0'.repeat(64), truncated: false, encoding: 'utf8' as const });
const attempt = (exitCode: number, stdout = '', extra: Partial<Step['attempts'][number]> = {}) => ({
  n: 1, startedAt: '2026-01-22T06:00:00.000Z', durationMs: 250, exitCode, signal: null, timedOut: false, interrupted: false, stdout: out(stdout), stderr: out(''), ...extra,
});
function step(id: string, status: Step['status'], extra: Partial<Step> = {}): Step {
  return {
    id, name: `checks/${id}`, sectionPath: ['Daily', '2. Health <Checks>'], sectionId: 's2', line: 10, kind: 'shell',
    risk: { level: 'read', classified: 'read', reason: 'reads', overridden: false } as Step['risk'],
    source: 'curl -s x', status, decisions: [], attempts: [], assertions: [], ...extra,
  };
}

const record: RunRecord = RunRecordSchema.parse({
  schemaVersion: 1, tool: { name: 'runproof', version: '0.1.0' },
  runbook: { path: 'ops/daily.md', title: 'Daily', sha256: 'a'.repeat(64), git: { commit: null, dirty: null } },
  selection: { sections: [], cells: [], tags: [] }, mode: 'unattended', policy: { allow: ['read'] },
  operator: { user: 'ci', host: 'build-1' }, startedAt: '2026-01-22T06:00:00.000Z', endedAt: '2026-01-22T06:00:02.500Z', durationMs: 2500,
  status: 'failed', parameters: [], evidenceName: 'daily', bundleName: 'daily_20260122_060000',
  trigger: { kind: 'schedule', checklist: 'daily', cron: '0 6 * * *', scheduledAt: '2026-01-22T06:00:00.000Z', startedAt: '2026-01-22T06:00:00.120Z' },
  counts: { total: 6, passed: 1, failed: 2, blocked: 1, skipped: 1, notRun: 1 },
  steps: [
    step('c1', 'passed', { attempts: [attempt(0, '{"status":"ok"}')] }),
    step('c2', 'failed', {
      attempts: [attempt(0, '{"ready":false} <&> \u0007bell')],
      assertions: [{ text: 'jsonpath "$.ready" == true', line: 12, passed: false, expected: true, actual: false, message: 'expected true, got false' }],
    }),
    step('c3', 'timed-out', { attempts: [attempt(-1, '', { timedOut: true, durationMs: 30000 })] }),
    step('c4', 'blocked', { decisions: [{ action: 'block', by: 'policy', at: '2026-01-22T06:00:01.000Z', reason: 'blocked by policy: write cell in an unattended run' }] }),
    step('c5', 'skipped', { decisions: [{ action: 'skip', by: 'flag', at: '2026-01-22T06:00:01.000Z', reason: 'skip attribute' }] }),
    step('c6', 'not-run'),
  ],
  warnings: [],
});

const children = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

describe('renderJUnit', () => {
  it('writes one testsuite per checklist and one testcase per step, well-formed', () => {
    const xml = renderJUnit([{ checklist: 'daily', record, bundleDir: '/ev/daily_20260122_060000' }, { checklist: 'broken', error: { code: 'RP_MISSING_PARAMETER', message: 'parameter x reads env:X, which is not set' }, at: new Date('2026-01-22T06:00:00Z') }]);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '7', failures: '2', errors: '1', skipped: '3' });
    const [daily, broken] = children(root, 'testsuite');
    expect(daily!.attrs).toMatchObject({ name: 'daily', tests: '6', failures: '2', errors: '0', skipped: '3', time: '2.500', timestamp: '2026-01-22T06:00:00.000Z', hostname: 'build-1' });
    const props = Object.fromEntries(children(children(daily!, 'properties')[0]!, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).toMatchObject({ runbook: 'ops/daily.md', status: 'failed', bundle: '/ev/daily_20260122_060000', trigger: 'schedule', scheduledAt: '2026-01-22T06:00:00.000Z' });
    const cases = children(daily!, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['checks/c1', 'checks/c2', 'checks/c3', 'checks/c4', 'checks/c5', 'checks/c6']);
    expect(cases[0]!.children).toEqual([]);
    expect(cases[1]!.attrs.classname).toBe('daily.Daily.2. Health <Checks>');
    const failure = children(cases[1]!, 'failure')[0]!;
    expect(failure.attrs.type).toBe('assertion');
    expect(failure.attrs.message).toBe('jsonpath "$.ready" == true: expected true, got false (actual: false)');
    expect(children(cases[1]!, 'system-out')[0]!.text).toBe('{"ready":false} <&> bell');
    expect(children(cases[2]!, 'failure')[0]!.attrs).toMatchObject({ type: 'timeout', message: 'timed out after 30000 ms' });
    expect(children(cases[3]!, 'skipped')[0]!.attrs.message).toBe('blocked by policy: write cell in an unattended run');
    expect(children(cases[4]!, 'skipped')[0]!.attrs.message).toBe('skipped: skip attribute');
    expect(children(cases[5]!, 'skipped')).toHaveLength(1);
    const error = children(children(broken!, 'testcase')[0]!, 'error')[0]!;
    expect(error.attrs).toMatchObject({ type: 'RP_MISSING_PARAMETER' });
    expect(error.attrs.message).toMatch(/env:X/);
  });
});
