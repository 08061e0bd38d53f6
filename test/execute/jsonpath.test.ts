import { describe, expect, it } from 'vitest';
import { queryJsonPath } from '../../src/execute/jsonpath.js';
import { JsonPathSyntaxError, isDefinitePath, parseJsonPath } from '../../src/parse/assertion-jsonpath.js';

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Rees', title: 'Sayings', price: 8.95 },
      { category: 'fiction', author: 'Waugh', title: 'Sword', price: 12.99 },
      { category: 'fiction', author: 'Melville', title: 'Moby Dick', isbn: '0-553', price: 8.99 },
      { category: 'fiction', author: 'Tolkien', title: 'LOTR', isbn: '0-395', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 399 },
  },
  'odd key': { 'it\'s': 1 },
  nothing: null,
};

const values = (path: string): unknown[] => {
  const result = queryJsonPath(path, store);
  if (result.definite) throw new Error(`${path} is definite`);
  return result.values;
};
const single = (path: string): unknown => {
  const result = queryJsonPath(path, store);
  if (!result.definite) throw new Error(`${path} is not definite`);
  return result.found ? result.value : 'NOT FOUND';
};

describe('queryJsonPath: definite paths yield one value or nothing', () => {
  it.each([
    ['$.store.bicycle.color', 'red'],
    ["$['store']['bicycle']['price']", 399],
    ['$["odd key"]["it\'s"]', 1],
    ["$['odd key']['it\\'s']", 1],
    ['$.store.book[0].author', 'Rees'],
    ['$.store.book[-1].title', 'LOTR'],
    ['$.nothing', null],
    ['$.store.book[9]', 'NOT FOUND'],
    ['$.store.nope.deeper', 'NOT FOUND'],
    ['$.store.bicycle[0]', 'NOT FOUND'],
    ['$', store],
  ])('%s', (path, expected) => {
    expect(single(path)).toEqual(expected);
  });
});

describe('queryJsonPath: wildcards, recursion, unions, slices and filters yield lists', () => {
  it.each([
    ['$.store.book[*].author', ['Rees', 'Waugh', 'Melville', 'Tolkien']],
    ['$.store.bicycle.*', ['red', 399]],
    ['$..author', ['Rees', 'Waugh', 'Melville', 'Tolkien']],
    ['$..price', [8.95, 12.99, 8.99, 22.99, 399]],
    ['$.store..isbn', ['0-553', '0-395']],
    ['$..book[2].title', ['Moby Dick']],
    ['$..*.color', ['red']],
    ['$.store.book[0,2].title', ['Sayings', 'Moby Dick']],
    ["$.store.bicycle['color','price']", ['red', 399]],
    ['$.store.book[1:3].author', ['Waugh', 'Melville']],
    ['$.store.book[:2].author', ['Rees', 'Waugh']],
    ['$.store.book[-2:].author', ['Melville', 'Tolkien']],
    ['$.store.book[::2].author', ['Rees', 'Melville']],
    ['$.store.book[::-1].author', ['Tolkien', 'Melville', 'Waugh', 'Rees']],
    ['$.store.book[1:3:0]', []],
    ['$.store.book[?(@.isbn)].title', ['Moby Dick', 'LOTR']],
    ['$.store.book[?(!@.isbn)].title', ['Sayings', 'Sword']],
    ['$.store.book[?(@.price < 10)].title', ['Sayings', 'Moby Dick']],
    ['$.store.book[?(@.price <= 8.99 && @.category == "fiction")].title', ['Moby Dick']],
    ["$.store.book[?(@.author == 'Rees' || @.price > 20)].title", ['Sayings', 'LOTR']],
    ['$.store.book[?(@.price >= 12.99)].title', ['Sword', 'LOTR']],
    ['$.store.book[?(@.category != "fiction")].title', ['Sayings']],
    ['$.store.book[?(@.price > $.store.bicycle.price)]', []],
    ['$.store.book[?((@.price > 20) || (@.price < 9 && @.isbn))].title', ['Moby Dick', 'LOTR']],
    ['$.store.book[?@.price > 20].title', ['LOTR']],
    ['$.store.book[?(@.title > "M")].title', ['Sayings', 'Sword', 'Moby Dick']],
    ['$.store.book[?(@.price > "10")].title', []],
    ['$.store.book[?(@.missing == null)].title', []],
    ['$.missing[*]', []],
  ])('%s', (path, expected) => {
    expect(values(path)).toEqual(expected);
  });

  it('treats null as a value and compares objects deeply in filters', () => {
    expect(queryJsonPath('$.a[?(@.x == null)].id', { a: [{ id: 1, x: null }, { id: 2 }] })).toEqual({ definite: false, values: [1] });
    expect(queryJsonPath('$.a[?(@.x == @.y)].id', { a: [{ id: 1, x: { k: [1] }, y: { k: [1] } }, { id: 2, x: 1, y: 2 }] })).toEqual({ definite: false, values: [1] });
  });
});

describe('parseJsonPath', () => {
  it('knows which paths are definite', () => {
    expect(isDefinitePath(parseJsonPath('$.a.b[0]["c"]'))).toBe(true);
    for (const path of ['$.a[*]', '$..a', '$.a[0,1]', '$.a[0:1]', '$.a[?(@.x)]', '$.*']) {
      expect(isDefinitePath(parseJsonPath(path))).toBe(false);
    }
  });

  it.each([
    ['.a', 0, 'must start with $'],
    ['$.', 2, 'member name'],
    ['$.a[', 4, 'unclosed'],
    ['$.a[1', 3, 'unclosed'],
    ['$.a[x]', 4, 'unexpected "x"'],
    ["$.a['x]", 4, 'unterminated'],
    ['$.a[?(@.x ==)]', 12, 'unexpected ")"'],
    ['$.a[?(@.x == 1]', 5, 'unclosed "("'],
    ['$.a[?(1)]', 7, 'literal alone'],
    ['$.a[?(@.x === 1)]', 10, 'unexpected "==="'],
    ['$.a b', 4, 'unexpected "b"'],
    ['$.a[-]', 4, 'digits'],
  ])('rejects %s at offset %i', (path, offset, fragment) => {
    let error: unknown;
    try {
      parseJsonPath(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(JsonPathSyntaxError);
    expect((error as JsonPathSyntaxError).offset).toBe(offset);
    expect((error as JsonPathSyntaxError).message).toContain(fragment);
  });
});
