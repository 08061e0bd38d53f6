import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAssertions } from '../../src/parse/assertions.js';
import { evaluateAssertion, evaluateAssertions, type AssertionOutcome, type CheckSubject } from '../../src/execute/checks.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/checks/${name}`, import.meta.url), 'utf8');
const NOW = new Date('2026-01-22T10:15:00Z');

// A shell cell that ran `curl -sS http://127.0.0.1:8766/ready | jq`.
const readyShell: CheckSubject = { exitCode: 0, durationMs: 180, stdout: fixture('roxy-ready.healthy.json'), stderr: '' };

const textShell: CheckSubject = {
  exitCode: 3,
  durationMs: 2500,
  stdout: 'roxy 1.0.0-rc2\nlatency=42 ms\npools: w5700x,6900xt\nstarted 2026-01-20T08:00:00Z\ntoken aGVsbG8gd29ybGQ=\npath a%20b%2Fc\n  padded  \n',
  stderr: 'warning: slow pool\n',
};

const metricsShell: CheckSubject = { exitCode: 0, durationMs: 40, stdout: fixture('roxy-metrics.prom'), stderr: '' };

const httpCell: CheckSubject = {
  exitCode: null,
  durationMs: 95,
  stdout: '',
  stderr: '',
  http: {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'set-cookie': ['a=1', 'b=2'], 'x-request-id': ['3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f'] },
    body: '{"ready":true,"ids":[1,2,3],"client":"10.0.0.7","v6":"::1","ratio":0.75,"empty":"","tags":{},"when":"2028-02-29T00:00:00Z","bad_date":"2026-02-29"}',
    certificate: { subject: 'CN=roxy.internal', issuer: "CN=Let's Encrypt R3", validTo: 'Mar 23 10:15:00 2026 GMT' },
  },
};
httpCell.http!.json = JSON.parse(httpCell.http!.body);

const promqlCell: CheckSubject = {
  exitCode: null,
  durationMs: 12,
  stdout: '',
  stderr: '',
  promql: {
    resultType: 'vector',
    result: [
      { metric: { __name__: 'up', job: 'roxy' }, value: [1768990500, '1'] },
      { metric: { __name__: 'up', job: 'ollama' }, value: [1768990500, '0'] },
    ],
  },
};

function run(line: string, subject: CheckSubject): AssertionOutcome {
  const { assertions, errors } = parseAssertions(line, { line: 7 });
  expect(errors.map((e) => e.format())).toEqual([]);
  return evaluateAssertion(assertions[0]!, subject, { now: NOW });
}

