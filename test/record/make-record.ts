// Literal building blocks of valid records and events, shared by the record tests.
import type { Attempt, JournalEventInput, Output, RunRecord, Step } from '../../src/record/index.js';

export const T0 = '2026-01-22T10:15:00.000Z';
export const T1 = '2026-01-22T10:15:02.500Z';
export const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function emptyOutput(): Output {
  return { inline: '', size: 0, sha256: EMPTY_SHA, truncated: false, encoding: 'utf8' };
}

export function makeAttempt(overrides: Partial<Attempt> = {}): Attempt {
  return {
    n: 1,
    startedAt: T0,
    durationMs: 12,
    exitCode: 0,
    signal: null,
    timedOut: false,
    interrupted: false,
    stdout: emptyOutput(),
    stderr: emptyOutput(),
    ...overrides,
  };
}

export function makeStep(overrides: Partial<Step> = {}): Step {
  return {
    id: 'c1',
    name: 'health-checks/1',
    sectionPath: ['ROXY Runbook', '2. Health Checks'],
    sectionId: 's3',
    line: 42,
    kind: 'shell',
    risk: { level: 'read', classified: 'read', reason: 'read: no write or destructive pattern', overridden: false },
    source: 'curl -s http://127.0.0.1:8080/health',
    status: 'passed',
    decisions: [{ action: 'run', by: 'policy', at: T0, reason: 'read steps run unattended' }],
    attempts: [makeAttempt()],
    assertions: [{ text: 'status == 200', line: 47, passed: true, expected: 200, actual: 200 }],
    ...overrides,
  };
}

export function makeRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: 1,
    tool: { name: 'runproof', version: '0.1.0' },
    runbook: { path: 'ops/roxy.md', title: 'ROXY Runbook', sha256: EMPTY_SHA, git: { commit: null, dirty: null } },
    selection: { sections: ['Health Checks'], cells: [], tags: [] },
    mode: 'unattended',
    policy: { allow: ['read'] },
    operator: { user: 'ops', host: 'box1' },
    startedAt: T0,
    endedAt: T1,
    durationMs: 2500,
    status: 'passed',
    parameters: [],
    evidenceName: 'roxy_health-checks',
    bundleName: 'roxy_health-checks_20260122_101500',
    counts: { total: 1, passed: 1, failed: 0, blocked: 0, skipped: 0, notRun: 0 },
    steps: [makeStep()],
    warnings: [],
    ...overrides,
  };
}

export function runStartEvent(overrides: Partial<Extract<JournalEventInput, { type: 'run-start' }>> = {}): JournalEventInput {
  const r = makeRecord();
  return {
    type: 'run-start',
    tool: r.tool,
    runbook: r.runbook,
    selection: r.selection,
    mode: r.mode,
    policy: r.policy,
    operator: r.operator,
    parameters: [],
    evidenceName: r.evidenceName,
    bundleName: r.bundleName,
    startedAt: T0,
    plan: [{ id: 'c1', name: 'health-checks/1', kind: 'shell', risk: 'read', decision: 'run' }],
    ...overrides,
  };
}
