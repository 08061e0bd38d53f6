import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AssertionSchema, parseAssertions, type Assertion } from '../../src/parse/assertions.js';
import { tokenizeAssertion } from '../../src/parse/assertion-lexer.js';
import { RunproofError } from '../../src/core/index.js';

function one(line: string): Assertion {
  const { assertions, errors } = parseAssertions(line, { line: 1 });
  expect(errors.map((e) => e.format())).toEqual([]);
  expect(assertions).toHaveLength(1);
  return AssertionSchema.parse(assertions[0]);
}

function errorOf(line: string, options: { line?: number; col?: number } = {}): RunproofError {
  const { assertions, errors } = parseAssertions(line, { line: options.line ?? 1, col: options.col, file: 'book.md' });
  expect(assertions).toEqual([]);
  expect(errors).toHaveLength(1);
  expect(errors[0]!.code).toBe('RP_BAD_ASSERTION');
  expect(errors[0]!.file).toBe('book.md');
  return errors[0]!;
}

describe('parseAssertions: queries', () => {
  it.each([
    ['status == 200', { type: 'status' }],
    ['exit == 0', { type: 'exit' }],
    ['duration < 5000', { type: 'duration' }],
    ['stdout contains "ok"', { type: 'stdout' }],
    ['stderr isEmpty', { type: 'stderr' }],
    ['body contains "ok"', { type: 'body' }],
    ['count == 3', { type: 'count' }],
    ['value > 0.5', { type: 'value' }],
    ['header "Content-Type" startsWith "application/json"', { type: 'header', name: 'Content-Type' }],
    ['jsonpath "$.checks.pools[\'6900xt\'].reachable" == true', { type: 'jsonpath', path: "$.checks.pools['6900xt'].reachable" }],
    ['metric "roxy_pool_reachable{pool=\\"6900xt\\"}" == 1', { type: 'metric', selector: 'roxy_pool_reachable{pool="6900xt"}' }],
    ['line 1 == "ok"', { type: 'line', n: 1 }],
    ['line -1 == "done"', { type: 'line', n: -1 }],
    ['regex "version=(\\d+)" == "3"', { type: 'regex', pattern: 'version=(\\d+)', flags: '' }],
    ['regex /Version: (\\S+)/i exists', { type: 'regex', pattern: 'Version: (\\S+)', flags: 'i' }],
    ['certificate "Expire-Date" daysAfterNow > 30', { type: 'certificate', field: 'Expire-Date' }],
    ['certificate "Subject" contains "CN=roxy"', { type: 'certificate', field: 'Subject' }],
    ['certificate "Issuer" contains "CA"', { type: 'certificate', field: 'Issuer' }],
  ])('%s', (line, query) => {
    expect(one(line).query).toEqual(query);
  });
});

describe('parseAssertions: filters', () => {
  it.each([
    ['jsonpath "$.items" count == 2', [{ type: 'count' }]],
    ['jsonpath "$.items" first == 1', [{ type: 'first' }]],
    ['jsonpath "$.items" last == 1', [{ type: 'last' }]],
    ['jsonpath "$.items" nth 2 == 1', [{ type: 'nth', n: 2 }]],
    ['stdout toInt == 3', [{ type: 'toInt' }]],
    ['stdout toFloat > 0.5', [{ type: 'toFloat' }]],
    ['exit toString == "0"', [{ type: 'toString' }]],
    ['stdout split "," count == 3', [{ type: 'split', separator: ',' }, { type: 'count' }]],
    ['stdout replace "a" "b" == "bbb"', [{ type: 'replace', from: { type: 'string', value: 'a' }, to: 'b' }]],
    ['stdout replace /a+/i "b" == "b"', [{ type: 'replace', from: { type: 'regex', pattern: 'a+', flags: 'i' }, to: 'b' }]],
    ['stdout regex "(\\d+) ms" toInt < 100', [{ type: 'regex', pattern: '(\\d+) ms', flags: '' }, { type: 'toInt' }]],
    ['stdout jsonpath "$.ready" == true', [{ type: 'jsonpath', path: '$.ready' }]],
    ['stdout daysAfterNow > 1', [{ type: 'daysAfterNow' }]],
    ['stdout daysBeforeNow < 1', [{ type: 'daysBeforeNow' }]],
    ['stdout base64Decode == "hi"', [{ type: 'base64Decode' }]],
    ['stdout urlDecode == "a b"', [{ type: 'urlDecode' }]],
    ['stdout lines count == 2', [{ type: 'lines' }, { type: 'count' }]],
    ['stdout trim == "ok"', [{ type: 'trim' }]],
  ])('%s', (line, filters) => {
    expect(one(line).filters).toEqual(filters);
  });
});

