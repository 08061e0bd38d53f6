#!/usr/bin/env -S node --
// The `--` above is load-bearing: Node 20 reads `--env-file` anywhere in argv, also after the script
// (nodejs/node#54232), and would load `runproof run --env-file F` into its own environment, running
// a `NODE_OPTIONS=--require …` line inside runproof. After `--`, node leaves every word to us.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { TOOL_VERSION } from '../core/version.js';

/** Where {@link runCli} prints errors; commands themselves still write to process.stdout/stderr. */
export interface CliIo {
  stderr?: NodeJS.WritableStream;
}

/**
 * Runs the `runproof` CLI in this process on `args` (the words after `runproof`) and resolves to
 * its exit code; never rejects. A fresh commander program per call, so calls do not share state.
 * Used by `node dist/cli/main.js` and by tests that need thousands of CLI calls (fuzzing).
 * @example await runCli(['list', 'ops.md', '--json']) // 0, the notebook on stdout
 */
export async function runCli(args: readonly string[], io: CliIo = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const before = process.exitCode;
  process.exitCode = undefined;
  // Loaded here, not at the top: `--version` never needs commander, a command only its own module.
  const [{ CommanderError }, { buildProgram, translateCommanderError }, { registrarsFor }, { reportError }] = await Promise.all([
    import('commander'),
    import('./program.js'),
    import('./commands/lazy.js'),
    import('./exit.js'),
  ]);
  let program: import('commander').Command | undefined;
  try {
    program = buildProgram(await registrarsFor(args));
    await program.parseAsync([...args], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError && program) {
      const translated = translateCommanderError(error, program);
      if (translated === null) return 0;
      return reportError(translated, stderr);
    }
    return reportError(error, stderr);
  } finally {
    process.exitCode = before;
  }
}

// True when this file is the program node started (also through npm's bin symlink), false when
// it is imported, so importing runCli does not run the CLI on the importer's argv.
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === import.meta.url;
  } catch {
    return false;
  }
}

// An operator who quits `less` early, or pipes a run into `head`, closes runproof's stdout. The run
// goes on to its end and seals its bundle (the evidence is what matters, not the screen); what it
// would still have printed there is dropped instead of ending the process with an EPIPE mid-cell.
function keepRunningWhenOutputCloses(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    stream.write = ((_chunk: unknown, ...rest: unknown[]) => {
      const callback = rest.find((a) => typeof a === 'function') as (() => void) | undefined;
      if (callback) process.nextTick(callback);
      return true;
    }) as typeof stream.write;
  });
}

const argv = process.argv.slice(2);
if (isEntryPoint()) {
  keepRunningWhenOutputCloses(process.stdout);
  keepRunningWhenOutputCloses(process.stderr);
}
if (isEntryPoint() && argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // What commander prints for --version, without loading commander or any command.
  process.stdout.write(`${TOOL_VERSION}\n`);
} else if (isEntryPoint()) {
  runCli(argv).then(
    (code) => {
      process.exitCode = code;
    },
    async (error: unknown) => {
      process.exitCode = (await import('./exit.js')).reportError(error);
    },
  );
}
