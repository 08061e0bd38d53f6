import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { cleanTerminalText, showTerminalOutput, stripAnsi } from '../../src/render/ansi.js';

describe('stripAnsi', () => {
  test.each([
    ['\u001b[32mgreen\u001b[0m', 'green'],
    ['\u001b[1;31mbold red\u001b[39;49m!', 'bold red!'],
    ['a\u001b[2Kb\u001b[1Gc', 'abc'],
    ['\u001b]0;window title\u0007after', 'after'],
    ['\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['\u009b31mC1 CSI', 'C1 CSI'],
    ['\u001b(Bcharset', 'charset'],
    ['no escapes at all', 'no escapes at all'],
  ])('%j → %j', (input, expected) => {
    expect(stripAnsi(input)).toBe(expected);
  });

  test('an unterminated OSC is shown as text, its introducer visible', () => {
    expect(cleanTerminalText('\u001b]0;title without end')).toBe('␛]0;title without end');
  });

  test('a lone escape at the end is shown as a picture', () => {
    expect(cleanTerminalText('end\u001b')).toBe('end␛');
  });

  test('never leaves an escape character behind and never grows the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('\u001b', '[', ']', '3', '1', 'm', ';', '\u0007', '\\', 'x', '\n') }), (text) => {
        const clean = cleanTerminalText(text);
        expect(clean).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
        expect(stripAnsi(text).length).toBeLessThanOrEqual(text.length);
      }),
    );
  });

  test('is linear: a long run of escape starts does not hang', () => {
    const text = `${'\u001b]'.repeat(50_000)}${'\u001b['.repeat(50_000)}\nkept`;
    const clean = cleanTerminalText(text);
    expect(clean.endsWith('\nkept')).toBe(true);
    expect(clean).not.toContain('\u001b');
  });
});

describe('cleanTerminalText', () => {
  test('turns CRLF and lone CR into newlines and shows other controls as pictures', () => {
    expect(cleanTerminalText('a\r\nb\rc\u0000d\u0008e\tf\u007f')).toBe('a\nb\nc␀d␈e\tf␡');
  });
});

// SECURITY L11: a cell's control sequences are data, shown visibly, never obeyed.
describe('showTerminalOutput', () => {
  const attacks: Array<[string, string]> = [
    ['\u001b]52;c;ZXZpbA==\u0007', '␛]52;c;ZXZpbA==␇'],
    ['\u001b]52;c;ZXZpbA==\u001b\\', '␛]52;c;ZXZpbA==␛\\'],
    ['failed\u001b[1A\u001b[2K  -> ok', 'failed␛[1A␛[2K  -> ok'],
    ['failed\r  -> ok', 'failed\n  -> ok'],
    ['\u009b2J', '\\u009b2J'],
    ['\u001b[?1049h', '␛[?1049h'],
    ['\u001bP+q544e\u001b\\', '␛P+q544e␛\\'],
    ['\u001b]8;;http://evil\u0007link', '␛]8;;http://evil␇link'],
    ['title\u001b]0;owned\u0007', 'title␛]0;owned␇'],
  ];
  test.each(attacks)('%j is shown as %j', (input, shown) => {
    expect(showTerminalOutput(input, { color: true }).text).toBe(shown);
    expect(cleanTerminalText(input)).toBe(shown);
  });
  test('a run of control characters is shown character by character (C0, DEL and C1 mixed)', () => {
    const run = '\u0000\u0000\u0001\u0085\u007f\u0000\u009f';
    expect(showTerminalOutput(`a${run}b${run}`, { color: true }).text).toBe('a␀␀␁\\u0085␡␀\\u009fb␀␀␁\\u0085␡␀\\u009f');
    expect(cleanTerminalText('\u0000'.repeat(70_000))).toBe('␀'.repeat(70_000));
  });
  test('text without CR, ESC or a control character comes back as it is', () => {
    const plain = 'tab\there\nnewline, ünïcødé, € and 😀\n';
    expect(showTerminalOutput(plain, { color: true })).toEqual({ text: plain, hasColor: false });
    expect(cleanTerminalText(plain)).toBe(plain);
  });
  test('colours stay on a colour terminal, without conceal; they go elsewhere', () => {
    expect(showTerminalOutput('\u001b[31mred\u001b[0m', { color: true })).toEqual({ text: '\u001b[31mred\u001b[0m', hasColor: true });
    expect(showTerminalOutput('\u001b[8;31mhidden', { color: true }).text).toBe('\u001b[31mhidden');
    expect(showTerminalOutput('\u001b[38;5;8mgrey', { color: true }).text).toBe('\u001b[38;5;8mgrey');
    expect(showTerminalOutput('\u001b[31mred', { color: false }).text).toBe('red');
  });
  test('no control character but kept SGR reaches the terminal, for any input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('\u001b', '[', ']', '3', '1', 'm', ';', '?', 'P', '\u0007', '\u009b', '\u0090', '\r', '\\', 'x', '\n', '8') }), (text) => {
        const shown = showTerminalOutput(text, { color: true }).text;
        const withoutSgr = shown.replace(/\u001b\[[0-9;:]*m/g, '');
        expect(withoutSgr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
        expect(showTerminalOutput(text).text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      }),
      { numRuns: 500, ...(process.env.RUNPROOF_FUZZ_SEED ? { seed: Number(process.env.RUNPROOF_FUZZ_SEED) } : {}) },
    );
  });
});
