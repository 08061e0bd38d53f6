import { MetricSyntaxError, parseLabelBraces, readMetricName, type MetricSelector } from '../parse/index.js';

// Reads the Prometheus text exposition format (and the OpenMetrics lines that share it) well
// enough for `metric "name{label=\"v\"}"` checks: HELP/TYPE/comments skipped, labels in any
// order with escapes, `+Inf`/`-Inf`/`NaN`, optional timestamps and exemplars.

/** One sample line: `name{labels} value [timestamp]`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
  /** 1-based line in the text. */
  line: number;
}

/**
 * Parses exposition text into samples. Lines that are not samples (shell noise around a
 * `curl | grep`, malformed lines) are counted in `skipped`, never thrown.
 * @example parsePrometheusText('up{job="api"} 1\n').samples[0] // { name: 'up', labels: { job: 'api' }, value: 1, line: 1 }
 */
export function parsePrometheusText(text: string): { samples: MetricSample[]; skipped: number } {
  const samples: MetricSample[] = [];
  let skipped = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const sample = parseSampleLine(line, index + 1);
    if (sample === null) skipped++;
    else samples.push(sample);
  });
  return { samples, skipped };
}

function parseSampleLine(line: string, lineNo: number): MetricSample | null {
  let pos = 0;
  let name = readMetricName(line);
  if (name !== null) pos = name.length;
  let labels: Record<string, string> = {};
  if (line[pos] === '{') {
    try {
      const set = parseLabelBraces(line, pos, false);
      if (set.quotedName !== undefined) {
        if (name !== null) return null;
        name = set.quotedName;
      }
      labels = Object.fromEntries(set.matchers.map((m) => [m.name, m.value]));
      pos = set.end;
    } catch (error) {
      if (error instanceof MetricSyntaxError) return null;
      throw error;
    }
  }
  if (name === null) return null;
  // Exemplars (` # {trace_id="..."} 1.0`) follow the value in OpenMetrics; ignore them.
  const rest = line.slice(pos).split(' # ')[0]!.trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') return null;
  const value = parseSampleValue(rest[0]!);
  if (value === null) return null;
  const sample: MetricSample = { name, labels, value, line: lineNo };
  if (rest.length === 2) {
    const timestamp = Number(rest[1]);
    if (!Number.isFinite(timestamp)) return null;
    sample.timestamp = timestamp;
  }
  return sample;
}

/** Parses a sample value as Go's ParseFloat would for the exposition format: floats, `±Inf`, `NaN`. */
export function parseSampleValue(text: string): number | null {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/** The samples a selector picks: same name, and every matcher satisfied (other labels allowed). */
export function selectSamples(samples: MetricSample[], selector: MetricSelector): MetricSample[] {
  return samples.filter(
    (sample) =>
      (selector.name === null || sample.name === selector.name) &&
      selector.matchers.every((m) => ((sample.labels[m.name] ?? '') === m.value) === (m.op === '=')),
  );
}
