// The operator at 3 a.m.: the built binary in a real pseudo-terminal (tmux), keys sent one by
// one, the screen read back. Run, skip, edit, quit, refuse a destructive cell, run the rest.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { matchSnapshot, screenFrom, startPane, type Pane } from './interactive-tmux.js';
import { bundlesIn, interactiveDir, recordIn, stepNamed } from '../helpers/interactive.js';

const fixtures = fileURLToPath(new URL('../fixtures/interactive/', import.meta.url));
const SECRET = 'tok-Night-9f8e7d6c';

let dir: string;
let pane: Pane | undefined;
beforeEach(() => {
  dir = interactiveDir('rp-interactive-', ['steps.md'], { cacheDir: true });
});
afterEach(async () => {
  await pane?.close();
  pane = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function bundleDir(): string {
  const bundles = bundlesIn(dir);
  expect(bundles).toHaveLength(1);
  return bundles[0]!;
}

const recordOf = recordIn;
const step = stepNamed;

const MENU = 'run it?';

describe('runproof run on a terminal (interactive)', () => {
  it('runs a cell, skips one, edits one in $EDITOR, refuses a destructive cell typed wrong; the record and the transcript say so', async () => {
    pane = await startPane({
      dir,
      args: ['run', 'steps.md', '--evidence-dir', 'ev', '--set', 'release=v2.4.1', '--set', `api_token=${SECRET}`],
      env: { EDITOR: join(fixtures, 'rewrite-editor.sh'), RP_TEST_EDIT: 'echo rewritten > edited.txt' },
    });
    let screen = await pane.waitFor(MENU);
    expect(screen).toContain('[1/5] Night shift → 1. Look around');
    expect(screen).toContain('risk    read');
    expect(screen).toContain('echo "checking release v2.4.1 with token [REDACTED:api_token]"');
    await pane.keys('y');
    await pane.waitFor('[2/5]');
    await pane.waitFor(/\[2\/5\][\s\S]*run it\?/);
    await pane.keys('n');
    await pane.waitFor(/\[3\/5\][\s\S]*run it\?/);
    await pane.keys('e');
    screen = await pane.waitFor(/\[4\/5\][\s\S]*run it\?/);
    expect(screen).toContain('edited in');
    expect(screen).toContain('│ echo rewritten > edited.txt');
    expect(screen).toContain("→ ok: ran the operator's edited command");
    expect(screen).toContain('DESTRUCTIVE · rm -rf');
    // y on a destructive cell asks for its name.
    await pane.keys('y');
    screen = await pane.waitFor('type the cell name drop-cache to run it');
    matchSnapshot('destructive-prompt.txt', screenFrom(screen, '[4/5]'));
    // J11: a typo may be retyped (three tries); Enter alone skips.
    await pane.type('drop-cach');
    await pane.keys('Enter');
    screen = await pane.waitFor('"drop-cach" is not drop-cache: type it again (2 tries left; Enter alone skips)');
    await pane.type('drop-cahce');
    await pane.keys('Enter');
    await pane.waitFor('(1 try left; Enter alone skips)');
    await pane.keys('Enter');
    screen = await pane.waitFor(/\[5\/5\][\s\S]*run it\?/);
    expect(screen).toContain('nothing typed: skipped');
    await pane.keys('y');
    expect(await pane.exitCode()).toBe(0);
    screen = await pane.screen();
    expect(screen).toContain('all done');
    expect(screen).not.toContain(SECRET);

    expect(readFileSync(join(dir, 'edited.txt'), 'utf8')).toBe('rewritten\n');
    expect(existsSync(join(dir, 'marker.txt'))).toBe(false);
    expect(existsSync(join(dir, 'cache-dir', 'keep.txt'))).toBe(true);

    const bundle = bundleDir();
    const record = recordOf(bundle);
    expect(record.mode).toBe('interactive');
    expect(record.status).toBe('passed');
    expect(step(record, 'look').decisions).toMatchObject([{ action: 'run', by: 'operator', input: 'y' }]);
    expect(step(record, 'write-marker')).toMatchObject({ status: 'skipped', decisions: [{ action: 'skip', by: 'operator', input: 'n' }] });
    const edited = step(record, 'edit-me');
    // J2: the step records what ran (the edit), the original beside it.
    expect(edited.source).toBe('echo rewritten > edited.txt');
    expect(edited.edit).toMatchObject({ originalSource: 'echo original > edited.txt', originalRisk: { level: 'write' } });
    expect(edited.decisions).toMatchObject([{ action: 'edit', by: 'operator', input: 'echo rewritten > edited.txt', edit: { source: 'echo rewritten > edited.txt' } }]);
    expect(edited.status).toBe('passed');
    const drop = step(record, 'drop-cache');
    expect(drop.status).toBe('skipped');
    expect(drop.attempts).toHaveLength(0);
    expect(drop.decisions).toMatchObject([{ action: 'skip', by: 'operator', input: 'drop-cahce', reason: 'destructive: the operator typed "drop-cach", "drop-cahce", not the cell name: skipped' }]);
    for (const s of record.steps) for (const d of s.decisions) expect(Date.parse(d.at)).not.toBeNaN();

    const transcript = readFileSync(join(bundle, 'transcript.txt'), 'utf8');
    expect(transcript).toContain('[1/5] Night shift → 1. Look around');
    expect(transcript).toContain('checking release v2.4.1 with token [REDACTED:api_token]');
    expect(transcript).toContain('type the cell name drop-cache to run it (Enter alone skips it): drop-cach');
    expect(transcript).not.toContain(SECRET);
    expect(transcript).not.toContain('\u001b');
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { files: Array<{ path: string }> };
    expect(JSON.stringify(manifest)).toContain('transcript.txt');
  });

  it('quits midway with q: exit 3, the bundle is aborted and the remaining cells are not run', async () => {
    pane = await startPane({ dir, args: ['run', 'steps.md', '--evidence-dir', 'ev', '--set', 'release=v1', '--set', `api_token=${SECRET}`] });
    await pane.waitFor(MENU);
    await pane.keys('y');
    await pane.waitFor(/\[2\/5\][\s\S]*run it\?/);
    await pane.keys('q');
    expect(await pane.exitCode()).toBe(3);
    const record = recordOf(bundleDir());
    expect(record.status).toBe('aborted');
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['look', 'passed'],
      ['write-marker', 'not-run'],
      ['edit-me', 'not-run'],
      ['drop-cache', 'not-run'],
      ['report', 'not-run'],
    ]);
    expect(step(record, 'write-marker').decisions).toMatchObject([{ action: 'quit', by: 'operator', input: 'q' }]);
    expect(existsSync(join(dir, 'marker.txt'))).toBe(false);
  });

  it('a runs the rest without asking, but the destructive cell still asks for its name', async () => {
    pane = await startPane({ dir, args: ['run', 'steps.md', '--evidence-dir', 'ev', '--set', 'release=v1', '--set', `api_token=${SECRET}`] });
    await pane.waitFor(MENU);
    await pane.keys('a');
    let screen = await pane.waitFor(/\[4\/5\][\s\S]*run it\?/);
    // Cells 2 and 3 ran without a menu of their own.
    expect(screen.split(MENU)).toHaveLength(3);
    await pane.keys('y');
    await pane.waitFor('type the cell name drop-cache');
    await pane.type('drop-cache');
    await pane.keys('Enter');
    expect(await pane.exitCode()).toBe(0);
    screen = await pane.screen();
    expect(screen.split(MENU)).toHaveLength(3);
    expect(existsSync(join(dir, 'cache-dir'))).toBe(false);
    expect(readFileSync(join(dir, 'marker.txt'), 'utf8')).toBe('written\n');
    const record = recordOf(bundleDir());
    expect(step(record, 'look').decisions).toMatchObject([{ action: 'run-all', by: 'operator', input: 'a' }]);
    expect(step(record, 'write-marker').decisions).toMatchObject([{ action: 'run', by: 'operator' }]);
    expect(step(record, 'drop-cache').decisions).toMatchObject([{ action: 'run', by: 'operator', input: 'drop-cache' }]);
    expect(step(record, 'drop-cache').status).toBe('passed');
  });

  it('a destructive cell runs when its name is typed right after a typo', async () => {
    pane = await startPane({ dir, args: ['run', 'steps.md', '--cell', 'drop-cache', '--cell', 'report', '--evidence-dir', 'ev'] });
    await pane.waitFor(MENU);
    await pane.keys('y');
    await pane.waitFor('type the cell name drop-cache');
    await pane.type('drop-cash');
    await pane.keys('Enter');
    await pane.waitFor('type it again (2 tries left');
    await pane.type('drop-cache');
    await pane.keys('Enter');
    await pane.waitFor(/\[2\/2\][\s\S]*run it\?/);
    await pane.keys('y');
    expect(await pane.exitCode()).toBe(0);
    expect(existsSync(join(dir, 'cache-dir'))).toBe(false);
    const record = recordOf(bundleDir());
    expect(step(record, 'drop-cache')).toMatchObject({ status: 'passed', decisions: [{ action: 'run', by: 'operator', input: 'drop-cache', reason: 'destructive: the operator typed the cell name (after 1 wrong try)' }] });
  });

  it('three wrong names skip the destructive cell', async () => {
    pane = await startPane({ dir, args: ['run', 'steps.md', '--cell', 'drop-cache', '--evidence-dir', 'ev'] });
    await pane.waitFor(MENU);
    await pane.keys('y');
    for (const typo of ['a', 'b']) {
      await pane.waitFor(/type the cell name drop-cache to run it \(Enter alone skips it\): $/m);
      await pane.type(typo);
      await pane.keys('Enter');
    }
    await pane.waitFor('(1 try left');
    await pane.type('c');
    await pane.keys('Enter');
    expect(await pane.exitCode()).toBe(5);
    expect(await pane.screen()).toContain('"c" is not drop-cache: skipped');
    expect(existsSync(join(dir, 'cache-dir', 'keep.txt'))).toBe(true);
    const record = recordOf(bundleDir());
    expect(step(record, 'drop-cache')).toMatchObject({ status: 'skipped', decisions: [{ action: 'skip', by: 'operator', input: 'c' }] });
  });

  it('a cell marked interactive reads the terminal itself, and the menus work again after it', async () => {
    copyFileSync(join(fixtures, 'ask.md'), join(dir, 'ask.md'));
    pane = await startPane({ dir, args: ['run', 'ask.md', '--evidence-dir', 'ev'] });
    await pane.waitFor(MENU);
    await pane.keys('y');
    await pane.waitFor('who is on call?');
    await pane.type('Ada');
    await pane.keys('Enter');
    await pane.waitFor(/hello Ada[\s\S]*\[2\/2\][\s\S]*run it\?/);
    await pane.keys('y');
    expect(await pane.exitCode()).toBe(0);
    const record = recordOf(bundleDir());
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['ask', 'passed'],
      ['after', 'passed'],
    ]);
  });

  it('an edit that makes a cell destructive asks again, and the operator can refuse it', async () => {
    pane = await startPane({
      dir,
      args: ['run', 'steps.md', '--cell', 'write-marker', '--evidence-dir', 'ev'],
      env: { VISUAL: join(fixtures, 'rewrite-editor.sh'), RP_TEST_EDIT: 'rm -rf ./cache-dir' },
    });
    await pane.waitFor(MENU);
    await pane.keys('e');
    const screen = await pane.waitFor(/the edited command is destructive[\s\S]*run it\?/);
    expect(screen).toContain('DESTRUCTIVE · rm -rf');
    await pane.keys('y');
    await pane.waitFor('type the cell name write-marker');
    await pane.type('no');
    await pane.keys('Enter');
    await pane.waitFor('type it again');
    await pane.keys('Enter');
    // The only selected cell was refused: nothing was checked (status empty, exit 5; J3).
    expect(await pane.exitCode()).toBe(5);
    expect(existsSync(join(dir, 'cache-dir', 'keep.txt'))).toBe(true);
    const record = recordOf(bundleDir());
    expect(step(record, 'write-marker')).toMatchObject({
      status: 'skipped',
      decisions: [
        { action: 'edit', by: 'operator', input: 'rm -rf ./cache-dir' },
        { action: 'skip', by: 'operator', input: 'no' },
      ],
    });
  });
});
