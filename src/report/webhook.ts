// The webhook: one POST of a JSON summary, signed with HMAC-SHA256 over the exact body bytes when
// a key is set, bounded by a timeout per attempt and a few retries, never throwing: its outcome is
// data that goes into the bundle (`webhook.json`), the log and the textfile.
import { createHmac } from 'node:crypto';
import { RunproofError, TOOL_VERSION } from '../core/index.js';
import type { Counts, RunRecord } from '../record/index.js';
import type { Trigger } from '../record/index.js';
import { runOutcome } from './outcome.js';

/** The JSON body POSTed to the webhook. */
export interface WebhookPayload {
  tool: { name: 'runproof'; version: string };
  checklist: string;
  status: string;
  host: string;
  runbook: { path: string; title: string };
  trigger?: Trigger;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  counts: Counts;
  /** Absolute path of the bundle directory. */
  bundle: string;
  bundleName: string;
  /** Steps that failed, timed out or were interrupted, with their failed checks. */
  failedSteps: Array<{ id: string; name: string; status: string; sectionPath: string[]; messages: string[] }>;
  warnings: string[];
}

/** One try at delivering the webhook. */
export interface WebhookAttempt {
  n: number;
  at: string;
  durationMs: number;
  /** HTTP status when the server answered. */
  status?: number;
  error?: string;
}

/** What happened to a webhook: written to `webhook.json` in the bundle. */
export interface WebhookOutcome {
  /** The URL, without user info. */
  url: string;
  delivered: boolean;
  signed: boolean;
  attempts: WebhookAttempt[];
  /** Set when nothing could be sent (e.g. the signing key's variable is unset). */
  error?: string;
}

/** Options of `postWebhook`. */
export interface PostWebhookOptions {
  url: string;
  /** HMAC-SHA256 key: `X-Runproof-Signature: sha256=<hex>` over the exact body. */
  secret?: string;
  /** Per attempt, default 10 s. */
  timeoutMs?: number;
  /** Attempts after the first, default 1. */
  retries?: number;
  /** Pause between attempts, default 1 s (capped at the timeout). */
  retryDelayMs?: number;
}

/**
 * Checks a webhook URL before anything runs (the checklist loader and the run's preflight use this
 * one rule): a URL, http or https, with a host.
 * @throws RunproofError RP_BAD_WEBHOOK otherwise.
 * @example parseWebhookUrl('https://hooks.example/runproof')
 */
export function parseWebhookUrl(text: string): URL {
  const hint = 'give the webhook an http or https URL, e.g. https://hooks.example/runproof';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RunproofError('RP_BAD_WEBHOOK', `webhook "${text}" is not a URL`, { hint });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RunproofError('RP_BAD_WEBHOOK', `webhook URL must be http or https, not ${url.protocol}`, { hint });
  if (url.hostname === '') throw new RunproofError('RP_BAD_WEBHOOK', `webhook URL ${displayUrl(text)} names no host`, { hint });
  return url;
}

/** The summary a webhook receives for a run record. */
export function webhookPayload(checklist: string, record: RunRecord, bundleDir: string, host: string): WebhookPayload {
  const failedSteps = record.steps
    .filter((s) => s.status === 'failed' || s.status === 'timed-out' || s.status === 'interrupted')
    .map((s) => ({
      id: s.id,
      name: s.name,
      status: s.status,
      sectionPath: s.sectionPath,
      messages: [
        ...s.assertions.filter((a) => !a.passed).map((a) => `${a.text}${a.message ? `: ${a.message}` : ''}`),
        ...(s.expect && !s.expect.passed ? s.expect.diffs.map((d) => `expected output ${d.path}${d.message ? `: ${d.message}` : ''}`) : []),
        ...(s.note ? [s.note] : []),
      ],
    }));
  return {
    tool: { name: 'runproof', version: TOOL_VERSION },
    checklist,
    // `empty` when nothing was checked: a receiver must not read it as a pass.
    status: runOutcome(record.status, record),
    host,
    runbook: { path: record.runbook.path, title: record.runbook.title },
    ...(record.trigger ? { trigger: record.trigger } : {}),
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    durationMs: record.durationMs,
    counts: record.counts,
    bundle: bundleDir,
    bundleName: record.bundleName,
    failedSteps,
    warnings: record.warnings,
  };
}

/** `sha256=<hex>` of HMAC-SHA256 over `body` with `secret`: what `X-Runproof-Signature` carries. */
export function signWebhookBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * POSTs `payload` as JSON; retries on a network error, a timeout, 429 or 5xx. Never throws.
 * @example const outcome = await postWebhook(summary, { url: 'https://hooks.example/rp', secret: key, timeoutMs: 5000 })
 */
export async function postWebhook(payload: unknown, options: PostWebhookOptions): Promise<WebhookOutcome> {
  const body = Buffer.from(JSON.stringify(payload));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 1;
  const delay = Math.min(options.retryDelayMs ?? 1000, timeoutMs);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `runproof/${TOOL_VERSION}`,
  };
  if (options.secret) headers['x-runproof-signature'] = signWebhookBody(body, options.secret);
  const outcome: WebhookOutcome = { url: displayUrl(options.url), delivered: false, signed: options.secret !== undefined, attempts: [] };
  // Its own agent, closed afterwards: a kept-alive socket must not hold the process open.
  // undici only when a webhook is posted (async here: an import), not for every run (start-up).
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 1 });
  try {
    for (let n = 1; n <= retries + 1; n++) {
      const started = Date.now();
      const attempt: WebhookAttempt = { n, at: new Date(started).toISOString(), durationMs: 0 };
      let retryable = true;
      try {
        const response = await request(options.url, { method: 'POST', headers, body, dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        attempt.status = response.statusCode;
        if (response.statusCode >= 200 && response.statusCode < 300) outcome.delivered = true;
        else retryable = response.statusCode === 429 || response.statusCode >= 500;
        if (!outcome.delivered) attempt.error = `HTTP ${response.statusCode}`;
      } catch (error) {
        const e = error as Error & { code?: string };
        attempt.error = e.name === 'TimeoutError' || e.name === 'AbortError' || /timeout/i.test(e.code ?? '')
          ? `no answer within ${timeoutMs} ms`
          : `${e.code ? `${e.code}: ` : ''}${e.message}`;
      }
      attempt.durationMs = Date.now() - started;
      outcome.attempts.push(attempt);
      if (outcome.delivered || !retryable || n > retries) break;
      await new Promise((r) => setTimeout(r, delay));
    }
  } finally {
    await agent.destroy().catch(() => undefined);
  }
  return outcome;
}
