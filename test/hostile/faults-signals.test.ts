// Faults (issue I.5): SIGTERM and SIGINT during a run end it with exit 3 and a complete, sealed
// bundle that verifies. Two runs racing for one lock are in faults-lock-race.test.ts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunRecordSchema, verifyBundle } from '../../src/record/index.js';
import { startCli as start } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-hostile-signals-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


async function waitFor(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  await vi.waitFor(() => expect(check(), `waiting for ${what}`).toBe(true), { timeout: ms, interval: 10 });
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
