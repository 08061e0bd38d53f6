import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { RunRecordSchema, type RunRecord, type Step } from '../../src/record/index.js';
import { buildReportView } from '../../src/render/index.js';

const here = dirname(fileURLToPath(import.meta.url));

async function loadRecord(name: string): Promise<RunRecord> {
  return RunRecordSchema.parse(JSON.parse(await readFile(join(here, '..', 'fixtures', 'render', `${name}.record.json`), 'utf8')));
}

const SHA = 'f'.repeat(64);

describe('buildReportView', () => {
  test('failures are the failed, timed-out, interrupted and blocked steps, open; the rest closed', async () => {
    const record = await loadRecord('failed');
    const view = buildReportView(record, { recordSha256: SHA });
    expect(view.failures.map((s) => s.status)).toEqual(['failed', 'failed', 'failed', 'timed-out', 'blocked']);
    for (const step of view.steps) expect(step.open).toBe(['failed', 'timed-out', 'interrupted', 'blocked'].includes(step.status));
    expect(view.countList.map((c) => [c.key, c.value])).toEqual([
      ['total', 7],
      ['passed', 1],
      ['failed', 4],
      ['blocked', 1],
      ['skipped', 1],
      ['notRun', 0],
    ]);
  });

  test('consecutive steps of one section form one group', async () => {
    const view = buildReportView(await loadRecord('failed'), { recordSha256: SHA });
    expect(view.groups.map((g) => [g.sectionText, g.steps.length])).toEqual([
      ['Nightly database checks › 1. Connectivity', 2],
      ['Nightly database checks › 2. Data', 3],
      ['Nightly database checks › 3. Cleanup', 2],
    ]);
  });

  test('anchors are safe and unique whatever the step id', async () => {
    const record = await loadRecord('passed');
    const steps: Step[] = [
      { ...record.steps[0]!, id: '"><x' },
      { ...record.steps[0]!, id: '"><x' },
      { ...record.steps[0]!, id: '' },
    ];
    const view = buildReportView({ ...record, steps }, { recordSha256: SHA });
    expect(view.steps.map((s) => s.anchor)).toEqual(['step----x', 'step----x-2', 'step-x']);
  });

  test('log links are relative paths inside the bundle, never a scheme, absolute path or ..', async () => {
    const record = await loadRecord('failed');
    const step = record.steps.find((s) => s.attempts[0]?.stdout.truncated)!;
    const withLog = (logFile: string): string | null => {
      const attempt = { ...step.attempts[0]!, stdout: { ...step.attempts[0]!.stdout, logFile } };
      const view = buildReportView({ ...record, steps: [{ ...step, attempts: [attempt] }] }, { recordSha256: SHA });
      return view.steps[0]!.attempts[0]!.stdout.logHref;
    };
    expect(withLog('logs/c6.1.stdout.log')).toBe('logs/c6.1.stdout.log');
    for (const bad of ['javascript:alert(1)', '/etc/passwd', '../other/logs/x.log', 'logs//x', 'https://example.com/x', 'logs/x y.log', 'data:text/html,x']) {
      expect(withLog(bad), bad).toBeNull();
    }
  });

  test('result text: exit code, retries, timeouts, HTTP errors, nothing ran', async () => {
    const failed = buildReportView(await loadRecord('failed'), { recordSha256: SHA });
    expect(failed.steps.map((s) => s.resultText)).toEqual([
      'exit 2',
      'no response (ECONNREFUSED)',
      'exit 0',
      'exit 0',
      'timed out',
      'blocked',
      'skipped',
    ]);
    const passed = buildReportView(await loadRecord('passed'), { recordSha256: SHA });
    expect(passed.steps.find((s) => s.multipleAttempts)?.resultText).toBe('exit 0 after 2 attempts');
    // The HTTP error is said once, by the exchange, not again as the attempt's error.
    expect(failed.steps[1]!.attempts[0]!.error).toBeNull();
    expect(failed.steps[1]!.attempts[0]!.http?.errorCode).toBe('ECONNREFUSED');
  });

  test('a source that equals its bound command shows once', async () => {
    const record = await loadRecord('passed');
    const step = record.steps[0]!;
    const same = buildReportView({ ...record, steps: [{ ...step, boundCommand: step.source }] }, { recordSha256: SHA });
    expect(same.steps[0]!.boundCommand).toBeNull();
    const differs = buildReportView(record, { recordSha256: SHA });
    expect(differs.steps[0]!.boundCommand).toContain('RP_PARAM_region');
  });

  test('a checklist trigger and statuses this version does not know still render', async () => {
    const record = await loadRecord('passed');
    const view = buildReportView(
      {
        ...record,
        status: 'missed' as RunRecord['status'],
        trigger: { kind: 'schedule', checklist: 'nightly', cron: '0 6 * * *', timezone: 'Europe/Berlin', scheduledAt: '2026-01-22T05:00:00.000Z', startedAt: '2026-01-22T05:00:01.000Z', via: 'systemd', reason: 'the host was down' },
      } as RunRecord,
      { recordSha256: SHA },
    );
    expect(view.statusLabel).toBe('MISSED');
    expect(view.triggerText).toBe('scheduled, checklist nightly, cron 0 6 * * * (Europe/Berlin), due 2026-01-22 05:00:00 UTC, via systemd, the host was down');
    const future = buildReportView({ ...record, status: 'exploded' as RunRecord['status'] }, { recordSha256: SHA });
    expect([future.statusLabel, future.tone]).toEqual(['EXPLODED', 'muted']);
  });
});

