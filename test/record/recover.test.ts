import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, symlinkSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finishBundle } from '../../src/app/run-runbook.js';
import { readJournal, recoverBundle, sealBundle, verifyBundle, type JournalEvent } from '../../src/record/index.js';
import { writeBundle } from './manifest-helpers.js';

// Real runs of the built CLI (dist/, built once by the global setup), killed with SIGKILL. The
// runs use a private copy of dist/, so a rebuild by another test run cannot change it under them.
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'test', 'fixtures', 'evidence', 'slow.md');
let dir: string;
let cli: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-recover-'));
  const app = join(dir, 'app');
  cpSync(join(root, 'dist'), join(app, 'dist'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
  for (const shared of ['node_modules', 'templates']) symlinkSync(join(root, shared), join(app, shared));
  cli = join(app, 'dist', 'cli', 'main.js');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface KillPoint {
  label: string;
  /** True once the run has reached the point, from its journal lines and bundle files. */
  reached(events: string[], bundle: string): boolean;
  /** Extra wait after reaching it (inside a 0.2 s cell). */
  delayMs?: number;
}

const has = (events: string[], type: string, stepName?: string): boolean =>
  events.some((line) => line.includes(`"type":"${type}"`) && (stepName === undefined || line.includes(`"stepId":"${stepName}"`) || line.includes(`"id":"${stepName}"`)));

function stepIds(events: string[]): string[] {
  const start = events.find((l) => l.includes('"type":"run-start"'));
  if (!start) return [];
  return (JSON.parse(start) as { plan: Array<{ id: string }> }).plan.map((p) => p.id);
}

const nth = (events: string[], i: number): string => stepIds(events)[i] ?? '(none)';

const points: KillPoint[] = [
  { label: 'right after run-start', reached: (e) => has(e, 'run-start') },
  ...[0, 1, 2, 3, 4].map((i) => ({ label: `during cell ${i + 1}`, reached: (e: string[]) => has(e, 'attempt-start', nth(e, i)), delayMs: 100 })),
  ...[0, 1, 2, 3, 4].map((i) => ({ label: `just after cell ${i + 1} ended`, reached: (e: string[]) => has(e, 'attempt-end', nth(e, i)) })),
  ...[0, 1, 2, 3].map((i) => ({ label: `between cells ${i + 1} and ${i + 2}`, reached: (e: string[]) => has(e, 'step-end', nth(e, i)) })),
  { label: 'after the decision on cell 2', reached: (e) => e.some((l) => l.includes('"type":"decision"') && l.includes(`"stepId":"${nth(e, 1)}"`)) },
  { label: 'deciding on cell 3', reached: (e) => has(e, 'step-start', nth(e, 2)) },
  { label: 'early in cell 5', reached: (e) => has(e, 'attempt-start', nth(e, 4)), delayMs: 20 },
  { label: 'after run-end, writing the record', reached: (e) => has(e, 'run-end') },
  { label: 'writing the reports', reached: (_e, b) => readdirSync(b).some((f) => f.endsWith('.json') && f !== 'manifest.json' && !f.endsWith('.tmp')) },
];

interface Killed {
  point: KillPoint;
  bundle: string;
  killed: boolean;
  journal: JournalEvent[];
}

// Runs the CLI in its own folder and SIGKILLs it at a point found by polling its bundle.
function runAndKill(point: KillPoint, n: number): Promise<Killed> {
  const work = join(dir, `run${n}`);
  mkdirSync(work);
  copyFileSync(fixture, join(work, 'slow.md'));
  const child = spawn(process.execPath, [cli, 'run', 'slow.md', '--yes', '--evidence-dir', 'ev'], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  const done = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  return new Promise((resolve, reject) => {
    let firing = false;
    const timer = setInterval(() => {
      if (firing) return;
      const ev = join(work, 'ev');
      const name = existsSync(ev) ? readdirSync(ev).find((f) => !f.startsWith('.')) : undefined;
      if (exited) {
        clearInterval(timer);
        if (!name) return reject(new Error(`${point.label}: the run exited before writing a bundle: ${stderr}`));
        void finish(join(ev, name), false);
        return;
      }
      if (!name) return;
      const bundle = join(ev, name);
      const text = existsSync(join(bundle, 'journal.jsonl')) ? readFileSync(join(bundle, 'journal.jsonl'), 'utf8') : '';
      if (!point.reached(text.split('\n').filter((l) => l.endsWith('}')), bundle)) return;
      firing = true;
      clearInterval(timer);
      setTimeout(() => {
        const killed = !exited && child.kill('SIGKILL');
        void done.then(() => finish(bundle, killed));
      }, point.delayMs ?? 0);
    }, 3);
    const finish = async (bundle: string, killed: boolean): Promise<void> => {
      const { events } = await readJournal(join(bundle, 'journal.jsonl'));
      resolve({ point, bundle, killed, journal: events });
    };
  });
}

describe('recoverBundle after SIGKILL', () => {
  it('recovers real runs killed at 20 points, every finished step intact, and the result verifies', async () => {
    expect(points).toHaveLength(20);
    const results: Killed[] = [];
    for (let i = 0; i < points.length; i += 5) {
      results.push(...(await Promise.all(points.slice(i, i + 5).map((p, j) => runAndKill(p, i + j)))));
    }
    let recovered = 0;
    for (const r of results) {
      if (!r.killed) {
        // The run finished before the kill landed: its own seal must verify.
        expect((await verifyBundle(r.bundle)).ok, r.point.label).toBe(true);
        continue;
      }
      const sealedAlready = existsSync(join(r.bundle, 'attestation.json'));
      const evidenceDir = join(r.bundle, '..');
      const out = await recoverBundle(r.bundle, {
        ...(sealedAlready ? { force: true } : {}),
        finish: (b, record) => finishBundle(b, record, { evidenceDir, env: {} }),
      });
      recovered += 1;
      const ended = r.journal.find((e) => e.type === 'run-end');
      expect(out.record.status, r.point.label).toBe(ended ? (ended as { status: string }).status : 'aborted');
      for (const event of r.journal) {
        if (event.type === 'step-end') {
          const step = out.record.steps.find((s) => s.id === event.stepId)!;
          expect(step.status, `${r.point.label}: ${event.stepId}`).toBe(event.status);
          const attempts = r.journal.filter((e): e is Extract<JournalEvent, { type: 'attempt-end' }> => e.type === 'attempt-end' && e.stepId === event.stepId).map((e) => e.attempt);
          expect(step.attempts, r.point.label).toEqual(attempts);
          if (event.status === 'passed') expect(step.attempts[0]!.stdout.inline).toMatch(/^(one|two|three|four|five)\n$/);
        }
      }
      expect(out.record.steps).toHaveLength(5);
      expect(existsSync(out.reportPaths!.markdown) && existsSync(out.reportPaths!.html)).toBe(true);
      const verified = await verifyBundle(r.bundle);
      expect(verified.problems, r.point.label).toEqual([]);
    }
    expect(recovered).toBeGreaterThanOrEqual(18);
  }, 150_000);
});

describe('recoverBundle on a journal', () => {
  function killedBundle(): string {
    const ev = join(dir, `torn-${Math.random().toString(36).slice(2)}`);
    const bundle = writeBundle(ev, 'roxy_20260122_101500');
    rmSync(join(bundle, 'roxy_20260122_101500.json'));
    const start = { seq: 1, at: '2026-01-22T10:15:00.000Z', type: 'run-start', tool: { name: 'runproof', version: '0.1.0' }, runbook: { path: 'ops/roxy.md', title: 'ROXY', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', git: { commit: null, dirty: null } }, selection: { sections: [], cells: [], tags: [] }, mode: 'unattended', policy: { allow: ['read'] }, operator: { user: 'ops', host: 'box' }, parameters: [], evidenceName: 'roxy', bundleName: 'roxy_20260122_101500', startedAt: '2026-01-22T10:15:00.000Z', plan: [{ id: 'c1', name: 'one', kind: 'shell', risk: 'read', decision: 'run' }, { id: 'c2', name: 'two', kind: 'shell', risk: 'read', decision: 'run' }] };
    const header = { id: 'c1', name: 'one', sectionPath: ['ROXY'], sectionId: 's1', line: 3, kind: 'shell', risk: { level: 'read', classified: 'read', reason: 'read', overridden: false }, source: 'echo one' };
    const out = { inline: 'one\n', size: 4, sha256: '2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806', truncated: false, encoding: 'utf8' };
    const empty = { inline: '', size: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', truncated: false, encoding: 'utf8' };
    const lines = [
      start,
      { seq: 2, at: '2026-01-22T10:15:00.100Z', type: 'step-start', step: header },
      { seq: 3, at: '2026-01-22T10:15:00.200Z', type: 'attempt-end', stepId: 'c1', attempt: { n: 1, startedAt: '2026-01-22T10:15:00.100Z', durationMs: 5, exitCode: 0, signal: null, timedOut: false, interrupted: false, stdout: out, stderr: empty } },
      { seq: 4, at: '2026-01-22T10:15:00.300Z', type: 'step-end', stepId: 'c1', status: 'passed' },
    ];
    writeFileSync(join(bundle, 'journal.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    return bundle;
  }

  it('tolerates and reports a torn last line', async () => {
    const bundle = killedBundle();
    appendFileSync(join(bundle, 'journal.jsonl'), '{"seq":5,"at":"2026-01-22T10:15:00.400Z","type":"step-st');
    writeFileSync(join(bundle, 'roxy_20260122_101500.json.4242.tmp'), '{"half":');
    const out = await recoverBundle(bundle);
    expect(out.tornLastLine).toBe(true);
    expect(out.removedTempFiles).toEqual(['roxy_20260122_101500.json.4242.tmp']);
    expect(out.record.status).toBe('aborted');
    expect(out.record.steps.map((s) => [s.id, s.status])).toEqual([['c1', 'passed'], ['c2', 'not-run']]);
    expect(out.record.warnings.join('\n')).toContain('the last line was cut mid-write');
    expect((await verifyBundle(bundle)).ok).toBe(true);
  });

  it('refuses an already sealed bundle unless forced, and a journal without run-start', async () => {
    const ev = join(dir, 'sealed');
    const bundle = writeBundle(ev, 'roxy_20260122_101500');
    await sealBundle(bundle, { evidenceDir: ev, chainKey: '/ops/roxy.md' });
    await expect(recoverBundle(bundle)).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
    const killed = killedBundle();
    writeFileSync(join(killed, 'journal.jsonl'), '');
    await expect(recoverBundle(killed)).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
  });
});
