// J2: an edit is recorded as what ran (source, risk, reason; the original beside it), and an edit
// that raises the risk above what was confirmed asks again: write with y/n, destructive with the
// typed name. Real terminal (tmux), $EDITOR a script that rewrites the file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { startPane, type Pane } from './interactive-tmux.js';
import { interactiveDir, runIn } from '../helpers/interactive.js';

const interactive = fileURLToPath(new URL('../fixtures/interactive/', import.meta.url));
const editor = fileURLToPath(new URL('../fixtures/runev/file-editor.sh', import.meta.url));

let dir: string;
let pane: Pane | undefined;
beforeEach(() => {
  dir = interactiveDir('rp-edit-risk-', ['steps.md'], { cacheDir: true });
});
afterEach(async () => {
  await pane?.close();
  pane = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const recordOf = (): RunRecord => runIn(dir).record;

describe('interactive edits that raise the risk', () => {
  it('read → write edit asks y/n again; write → destructive edit asks for the typed name; the record keeps both texts', async () => {
    const editFile = join(dir, 'edit.txt');
    writeFileSync(editFile, 'curl -sS -X POST http://127.0.0.1:9/restart\n');
    pane = await startPane({
      dir,
      args: ['run', 'steps.md', '--evidence-dir', 'ev', '--set', 'release=v1', '--set', 'api_token=tok-x-123456'],
      env: { EDITOR: editor, RP_TEST_EDIT_FILE: editFile, RUNPROOF_LOCK_DIR: join(dir, 'locks') },
    });
    await pane.waitFor(/\[1\/5\][\s\S]*run it\?/);
    await pane.keys('e');
    let screen = await pane.waitFor('confirm it again');
    expect(screen).toContain('the edited command is write');
    // Asked again, declined: nothing ran.
    await pane.keys('n');
    await pane.waitFor(/\[2\/5\][\s\S]*run it\?/);
    writeFileSync(editFile, 'rm -rf cache-dir\n');
    await pane.keys('e');
    screen = await pane.waitFor(/the edited command is destructive[\s\S]*run it\?/);
    await pane.keys('y');
    await pane.waitFor('type the cell name write-marker');
    await pane.type('write-marker');
    await pane.keys('Enter');
    await pane.waitFor(/\[3\/5\][\s\S]*run it\?/);
    await pane.keys('q');
    expect(await pane.exitCode()).toBe(3);
    expect(existsSync(join(dir, 'cache-dir'))).toBe(false);

    const record = recordOf();
    const look = record.steps.find((s) => s.name === 'look')!;
    expect(look.status).toBe('skipped');
    expect(look.attempts).toHaveLength(0);
    expect(look.source).toBe('curl -sS -X POST http://127.0.0.1:9/restart');
    expect(look.risk.level).toBe('write');
    expect(look.edit?.originalRisk.level).toBe('read');
    expect(look.decisions.map((d) => d.action)).toEqual(['edit', 'skip']);
    const marker = record.steps.find((s) => s.name === 'write-marker')!;
    expect(marker.status).toBe('passed');
    expect(marker.source).toBe('rm -rf cache-dir');
    expect(marker.risk.level).toBe('destructive');
    expect(marker.edit).toMatchObject({ originalRisk: { level: 'write' } });
    expect(marker.edit!.originalSource).toContain('marker');
    expect(marker.decisions.map((d) => d.action)).toEqual(['edit', 'run']);
    expect(marker.decisions[1]).toMatchObject({ input: 'write-marker' });
  });
});
