// Faults (issue I.5): the disk filling up while a run writes its bundle. The evidence folder is a
// 1 MiB tmpfs (root and a kernel that allows the mount; skipped otherwise, saying why): the run
// stops with one clear RP_DISK_FULL line, its journal reads back whole up to the last complete
// event, and once there is room again `recover` seals it with the steps that had finished.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishBundle } from '../../src/app/run-runbook.js';
import { readJournal, recoverBundle, verifyBundle } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let ev: string;
let mounted = false;
let whyNot = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-hostile-diskfull-'));
  ev = join(dir, 'ev');
  mkdirSync(ev);
  if (process.getuid?.() !== 0) {
    whyNot = 'not root: cannot mount a tmpfs';
    return;
  }
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', ev], { encoding: 'utf8' });
  mounted = mount.status === 0;
  if (!mounted) whyNot = `mount refused: ${mount.stderr.trim()}`;
});
afterAll(() => {
  if (mounted) spawnSync('umount', [ev]);
  rmSync(dir, { recursive: true, force: true });
});

describe('the disk fills up during a run', () => {
  it('gives one clear RP_DISK_FULL line, a journal whole up to its last complete event, and recovers once there is room', async (context) => {
    if (!mounted) {
      context.skip(whyNot);
      return;
    }
    writeFileSync(
      join(dir, 'fill.md'),
      '# Fill\n\n## 1. Steps\n\n```bash\necho first\n```\n\n```bash\nhead -c 3000000 /dev/zero | tr "\\0" a\n```\n\n```bash\necho third\n```\n',
    );
    const result = await runCli(['run', 'fill.md', '--yes', '--json', '--evidence-dir', ev], { cwd: dir });
    expect(result.code).toBe(2);
    // With --json the live output goes to stderr; the error is the one RP_ code, at its end
    // (the CLI prints it right after the cut-off output line, not on a line of its own).
    expect(result.stderr.match(/RP_[A-Z_]+ /g)).toEqual(['RP_DISK_FULL ']);
    expect(result.stderr).toMatch(/RP_DISK_FULL cannot write logs\/c2\.1\.stdout\.log: ENOSPC: no space left on device.*\(hint: free disk space or choose another --evidence-dir\)\n$/);

    const bundle = join(ev, readdirSync(ev).find((f) => !f.startsWith('.'))!);
    const journal = await readJournal(join(bundle, 'journal.jsonl'));
    // Every complete line is a valid event; only a cut last line may be missing.
    expect(journal.invalid).toEqual([]);
    const types = journal.events.map((e) => e.type);
    expect(types.slice(0, 1)).toEqual(['run-start']);
    expect(journal.events.filter((e) => e.type === 'step-end').map((e) => (e as { stepId: string }).stepId)).toEqual(['c1']);
    expect(journal.events.map((e) => e.seq)).toEqual(journal.events.map((_, i) => i + 1));

    // Room again: recover rebuilds and seals the bundle with the finished step.
    execFileSync('mount', ['-o', 'remount,size=16m', ev]);
    const recovered = await recoverBundle(bundle, { finish: (b, record) => finishBundle(b, record, { evidenceDir: ev, env: {} }) });
    expect(recovered.record.status).toBe('aborted');
    expect(recovered.record.steps[0]!.status).toBe('passed');
    expect(recovered.record.steps.map((s) => s.id)).toContain('c2');
    expect((await verifyBundle(bundle)).problems).toEqual([]);
  });
});
