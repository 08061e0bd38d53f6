// The evidence-sink contract: every output beside the bundle (JUnit, the Prometheus textfile,
// a webhook, the next format) is one object with a name and a `write`, so a new format is one
// file that implements it and one line where sinks are chosen (checklist/run.ts).
import type { RunRecord } from '../record/index.js';
import type { SinkStatus } from './outcome.js';

/** One finished run (or one that could not start) as a sink receives it. */
export interface SinkRun {
  /** The checklist's name: the JUnit testsuite, the metrics label. */
  name: string;
  /** The run's status as a scheduler reads it (see `runOutcome`). */
  status: SinkStatus;
  /** The sealed record; absent when the run could not start. */
  record?: RunRecord;
  /** Absolute path of the bundle directory. */
  bundleDir?: string;
  /** Why the run could not start. */
  error?: { code: string; message: string };
  /** When the run was attempted. */
  at: Date;
  /** Whether the webhook was delivered, when one was sent. */
  webhookDelivered?: boolean;
}

/**
 * A place evidence goes besides the bundle. `write` may throw; the caller logs the error and
 * goes on (an output that cannot be written never changes the run's status).
 * @example const sink: EvidenceSink = { name: 'junit', target: 'out/junit.xml', write: async (run) => {...} }
 */
export interface EvidenceSink {
  /** The format: `junit`, `textfile`, ... */
  readonly name: string;
  /** Where it writes: a file path or a URL, for messages. */
  readonly target: string;
  write(run: SinkRun): Promise<void>;
}
