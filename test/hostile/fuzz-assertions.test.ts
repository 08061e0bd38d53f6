import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/index.js';
import { evaluateAssertions, type CheckSubject } from '../../src/execute/checks.js';
import { AssertionSchema, FILTER_NAMES, PREDICATE_NAMES, QUERY_NAMES, parseAssertions } from '../../src/parse/assertions.js';
import { parseRunbook } from '../../src/parse/index.js';

// Fuzzing the assertion language: lines made of its own words, values and punctuation mixed
// with arbitrary text. Parsing never throws and gives only RP_BAD_ASSERTION with a span on the
// line; every parsed assertion is schema-valid and evaluates against arbitrary output without
// throwing. RUNPROOF_FUZZ_SEED=<n> replays a failure (fast-check prints the seed and path).

const seed = process.env.RUNPROOF_FUZZ_SEED;
const settings = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, ...(seed ? { seed: Number(seed) } : {}) });

const word = fc.oneof(
  fc.constantFrom(...QUERY_NAMES, ...FILTER_NAMES, ...PREDICATE_NAMES, 'not', 'true', 'false', 'null'),
  fc.constantFrom('"$.a"', '"$..b[0]"', '"$[?(@.x > 1)]"', '"$[*]"', '"up{job=\\"a\\"}"', '"X-Id"', '"Expire-Date"', '"%s"', '","', '"\\d+"', '""', '"\\\\"'),
  fc.constantFrom('/a+/', '/(a+)+$/', '/[/]/i', '/x/gy', '/(/', '/\\//', '/a/imsu', '[1, "a", true]', '[', ']', ','),
  fc.constantFrom('0', '-1', '1e3', '.5', '1.2.3', '007', '9'.repeat(400), 'NaN', 'Infinity', '#', '=', '!', "'x'", '\t', '\u00a0', '\u{1F600}'),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ maxLength: 8 }),
);
const value = fc.oneof(
  fc.constantFrom('200', '0', '-1.5', 'true', 'false', 'null', '"ok"', '""', '/^a+$/', '/(a+)+$/', '/\\d/i', '[200, 204]', '["a", 1]', '"$.x"'),
  fc.integer().map(String),
  fc.string({ maxLength: 6 }).map((text) => JSON.stringify(text)),
);
const query = fc.oneof(
  fc.constantFrom('status', 'exit', 'duration', 'stdout', 'stderr', 'body', 'value', 'count'),
  fc.constantFrom('header "X-Id"', 'header "set-cookie"', 'jsonpath "$.a"', 'jsonpath "$..b[0]"', 'jsonpath "$[?(@.x > 1)].y"', 'jsonpath "$[*]"'),
  fc.constantFrom('metric "up"', 'metric "up{job=\\"a\\"}"', 'line 1', 'line -1', 'line 3', 'regex /(\\d+)/', 'regex "a(.)"', 'certificate "Subject"', 'certificate "Expire-Date"'),
);
const filter = fc.constantFrom(
  'count', 'first', 'last', 'nth 0', 'nth -1', 'toInt', 'toFloat', 'toString', 'split ","', 'replace /a/ "b"', 'regex /(a+)/',
  'jsonpath "$.a"', 'daysAfterNow', 'daysBeforeNow', 'base64Decode', 'urlDecode', 'lines', 'trim',
);
const predicate = fc.oneof(
  fc.tuple(fc.constantFrom('==', '!=', '<', '<=', '>', '>=', 'contains', 'startsWith', 'endsWith', 'matches', 'in'), value).map(([p, v]) => `${p} ${v}`),
  fc.constantFrom('exists', 'isEmpty', 'isNumber', 'isString', 'isBoolean', 'isInteger', 'isFloat', 'isList', 'isObject', 'isIsoDate', 'isIpv4', 'isIpv6', 'isUuid'),
);
// Lines of the language's own shape (most parse), so evaluation sees real assertions.
const wellFormed = fc
  .tuple(query, fc.array(filter, { maxLength: 3 }), fc.boolean(), predicate)
  .map(([q, filters, not, p]) => [q, ...filters, ...(not ? ['not'] : []), p].join(' '));
