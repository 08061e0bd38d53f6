// Terminal output in a report: colour codes and cursor movement mean nothing on paper, and raw
// control characters would be invisible or break the Markdown; they are stripped or made visible.

// CSI (ESC [ ... final), C1 CSI (0x9b ...), OSC (ESC ] ... BEL or ESC \) and two-byte escapes.
// Every repeated class is disjoint from what follows it, so matching is linear in the input.
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[ -/]*[0-~]/g;

// C0 controls other than tab and newline, DEL and the remaining C1 controls.
const CONTROL_PATTERN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Removes ANSI escape sequences (colours, cursor movement, window titles) from terminal output. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

/**
 * Makes terminal output safe to show as text: strips ANSI sequences, turns CRLF and lone CR
 * (progress bars) into newlines, and shows any other control character as its Unicode picture
 * (`␀`, `␛`...) so nothing invisible reaches the report.
 */
export function cleanTerminalText(text: string): string {
  return stripAnsi(text)
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL_PATTERN, (c) => {
      const code = c.charCodeAt(0);
      if (code < 0x20) return String.fromCharCode(0x2400 + code);
      if (code === 0x7f) return '\u2421';
      return '\uFFFD';
    });
}
