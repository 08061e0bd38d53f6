// An interactive run on hosts, in a real terminal (tmux) against a real sshd on 127.0.0.2–.3:
// each step is asked once for every host, a destructive one needs its typed name, and Ctrl-C
// stops the step on every host (no `sleep` left on the host side) and asks whether to go on.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunRecordSchema } from '../../src/record/index.js';
import { pgrep } from '../helpers/processes.js';
import { startSshd, type SshFixture } from '../helpers/sshd.js';
import { startPane, type Pane } from '../e2e/interactive-tmux.js';

const runbook = fileURLToPath(new URL('../fixtures/fleet/by-hand.md', import.meta.url));

describe('an interactive run on hosts', () => {
  let fx: SshFixture;
  let pane: Pane | undefined;
  let dir: string;
  beforeAll(async () => {
    fx = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'rp-fleet-tty-'));
  }, 120_000);
  afterAll(async () => {
    await pane?.close();
    await fx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks each step once for all hosts, types the destructive name, and Ctrl-C stops the step on every host', async () => {
    pane = await startPane({ dir, args: ['run', runbook, '--host', 'web-1', '--host', 'web-2', '--ssh-config', fx.config, '--set', `MARK_DIR=${dir}`, '--evidence-dir', 'ev'], height: 60 });
    let screen = await pane.waitFor(/on 2 hosts: web-1, web-2[\s\S]*run it\?/, 60_000);
    await pane.keys('y');
    await vi.waitFor(() => expect(existsSync(join(dir, 'stamp-web-1')) && existsSync(join(dir, 'stamp-web-2'))).toBe(true), { timeout: 30_000 });
    screen = await pane.waitFor(/hang[\s\S]*on 2 hosts: web-1, web-2[\s\S]*run it\?/, 30_000);
    // One question for the stamp step, not one per host; a result line per host.
    expect(screen.match(/on 2 hosts: web-1, web-2/g)).toHaveLength(2);
    expect(screen).toMatch(/ok: web-1/);
    expect(screen).toMatch(/ok: web-2/);
    await pane.keys('y');
    await vi.waitFor(() => expect(pgrep('sleep 617').split('\n').filter(Boolean)).toHaveLength(2), { timeout: 30_000 });
    await pane.keys('C-c');
    screen = await pane.waitFor(/what now\?/, 30_000);
    // Both hosts' cells were killed on the host side before the question.
    await vi.waitFor(() => expect(pgrep('sleep 617')).toBe(''), { timeout: 10_000 });
    expect(screen.match(/what now\?/g)).toHaveLength(1);
    await pane.keys('c');
    await pane.waitFor(/wipe[\s\S]*on 2 hosts: web-1, web-2\n[\s\S]*DESTRUCTIVE: you will be asked to type its name[\s\S]*run it\?/, 30_000);
    await pane.keys('y');
    await pane.waitFor(/type the cell name wipe/, 30_000);
    await pane.type('wipe');
    await pane.keys('Enter');
    expect(await pane.exitCode(60_000)).toBe(1);
    expect(existsSync(join(dir, 'stamp-web-1')) || existsSync(join(dir, 'stamp-web-2'))).toBe(false);

    const evidence = join(dir, 'ev');
    const bundle = join(evidence, readdirSync(evidence).find((f) => !f.startsWith('.'))!);
    const file = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, file), 'utf8')));
    const of = (name: string) => record.steps.filter((s) => s.name === name).map((s) => [s.host, s.status, s.decisions.map((d) => `${d.action}:${d.by}`).join(',')]).sort();
    expect(of('stamp')).toEqual([['web-1', 'passed', 'run:operator'], ['web-2', 'passed', 'run:operator']]);
    expect(of('hang')).toEqual([['web-1', 'interrupted', 'run:operator,continue:operator'], ['web-2', 'interrupted', 'run:operator,continue:operator']]);
    expect(of('wipe')).toEqual([['web-1', 'passed', 'run:operator'], ['web-2', 'passed', 'run:operator']]);
    for (const s of record.steps.filter((x) => x.name === 'hang')) expect(s.attempts[0]!.interrupted).toBe(true);
    expect(record.steps.find((s) => s.name === 'wipe')!.decisions[0]!.input).toBe('wipe');
  }, 240_000);
});
