import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, parseSampleValue, selectSamples } from '../../src/execute/prometheus-text.js';
import { MetricSyntaxError, parseMetricSelector } from '../../src/parse/assertion-metric.js';

const text = readFileSync(new URL('../fixtures/checks/roxy-metrics.prom', import.meta.url), 'utf8');

describe('parsePrometheusText', () => {
  const { samples, skipped } = parsePrometheusText(text);

  it('reads every sample, skipping HELP, TYPE and comments', () => {
    expect(skipped).toBe(0);
    expect(samples).toHaveLength(12);
    expect(samples[0]).toEqual({ name: 'roxy_pool_reachable', labels: { pool: 'w5700x', port: '11434' }, value: 1, line: 3 });
  });

  it('reads timestamps, escapes, +Inf and NaN', () => {
    expect(samples.find((s) => s.name === 'roxy_ready_checks')).toMatchObject({ value: 1, timestamp: 1768990500000 });
    expect(samples.find((s) => s.name === 'roxy_build_info')!.labels.note).toBe('quote " backslash \\ newline \n end');
    expect(samples.find((s) => s.name === 'roxy_max_latency_seconds')!.value).toBe(Infinity);
    expect(samples.find((s) => s.name === 'roxy_last_error_ratio')!.value).toBeNaN();
    expect(samples.find((s) => s.labels.le === '+Inf')!.value).toBe(1030);
  });

  it('skips lines that are not samples (shell noise around curl | grep)', () => {
    const result = parsePrometheusText('  % Total    % Received\nup 1\nup{job="x" 2\nup{job="x"} one\n{"quoted.name", job="y"} 3 # {trace_id="a"} 1.0\n');
    expect(result.samples.map((s) => [s.name, s.value])).toEqual([
      ['up', 1],
      ['quoted.name', 3],
    ]);
    expect(result.skipped).toBe(3);
  });

  it('selects by name and labels in any order, other labels allowed', () => {
    const pick = (selector: string): number[] => selectSamples(samples, parseMetricSelector(selector)).map((s) => s.value);
    expect(pick('roxy_pool_reachable{port="11435",pool="6900xt"}')).toEqual([0]);
    expect(pick('roxy_pool_reachable{pool="6900xt"}')).toEqual([0]);
    expect(pick('roxy_pool_reachable')).toEqual([1, 0]);
    expect(pick('roxy_pool_reachable{pool!="6900xt"}')).toEqual([1]);
    expect(pick('{__name__="roxy_requests_total", code="503"}')).toEqual([3]);
    expect(pick('roxy_pool_reachable{pool="nope"}')).toEqual([]);
    expect(pick('roxy_pool_reachable{zone=""}')).toEqual([1, 0]);
  });
});

describe('parseSampleValue', () => {
  it.each([
    ['1', 1],
    ['-2.5e3', -2500],
    ['.5', 0.5],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['x', null],
    ['1,5', null],
  ])('%s', (input, expected) => {
    expect(parseSampleValue(input)).toBe(expected);
  });
});

describe('parseMetricSelector', () => {
  it('reads names, matchers and the quoted-name form', () => {
    expect(parseMetricSelector('up')).toEqual({ name: 'up', matchers: [] });
    expect(parseMetricSelector('up{job="a",}')).toEqual({ name: 'up', matchers: [{ name: 'job', op: '=', value: 'a' }] });
    expect(parseMetricSelector('{"my.metric", env!="dev"}')).toEqual({ name: 'my.metric', matchers: [{ name: 'env', op: '!=', value: 'dev' }] });
  });

  it.each([
    ['', 'needs a name'],
    ['up{job="a"', 'unclosed'],
    ['up{job=a}', 'must be quoted'],
    ['up{job=~"a"}', 'regex label matchers'],
    ['up{job:"a"}', 'expected ='],
    ['up{"x", job="a"}', 'named twice'],
    ['up extra', 'unexpected "e"'],
  ])('rejects %j', (selector, fragment) => {
    expect(() => parseMetricSelector(selector)).toThrowError(MetricSyntaxError);
    expect(() => parseMetricSelector(selector)).toThrowError(fragment);
  });
});
