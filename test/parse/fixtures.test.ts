import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/index.js';
import { NotebookSchema, lintRunbook, parseRunbook, type Notebook } from '../../src/parse/index.js';

// Fixture-driven tests (markdown-it's generateTests, Hurl's tests_ok/tests_failed): each
// test/fixtures/parse/<case>.md has its expected <case>.notebook.json, each
// test/fixtures/errors/<case>.md its exact <case>.err. UPDATE_FIXTURES=1 rewrites them.
const parseDir = fileURLToPath(new URL('../fixtures/parse/', import.meta.url));
const errorDir = fileURLToPath(new URL('../fixtures/errors/', import.meta.url));
const update = process.env.UPDATE_FIXTURES === '1';

// Risk, parameters, variables, assertions and HTTP requests come from helpers other tests own;
// the notebook fixtures pin the structure this parser decides, not those helpers' verdicts.
const FOREIGN_WARNINGS = new Set(['RP_UNSET_VARIABLE', 'RP_RISK_LOWERED']);
function project(notebook: Notebook): unknown {
  return {
    ...notebook,
    cells: notebook.cells.map((cell) => {
      const { risk, params, variables, assertions, http, ...rest } = cell;
      void risk, params, variables, assertions, http;
      return rest;
    }),
    params: undefined,
    warnings: notebook.warnings.filter((w) => !FOREIGN_WARNINGS.has(w.code)),
  };
}

function cases(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -3))
    .sort();
}

describe('parse fixtures', () => {
  const names = cases(parseDir);
  it('has the fixture set', () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
  });
  for (const name of names) {
    it(name, () => {
      const text = readFileSync(`${parseDir}${name}.md`, 'utf8');
      const notebook = parseRunbook(text, { path: `${name}.md` });
      expect(() => NotebookSchema.parse(JSON.parse(JSON.stringify(notebook)))).not.toThrow();
      const actual = JSON.parse(JSON.stringify(project(notebook)));
      const expectedPath = `${parseDir}${name}.notebook.json`;
      if (update) writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
    });
  }
});

describe('error fixtures', () => {
  const names = cases(errorDir);
  it('has the fixture set', () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
  });
  for (const name of names) {
    it(name, () => {
      const text = readFileSync(`${errorDir}${name}.md`, 'utf8');
      let thrown: unknown;
      try {
        parseRunbook(text, { path: `${name}.md` });
      } catch (error) {
        thrown = error;
      }
      expect(isRunproofError(thrown)).toBe(true);
      const line = isRunproofError(thrown) ? thrown.format() : String(thrown);
      const expectedPath = `${errorDir}${name}.err`;
      if (update) writeFileSync(expectedPath, `${line}\n`);
      expect(line).toBe(readFileSync(expectedPath, 'utf8').trimEnd());
      // lint reports the same error (and does not throw).
      const diagnostics = lintRunbook(text, { path: `${name}.md` });
      expect(diagnostics.some((d) => d.severity === 'error' && isRunproofError(thrown) && d.code === thrown.code && d.span?.line === thrown.span?.line)).toBe(true);
    });
  }
});
