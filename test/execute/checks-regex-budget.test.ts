import { describe, expect, it } from 'vitest';
import { parseAssertions } from '../../src/parse/assertions.js';
import { evaluateAssertion, type CheckSubject } from '../../src/execute/checks.js';
import { runRegex } from '../../src/core/safe-regex.js';

// A catastrophic pattern against 1 MB of output: exponential backtracking, it never finishes.
const evil: CheckSubject = { exitCode: 0, durationMs: 1, stdout: `${'a'.repeat(1_000_000)}b`, stderr: '' };

function check(line: string, subject: CheckSubject, regexBudgetMs?: number) {
  const { assertions, errors } = parseAssertions(line, { line: 1 });
  expect(errors).toEqual([]);
  return evaluateAssertion(assertions[0]!, subject, regexBudgetMs === undefined ? {} : { regexBudgetMs });
}

describe('user regexes run under a time budget', () => {
  it('fails a catastrophic matches instead of hanging, then keeps working', () => {
    const outcome = check('stdout matches /(a+)+$/', evil, 300);
    expect(outcome).toMatchObject({ passed: false, message: 'regex /(a+)+$/: regex exceeded its time budget of 300 ms' });
    // The worker was replaced: the next regex runs normally.
    expect(check('stdout matches /^a{10}/', evil, 300).passed).toBe(true);
    expect(check('stdout matches /b$/', evil).passed).toBe(true);
  });

  it('applies the budget to the regex query and the regex and replace filters too', () => {
    expect(check('regex "(a+)+$" exists', evil, 300).message).toContain('exceeded its time budget');
    expect(check('stdout regex /((a+)+)c/ exists', evil, 300).message).toContain('exceeded its time budget');
    expect(check('stdout replace /(a+)+c/ "x" isEmpty', evil, 300).message).toContain('exceeded its time budget');
    expect(check('stdout not matches /(a+)+$/', evil, 300).passed).toBe(false);
  });

  it('runs every operation in the worker and in-process alike', () => {
    for (const budget of [1000, 0]) {
      expect(runRegex({ op: 'test', pattern: '^o', flags: 'i', input: 'OK' }, budget)).toEqual({ ok: true, value: true });
      expect(runRegex({ op: 'group', pattern: 'v=(\\d+)', flags: '', input: 'x v=12' }, budget)).toEqual({ ok: true, value: '12' });
      expect(runRegex({ op: 'group', pattern: 'v=\\d+', flags: '', input: 'x v=12' }, budget)).toEqual({ ok: true, value: 'v=12' });
      expect(runRegex({ op: 'group', pattern: 'z', flags: '', input: 'x' }, budget)).toEqual({ ok: true, value: null });
      expect(runRegex({ op: 'replace', pattern: '(a)', flags: '', input: 'banana', replacement: '[$1]' }, budget)).toEqual({ ok: true, value: 'b[a]n[a]n[a]' });
      expect(runRegex({ op: 'test', pattern: '(', flags: '', input: 'x' }, budget)).toMatchObject({ ok: false, timedOut: false });
    }
  });
});