describe('parseAssertions: predicates and values', () => {
  it.each([
    ['status == 200', { type: '==', value: { type: 'number', value: 200 } }],
    ['status != 500', { type: '!=', value: { type: 'number', value: 500 } }],
    ['duration < 1.5', { type: '<', value: { type: 'number', value: 1.5 } }],
    ['duration <= -2', { type: '<=', value: { type: 'number', value: -2 } }],
    ['duration > 1e3', { type: '>', value: { type: 'number', value: 1000 } }],
    ['stdout >= "2026-01-01"', { type: '>=', value: { type: 'string', value: '2026-01-01' } }],
    ['stdout contains "say \\"hi\\"\\n\\\\"', { type: 'contains', value: { type: 'string', value: 'say "hi"\n\\' } }],
    ['stdout startsWith "a"', { type: 'startsWith', value: { type: 'string', value: 'a' } }],
    ['stdout endsWith "z"', { type: 'endsWith', value: { type: 'string', value: 'z' } }],
    ['stdout matches /^ok\\/done$/m', { type: 'matches', value: { type: 'regex', pattern: '^ok/done$', flags: 'm' } }],
    ['stdout matches "^ok"', { type: 'matches', value: { type: 'string', value: '^ok' } }],
    ['stdout matches /[/]x/', { type: 'matches', value: { type: 'regex', pattern: '[/]x', flags: '' } }],
    ['status in [200, 204, "x", true, null]', { type: 'in', value: { type: 'list', items: [{ type: 'number', value: 200 }, { type: 'number', value: 204 }, { type: 'string', value: 'x' }, { type: 'boolean', value: true }, { type: 'null' }] } }],
    ['status in []', { type: 'in', value: { type: 'list', items: [] } }],
    ['jsonpath "$.a" == false', { type: '==', value: { type: 'boolean', value: false } }],
    ['jsonpath "$.a" == null', { type: '==', value: { type: 'null' } }],
    ['jsonpath "$.a" exists', { type: 'exists' }],
    ['jsonpath "$.a" isEmpty', { type: 'isEmpty' }],
    ['jsonpath "$.a" isNumber', { type: 'isNumber' }],
    ['jsonpath "$.a" isString', { type: 'isString' }],
    ['jsonpath "$.a" isBoolean', { type: 'isBoolean' }],
    ['jsonpath "$.a" isInteger', { type: 'isInteger' }],
    ['jsonpath "$.a" isFloat', { type: 'isFloat' }],
    ['jsonpath "$.a" isList', { type: 'isList' }],
    ['jsonpath "$.a" isObject', { type: 'isObject' }],
    ['jsonpath "$.a" isIsoDate', { type: 'isIsoDate' }],
    ['jsonpath "$.a" isIpv4', { type: 'isIpv4' }],
    ['jsonpath "$.a" isIpv6', { type: 'isIpv6' }],
    ['jsonpath "$.a" isUuid', { type: 'isUuid' }],
  ])('%s', (line, predicate) => {
    expect(one(line).predicate).toEqual(predicate);
  });

  it('reads not before any predicate', () => {
    expect(one('status not == 500').not).toBe(true);
    expect(one('jsonpath "$.a" count not in [0, 1]')).toMatchObject({ not: true, filters: [{ type: 'count' }], predicate: { type: 'in' } });
    expect(one('header "X-Debug" not exists').not).toBe(true);
    expect(one('status == 200').not).toBe(false);
  });

  it('records text, line and column of each assertion; skips blank and # lines and trailing comments', () => {
    const { assertions, errors } = parseAssertions('# checks for /ready\n\n  status == 200   # must be OK\nexit == 0\n', { line: 40, col: 3 });
    expect(errors).toEqual([]);
    expect(assertions.map((a) => [a.text, a.line, a.col])).toEqual([
      ['status == 200   # must be OK', 42, 5],
      ['exit == 0', 43, 3],
    ]);
  });
});

