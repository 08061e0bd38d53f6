import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { parsePrometheusText } from '../../src/execute/prometheus-text.js';
import { CLI } from '../helpers/cli.js';
import { startRoxyServer } from '../helpers/servers.js';

const fixtures = fileURLToPath(new URL('../fixtures/checklist/', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-schedule-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Scheduler {
  child: ChildProcess;
  events: Array<Record<string, any>>;
  raw: string[];
  stderr: () => string;
  /** Resolves when `predicate` holds for the events so far (checked on each line), or rejects after `ms`. */
  until(predicate: (events: Array<Record<string, any>>) => boolean, ms: number): Promise<void>;
  exit: Promise<number | null>;
}

// `runproof schedule FILE --log-format json` as a real process, its stdout read line by line.
function startScheduler(file: string, env: Record<string, string>): Scheduler {
  const child = spawn(process.execPath, [CLI, 'schedule', file, '--log-format', 'json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Array<Record<string, any>> = [];
  const raw: string[] = [];
  let err = '';
  let buffer = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      raw.push(line);
      events.push(JSON.parse(line));
      for (const w of [...waiters]) w();
    }
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    events,
    raw,
    stderr: () => err,
    exit,
    until(predicate, ms) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; events so far:\n${raw.join('\n')}\nstderr: ${err}`)), ms);
        const check = (): void => {
          if (predicate(events)) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiters.push(check);
        void exit.then(() => {
          clearTimeout(timer);
          if (!predicate(events)) reject(new Error(`scheduler exited; events:\n${raw.join('\n')}\nstderr: ${err}`));
        });
        check();
      });
    },
  };
}

function records(evidence: string): RunRecord[] {
  if (!existsSync(evidence)) return [];
  return readdirSync(evidence)
    .filter((n) => !n.startsWith('.'))
    .map((n) => {
      const bundle = join(evidence, n);
      expect(existsSync(join(bundle, 'manifest.json')), `${n} is sealed`).toBe(true);
      return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, `${n}.json`), 'utf8')));
    });
}

const count = (events: Array<Record<string, any>>, name: string) => events.filter((e) => e.event === name).length;

describe('runproof schedule (built CLI, real processes)', () => {
  it('runs a checklist every second against a local server, never starts it twice, records the overlapping tick as skipped, and stops on SIGTERM', async () => {
    const server = await startRoxyServer({ ready: true });
    try {
      copyFileSync(join(fixtures, 'slow-http.md'), join(dir, 'slow-http.md'));
      const file = join(dir, 'checklists.yaml');
      writeFileSync(file, 'checklists:\n  - name: slow\n    runbook: slow-http.md\n    schedule: "* * * * * *"\n    evidenceDir: ev\n    textfile: out/runproof.prom\n    junit: out/junit.xml\n');
      const scheduler = startScheduler(file, { ROXY_URL: server.url, SLOW_MS: '1500' });
      await scheduler.until((e) => count(e, 'run-end') >= 2 && count(e, 'skipped') >= 1, 25_000);
      scheduler.child.kill('SIGTERM');
      const code = await scheduler.exit;
      expect([0, 3]).toContain(code);
      expect(scheduler.stderr()).toBe('');
      const events = scheduler.events;
      expect(events[0]).toMatchObject({ event: 'scheduler-start' });
      expect(events.at(-1)).toMatchObject({ event: 'scheduler-stop', reason: 'SIGTERM' });
      expect(scheduler.raw.every((l) => !l.includes('\n'))).toBe(true);

      const all = records(join(dir, 'ev'));
      expect(all.every((r) => r.trigger?.kind === 'schedule' && r.trigger.cron === '* * * * * *' && r.trigger.checklist === 'slow')).toBe(true);
      // Every scheduled time has exactly one bundle.
      const due = all.map((r) => r.trigger!.scheduledAt!);
      expect(new Set(due).size).toBe(due.length);
      const runs = all.filter((r) => !['skipped', 'missed'].includes(r.status)).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      const skipped = all.filter((r) => r.status === 'skipped');
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(skipped.length).toBeGreaterThanOrEqual(1);
      // No double start: runs never overlap in time.
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt >= runs[i - 1]!.endedAt, `run ${i} starts after run ${i - 1} ended`).toBe(true);
      // Each skipped time fell after a run started and before the next one did (the run, its bundle
      // and its outputs were still being written then).
      for (const s of skipped) {
        const at = s.trigger!.scheduledAt!;
        const before = runs.filter((r) => r.trigger!.scheduledAt! < at).at(-1);
        expect(before, JSON.stringify({ s: s.trigger, runs: runs.map((r) => [r.trigger!.scheduledAt, r.startedAt, r.endedAt]) })).toBeDefined();
        expect(s.warnings[0]).toMatch(/still running/);
        expect(s.steps).toEqual([]);
      }
      // The actual start is at or after the time the run was due.
      for (const r of runs) expect(Date.parse(r.trigger!.startedAt)).toBeGreaterThanOrEqual(Date.parse(r.trigger!.scheduledAt!));
      // Completed runs passed against the server; one request each at most.
      expect(runs.filter((r) => r.status === 'passed').length).toBeGreaterThanOrEqual(2);
      expect(runs.every((r) => r.status === 'passed' || r.status === 'aborted')).toBe(true);
      expect(server.requests.filter((q) => q.url.startsWith('/slow')).length).toBeLessThanOrEqual(runs.length);
      // The textfile counts the skips.
      const samples = parsePrometheusText(readFileSync(join(dir, 'out/runproof.prom'), 'utf8')).samples;
      expect(samples.find((s) => s.name === 'runproof_skipped_runs_total')?.value).toBe(skipped.length);
      expect(readFileSync(join(dir, 'out/junit.xml'), 'utf8')).toContain('<testsuite name="slow"');
      // SIGTERM during a run: that run was aborted and still wrote its sealed bundle.
      if (code === 3) expect(runs.at(-1)!.status).toBe('aborted');
    } finally {
      await server.close();
    }
  }, 40_000);

  it('keeps the old file on a bad SIGHUP reload, and on restart records the times it missed', async () => {
    copyFileSync(join(fixtures, 'quick.md'), join(dir, 'quick.md'));
    const file = join(dir, 'checklists.yaml');
    writeFileSync(file, 'checklists:\n  - name: quick\n    runbook: quick.md\n    schedule: "* * * * * *"\n    evidenceDir: ev\n    textfile: out/q.prom\n');
    const first = startScheduler(file, {});
    await first.until((e) => count(e, 'run-end') >= 1, 20_000);
    writeFileSync(file, 'checklists:\n  - name: quick\n    runbook: quick.md\n    schedule: "every second please"\n');
    first.child.kill('SIGHUP');
    await first.until((e) => count(e, 'reload-failed') === 1, 10_000);
    const failed = first.events.find((e) => e.event === 'reload-failed')!;
    expect(failed.problems.join(' ')).toMatch(/4: checklists\[0\]\.schedule: cron expression "every second please" is not valid/);
    const before = count(first.events, 'run-end');
    await first.until((e) => count(e, 'run-end') > before, 15_000); // the old file still runs
    first.child.kill('SIGTERM');
    await first.exit;
    writeFileSync(file, 'checklists:\n  - name: quick\n    runbook: quick.md\n    schedule: "* * * * * *"\n    evidenceDir: ev\n    textfile: out/q.prom\n');
    const lastBefore = Math.max(...records(join(dir, 'ev')).map((r) => Date.parse(r.trigger!.scheduledAt!)));
    await new Promise((r) => setTimeout(r, 2500)); // the scheduler is down for a few ticks

    const second = startScheduler(file, {});
    await second.until((e) => count(e, 'scheduled') === 1, 20_000);
    second.child.kill('SIGTERM');
    await second.exit;
    const missedEvents = second.events.filter((e) => e.event === 'missed');
    expect(missedEvents.length).toBeGreaterThanOrEqual(2);
    // Missed times are logged before scheduling resumes, oldest first, each a second apart.
    const scheduledAt = second.events.findIndex((e) => e.event === 'scheduled');
    expect(second.events.findIndex((e) => e.event === 'missed')).toBeLessThan(scheduledAt);
    // Missed while down (a loaded machine may also stall the first scheduler past a tick: that
    // time is recorded as missed too, with its own reason).
    const missed = records(join(dir, 'ev'))
      .filter((r) => r.status === 'missed' && r.trigger!.reason === 'the scheduler was not running at this time')
      .map((r) => Date.parse(r.trigger!.scheduledAt!))
      .sort();
    expect(missed.length).toBe(missedEvents.length);
    expect(missed[0], JSON.stringify({ lastBefore: new Date(lastBefore), missed: missed.map((m) => new Date(m)), log: second.raw })).toBe(lastBefore + 1000);
    for (let i = 1; i < missed.length; i++) expect(missed[i]! - missed[i - 1]!).toBe(1000);
    const all = records(join(dir, 'ev'));
    const due = all.map((r) => r.trigger!.scheduledAt);
    expect(new Set(due).size).toBe(due.length);
    const samples = parsePrometheusText(readFileSync(join(dir, 'out/q.prom'), 'utf8')).samples;
    expect(samples.find((s) => s.name === 'runproof_missed_runs_total')?.value).toBe(all.filter((r) => r.status === 'missed').length);
  }, 60_000);
});