const line = fc.oneof(wellFormed, fc.array(word, { minLength: 0, maxLength: 7 }).map((words) => words.join(' ')));
const block = fc.array(fc.oneof(line, fc.constantFrom('', '# comment', '\r', '  ')), { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n'));

const subject: fc.Arbitrary<CheckSubject> = fc.record({
  exitCode: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
  durationMs: fc.nat(),
  stdout: fc.oneof(fc.string({ maxLength: 40 }), fc.json(), fc.constantFrom('up{job="a"} 1\n', '1\n2\n3\n', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')),
  stderr: fc.string({ maxLength: 20 }),
});
const httpSubject: fc.Arbitrary<CheckSubject> = fc.record({
  exitCode: fc.constant(null),
  durationMs: fc.nat(),
  stdout: fc.constant(''),
  stderr: fc.constant(''),
  http: fc.record({
    status: fc.integer({ min: 100, max: 599 }),
    headers: fc.dictionary(fc.constantFrom('x-id', 'content-type', 'set-cookie'), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }))),
    body: fc.string({ maxLength: 40 }),
    json: fc.option(fc.jsonValue({ maxDepth: 4 }), { nil: undefined }),
  }),
});

describe('assertion parsing and evaluation on arbitrary lines (5,000 cases each)', () => {
  it('parseAssertions never throws; errors are RP_BAD_ASSERTION on the line; assertions are schema-valid', () => {
    fc.assert(
      fc.property(block, fc.integer({ min: 1, max: 10_000 }), (text, first) => {
        const lineCount = text.split(/\r?\n|\r/).length;
        const { assertions, errors } = parseAssertions(text, { line: first, col: 3, file: 'f.md' });
        for (const error of errors) {
          expect(error.code).toBe('RP_BAD_ASSERTION');
          expect(error.span!.line).toBeGreaterThanOrEqual(first);
          expect(error.span!.line).toBeLessThan(first + lineCount);
          expect(error.span!.col).toBeGreaterThanOrEqual(3);
          expect(error.message.length).toBeGreaterThan(0);
        }
        for (const assertion of assertions) expect(AssertionSchema.safeParse(assertion).success).toBe(true);
      }),
      settings(5_000),
    );
  });

  it('every parsed assertion evaluates to an outcome against arbitrary shell and HTTP results, never a throw', () => {
    let parsedCount = 0;
    fc.assert(
      fc.property(block, fc.oneof(subject, httpSubject), (text, result) => {
        const { assertions } = parseAssertions(text, { line: 1 });
        parsedCount += assertions.length;
        const outcomes = evaluateAssertions(assertions, result, { regexBudgetMs: 200, now: new Date('2026-01-01T00:00:00Z') });
        expect(outcomes).toHaveLength(assertions.length);
        for (const outcome of outcomes) {
          expect(typeof outcome.passed).toBe('boolean');
          if (!outcome.passed) expect(typeof outcome.message === 'string' || outcome.actual !== undefined || outcome.expected !== undefined).toBe(true);
        }
      }),
      settings(5_000),
    );
    // The generator must reach the evaluator: most well-formed lines parse.
    expect(parsedCount).toBeGreaterThan(1_000);
  });

  it('inside a runbook, a bad assertion is RP_BAD_ASSERTION (exit 2), never RP_INTERNAL', () => {
    fc.assert(
      fc.property(line, (text) => {
        try {
          parseRunbook(`# T\n\n\`\`\`bash\necho\n\`\`\`\n\`\`\`assert\n${text}\n\`\`\`\n`, { path: 'f.md' });
        } catch (error) {
          if (!isRunproofError(error)) throw error;
          expect(error.code).toBe('RP_BAD_ASSERTION');
          expect(error.span?.line).toBe(7);
        }
      }),
      settings(1_000),
    );
  });
});
