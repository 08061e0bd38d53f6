import { EXIT } from './exit.js';

/**
 * Signals that arrive this close after the first one are the same request delivered twice:
 * GNU `timeout` (without --foreground) signals its child and then its whole process group, and a
 * terminal's Ctrl-C reaches every process of the foreground group. Exiting on that duplicate was
 * what left a bundle with only journal.jsonl and logs/ (J8).
 */
export const DUPLICATE_SIGNAL_MS = 1_000;

/**
 * SIGINT/SIGTERM stop the run through `controller`: the running step is killed, the record is
 * written and the bundle sealed, then runproof exits 3. A repeated signal never cuts the sealing
 * short: one within DUPLICATE_SIGNAL_MS of the first is the same request; a later one says that
 * the bundle is being written; only a third deliberate one exits at once (the journal stays, for
 * `runproof recover`). `intercept` may claim a SIGINT first (interactive: Ctrl-C of one cell).
 * Returns the function that ends this handling; after it, a signal exits with the run's exit code.
 */
export function stopOnSignals(
  controller: AbortController,
  intercept?: (signal: NodeJS.Signals) => boolean,
  options: { stderr?: NodeJS.WritableStream; exit?: (code: number) => void; now?: () => number } = {},
): () => void {
  const stderr = options.stderr ?? process.stderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const now = options.now ?? (() => Date.now());
  let first: number | undefined;
  let deliberate = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first === undefined && intercept?.(signal)) return;
    const at = now();
    if (first === undefined) {
      first = at;
      stderr.write(`\nrunproof: ${signal}: stopping the running step and writing the bundle...\n`);
      controller.abort(signal);
      return;
    }
    if (at - first < DUPLICATE_SIGNAL_MS) return;
    deliberate += 1;
    if (deliberate === 1) {
      stderr.write(`runproof: ${signal}: still writing and sealing the bundle; signal once more to exit at once and leave it for \`runproof recover\`\n`);
      return;
    }
    exit(EXIT.aborted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The run is over and its bundle written: a signal during the last moments of the process only
    // ends it, with the run's own exit code (without a handler, Node would die by the signal).
    const late = (): void => exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.aborted);
    process.once('SIGINT', late);
    process.once('SIGTERM', late);
  };
}

/** Resolves at the first SIGINT or SIGTERM: how a long-lived command (`demo`, `evidence serve`) waits to stop. */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