describe('parseAssertions: errors carry file:line:col and a hint', () => {
  it('names the closest query', () => {
    const error = errorOf('statsu == 200', { line: 12, col: 3 });
    expect(error.span).toEqual({ line: 12, col: 3 });
    expect(error.message).toBe('unknown query "statsu"');
    expect(error.hint).toContain('did you mean status?');
    expect(error.hint).toContain('jsonpath');
    expect(error.format()).toBe(`RP_BAD_ASSERTION book.md:12:3 unknown query "statsu" (hint: ${error.hint})`);
  });

  it('names the closest filter or predicate', () => {
    const error = errorOf('stdout contians "ok"');
    expect(error.span).toEqual({ line: 1, col: 8 });
    expect(error.hint).toContain('did you mean contains?');
    expect(errorOf('jsonpath "$.a" frist == 1').hint).toContain('did you mean first?');
    expect(errorOf('status not eqauls 1').hint).toMatch(/^predicates are/);
  });

  it('points at the offending token on the right line of a block', () => {
    const { errors, assertions } = parseAssertions('status == 200\nexit == 0\nstdout == ok', { line: 20, file: 'book.md' });
    expect(assertions).toHaveLength(2);
    expect(errors[0]!.span).toEqual({ line: 22, col: 11 });
    expect(errors[0]!.message).toContain('the word "ok"');
    expect(errors[0]!.hint).toContain('"ok"');
  });

  it.each([
    ['== 200', 'starts with a query'],
    ['status', 'missing predicate'],
    ['status ==', 'needs a value'],
    ['status = 200', 'single "="'],
    ['status == 200 300', 'after the predicate'],
    ["stdout == 'x'", 'double quotes'],
    ['stdout == "open', 'unterminated string'],
    ['stdout matches /open', 'unterminated regex'],
    ['stdout matches /a/g', 'flag "g"'],
    ['stdout matches /a(/', 'invalid regex'],
    ['stdout matches "a["', 'invalid regex'],
    ['regex "(" exists', 'invalid regex'],
    ['stdout matches 3', 'matches needs a regex'],
    ['status in 200', 'in needs a list'],
    ['status in [200, 300', 'unclosed list'],
    ['status in [[1]]', 'a list holds'],
    ['status < true', 'compares numbers or strings'],
    ['status == /2../', 'does not take a regex'],
    ['stdout startsWith [1]', 'does not take a list'],
    ['header == 1', 'header needs a name'],
    ['jsonpath == 1', 'jsonpath needs a path'],
    ['jsonpath "a.b" == 1', 'must start with $'],
    ['jsonpath "$.a[" == 1', 'bad JSONPath'],
    ['jsonpath "$.a[?(@.x === 1)]" exists', 'bad JSONPath'],
    ['metric "up{job=api}" == 1', 'must be quoted'],
    ['metric "up{job=~\\"a.*\\"}" == 1', 'regex label matchers'],
    ['metric "" == 1', 'needs a name'],
    ['line 0 == "x"', 'numbered from 1'],
    ['line 1.5 == "x"', 'line needs'],
    ['line "1" == "x"', 'line needs'],
    ['nth 1 == 2', 'unknown query'],
    ['jsonpath "$.a" nth == 2', 'nth needs'],
    ['stdout split == 2', 'split needs'],
    ['stdout replace "a" == 2', 'replace needs a replacement'],
    ['stdout replace 1 "b" == 2', 'replace needs what'],
    ['certificate "Expiry" daysAfterNow > 3', 'unknown certificate field'],
    ['status not not == 200', '"not" twice'],
    ['status stdout == 1', 'is a query'],
    ['status == 12abc', 'not a number'],
    ['status == 200 & 1', 'unexpected character'],
    ['status ! 200', 'lone "!"'],
  ])('%s → %s', (line, fragment) => {
    const { errors } = parseAssertions(line, { line: 1 });
    expect(errors).toHaveLength(1);
    expect(`${errors[0]!.message} ${errors[0]!.hint ?? ''}`).toContain(fragment);
  });

  it('suggests the certificate field and the expected forms', () => {
    expect(errorOf('certificate "Expire-date" daysAfterNow > 3').hint).toContain('did you mean Expire-Date?');
    expect(errorOf('jsonpath ".ready" == true').hint).toContain('$.ready');
  });

  it('points a missing predicate at the end of the line, before a comment', () => {
    expect(errorOf('status   # no predicate').span).toEqual({ line: 1, col: 10 });
    expect(parseAssertions('   \n# only a comment\n', { line: 1 })).toEqual({ assertions: [], errors: [] });
  });

  it('reports one error per bad line and keeps the good ones', () => {
    const { assertions, errors } = parseAssertions('statsu == 1\nstatus == 1\nexti == 0', { line: 5 });
    expect(assertions.map((a) => a.line)).toEqual([6]);
    expect(errors.map((e) => e.span?.line)).toEqual([5, 7]);
  });
});

describe('tokenizeAssertion', () => {
  it('keeps offsets and decodes strings, numbers and regexes', () => {
    const { tokens, error } = tokenizeAssertion('jsonpath "$.a" count >= -1.5 # note');
    expect(error).toBeUndefined();
    expect(tokens.map((t) => [t.kind, t.offset, t.value])).toEqual([
      ['word', 0, undefined],
      ['string', 9, '$.a'],
      ['word', 15, undefined],
      ['op', 21, undefined],
      ['number', 24, -1.5],
      ['eof', 29, undefined],
    ]);
  });
  it('keeps unknown escapes as written so regex strings read naturally', () => {
    expect(tokenizeAssertion('"(\\d+)\\.\\t"').tokens[0]!.value).toBe('(\\d+)\\.\t');
  });
});

describe('parseAssertions never throws', () => {
  it('returns errors for arbitrary text (property)', () => {
    const alphabet = fc.constantFrom(...'statusjonph$.[]{}()"\'\\/=!<>,#- 0123456789abcxyz\n\t?@*:~'.split(''));
    const pieces = fc.constantFrom('status', 'jsonpath', 'metric', '==', 'not', 'in', '[', ']', '"', '/', 'count', 'matches', 'regex', ' ', '\n', '"$.a"', 'line', 'certificate', 'nth', 'replace');
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')), fc.array(pieces, { maxLength: 12 }).map((a) => a.join(' ')));
    fc.assert(
      fc.property(text, (input) => {
        const result = parseAssertions(input, { line: 1, col: 1, file: 'x.md' });
        for (const error of result.errors) {
          if (!(error instanceof RunproofError) || error.code !== 'RP_BAD_ASSERTION' || error.span === undefined) return false;
        }
        for (const assertion of result.assertions) AssertionSchema.parse(assertion);
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});
