// The operator when things go wrong: a failed assertion with its diff, missing parameters asked
// before the first cell (the secret one without echo), and piped stdin that never prompts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/record/index.js';
import { matchSnapshot, screenFrom, startPane, type Pane } from './interactive-tmux.js';
import { interactiveDir, runIn, stepNamed } from '../helpers/interactive.js';

let dir: string;
let pane: Pane | undefined;
beforeEach(() => {
  dir = interactiveDir('rp-interactive-fail-', ['interrupt.md', 'failing.md', 'params.md', 'steps.md']);
});
afterEach(async () => {
  await pane?.close();
  pane = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const recordOf = (): { record: RunRecord; bundle: string } => runIn(dir);
const step = stepNamed;

describe('runproof run on a terminal: failures and parameters', () => {
  it('after a failed assertion shows the diff and asks r/s/c/q; c continues with the step failed', async () => {
    pane = await startPane({ dir, args: ['run', 'failing.md', '--evidence-dir', 'ev'] });
    await pane.waitFor('run it?');
    await pane.keys('y');
    let screen = await pane.waitFor('what now?');
    matchSnapshot('failed-assertion-prompt.txt', screenFrom(screen, '[1/2]'));
    expect(screen).toContain('jsonpath "$.ready" == true');
    expect(screen).toMatch(/expected\s+true/);
    expect(screen).toMatch(/actual\s+false/);
    expect(screen).toContain('$.ready');
    await pane.keys('c');
    await pane.waitFor(/\[2\/2\][\s\S]*run it\?/);
    await pane.keys('y');
    expect(await pane.exitCode()).toBe(1);
    screen = await pane.screen();
    expect(screen).toContain('after');
    const { record } = recordOf();
    expect(record.status).toBe('failed');
    expect(step(record, 'ready').status).toBe('failed');
    expect(step(record, 'ready').decisions.at(-1)).toMatchObject({ action: 'continue', by: 'operator', input: 'c' });
    expect(step(record, 'after').status).toBe('passed');
  });

  it('asks missing parameters when the first cell that needs them comes (here the first), with their descriptions; the secret one is read without echo', async () => {
    const secret = 'hunter2-Secret-Value';
    pane = await startPane({ dir, args: ['run', 'params.md', '--evidence-dir', 'ev'] });
    let screen = await pane.waitFor('release: ');
    expect(screen).toContain('release · the release to roll out');
    expect(screen).not.toContain('run it?');
    await pane.type('v9.9.9');
    await pane.keys('Enter');
    screen = await pane.waitFor('api_token (secret: not shown as you type): ');
    expect(screen).toContain('api_token · token of the deploy API');
    await pane.type(secret);
    screen = await pane.screen();
    expect(screen).not.toContain(secret);
    expect(screen).not.toContain('hunter2');
    await pane.keys('Enter');
    screen = await pane.waitFor('run it?');
    expect(screen).toContain('echo "release v9.9.9 token [REDACTED:api_token]"');
    await pane.keys('y');
    expect(await pane.exitCode()).toBe(0);
    screen = await pane.screen();
    expect(screen).not.toContain(secret);
    expect(screen).toContain('release v9.9.9 token [REDACTED:api_token]');
    const { record, bundle } = recordOf();
    expect(record.parameters).toEqual([
      { name: 'release', value: 'v9.9.9', source: 'prompt', secret: false },
      { name: 'api_token', value: '[REDACTED:api_token]', source: 'prompt', secret: true },
    ]);
    const transcript = readFileSync(join(bundle, 'transcript.txt'), 'utf8');
    expect(transcript).toContain('release: v9.9.9');
    expect(transcript).toContain('api_token (secret: not shown as you type): (hidden)');
    for (const file of ['transcript.txt', ...readdirSync(bundle).filter((f) => f.endsWith('.json') || f.endsWith('.md') || f.endsWith('.html') || f.endsWith('.jsonl'))]) {
      expect(readFileSync(join(bundle, file), 'utf8')).not.toContain(secret);
    }
  });

  it('piped stdin (no TTY) never prompts and follows the unattended policy', async () => {
    pane = await startPane({
      dir,
      args: ['run', 'steps.md', '--evidence-dir', 'ev', '--set', 'release=v1', '--set', 'api_token=tok-abcdef-123'],
      pipeFrom: "printf 'y\\ny\\ny\\ny\\ny\\n' |",
    });
    expect(await pane.exitCode()).toBe(0);
    const screen = await pane.screen();
    expect(screen).not.toContain('run it?');
    expect(screen).toContain('blocked by policy');
    const { record } = recordOf();
    expect(record.mode).toBe('unattended');
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['look', 'passed'],
      ['write-marker', 'blocked'],
      ['edit-me', 'blocked'],
      ['drop-cache', 'blocked'],
      ['report', 'passed'],
    ]);
    for (const s of record.steps) for (const d of s.decisions) expect(d.by).not.toBe('operator');
  });
});
