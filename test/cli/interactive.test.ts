// The pieces of the interactive screen: formatting (masking, highlighting, the edit text), the
// transcript, colour rules and the key reader's queueing.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { parseRunbook } from '../../src/parse/index.js';
import { planRun } from '../../src/plan/index.js';
import { editableText, formatFailure, formatStepHeader, sourceForScreen } from '../../src/cli/interactive/format.js';
import { colorEnabled, createPaint, glyphsFor, Screen, stripAnsi } from '../../src/cli/interactive/screen.js';
import { Keyboard, type KeyPress } from '../../src/cli/interactive/keys.js';

const RUNBOOK = `---
params:
  api_token:
    secret: true
---
# Ops

## 1. Deploy

\`\`\`bash {"name":"deploy"}
curl -H "X-Token: <api_token>" "https://example.test/deploy/<release>" --data '<note>'
\`\`\`
`;

function planFor(values: Record<string, string>) {
  const notebook = parseRunbook(RUNBOOK, { path: 'ops.md' });
  return planRun(notebook, { mode: 'interactive', values: Object.entries(values).map(([name, value]) => ({ name, value, source: 'flag' as const })) });
}

const plain = { paint: createPaint(false), glyphs: glyphsFor(true) };

describe('interactive screen formatting', () => {
  const plan = planFor({ api_token: 'tok-very-secret-1', release: 'v1.2.3', note: "it's done; $(id)" });
  const step = plan.steps[0]!;

  it('shows the source with values filled in and the secret masked, never its value', () => {
    const header = formatStepHeader(step, 0, 3, { ...plain, parameters: plan.parameters });
    expect(header).toContain('[1/3] Ops → 1. Deploy');
    expect(header).toContain('cell    deploy  (shell, line 10)');
    expect(header).toMatch(/risk {4}write · /);
    // J11: each value shell-quoted for its place, as the cell receives it (one word, nothing expanded).
    expect(header).toContain(`curl -H "X-Token: [REDACTED:api_token]" "https://example.test/deploy/v1.2.3" --data 'it'\\''s done; $(id)'`);
    expect(header).toContain('api_token=[REDACTED:api_token] (flag)');
    expect(header).toContain(`note='it'\\''s done; $(id)' (flag)`);
    expect(header).toContain('release=v1.2.3 (flag)');
    expect(header).not.toContain('tok-very-secret-1');
  });

  it('shell-quotes a value for its place: plain words as they are, others quoted so that bash reads back the value', () => {
    const notebook = parseRunbook('# Q\n\n```bash {"name":"q"}\nprintf \'[%s]\\n\' <a> "<a>" \'<a>\' <b>\n```\n', { path: 'q.md' });
    const value = `x y'z "$HOME" \\ \`id\``;
    const qplan = planRun(notebook, { mode: 'interactive', values: [{ name: 'a', value, source: 'flag' }, { name: 'b', value: 'plain-1.2', source: 'flag' }] });
    const shown = sourceForScreen(qplan.steps[0]!, { paint: createPaint(false), parameters: qplan.parameters });
    expect(shown).toMatch(/ plain-1\.2$/);
    // What the operator reads runs as the same words as the bound command.
    const run = (command: string, env: Record<string, string> = {}): string => execFileSync('bash', ['-c', command], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    expect(run(shown)).toBe(run(qplan.steps[0]!.command, qplan.steps[0]!.env));
    expect(run(shown)).toBe(`[${value}]\n`.repeat(3) + '[plain-1.2]\n');
  });

  it('fills an HTTP cell\'s {{NAME}}s from parameters and given variables, secret-named ones masked', () => {
    const notebook = parseRunbook('# H\n\n```http {"name":"h"}\nGET https://example.test/{{svc}}\nX-Demo-Token: {{DEMO_TOKEN}}\nX-Other: {{UNSET}}\n```\n', { path: 'h.md' });
    const hplan = planRun(notebook, { mode: 'interactive', onMissing: 'keep', values: [{ name: 'svc', value: 'api', source: 'flag' }, { name: 'DEMO_TOKEN', value: 'tok-123456', source: 'flag' }] });
    const shown = sourceForScreen(hplan.steps[0]!, { paint: createPaint(false), parameters: hplan.parameters, variables: hplan.env });
    expect(shown).toBe('GET https://example.test/api\nX-Demo-Token: [REDACTED:DEMO_TOKEN]\nX-Other: {{UNSET}}');
  });

  it('highlights parameter values in colour and paints nothing without colour', () => {
    const coloured = sourceForScreen(step, { paint: createPaint(true), parameters: plan.parameters });
    expect(coloured).toContain('\u001b[1;4;36mv1.2.3\u001b[22;24;39m');
    expect(sourceForScreen(step, { paint: createPaint(false), parameters: plan.parameters })).not.toContain('\u001b');
  });

  it('applies the redactor to text before painting it', () => {
    const redact = (text: string): string => text.replaceAll('example.test', '[REDACTED:host]');
    const coloured = sourceForScreen(step, { paint: createPaint(true), parameters: plan.parameters, redact });
    expect(stripAnsi(coloured)).toContain('https://[REDACTED:host]/deploy/v1.2.3');
  });

  it('gives the editor plain values literally and secrets or shell-looking values as their variables; bash runs it as the bound command', () => {
    const text = editableText(step, plan.parameters);
    expect(text).toBe(`curl -H "X-Token: \${RP_PARAM_api_token}" "https://example.test/deploy/v1.2.3" --data ''"\${RP_PARAM_note}"''`);
    expect(text).not.toContain('tok-very-secret-1');
    // Same words reach the command: print the arguments instead of calling curl.
    const run = (command: string): string =>
      execFileSync('bash', ['-c', `curl() { printf '<%s>\\n' "$@"; }\n${command}`], { env: { ...process.env, ...step.env }, encoding: 'utf8' });
    expect(run(text)).toBe(run(step.command));
    expect(run(text)).toContain("<it's done; $(id)>");
  });

  it('shows a failed assertion and each differing path with expected and actual values', () => {
    const text = formatFailure(
      step,
      'exit code 0; 1 assertion(s) failed',
      {
        status: 'failed',
        attempt: 2,
        assertions: [
          { text: 'status == 200', line: 4, passed: true, expected: 200, actual: 200 },
          { text: 'jsonpath "$.ready" == true', line: 5, passed: false, expected: true, actual: false },
        ],
        expect: { passed: false, diffs: [{ path: '$.pools', expected: 'x'.repeat(300), message: 'missing' }] },
      },
      plain,
    );
    expect(text).toContain('✗ FAILED deploy (attempt 2): exit code 0; 1 assertion(s) failed');
    expect(text).toContain('jsonpath "$.ready" == true  (line 5)');
    expect(text).not.toContain('status == 200');
    expect(text).toMatch(/expected {2}true\n\s+actual {4}false/);
    expect(text).toContain('$.pools');
    expect(text).toContain('actual    (missing)');
    expect(text).toContain('...');
    expect(text.split('\n').every((l) => l.length < 260)).toBe(true);
  });
});

describe('screen and transcript', () => {
  it('honours NO_COLOR and needs a TTY for colour', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
  });

  it('strips escape sequences and carriage returns from the transcript', () => {
    expect(stripAnsi('\u001b[1mbold\u001b[22m \u001b[2K\rline\r\nnext \u001b]0;title\u0007end')).toBe('bold line\nnext end');
  });

  it('keeps echo and the spinner out of the transcript, and draws the spinner only on a TTY', () => {
    const chunks: string[] = [];
    const out = Object.assign(new PassThrough(), { isTTY: true });
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const screen = new Screen({ out, color: false, unicode: false, spinnerIntervalMs: 5 });
    screen.write('header\n');
    screen.startSpinner('running x');
    screen.write('output line\n');
    screen.echo('secret-typing');
    screen.stopSpinner();
    screen.record('typed: (hidden)\n');
    expect(screen.transcript()).toBe('header\noutput line\ntyped: (hidden)\n');
    const shown = chunks.join('');
    expect(shown).toContain('running x 0s  (Ctrl-C interrupts this cell)');
    expect(shown).toContain('\r\u001b[2K');

    const piped: string[] = [];
    const pipe = new PassThrough();
    pipe.on('data', (c: Buffer) => piped.push(c.toString()));
    const quiet = new Screen({ out: pipe, color: false, unicode: false });
    quiet.startSpinner('running y');
    quiet.write('text\n');
    quiet.stopSpinner();
    expect(piped.join('')).toBe('text\n');
  });
});

describe('key reader', () => {
  const send = (input: PassThrough, text: string): Promise<void> =>
    new Promise((resolve) => {
      input.write(text);
      setImmediate(resolve);
    });

  it('drops keys typed before a prompt opens, queues a pasted line while it is open, and hands Ctrl-C to the idle handler', async () => {
    const input = new PassThrough();
    const keyboard = new Keyboard(input);
    const idle: KeyPress[] = [];
    keyboard.onIdle((k) => idle.push(k));
    keyboard.start();
    try {
      await send(input, 'y');
      await send(input, '\u0003');
      expect(idle.map((k) => [k.name, k.ctrl])).toEqual([
        ['y', false],
        ['c', true],
      ]);
      keyboard.open();
      await send(input, 'abc\r');
      const keys = [await keyboard.next(), await keyboard.next(), await keyboard.next(), await keyboard.next()];
      expect(keys.map((k) => k.name)).toEqual(['a', 'b', 'c', 'return']);
      keyboard.close();
      await send(input, 'z');
      expect(idle.at(-1)?.name).toBe('z');
    } finally {
      keyboard.stop();
    }
  });
});
