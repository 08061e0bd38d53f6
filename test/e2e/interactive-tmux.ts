// Drives the built `runproof` in a real pseudo-terminal: a private tmux server per test (its own
// socket name, so parallel test files never meet), keys sent with send-keys, the screen read with
// capture-pane. Every wait polls the screen against a deadline; nothing sleeps a fixed time.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CLI } from '../helpers/cli.js';

/** tmux from PATH (Debian's package; .ci/run installs it when missing). */
export const TMUX = 'tmux';

export interface PaneOptions {
  /** Working directory of runproof (also where the launcher and exit-code files go). */
  dir: string;
  /** Arguments after `runproof`. */
  args: string[];
  /** Extra environment; `undefined` removes a variable. EDITOR and VISUAL are unset unless given. */
  env?: Record<string, string | undefined>;
  /** Shell text put before the command, e.g. `printf 'y\n' |` to pipe stdin. */
  pipeFrom?: string;
  width?: number;
  height?: number;
}

export interface Pane {
  /** The whole pane, history included, wrapped lines joined; `escapes` keeps colour attributes. */
  screen(options?: { escapes?: boolean }): Promise<string>;
  /** Only the visible screen, as a reviewer would see it. */
  visible(): Promise<string>;
  /** Types literal text (no Enter). */
  type(text: string): Promise<void>;
  /** Sends tmux key names: `Enter`, `C-c`, `C-u`. */
  keys(...names: string[]): Promise<void>;
  /** Polls the screen until `pattern` shows (and returns the screen) or the deadline passes (throws with the screen). */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Waits for runproof to exit and returns its exit code. */
  exitCode(timeoutMs?: number): Promise<number>;
  /** Kills the tmux server (and so the pane). */
  close(): Promise<void>;
}

function tmux(socket: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(TMUX, ['-L', socket, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tmux ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `runproof ARGS` in a fresh tmux server and returns the pane. */
export async function startPane(options: PaneOptions): Promise<Pane> {
  const socket = `rp-test-${randomBytes(6).toString('hex')}`;
  const conf = join(options.dir, '.tmux.conf');
  writeFileSync(conf, 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 20000\n');
  const exitFile = join(options.dir, '.exit-code');
  const env: Record<string, string | undefined> = { LANG: 'C.UTF-8', LC_ALL: undefined, EDITOR: undefined, VISUAL: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env };
  const lines = ['#!/bin/bash', `cd ${quote(options.dir)}`];
  for (const [name, value] of Object.entries(env)) lines.push(value === undefined ? `unset ${name}` : `export ${name}=${quote(value)}`);
  lines.push(`${options.pipeFrom ?? ''} ${quote(process.execPath)} ${quote(CLI)} ${options.args.map(quote).join(' ')}`);
  lines.push('code=$?', `echo "[runproof exited with $code]"`, `echo "$code" > ${quote(exitFile)}`);
  const launcher = join(options.dir, '.launch.sh');
  writeFileSync(launcher, `${lines.join('\n')}\n`, { mode: 0o700 });
  await tmux(socket, ['-f', conf, 'new-session', '-d', '-s', 'rp', '-x', String(options.width ?? 100), '-y', String(options.height ?? 40), `bash ${quote(launcher)}`]);

  const pane: Pane = {
    async screen(opts) {
      return tmux(socket, ['capture-pane', '-p', '-J', '-S', '-', ...(opts?.escapes ? ['-e'] : []), '-t', 'rp']);
    },
    async visible() {
      return tmux(socket, ['capture-pane', '-p', '-t', 'rp']);
    },
    async type(text) {
      await tmux(socket, ['send-keys', '-t', 'rp', '-l', text]);
    },
    async keys(...names) {
      await tmux(socket, ['send-keys', '-t', 'rp', ...names]);
    },
    async waitFor(pattern, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      let text = '';
      for (;;) {
        text = await pane.screen();
        if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)} on the screen:\n${text}`);
        await delay(150);
      }
    },
    async exitCode(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!existsSync(exitFile) || readFileSync(exitFile, 'utf8').trim() === '') {
        if (Date.now() > deadline) throw new Error(`runproof did not exit in time; the screen:\n${await pane.screen()}`);
        await delay(150);
      }
      return Number(readFileSync(exitFile, 'utf8').trim());
    },
    async close() {
      await tmux(socket, ['kill-server']).catch(() => undefined);
    },
  };
  return pane;
}

/** The screen from a marker line on, for a text snapshot: trailing blanks removed. */
export function screenFrom(screen: string, marker: string | RegExp): string {
  const lines = screen.split('\n');
  const start = lines.findIndex((l) => (typeof marker === 'string' ? l.includes(marker) : marker.test(l)));
  return `${lines
    .slice(Math.max(0, start))
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n+$/, '')}\n`;
}

const SNAPSHOTS = fileURLToPath(new URL('./snapshots/', import.meta.url));

/** Compares a screen with its saved text snapshot (test/e2e/snapshots/); writes it when missing or with UPDATE_SNAPSHOTS=1. */
export function matchSnapshot(name: string, text: string): void {
  const path = join(SNAPSHOTS, name);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(path)) {
    mkdirSync(SNAPSHOTS, { recursive: true });
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
}
