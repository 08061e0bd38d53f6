import { parseHttpBlock, substituteTemplateVars } from '../../parse/index.js';
import { reclassified } from './edit.js';
import { notRunOutcome, outcomeOf } from './outcome.js';
import type { Runner } from './types.js';

/** HTTP cells: one request, its `{{NAME}}` slots filled from parameters, the environment and captures. */
export const httpRunner: Runner = {
  judgesExitCode: false,
  sandboxable: false,

  edit(step, text) {
    const parsed = parseHttpBlock(text, { line: step.line });
    if (parsed.errors.length > 0) return `the edited request does not parse: ${parsed.errors[0]!.message}`;
    if (parsed.requests.length !== 1) return `the edit holds ${parsed.requests.length} requests; an http cell sends one`;
    // The request's own file variables (`@host = ...`) stay with it, as the parser left them.
    const { name: _name, line: _line, text: _text, ...http } = parsed.requests[0]!;
    return reclassified(step, text, http);
  },

  async run(context, { step, startedAt, signal, output }) {
    if (!step.http) return { outcome: notRunOutcome(startedAt, 'the http cell holds no request') };
    const { plan, baseEnv, captured } = context;
    // In a run on hosts, {{RUNPROOF_HOST}} is the host a pinned request is sent for.
    const values = { ...baseEnv, ...plan.env, ...Object.fromEntries(plan.parameters.map((p) => [p.name, p.value])), ...captured, ...(step.host ? { RUNPROOF_HOST: step.host } : {}) };
    const { spec, missing, refused } = substituteTemplateVars(step.http, values);
    if (refused.length > 0) return { outcome: notRunOutcome(startedAt, `unsafe value: ${refused.join('; ')}; the request was not sent`) };
    if (missing.length > 0) {
      return { outcome: notRunOutcome(startedAt, `no value for {{${missing.join('}}, {{')}}}: give it with --set NAME=value; the request was not sent`) };
    }
    const began = Date.now();
    const exchange = await context.http().send(spec, { timeoutMs: step.timeoutMs, ...(signal ? { signal } : {}) });
    if (exchange.response) await output.onStdout(Buffer.from(exchange.response.body, 'utf8'));
    const outcome = outcomeOf(startedAt, {
      durationMs: exchange.timings.totalMs ?? Date.now() - began,
      exitCode: exchange.error ? null : 0,
      timedOut: exchange.error?.code === 'TIMEOUT',
      interrupted: exchange.error?.code === 'ABORTED',
      ...(exchange.error ? { error: exchange.error.message } : {}),
    });
    return { outcome, http: exchange };
  },
};
