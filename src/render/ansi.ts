// Terminal output of cells, shown on the operator's screen, in the transcript and in reports. A
// cell's bytes are data, never terminal commands: an OSC 52 clipboard write, cursor movement or a
// line erase followed by a fake `-> ok` must be seen for what it is (SECURITY L11). Every control
// sequence is shown visibly (`␛]52;c;…␇`); colours (SGR) alone may stay on a colour terminal.

// CSI (ESC [ ... final), C1 CSI (0x9b ...), OSC (ESC ] ... BEL or ESC \) and two-byte escapes.
// Every repeated class is disjoint from what follows it, so matching is linear in the input.
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[ -/]*[0-~]/g;

// A colour or text-style sequence (SGR): ESC [ digits and separators m.
const SGR_PATTERN = /^\u001b\[[0-9;:]*m$/;

// C0 controls other than tab and newline, DEL and the C1 controls.
const CONTROL_PATTERN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Removes ANSI escape sequences (colours, cursor movement, window titles) from terminal output. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

// The visible picture of a control character: `␛` for ESC, `␇` for BEL, `\u009b` for a C1 control.
function picture(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

// Every character showTerminalOutput changes: CR, ESC, the other C0 controls but tab and newline,
// DEL and the C1 controls.
const ANY_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

// The pictures of a run of control characters (each as picture() shows it).
const PICTURE_OF: string[] = [];
function pictures(run: string): string {
  let out = '';
  for (let i = 0; i < run.length; ) {
    const code = run.charCodeAt(i);
    // A repeat of one character (binary output's NUL runs) is one `repeat`, not one `+=` each.
    let end = i + 1;
    while (end < run.length && run.charCodeAt(end) === code) end++;
    const shown = (PICTURE_OF[code] ??= picture(run[i]!));
    out += end - i === 1 ? shown : shown.repeat(end - i);
    i = end;
  }
  return out;
}

// SGR parameters without 8 (conceal), which would make text invisible on screen; the 8 of a
// 256-colour or RGB colour (`38;5;8`) is a colour number and stays.
function withoutConceal(sgr: string): string {
  const params = sgr.slice(2, -1).split(/[;:]/);
  const out: string[] = [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if ((p === '38' || p === '48' || p === '58') && (params[i + 1] === '5' || params[i + 1] === '2')) {
      const n = params[i + 1] === '5' ? 3 : 5;
      out.push(...params.slice(i, i + n));
      i += n - 1;
    } else if (p !== '8') out.push(p);
  }
  return `\u001b[${out.join(';')}m`;
}

/**
 * Makes a cell's output safe to show on a terminal: every escape sequence and control character
 * is shown as visible text (`␛]52;c;aGk=␇`, `␛[2K`), lone CR becomes a newline so that nothing
 * can overwrite a line, and with `color` the colour sequences (SGR, without conceal) stay.
 * Tab and newline pass. The result never contains ESC, BEL, CR or a C1 control unless `color`
 * keeps an SGR sequence. `hasColor` says whether one was kept: the caller resets colours after.
 * @example showTerminalOutput('\u001b]52;c;aGk=\u0007') // '␛]52;c;aGk=␇'
 */
export function showTerminalOutput(text: string, options: { color?: boolean } = {}): { text: string; hasColor: boolean } {
  // Most output has no CR, ESC or other control character: then every step below leaves it as it
  // is, and one scan replaces five (output speed).
  if (!ANY_CONTROL.test(text)) return { text, hasColor: false };
  let hasColor = false;
  const shown = text
    .replace(/\r\n/g, '\n')
    .replace(/\r/g, '\n')
    .replace(ANSI_PATTERN, (seq) => {
      if (SGR_PATTERN.test(seq)) {
        if (!options.color) return '';
        hasColor = true;
        return withoutConceal(seq);
      }
      return seq.replace(CONTROL_PATTERN, picture);
    })
    // A run of controls at once (binary output is mostly runs): one call per run, not per character.
    .replace(/[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]+/g, pictures)
    // An ESC left alone is not part of a kept SGR sequence: kept ones start `ESC [` digits `m`.
    .replace(/\u001b(?!\[[0-9;:]*m)/g, '\u241b');
  return { text: shown, hasColor };
}

/**
 * Makes terminal output safe to show as text in a report or transcript: colour codes (SGR) are
 * dropped, every other escape sequence is shown visibly (`␛]52;c;…␇`, `␛[2K`: an auditor sees
 * what the cell tried to do to a terminal), CRLF and lone CR (progress bars) become newlines and
 * any other control character is shown as its Unicode picture (`␀`, `␛`...).
 */
export function cleanTerminalText(text: string): string {
  return showTerminalOutput(text, { color: false }).text;
}
