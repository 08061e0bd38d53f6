// What the operator sees, and the record of it: every line written to the terminal also goes to
// the transcript (escape sequences removed), except the spinner, which is redrawn in place and is
// not something the operator "saw" in the sense of evidence.

/** SGR styles the screen uses; all are the identity when colour is off (`NO_COLOR`, not a TTY). */
export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  /** Parameter values inside a cell's source. */
  param(text: string): string;
}

/** Line-drawing and mark characters, with an ASCII set for terminals without UTF-8. */
export interface Glyphs {
  rule: string;
  bar: string;
  dot: string;
  arrow: string;
  warn: string;
  cross: string;
  check: string;
  spinner: readonly string[];
}

const UNICODE_GLYPHS: Glyphs = { rule: '─', bar: '│', dot: '·', arrow: '→', warn: '⚠', cross: '✗', check: '✓', spinner: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] };
const ASCII_GLYPHS: Glyphs = { rule: '-', bar: '|', dot: '/', arrow: '->', warn: '!!', cross: 'x', check: 'ok', spinner: ['|', '/', '-', '\\'] };

/** Whether colour is on: a TTY and no `NO_COLOR` (https://no-color.org: present and not empty). */
export function colorEnabled(out: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return out.isTTY === true && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/** Whether the locale says the terminal speaks UTF-8. */
export function unicodeEnabled(env: Record<string, string | undefined>): boolean {
  return /utf-?8/i.test(env.LC_ALL || env.LC_CTYPE || env.LANG || '');
}

/** The painter for a colour setting. */
export function createPaint(color: boolean): Paint {
  const sgr = (open: string, close: string) => (text: string): string => (color && text ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    bold: sgr('1', '22'),
    dim: sgr('2', '22'),
    red: sgr('31', '39'),
    green: sgr('32', '39'),
    yellow: sgr('33', '39'),
    cyan: sgr('36', '39'),
    param: sgr('1;4;36', '22;24;39'),
  };
}

/** The glyph set for a locale. */
export function glyphsFor(unicode: boolean): Glyphs {
  return unicode ? UNICODE_GLYPHS : ASCII_GLYPHS;
}

// CSI and OSC sequences, and the lone control characters a transcript has no use for.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Text without terminal escape sequences and carriage returns: what a transcript keeps. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '').replace(/\r(?!\n)/g, '').replace(/\r\n/g, '\n');
}

export interface ScreenOptions {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  color: boolean;
  unicode: boolean;
  /** Redraw interval of the spinner in ms (default 120). */
  spinnerIntervalMs?: number;
}

/** The terminal of an interactive run, with its transcript and the "still running" line. */
export class Screen {
  readonly paint: Paint;
  readonly glyphs: Glyphs;
  readonly isTTY: boolean;
  private readonly out: ScreenOptions['out'];
  private readonly parts: string[] = [];
  private atLineStart = true;
  private spinner: { label: string; started: number; frame: number; timer: NodeJS.Timeout; drawn: boolean } | undefined;
  private readonly spinnerIntervalMs: number;

  constructor(options: ScreenOptions) {
    this.out = options.out;
    this.isTTY = options.out.isTTY === true;
    this.paint = createPaint(options.color);
    this.glyphs = glyphsFor(options.unicode);
    this.spinnerIntervalMs = options.spinnerIntervalMs ?? 120;
  }

  /** Writes text to the terminal and the transcript. */
  write(text: string): void {
    if (!text) return;
    this.clearSpinner();
    this.out.write(text);
    this.parts.push(stripAnsi(text));
    this.atLineStart = text.endsWith('\n');
    this.drawSpinner();
  }

  /** Writes a line (a newline is added), starting a new line first when output left one open. */
  line(text = ''): void {
    if (!this.atLineStart) this.write('\n');
    this.write(`${text}\n`);
  }

  /** Writes to the terminal only (echo of keys being typed, line editing): not in the transcript. */
  echo(text: string): void {
    this.out.write(text);
  }

  /** Adds text to the transcript only (the final form of a line edited with echo). */
  record(text: string): void {
    this.parts.push(stripAnsi(text));
    this.atLineStart = text.endsWith('\n');
  }

  /** Everything written so far, without escape sequences: the session transcript. */
  transcript(): string {
    return this.parts.join('');
  }

  /** Starts the "still running" line below the output (TTY only): spinner, label, elapsed time. */
  startSpinner(label: string): void {
    this.stopSpinner();
    if (!this.isTTY) return;
    const timer = setInterval(() => {
      if (!this.spinner) return;
      this.spinner.frame += 1;
      this.clearSpinner();
      this.drawSpinner();
    }, this.spinnerIntervalMs);
    timer.unref();
    this.spinner = { label, started: Date.now(), frame: 0, timer, drawn: false };
    this.drawSpinner();
  }

  /** Removes the spinner line. */
  stopSpinner(): void {
    if (!this.spinner) return;
    this.clearSpinner();
    clearInterval(this.spinner.timer);
    this.spinner = undefined;
  }

  // The spinner is drawn only at the start of a line, so that it never splits a line of output.
  private drawSpinner(): void {
    const s = this.spinner;
    if (!s || s.drawn || !this.atLineStart) return;
    const frames = this.glyphs.spinner;
    const seconds = Math.floor((Date.now() - s.started) / 1000);
    const elapsed = seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
    this.out.write(this.paint.dim(`${frames[s.frame % frames.length]} ${s.label} ${elapsed}  (Ctrl-C interrupts this cell)`));
    s.drawn = true;
  }

  private clearSpinner(): void {
    if (!this.spinner?.drawn) return;
    this.out.write('\r\u001b[2K');
    this.spinner.drawn = false;
  }
}