// Each row: an assertion, the subject, whether it must pass. Every query, filter and predicate
// appears at least once passing and once failing.
const cases: Array<[string, CheckSubject, boolean]> = [
  // queries
  ['status == 200', httpCell, true],
  ['status == 503', httpCell, false],
  ['exit == 3', textShell, true],
  ['exit == 0', textShell, false],
  ['duration < 1000', readyShell, true],
  ['duration < 1000', textShell, false],
  ['stdout startsWith "roxy 1.0"', textShell, true],
  ['stdout endsWith "padded  "', textShell, true],
  ['stdout contains "panic"', textShell, false],
  ['stderr == "warning: slow pool"', textShell, true],
  ['stderr isEmpty', textShell, false],
  ['body contains "\\"ready\\":true"', httpCell, true],
  ['body contains "latency"', textShell, true],
  ['body contains "nope"', httpCell, false],
  ['header "Content-Type" startsWith "application/json"', httpCell, true],
  ['header "content-type" contains "xml"', httpCell, false],
  ['header "Set-Cookie" count == 2', httpCell, true],
  ['header "X-Request-Id" isUuid', httpCell, true],
  ['header "X-Missing" exists', httpCell, false],
  ['header "X-Missing" not exists', httpCell, true],
  ['jsonpath "$.ready" == true', readyShell, true],
  ['jsonpath "$.ready" == false', readyShell, false],
  ['jsonpath "$.checks.pool_invariants.pools[\'6900xt\'].reachable" == true', readyShell, true],
  ['jsonpath "$.checks.pool_invariants.pools.*.reachable" count == 2', readyShell, true],
  ['jsonpath "$..latency_ms" contains 0.4', readyShell, true],
  ['jsonpath "$..port" contains 9999', readyShell, false],
  ['jsonpath "$.ids[-1]" == 3', httpCell, true],
  ['jsonpath "$.ids[0]" == 3', httpCell, false],
  ['metric "roxy_pool_reachable{pool=\\"w5700x\\"}" == 1', metricsShell, true],
  ['metric "roxy_pool_reachable{pool=\\"6900xt\\", port=\\"11435\\"}" == 1', metricsShell, false],
  ['metric "roxy_requests_total{code=\\"200\\",path=\\"/health\\"}" > 1000', metricsShell, true],
  ['metric "roxy_requests_total" count == 2', metricsShell, true],
  ['metric "roxy_request_latency_seconds_bucket{le=\\"+Inf\\"}" == 1030', metricsShell, true],
  ['line 1 == "roxy 1.0.0-rc2"', textShell, true],
  ['line -1 == "padded"', textShell, false],
  ['line 2 == "latency=42 ms"', textShell, true],
  ['regex "latency=(\\d+)" == 42', textShell, true],
  ['regex "latency=(\\d+)" > 100', textShell, false],
  ['regex /^ROXY (\\S+)/im == "1.0.0-rc2"', textShell, true],
  ['count == 7', textShell, true],
  ['count == 2', promqlCell, true],
  ['count == 0', textShell, false],
  ['value == 1', promqlCell, true],
  ['value == 0', promqlCell, false],
  ['certificate "Expire-Date" daysAfterNow == 60', httpCell, true],
  ['certificate "Expire-Date" daysAfterNow > 90', httpCell, false],
  ['certificate "Subject" == "CN=roxy.internal"', httpCell, true],
  ['certificate "Issuer" contains "DigiCert"', httpCell, false],
  // filters
  ['jsonpath "$.ids" count == 3', httpCell, true],
  ['jsonpath "$.ids" count == 4', httpCell, false],
  ['jsonpath "$.ids" first == 1', httpCell, true],
  ['jsonpath "$.ids" first == 2', httpCell, false],
  ['jsonpath "$.ids" last == 3', httpCell, true],
  ['jsonpath "$.ids" last == 1', httpCell, false],
  ['jsonpath "$.ids" nth 1 == 2', httpCell, true],
  ['jsonpath "$.ids" nth -3 == 1', httpCell, true],
  ['jsonpath "$.ids" nth 1 == 3', httpCell, false],
  ['regex "latency=(\\d+)" toInt isInteger', textShell, true],
  ['regex "latency=(\\d+)" toInt isString', textShell, false],
  ['jsonpath "$.ratio" toInt == 0', httpCell, true],
  ['jsonpath "$.ratio" toString toFloat == 0.75', httpCell, true],
  ['regex "latency=(\\d+)" toFloat isFloat', textShell, false],
  ['exit toString == "3"', textShell, true],
  ['exit toString isNumber', textShell, false],
  ['jsonpath "$.ids" toString == "[1,2,3]"', httpCell, true],
  ['regex "pools: (.*)" split "," == ["w5700x", "6900xt"]', textShell, true],
  ['regex "pools: (.*)" split "," count == 3', textShell, false],
  ['line 1 replace "roxy" "ROXY" == "ROXY 1.0.0-rc2"', textShell, true],
  ['line 1 replace /\\d/ "#" == "roxy #.#.#-rc#"', textShell, true],
  ['line 1 replace "roxy" "x" == "roxy 1.0.0-rc2"', textShell, false],
  ['stdout regex "token (\\S+)" base64Decode == "hello world"', textShell, true],
  ['stdout regex "token (\\S+)" base64Decode == "hello"', textShell, false],
  ['stdout regex "path (\\S+)" urlDecode == "a b/c"', textShell, true],
  ['stdout regex "path (\\S+)" urlDecode == "a%20b/c"', textShell, false],
  ['stdout regex "started (\\S+)" daysBeforeNow == 2', textShell, true],
  ['stdout regex "started (\\S+)" daysBeforeNow > 2', textShell, false],
  ['stdout regex "started (\\S+)" daysAfterNow < 0', textShell, true],
  ['stdout regex "started (\\S+)" daysAfterNow >= 0', textShell, false],
  ['stdout lines count == 7', textShell, true],
  ['stdout lines nth 1 == "latency=42 ms"', textShell, true],
  ['stdout lines count == 1', textShell, false],
  ['line -1 trim == "padded"', textShell, true],
  ['line -1 trim == "  padded"', textShell, false],
  ['body jsonpath "$.ready" == true', httpCell, true],
  ['stdout jsonpath "$.checks.pool_invariants.ok" == false', readyShell, false],
  ['jsonpath "$.checks" jsonpath "$.pool_invariants.pools.w5700x.port" == 11434', readyShell, true],
  ['stdout regex "(\\d+) ms" == "42"', textShell, true],
  ['stdout regex "(\\d+) ms" == "43"', textShell, false],
  // predicates
  ['status != 500', httpCell, true],
  ['status != 200', httpCell, false],
  ['status < 300', httpCell, true],
  ['status <= 200', httpCell, true],
  ['status > 200', httpCell, false],
  ['status >= 201', httpCell, false],
  ['jsonpath "$.when" >= "2026-01-01"', httpCell, true],
  ['jsonpath "$.when" < "2026-01-01"', httpCell, false],
  ['stdout matches /latency=\\d+ ms/', textShell, true],
  ['stdout matches "^panic"', textShell, false],
  ['status matches /^2\\d\\d$/', httpCell, true],
  ['status in [200, 204]', httpCell, true],
  ['status in [500, 503]', httpCell, false],
  ['jsonpath "$.ids" contains [1, 3]', httpCell, true],
  ['jsonpath "$.ids" contains [1, 4]', httpCell, false],
  ['jsonpath "$.ready" exists', httpCell, true],
  ['jsonpath "$.nope" exists', httpCell, false],
  ['jsonpath "$.nope" not exists', httpCell, true],
  ['jsonpath "$.ids[?(@ > 5)]" exists', httpCell, false],
  ['jsonpath "$.empty" isEmpty', httpCell, true],
  ['jsonpath "$.tags" isEmpty', httpCell, true],
  ['jsonpath "$.ids" isEmpty', httpCell, false],
  ['jsonpath "$.ratio" isNumber', httpCell, true],
  ['jsonpath "$.client" isNumber', httpCell, false],
  ['jsonpath "$.client" isString', httpCell, true],
  ['jsonpath "$.ids" isString', httpCell, false],
  ['jsonpath "$.ready" isBoolean', httpCell, true],
  ['jsonpath "$.client" isBoolean', httpCell, false],
  ['jsonpath "$.ids[0]" isInteger', httpCell, true],
  ['jsonpath "$.ratio" isInteger', httpCell, false],
  ['jsonpath "$.ratio" isFloat', httpCell, true],
  ['jsonpath "$.ids[0]" isFloat', httpCell, false],
  ['jsonpath "$.ids" isList', httpCell, true],
  ['jsonpath "$.tags" isList', httpCell, false],
  ['jsonpath "$.tags" isObject', httpCell, true],
  ['jsonpath "$.ids" isObject', httpCell, false],
  ['jsonpath "$.when" isIsoDate', httpCell, true],
  ['jsonpath "$.client" isIsoDate', httpCell, false],
  ['jsonpath "$.bad_date" isIsoDate', httpCell, false],
  ['jsonpath "$.client" isIpv4', httpCell, true],
  ['jsonpath "$.v6" isIpv4', httpCell, false],
  ['jsonpath "$.v6" isIpv6', httpCell, true],
  ['jsonpath "$.client" isIpv6', httpCell, false],
  ['header "X-Request-Id" isUuid', httpCell, true],
  ['jsonpath "$.client" isUuid', httpCell, false],
  ['status not == 503', httpCell, true],
  ['status not in [200]', httpCell, false],
  ['jsonpath "$.client" not isUuid', httpCell, true],
];

