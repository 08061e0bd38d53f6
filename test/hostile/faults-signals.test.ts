// Faults (issue I.5): SIGTERM and SIGINT during a run end it with exit 3 and a complete, sealed
// bundle that verifies; two runs racing for one lock (20 tries): exactly one runs, the other is
// refused with RP_LOCKED (exit 4 from the CLI).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/app/run-runbook.js';
import { isRunproofError } from '../../src/core/index.js';
import { RunRecordSchema, verifyBundle } from '../../src/record/index.js';
import { CLI } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-hostile-signals-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], cwd: string): { exited: Promise<Exit>; kill(signal: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { exited, kill: (signal) => child.kill(signal) };
}

async function waitFor(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function onlyBundle(ev: string): string {
  const names = existsSync(ev) ? readdirSync(ev).filter((f) => !f.startsWith('.')) : [];
  return names.length === 1 ? join(ev, names[0]!) : '';
}

describe.each(['SIGTERM', 'SIGINT'] as const)('%s during a run', (signal) => {
  it('exits 3 with a complete, sealed bundle: finished steps kept, the running one interrupted, the rest not run', async () => {
    const cwd = join(dir, signal);
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'rb.md'), '# Sig\n\n## 1. Go\n\n```bash\necho first\n```\n\n```bash\necho started-second; sleep 30\n```\n\n```bash\necho third\n```\n');
    const run = start(['run', 'rb.md', '--yes', '--evidence-dir', 'ev'], cwd);
    let bundle = '';
    await waitFor(() => {
      bundle = onlyBundle(join(cwd, 'ev'));
      return bundle !== '' && existsSync(join(bundle, 'journal.jsonl')) && readFileSync(join(bundle, 'journal.jsonl'), 'utf8').includes('"type":"attempt-start","stepId":"c2"');
    }, 'the second cell to start');
    run.kill(signal);
    const exit = await run.exited;
    expect(exit.code, exit.stderr).toBe(3);
    const recordFile = readdirSync(bundle).find((f) => f.startsWith('rb_') && f.endsWith('.json'))!;
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, recordFile), 'utf8')));
    expect(record.status).toBe('aborted');
    expect(record.steps.map((s) => s.status)).toEqual(['passed', 'interrupted', 'not-run']);
    const verified = await verifyBundle(bundle);
    expect(verified.problems).toEqual([]);
    expect(readdirSync(bundle).filter((f) => /\.(md|html)$/.test(f))).toHaveLength(2);
  });
});

// The cell holds the lock until the test releases it, so the two runs surely overlap; if both got
// in (the bug), both wait, the cell gives up after 60 s and both pass.
const HOLD = '# Race\n\n## 1. Hold\n\n```bash {"timeout":"90s"}\nfor i in $(seq 1 1200); do [ -e release ] && break; sleep 0.05; done; echo held\n```\n';

describe('two runs racing for one lock', () => {
  it('20 tries of two runs in one process: exactly one runs each time, the other gets RP_LOCKED', { timeout: 180_000 }, async () => {
    const results: string[] = [];
    for (let n = 0; n < 20; n++) {
      const cwd = join(dir, `race-lib-${n}`);
      mkdirSync(cwd);
      writeFileSync(join(cwd, 'rb.md'), HOLD);
      const go = () => runRunbook({ runbookPath: join(cwd, 'rb.md'), mode: 'unattended', evidenceDir: join(cwd, 'ev'), cwd, env: { PATH: process.env.PATH ?? '' } }).then(
        (r) => `ran:${r.status}`,
        (e: unknown) => (isRunproofError(e) ? e.code : String(e)),
      );
      const a = go();
      const b = go();
      const first = await Promise.race([a, b]);
      writeFileSync(join(cwd, 'release'), '');
      const both = [await a, await b].sort();
      results.push(both.join('/'));
      expect(first).toBe('RP_LOCKED');
    }
    expect(results).toEqual(Array(20).fill('RP_LOCKED/ran:passed'));
  });

  it('two CLI processes (twice, at once): one runs, the other exits 4 naming the holder', { timeout: 240_000 }, async () => {
    const tryOnce = async (n: number): Promise<string> => {
      const cwd = join(dir, `race-cli-${n}`);
      mkdirSync(cwd);
      writeFileSync(join(cwd, 'rb.md'), HOLD);
      const a = start(['run', 'rb.md', '--yes', '--evidence-dir', 'ev'], cwd);
      const b = start(['run', 'rb.md', '--yes', '--evidence-dir', 'ev'], cwd);
      const first = await Promise.race([a.exited.then((e) => ({ e, other: b })), b.exited.then((e) => ({ e, other: a }))]);
      writeFileSync(join(cwd, 'release'), '');
      const second = await first.other.exited;
      expect(first.e.stderr).toMatch(/^RP_LOCKED another run of this runbook and selection is in progress: held by pid \d+ on host /);
      expect(readdirSync(join(cwd, 'ev')).filter((f) => !f.startsWith('.'))).toHaveLength(1);
      return `${first.e.code}/${second.code}`;
    };
    expect(await Promise.all([tryOnce(0), tryOnce(1)])).toEqual(['4/0', '4/0']);
  });
});
