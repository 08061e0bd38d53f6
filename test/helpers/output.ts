import type { OutputSink } from '../../src/execute/index.js';

/** An output sink that keeps what a cell printed, for the test to read back. */
export interface CollectedOutput extends OutputSink {
  stdout(): string;
  stderr(): string;
}

// One collector for every session test (it was copied into each file). Chunks are copied: a
// session may reuse its read buffer once the sink returns.
/** A sink collecting stdout and stderr, read back as UTF-8 text. */
export function collectOutput(): CollectedOutput {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  return {
    onStdout: (chunk) => void out.push(Buffer.from(chunk)),
    onStderr: (chunk) => void err.push(Buffer.from(chunk)),
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
  };
}
