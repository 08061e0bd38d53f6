import { EXIT } from './exit.js';

/**
 * SIGINT/SIGTERM stop the run through `controller` (the running step is killed, the bundle is
 * written); a second signal exits 3 at once. `intercept` may claim a SIGINT first (interactive:
 * Ctrl-C of one cell). Returns the function that removes the handlers.
 */
export function stopOnSignals(controller: AbortController, intercept?: (signal: NodeJS.Signals) => boolean): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (intercept?.(signal)) return;
    signals += 1;
    if (signals > 1) process.exit(EXIT.aborted);
    process.stderr.write(`\nrunproof: ${signal}: stopping the running step and writing the bundle...\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
