import type { MessagePort, Worker } from 'node:worker_threads';

// node:worker_threads is loaded on the first regex with a budget, not when core/ is imported:
// every command imports core/, few run assert cells (start-up is module loading). Synchronous, as
// runRegex is: process.getBuiltinModule (Node 20.16+).
const threads = (): typeof import('node:worker_threads') => process.getBuiltinModule('node:worker_threads');

// Runs user regexes (from `assert` cells) under a time budget so `/(a+)+$/` against 1 MB of
// output cannot hang a run. V8's backtracking engine has no timeout and Node 20 has no
// linear-time engine built in, so the regex runs in a worker thread while the caller waits
// synchronously (Atomics.wait on a SharedArrayBuffer, result read with receiveMessageOnPort);
// on expiry the worker is terminated and the next call starts a fresh one.
//
// The worker's source is the fixed constant below, loaded as a `data:` ES module so that it works
// the same from src/ under vitest and from dist/ after tsc (which would not copy a .js file). It
// is our code, not user input: user patterns and text reach it only as message data.
const WORKER_SOURCE = `
import { workerData, parentPort } from 'node:worker_threads';
const { state, port } = workerData;
const flags = new Int32Array(state);
parentPort.on('message', (request) => {
  let reply;
  try {
    if (request.op === 'test') {
      reply = { ok: true, value: new RegExp(request.pattern, request.flags).test(request.input) };
    } else if (request.op === 'group') {
      const match = new RegExp(request.pattern, request.flags).exec(request.input);
      reply = { ok: true, value: match === null ? null : match.length > 1 ? (match[1] ?? null) : match[0] };
    } else {
      const global = request.flags.includes('g') ? request.flags : request.flags + 'g';
      reply = { ok: true, value: request.input.replace(new RegExp(request.pattern, global), request.replacement) };
    }
  } catch (error) {
    reply = { ok: false, error: String(error && error.message ? error.message : error), timedOut: false };
  }
  port.postMessage(reply);
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
});
Atomics.store(flags, 1, 1);
Atomics.notify(flags, 1);
`;
const WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`);

/** Default time budget for one regex operation. */
export const DEFAULT_REGEX_BUDGET_MS = 1000;
const WORKER_START_BUDGET_MS = 15_000;

/** What to do with the regex: test it, take its first group (or whole match), or replace all. */
export type RegexOperation =
  | { op: 'test'; pattern: string; flags: string; input: string }
  | { op: 'group'; pattern: string; flags: string; input: string }
  | { op: 'replace'; pattern: string; flags: string; input: string; replacement: string };

/** `value`: boolean for `test`, the captured string or null for `group`, the new string for `replace`. */
export type RegexOutcome = { ok: true; value: boolean | string | null } | { ok: false; error: string; timedOut: boolean };

interface RegexWorker {
  worker: Worker;
  port: MessagePort;
  state: Int32Array;
}

let current: RegexWorker | undefined;

function startWorker(): RegexWorker | string {
  const shared = new SharedArrayBuffer(8);
  const state = new Int32Array(shared);
  const { MessageChannel, Worker } = threads();
  const channel = new MessageChannel();
  const worker = new Worker(WORKER_URL, { workerData: { state: shared, port: channel.port2 }, transferList: [channel.port2] });
  worker.unref();
  // A worker error surfaces as a timeout of the waiting caller; listening keeps it from crashing us.
  worker.on('error', () => undefined);
  const started = Atomics.wait(state, 1, 0, WORKER_START_BUDGET_MS);
  if (started === 'timed-out' && Atomics.load(state, 1) !== 1) {
    void worker.terminate();
    return 'the regex worker did not start';
  }
  return { worker, port: channel.port1, state };
}

/**
 * Runs one regex operation with a time budget, synchronously. `budgetMs <= 0` or `Infinity` runs
 * it in-process without a budget. Never throws for a slow or broken pattern: the outcome says so.
 * @example runRegex({ op: 'test', pattern: '^ok', flags: '', input: 'ok' }) // { ok: true, value: true }
 */
export function runRegex(operation: RegexOperation, budgetMs: number = DEFAULT_REGEX_BUDGET_MS): RegexOutcome {
  if (!(budgetMs > 0) || budgetMs === Infinity) return runInline(operation);
  if (current === undefined) {
    const started = startWorker();
    if (typeof started === 'string') return { ok: false, error: started, timedOut: false };
    current = started;
  }
  const active = current;
  Atomics.store(active.state, 0, 0);
  active.worker.postMessage(operation);
  const waited = Atomics.wait(active.state, 0, 0, budgetMs);
  if (waited === 'timed-out' && Atomics.load(active.state, 0) !== 1) {
    current = undefined;
    void active.worker.terminate();
    active.port.close();
    return { ok: false, error: `regex exceeded its time budget of ${budgetMs} ms`, timedOut: true };
  }
  const message = threads().receiveMessageOnPort(active.port);
  if (message === undefined) return { ok: false, error: 'the regex worker gave no answer', timedOut: false };
  return message.message as RegexOutcome;
}

function runInline(operation: RegexOperation): RegexOutcome {
  try {
    const { pattern, flags, input } = operation;
    if (operation.op === 'test') return { ok: true, value: new RegExp(pattern, flags).test(input) };
    if (operation.op === 'group') {
      const match = new RegExp(pattern, flags).exec(input);
      return { ok: true, value: match === null ? null : match.length > 1 ? (match[1] ?? null) : match[0] };
    }
    return { ok: true, value: input.replace(new RegExp(pattern, flags.includes('g') ? flags : `${flags}g`), operation.replacement) };
  } catch (error) {
    return { ok: false, error: (error as Error).message, timedOut: false };
  }
}
