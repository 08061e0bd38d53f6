// Single keys without Enter: Node's readline keypress parser over stdin in raw mode. Raw mode
// stays on for the whole interactive run, also while a cell runs, so that Ctrl-C arrives as a
// key (the cell is in its own process group and never sees it) and keys typed during a cell are
// dropped instead of answering the next prompt before the operator has read it.
//
// Why not @clack/prompts or @inquirer/prompts: both own the screen for the length of one
// question (redrawing it with cursor movements, which a saved transcript cannot replay), handle
// Ctrl-C themselves as "cancel the prompt", and stop reading keys between questions. Here the
// same keyboard must also serve the time a cell runs (Ctrl-C kills that cell's group), live
// output must interleave with a spinner, and every line the operator saw must land, redacted,
// in transcript.txt. Node's readline gives the keypress parsing and, for the inline editor, a
// line editor with cursor keys; nothing else needed a dependency.
import { emitKeypressEvents } from 'node:readline';

/** One key as readline's keypress parser reports it. */
export interface KeyPress {
  /** `a`, `return`, `backspace`, `up`, `c` (with ctrl)... */
  name: string | undefined;
  /** The characters the key produced, when printable. */
  text: string | undefined;
  ctrl: boolean;
  meta: boolean;
}

/** stdin as the keyboard needs it (a tty.ReadStream, or a test stream). */
export type KeyInput = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

/** Whether a key is Ctrl-C. */
export const isCtrlC = (key: KeyPress): boolean => key.ctrl && key.name === 'c';

/**
 * Reads keys. While a prompt is open (`open()` … `close()`) keys queue up for `next()`, so that a
 * pasted line arrives whole; otherwise they go to the idle handler (Ctrl-C while a cell runs) and
 * are dropped, so that nothing typed before a prompt is shown can answer it.
 */
export class Keyboard {
  private waiting: ((key: KeyPress) => void) | undefined;
  private readonly queue: KeyPress[] = [];
  private accepting = false;
  private idle: ((key: KeyPress) => void) | undefined;
  private started = false;
  private suspended = false;

  constructor(private readonly input: KeyInput) {}

  /** Raw mode on, keys flowing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    emitKeypressEvents(this.input);
    this.input.on('keypress', this.onKeypress);
    this.raw(true);
    this.input.resume();
  }

  /** Raw mode off, stdin released so that the process can exit. Idempotent. */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.input.off('keypress', this.onKeypress);
    this.raw(false);
    this.input.pause();
  }

  /** Handles keys nobody waits for (the rest are dropped). */
  onIdle(handler: (key: KeyPress) => void): void {
    this.idle = handler;
  }

  /** A prompt opens: keys typed from now on are for it (earlier ones were dropped). */
  open(): void {
    this.accepting = true;
    this.queue.length = 0;
  }

  /** The prompt closed: keys go to the idle handler again. */
  close(): void {
    this.accepting = false;
    this.queue.length = 0;
  }

  /** The next key pressed (queued ones first). */
  next(): Promise<KeyPress> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Gives the terminal to something else (an editor, a readline prompt) and takes it back after. */
  async suspend<T>(use: () => Promise<T>): Promise<T> {
    this.release();
    try {
      return await use();
    } finally {
      this.reacquire();
    }
  }

  /** Hands the terminal over (cooked mode, stdin not read) until `reacquire()`: a cell that reads it. */
  release(): void {
    if (this.suspended) return;
    this.suspended = true;
    this.input.off('keypress', this.onKeypress);
    this.raw(false);
    this.input.pause();
  }

  /** Takes the terminal back after `release()`. */
  reacquire(): void {
    if (!this.suspended) return;
    this.suspended = false;
    if (this.started) {
      this.input.on('keypress', this.onKeypress);
      this.raw(true);
      this.input.resume();
    }
  }

  /** Whether the terminal is handed to something else right now. */
  get isSuspended(): boolean {
    return this.suspended;
  }

  private raw(mode: boolean): void {
    if (this.input.isTTY && typeof this.input.setRawMode === 'function') this.input.setRawMode(mode);
  }

  private readonly onKeypress = (text: string | undefined, info: { name?: string; ctrl?: boolean; meta?: boolean } | undefined): void => {
    const key: KeyPress = { name: info?.name, text, ctrl: info?.ctrl === true, meta: info?.meta === true };
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(key);
    } else if (this.accepting) {
      this.queue.push(key);
    } else {
      this.idle?.(key);
    }
  };
}

/** Whether a key produced one printable character (not a control key). */
export function printable(key: KeyPress): string | undefined {
  if (key.ctrl || key.meta || key.text === undefined) return undefined;
  return [...key.text].every((ch) => ch >= ' ' && ch !== '\u007f') ? key.text : undefined;
}