describe('evaluateAssertion: every query, filter and predicate', () => {
  it.each(cases.map(([line, subject, passed]) => ({ line, subject, passed })))('$line → $passed', ({ line, subject, passed }) => {
    const outcome = run(line, subject);
    expect({ passed: outcome.passed, message: outcome.message }).toEqual(passed ? { passed: true, message: undefined } : { passed: false, message: expect.any(String) });
    expect(outcome.text).toBe(line);
    expect(outcome.line).toBe(7);
  });
});

describe('evaluateAssertion: outcomes carry expected, actual and a clear message', () => {
  it('reports expected and actual values', () => {
    expect(run('status == 503', httpCell)).toEqual({ text: 'status == 503', line: 7, passed: false, expected: 503, actual: 200, message: 'expected == 503, got 200' });
    expect(run('status not in [200]', httpCell)).toMatchObject({ expected: [200], actual: 200, message: 'expected not in [200], got 200' });
    expect(run('stdout matches "^panic"', textShell)).toMatchObject({ expected: '^panic' });
    expect(run('stdout matches /^panic/i', textShell)).toMatchObject({ expected: '/^panic/i' });
    expect(run('jsonpath "$.ready" exists', httpCell)).toEqual({ text: 'jsonpath "$.ready" exists', line: 7, passed: true, actual: true });
  });

  it('fails, never throws, when a query finds nothing or cannot run', () => {
    expect(run('jsonpath "$.nope" == 1', httpCell).message).toBe('expected == 1: jsonpath "$.nope" found nothing');
    expect(run('jsonpath "$.nope" not == 1', httpCell).passed).toBe(false);
    expect(run('jsonpath "$.ready" == true', textShell).message).toMatch(/^stdout is not JSON/);
    expect(run('jsonpath "$.ready" == true', { ...textShell, stdout: '' }).message).toBe('stdout is empty, not JSON');
    expect(run('status == 200', textShell).message).toContain('needs an HTTP cell');
    expect(run('header "X" exists', textShell).message).toContain('needs an HTTP cell');
    expect(run('certificate "Subject" exists', textShell).message).toContain('HTTPS');
    expect(run('value == 1', textShell).message).toBe('value needs a promql cell');
    expect(run('value == 1', { ...promqlCell, promql: { resultType: 'vector', result: [] } }).message).toContain('no samples');
    expect(run('line 40 == "x"', textShell).message).toContain('the output has 7 lines');
    expect(run('regex "nomatch(\\d)" == 1', textShell).message).toContain('did not match');
    expect(run('metric "roxy_pool_reachable{pool=\\"x\\"}" == 1', metricsShell).message).toContain('2 sample(s) of roxy_pool_reachable with other labels');
    expect(run('metric "roxy_requests_total" == 3', metricsShell).message).toBe('expected == 3, got [1027,3]');
  });

  it('fails with the reason when a filter does not apply', () => {
    expect(run('stdout count == 1', textShell).message).toContain('count needs a list');
    expect(run('line 1 toInt == 1', textShell).message).toContain('toInt needs an integer');
    expect(run('line 1 toFloat == 1', textShell).message).toContain('toFloat needs a number');
    expect(run('line 1 base64Decode == "x"', textShell).message).toContain('base64');
    expect(run('line 1 daysAfterNow > 1', textShell).message).toContain('needs a date');
    expect(run('jsonpath "$.ids" split "," count == 1', httpCell).message).toContain('split needs a string');
    expect(run('line 1 jsonpath "$.a" == 1', textShell).message).toContain('the value is not JSON');
    expect(run('jsonpath "$.ids" first first == 1', httpCell).message).toContain('first needs a list');
    expect(run('jsonpath "$.ids" nth 5 exists', httpCell)).toMatchObject({ passed: false, message: 'expected exists: nth 5: the list has 3 items' });
    expect(run('stdout urlDecode == "x"', { ...textShell, stdout: '%E0%A4%A' }).message).toContain('percent-encoding');
    expect(run('jsonpath "$.ready" contains "x"', httpCell).message).toContain('contains needs a string or a list');
    expect(run('jsonpath "$.ready" > 1', httpCell).message).toContain('> needs a number');
    expect(run('jsonpath "$.ready" isEmpty', httpCell).message).toContain('isEmpty needs');
  });

  it('compares numeric text as numbers and strips the final newline of stdout', () => {
    const shell: CheckSubject = { exitCode: 0, durationMs: 1, stdout: '3\n', stderr: '' };
    expect(run('stdout == 3', shell).passed).toBe(true);
    expect(run('stdout == "3"', shell).passed).toBe(true);
    expect(run('stdout isNumber', shell).passed).toBe(false);
    expect(run('stdout == 4', shell).passed).toBe(false);
  });

  it('reads metric values in any label order, with escapes, NaN and +Inf', () => {
    expect(run('metric "roxy_pool_reachable{port=\\"11434\\",pool=\\"w5700x\\"}" == 1', metricsShell).passed).toBe(true);
    expect(run('metric "roxy_build_info{note=\\"quote \\\\\\" backslash \\\\\\\\ newline \\\\n end\\"}" == 1', metricsShell).passed).toBe(true);
    expect(run('metric "roxy_max_latency_seconds" > 1000000', metricsShell).passed).toBe(true);
    expect(run('metric "roxy_last_error_ratio" isNumber', metricsShell)).toMatchObject({ passed: true, actual: 'NaN' });
    expect(run('metric "roxy_ready_checks{check=\\"pool_invariants\\"}" == 1', metricsShell).passed).toBe(true);
    expect(run('metric "roxy_requests_total{code!=\\"200\\"}" == 3', metricsShell).passed).toBe(true);
  });

  it('runs jsonpath over PromQL data and reads scalar and matrix results', () => {
    expect(run('jsonpath "$.result[?(@.metric.job == \'ollama\')].value[1]" first == "0"', promqlCell).passed).toBe(true);
    expect(run('value == 42', { ...promqlCell, promql: { resultType: 'scalar', result: [1, '42'] } }).passed).toBe(true);
    expect(run('value == 7', { ...promqlCell, promql: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '5'], [2, '7']] }] } }).passed).toBe(true);
  });

  it('shortens a huge actual value in the outcome', () => {
    const big: CheckSubject = { exitCode: 0, durationMs: 1, stdout: 'x'.repeat(100_000), stderr: '' };
    const outcome = run('stdout == "y"', big);
    expect(String(outcome.actual).length).toBeLessThan(2100);
    expect(String(outcome.actual)).toContain('[+98000 chars]');
  });

  it('evaluates a whole block in order', () => {
    const { assertions } = parseAssertions('exit == 0\njsonpath "$.ready" == true\njsonpath "$.message" contains "unreachable"', { line: 10 });
    const outcomes = evaluateAssertions(assertions, readyShell, { now: NOW });
    expect(outcomes.map((o) => [o.line, o.passed])).toEqual([
      [10, true],
      [11, true],
      [12, false],
    ]);
  });
});
