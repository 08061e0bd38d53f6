import { runPromqlBlock } from '../promql.js';
import { reclassified } from './edit.js';
import { outcomeOf } from './outcome.js';
import type { Runner } from './types.js';

/** PromQL cells: each query of the block against `PROMETHEUS_URL`; skipped when none is set. */
export const promqlRunner: Runner = {
  judgesExitCode: false,
  sandboxable: false,
  edit: (step, text) => reclassified(step, text),

  async run(context, { step, startedAt, signal, output }) {
    const began = Date.now();
    const baseUrl = context.baseEnv.PROMETHEUS_URL ?? context.plan.env.PROMETHEUS_URL;
    const results = await runPromqlBlock(step.source, { ...(baseUrl ? { baseUrl } : {}), client: context.http(), timeoutMs: step.timeoutMs });
    const errors = results.filter((r) => r.error).map((r) => `${r.query}: ${r.error}`);
    const skipped = results.find((r) => r.skipped)?.skipped;
    await output.onStdout(Buffer.from(`${JSON.stringify(results.map((r) => ({ query: r.query, data: r.data, error: r.error, skipped: r.skipped })), null, 2)}\n`));
    const data = results.find((r) => r.data)?.data;
    const outcome = outcomeOf(startedAt, {
      durationMs: Date.now() - began,
      exitCode: errors.length > 0 ? 1 : 0,
      interrupted: signal?.aborted === true,
      ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    });
    return { outcome, ...(data ? { promql: data } : {}), ...(skipped ? { skipped } : {}) };
  },
};
