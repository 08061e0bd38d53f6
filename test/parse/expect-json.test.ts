import { describe, expect, it } from 'vitest';
import { parseExpectJson } from '../../src/parse/expect-json.js';
import { RunproofError } from '../../src/core/index.js';

describe('parseExpectJson', () => {
  it('reads plain JSON', () => {
    expect(parseExpectJson('{"a": [1, -2.5e1, "x\\"y"], "b": {"c": null, "d": false, "e": true}}')).toEqual({
      kind: 'object',
      open: false,
      entries: [
        { key: 'a', value: { kind: 'array', open: false, tail: [], head: [{ kind: 'scalar', value: 1 }, { kind: 'scalar', value: -25 }, { kind: 'scalar', value: 'x"y' }] } },
        {
          key: 'b',
          value: {
            kind: 'object',
            open: false,
            entries: [
              { key: 'c', value: { kind: 'scalar', value: null } },
              { key: 'd', value: { kind: 'scalar', value: false } },
              { key: 'e', value: { kind: 'scalar', value: true } },
            ],
          },
        },
      ],
    });
  });

  it('accepts ... as a member, an element, a value and the whole block, and trailing commas', () => {
    expect(parseExpectJson('{"ok": true, ...}')).toEqual({ kind: 'object', open: true, entries: [{ key: 'ok', value: { kind: 'scalar', value: true } }] });
    expect(parseExpectJson('{ ... , "ok": true, }')).toMatchObject({ open: true, entries: [{ key: 'ok' }] });
    expect(parseExpectJson('[1, ..., 9]')).toEqual({ kind: 'array', open: true, head: [{ kind: 'scalar', value: 1 }], tail: [{ kind: 'scalar', value: 9 }] });
    expect(parseExpectJson('[…]')).toEqual({ kind: 'array', open: true, head: [], tail: [] });
    expect(parseExpectJson('{"id": ...}')).toEqual({ kind: 'object', open: false, entries: [{ key: 'id', value: { kind: 'any' } }] });
    expect(parseExpectJson('  ...  ')).toEqual({ kind: 'any' });
  });

  it.each([
    ['{"a": 1', 1, 1, 'unclosed object'],
    ['{\n  "a": tru\n}', 2, 8, 'expected a JSON value'],
    ['{\n  a: 1\n}', 2, 3, 'expected a "key"'],
    ['{"a" 1}', 1, 6, 'expected :'],
    ['[1 2]', 1, 4, 'expected , or ]'],
    ['[1, ..., 2, ...]', 1, 13, 'only one ...'],
    ['"abc', 1, 1, 'unterminated string'],
    ['"a\\x"', 1, 1, 'bad escape'],
    ['{} {}', 1, 4, 'after the JSON value'],
    ['', 1, 1, 'expected a JSON value'],
  ])('rejects %j at %i:%i', (text, line, col, fragment) => {
    let error: unknown;
    try {
      parseExpectJson(text, { line: 1, file: 'book.md' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RunproofError);
    expect((error as RunproofError).code).toBe('RP_BAD_EXPECTED_OUTPUT');
    expect((error as RunproofError).file).toBe('book.md');
    expect((error as RunproofError).span).toEqual({ line, col });
    expect((error as RunproofError).message).toContain(fragment);
  });

  it('places errors in the runbook using the block offset', () => {
    expect(() => parseExpectJson('{\n  "a": ?\n}', { line: 52, col: 3 })).toThrowError(expect.objectContaining({ span: { line: 53, col: 8 } }));
    expect(() => parseExpectJson('?', { line: 52, col: 3 })).toThrowError(expect.objectContaining({ span: { line: 52, col: 3 } }));
  });
});
