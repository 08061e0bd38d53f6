import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { cleanTerminalText, stripAnsi } from '../../src/render/ansi.js';

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

  test('an unterminated OSC loses its two-byte introducer; the rest is shown as text', () => {
    expect(cleanTerminalText('\u001b]0;title without end')).toBe('0;title without end');
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
    expect(cleanTerminalText(text)).toBe('\nkept');
  });
});

describe('cleanTerminalText', () => {
  test('turns CRLF and lone CR into newlines and shows other controls as pictures', () => {
    expect(cleanTerminalText('a\r\nb\rc\u0000d\u0008e\tf\u007f')).toBe('a\nb\nc␀d␈e\tf␡');
  });
});