describe('the sandbox, as an auditor reads it', () => {
  test('the run says whether bubblewrap worked, and each unattended read step whether it ran inside', async () => {
    const { renderReports } = await import('../../src/render/index.js');
    const base = await loadRecord('passed');
    const step = { ...base.steps[0]!, kind: 'shell' as const, risk: { ...base.steps[0]!.risk, level: 'read' as const } };
    expect(step.attempts.length).toBeGreaterThan(0);
    const unattended = { ...base, mode: 'unattended' as const };

    const inside = { ...unattended, sandbox: { mode: 'warn' as const, available: true }, steps: [{ ...step, sandboxed: true }] };
    const view = buildReportView(inside, { recordSha256: SHA });
    expect(view.sandboxText).toMatch(/^bubblewrap \(setting warn\): unattended read steps ran on a read-only filesystem/);
    expect(view.steps[0]!.sandboxText).toMatch(/^yes: bubblewrap/);
    const reports = await renderReports(inside);
    expect(reports.html).toContain('<th scope="row">Sandbox</th><td>yes: bubblewrap');
    expect(reports.markdown).toContain('- Sandbox: yes: bubblewrap');
    expect(reports.markdown).toMatch(/\| Sandbox \| bubblewrap \(setting warn\)/);

    const missing = { ...unattended, sandbox: { mode: 'warn' as const, available: false, reason: 'bubblewrap (bwrap) is not installed' }, steps: [{ ...step, sandboxed: false }] };
    const without = buildReportView(missing, { recordSha256: SHA });
    expect(without.sandboxText).toBe('not available (setting warn): bubblewrap (bwrap) is not installed; unattended read steps ran without it');
    expect(without.steps[0]!.sandboxText).toBe('no: the sandbox was not available (bubblewrap (bwrap) is not installed)');

    const off = buildReportView({ ...unattended, sandbox: { mode: 'off' as const }, steps: [{ ...step, sandboxed: false }] }, { recordSha256: SHA });
    expect(off.steps[0]!.sandboxText).toBe('no: the sandbox was off for this run');
  });

  test('interactive steps and records without a sandbox field show no sandbox line', async () => {
    const { renderReports } = await import('../../src/render/index.js');
    const base = await loadRecord('passed');
    const interactive = { ...base, mode: 'interactive' as const, steps: base.steps.map((s) => ({ ...s, sandboxed: false })) };
    const view = buildReportView(interactive, { recordSha256: SHA });
    expect(view.steps.every((s) => s.sandboxText === null)).toBe(true);
    const { sandbox: _drop, ...noSandbox } = base;
    expect(buildReportView(noSandbox, { recordSha256: SHA }).sandboxText).toBeNull();
    const reports = await renderReports(noSandbox);
    expect(reports.html).not.toContain('<th scope="row">Sandbox</th>');
    expect(reports.markdown).not.toContain('| Sandbox |');
  });
});
