// `e` before a cell: the operator's own editor ($VISUAL, then $EDITOR) on a private temp file,
// or, when neither is set, Node's readline as an inline line editor pre-filled with each line
// (arrow keys, Home/End, Ctrl-U work as in a shell prompt).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Keyboard } from './keys.js';
import type { Screen } from './screen.js';

/** How an edit ended: the new text and how it was made, or why nothing changed. */
export type EditOutcome = { text: string; how: string } | { cancelled: string };

export interface EditOptions {
  keyboard: Keyboard;
  screen: Screen;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** File extension of the temp file, so that the editor highlights it (`sh`, `http`). */
  extension: string;
}

/** The editor command the operator chose, if any: `$VISUAL`, then `$EDITOR`. */
export function editorCommand(env: Record<string, string | undefined>): string | undefined {
  const chosen = env.VISUAL?.trim() || env.EDITOR?.trim();
  return chosen ? chosen : undefined;
}

// Editors add a final newline; a cell's text does not need one.
const trimEnd = (text: string): string => text.replace(/\s+$/, '');

/** Lets the operator edit `text`; the terminal is handed over and taken back. */
export async function editText(text: string, options: EditOptions): Promise<EditOutcome> {
  const editor = editorCommand(options.env);
  const outcome = editor ? await externalEdit(text, editor, options) : await inlineEdit(text, options);
  if ('cancelled' in outcome) return outcome;
  const edited = trimEnd(outcome.text.replace(/\r\n?/g, '\n'));
  if (edited === '') return { cancelled: 'the edited command is empty: nothing changed' };
  if (edited === trimEnd(text)) return { cancelled: 'the command is unchanged' };
  return { text: edited, how: outcome.how };
}

// The editor runs with the terminal as its stdin/stdout, like `git commit` does it: the editor
// string may carry arguments (`code --wait`), so it goes through sh with the file as "$1".
async function externalEdit(text: string, editor: string, options: EditOptions): Promise<EditOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'runproof-edit-'));
  const file = join(dir, `cell.${options.extension}`);
  try {
    await writeFile(file, `${text}\n`, { mode: 0o600 });
    const status = await options.keyboard.suspend(
      () =>
        new Promise<number | string>((resolve) => {
          const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env: options.env as NodeJS.ProcessEnv });
          child.on('error', (error) => resolve(error.message));
          child.on('close', (code, signal) => resolve(code ?? signal ?? 1));
        }),
    );
    if (status !== 0) return { cancelled: `the editor (${editor}) ended with ${typeof status === 'number' ? `status ${status}` : status}: nothing changed` };
    return { text: await readFile(file, 'utf8'), how: `in ${editor}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// One readline question per line, pre-filled with the line; an emptied line is dropped.
async function inlineEdit(text: string, options: EditOptions): Promise<EditOutcome> {
  const { screen } = options;
  screen.line(screen.paint.dim('  inline edit (no $VISUAL/$EDITOR): Enter keeps a line, an emptied one is dropped, Ctrl-C cancels'));
  const lines = text.replace(/\n$/, '').split('\n');
  return options.keyboard.suspend(async () => {
    const rl = createInterface({ input: options.input, output: options.output, terminal: true, historySize: 0 });
    let cancelled = false;
    rl.on('SIGINT', () => {
      cancelled = true;
      rl.close();
    });
    const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
    const kept: string[] = [];
    try {
      for (const line of lines) {
        const prompt = '  edit> ';
        const answer = await Promise.race([
          new Promise<string>((resolve) => {
            rl.question(prompt, resolve);
            rl.write(line);
          }),
          closed,
        ]);
        if (answer === null || cancelled) {
          screen.record(`${prompt}^C\n`);
          return { cancelled: 'edit cancelled (Ctrl-C): nothing changed' };
        }
        screen.record(`${prompt}${answer}\n`);
        if (answer.trim() !== '') kept.push(answer);
      }
      return { text: kept.join('\n'), how: 'inline' };
    } finally {
      rl.close();
    }
  });
}
