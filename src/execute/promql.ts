import type { HttpClient } from './http.js';
import type { HttpExchange, PromqlData, PromqlResult } from './http-types.js';

export type { PromqlResult } from './http-types.js';

/** One query of a `promql` block. */
export interface PromqlQuery {
  /** The expression as written (several lines joined with `\n` when it spans them). */
  query: string;
  /** 0-based offset of its first line from the block's first content line. */
  lineOffset: number;
  /** The `#` comment lines right above it, without the `#`, joined by a space ("Memory usage by agent"). */
  comment?: string;
}

/**
 * Splits a `promql` block into its queries. Blank lines and `#` comment lines separate queries;
 * consecutive other lines form one (multi-line) query. The comment lines just above a query
 * describe it, as the seeds write them:
 *
 * @example
 * splitPromqlQueries('# Essential agents status\nup{job="unified_agents"}\n\n# Health\nsystem_health_score\n')
 * // → [{ query: 'up{job="unified_agents"}', lineOffset: 1, comment: 'Essential agents status' },
 * //    { query: 'system_health_score', lineOffset: 4, comment: 'Health' }]
 */
export function splitPromqlQueries(text: string): PromqlQuery[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: PromqlQuery[] = [];
  let comments: string[] = [];
  let current: { lines: string[]; lineOffset: number; comment?: string } | undefined;
  const flush = () => {
    if (current) {
      const query: PromqlQuery = { query: current.lines.join('\n').trim(), lineOffset: current.lineOffset };
      if (current.comment !== undefined) query.comment = current.comment;
      out.push(query);
    }
    current = undefined;
  };
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '') {
      flush();
      comments = [];
    } else if (trimmed.startsWith('#')) {
      flush();
      comments.push(trimmed.replace(/^#+\s*/, ''));
    } else if (current) {
      current.lines.push(line);
    } else {
      current = { lines: [line], lineOffset: index };
      const comment = comments.filter((c) => c !== '').join(' ');
      if (comment !== '') current.comment = comment;
      comments = [];
    }
  });
  flush();
  return out;
}

export interface RunPromqlOptions {
  /** The Prometheus server (`PROMETHEUS_URL`), e.g. `http://127.0.0.1:9090` or with a path prefix. */
  baseUrl?: string | undefined;
  client: HttpClient;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Runs one instant query (`GET {baseUrl}/api/v1/query?query=…`, evaluated at the server's now).
 * Never throws for a failure: without a base URL the result is `skipped` with the reason; a
 * network failure, an HTTP error or Prometheus' own `"status":"error"` is `error`, one line.
 * The HTTP exchange is kept whenever a request was made.
 *
 * @example
 * await runPromql('up{job="roxy"}', { baseUrl: process.env.PROMETHEUS_URL, client, timeoutMs: 10_000 })
 * // → { query: 'up{job="roxy"}', exchange: {…}, data: { resultType: 'vector', result: [{ metric: {…}, value: [1700000000, '1'] }] } }
 */
export async function runPromql(query: string, opts: RunPromqlOptions): Promise<PromqlResult> {
  const baseUrl = opts.baseUrl?.trim();
  if (!baseUrl) return { query, skipped: 'PROMETHEUS_URL is not set' };
  let url: URL;
  try {
    url = new URL(`${baseUrl.replace(/\/+$/, '')}/api/v1/query`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported scheme ${url.protocol}`);
  } catch {
    return { query, error: `PROMETHEUS_URL "${baseUrl}" is not an http(s) URL` };
  }
  url.searchParams.set('query', query);
  const exchange = await opts.client.send(
    { method: 'GET', url: url.href, headers: [['Accept', 'application/json']] },
    { timeoutMs: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) },
  );
  return { query, exchange, ...readAnswer(exchange) };
}

/**
 * Runs every query of a `promql` block, in order, as one step: each query's result is recorded,
 * and the step passes only when none has an `error` (see {@link runPromql}).
 */
export async function runPromqlBlock(text: string, opts: RunPromqlOptions): Promise<Array<PromqlResult & { lineOffset: number; comment?: string }>> {
  const results: Array<PromqlResult & { lineOffset: number; comment?: string }> = [];
  for (const q of splitPromqlQueries(text)) {
    const result = await runPromql(q.query, opts);
    results.push({ ...result, lineOffset: q.lineOffset, ...(q.comment === undefined ? {} : { comment: q.comment }) });
  }
  return results;
}

// Prometheus answers `{"status":"success","data":{…}}` or `{"status":"error","errorType","error"}`.
function readAnswer(exchange: HttpExchange): Pick<PromqlResult, 'data' | 'error' | 'warnings'> {
  if (exchange.error) return { error: exchange.error.message };
  const response = exchange.response;
  if (!response) return { error: 'no response from Prometheus' };
  const answer = response.json as
    | { status?: unknown; data?: { resultType?: unknown; result?: unknown }; errorType?: unknown; error?: unknown; warnings?: unknown }
    | undefined;
  const warnings = Array.isArray(answer?.warnings) ? answer.warnings.map(String) : undefined;
  const withWarnings = <T extends object>(value: T) => (warnings && warnings.length > 0 ? { ...value, warnings } : value);
  if (answer && typeof answer === 'object' && answer.status === 'error') {
    const type = typeof answer.errorType === 'string' ? `${answer.errorType}: ` : '';
    return withWarnings({ error: `Prometheus rejected the query (HTTP ${response.status}): ${type}${String(answer.error ?? 'unknown error')}` });
  }
  if (response.status < 200 || response.status >= 300) {
    return { error: `Prometheus answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}: ${excerpt(response.body)}` };
  }
  const data = answer?.data;
  if (!answer || answer.status !== 'success' || !data || typeof data.resultType !== 'string') {
    return { error: `not a Prometheus query API answer: ${excerpt(response.body)}` };
  }
  // A scalar or string result is `[time, "value"]`; a vector or matrix is a list of series.
  const result: unknown[] = Array.isArray(data.result) ? data.result : [];
  const out: PromqlData = { resultType: data.resultType, result };
  return withWarnings({ data: out });
}

// The start of an unexpected body, whitespace collapsed, for a one-line error.
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
