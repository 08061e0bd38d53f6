// Issue K.4 on a terminal (tmux): an endless cell says it runs until you press Ctrl-C, and that
// Ctrl-C ends it as the operator's stop: recorded as passed with end stopped-by-operator, not failed,
// nothing asked afterwards, and the run goes on.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { startPane, type Pane } from './interactive-tmux.js';

let dir: string;
let pane: Pane | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-endless-tty-'));
  writeFileSync(join(dir, 'app.log'), 'service ready\n');
  writeFileSync(
    join(dir, 'follow.md'),
    ['# Follow', '', '## Watch the log', '', '```bash {name=follow}', 'tail -f app.log', '```', '', '## After', '', '```bash {name=after}', 'echo after-ran', '```', ''].join('\n'),
  );
});
afterEach(async () => {
  await pane?.close();
  pane = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function recordOf(): RunRecord {
  const [name] = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.'));
  const bundle = join(dir, 'ev', name!);
  const file = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, file), 'utf8')));
}

describe('an endless cell on a terminal', () => {
  it('says it runs until Ctrl-C; Ctrl-C records it as stopped by the operator, passed, and the run goes on', async () => {
    pane = await startPane({ dir, args: ['run', 'follow.md', '--evidence-dir', 'ev'] });
    let screen = await pane.waitFor('run it?', 60_000);
    expect(screen).toContain('runs until you press Ctrl-C (tail -f runs until interrupted)');
    await pane.keys('y');
    await pane.waitFor('service ready', 60_000);
    await pane.keys('C-c');
    screen = await pane.waitFor(/run it\?[\s\S]*run it\?/, 60_000);
    expect(screen).not.toContain('what now?');
    await pane.keys('y');
    expect(await pane.exitCode(60_000)).toBe(0);
    const record = recordOf();
    expect(record.status).toBe('passed');
    const [follow, after] = record.steps;
    expect(follow!.status).toBe('passed');
    expect(follow!.attempts[0]).toMatchObject({ interrupted: true, end: 'stopped-by-operator' });
    expect(follow!.note).toMatch(/stopped by the operator \(Ctrl-C\), the expected end: tail -f runs until interrupted/);
    expect(after!.status).toBe('passed');
  }, 180_000);
});
