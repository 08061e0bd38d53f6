import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/errors.js';
import { findPlaceholders, parseRunbook } from '../../src/parse/index.js';
import { planRun } from '../../src/plan/index.js';

// L6, more contexts found by attack: namerefs, `-v` tests, `$[ ]` spanning words, variables whose
// value is a command (PS4, PROMPT_COMMAND, pagers, ssh commands), `history -s`; and a value that
// reaches arithmetic through a variable (`y=<p>; $((y))`), which no context analysis can follow.
const dir = mkdtempSync(join(tmpdir(), 'runproof-unsafe-more-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const X = join(dir, 'X');

const CASES: Array<[string, 'name' | 'integer' | 'plain']> = [
  ['declare -n ref=<p>; echo "$ref"', 'name'],
  ['declare -n ref="<p>"; echo "$ref"', 'name'],
  ['local -n r=<p> 2>/dev/null; echo', 'name'],
  ['typeset -n r2=<p>; echo "$r2"', 'name'],
  ['[[ -v <p> ]]', 'name'],
  ['[[ -v "<p>" ]]', 'name'],
  ['test -v "<p>"', 'name'],
  ['[ -v <p> ]', 'name'],
  ['[[ -R <p> ]]', 'name'],
  ['echo $[ 1 + <p> ]', 'integer'],
  ['echo $[ a[1] + <p> ]', 'integer'],
  ['export PS4="<p>"; set -x; :', 'plain'],
  ['PS4="<p>" bash -xc :', 'plain'],
  ['PROMPT_COMMAND=<p> bash -i < /dev/null 2>/dev/null', 'plain'],
  ['GIT_SSH_COMMAND="<p>" git --version', 'plain'],
  ['declare PAGER="<p>"; echo', 'plain'],
  ['history -s "<p>"; fc -s 2>/dev/null', 'plain'],
];
const HOSTILE = [`a[$(touch ${X})]`, `$(touch ${X})`, `\`touch ${X}\``, `x; touch ${X}`, `a b`];

function runbookFor(command: string, front = ''): string {
  return `${front}# T\n\n\`\`\`bash {name=c}\n${command}\n\`\`\`\n`;
}

describe('more contexts where a quoted value is still code', () => {
  it.each(CASES)('%s takes only %s values, and no value runs code', async (context, restriction) => {
    const found = findPlaceholders(context).filter((o) => o.name === 'p');
    expect(found.length, context).toBeGreaterThan(0);
    expect(found.map((o) => o.restriction), context).toContain(restriction);
    const notebook = parseRunbook(runbookFor(context), { path: 'unsafe.md' });
    for (const value of HOSTILE) {
      let plan;
      try {
        plan = planRun(notebook, { mode: 'unattended', allow: ['destructive'], values: [{ name: 'p', value, source: 'flag' }] });
      } catch (error) {
        if (!isRunproofError(error)) throw error;
        expect(['RP_UNSAFE_PARAMETER_CONTEXT', 'RP_BAD_PARAMETER']).toContain(error.code);
        continue;
      }
      await execa('bash', ['-c', plan.steps[0]!.command], { env: plan.steps[0]!.env, extendEnv: true, cwd: dir, reject: false, timeout: 10_000, input: '' });
      expect(existsSync(X), `${context} <= ${value}`).toBe(false);
    }
  }, 60_000);

  it('safe values still bind there', async () => {
    for (const [context, value, expected] of [
      ['myvar=hi; declare -n ref=<p>; echo "$ref"', 'myvar', 'hi'],
      ['[[ -v <p> ]] && echo set', 'HOME', 'set'],
      ['echo $[ 1 + <p> ]', '41', '42'],
      ['export PS4="<p>"; echo "$PS4"', 'trace:', 'trace:'],
    ] as const) {
      const plan = planRun(parseRunbook(runbookFor(context), { path: 'u.md' }), { mode: 'unattended', allow: ['destructive'], values: [{ name: 'p', value, source: 'flag' }] });
      const result = await execa('bash', ['-c', plan.steps[0]!.command], { env: plan.steps[0]!.env, extendEnv: true, cwd: dir, reject: false });
      expect(result.stdout.trim(), context).toBe(expected);
    }
  });
});

describe('a value that would reach arithmetic through a variable', () => {
  const flows = ['y=<p>; echo $((y))', 'y="<p>"; [[ $y -eq 1 ]]', 'y="<p>"; echo "${arr[y]}"', 'export y="<p>"; bash -c \'echo $((y))\'', 'echo "<p>" > v.txt; y=$(cat v.txt); echo $((y))'];
  it.each(flows)('%s: a subscript holding an expansion is refused (RP_BAD_PARAMETER), nothing runs', async (context) => {
    const notebook = parseRunbook(runbookFor(context), { path: 'u.md' });
    for (const value of [`a[$(touch ${X})]`, `x[\`touch ${X}\`]`, `1+a[\${b:=$(touch ${X})}]`]) {
      let code = '';
      try {
        planRun(notebook, { mode: 'unattended', allow: ['destructive'], values: [{ name: 'p', value, source: 'flag' }] });
      } catch (error) {
        if (!isRunproofError(error)) throw error;
        code = error.code;
      }
      expect(code, value).toBe('RP_BAD_PARAMETER');
    }
    expect(existsSync(X)).toBe(false);
  });
  it('values with brackets but no expansion inside them still bind', () => {
    const notebook = parseRunbook(runbookFor('echo "<p>"'), { path: 'u.md' });
    for (const value of ['[abc]', 'x[1]', '^v[0-9]+$', 'cost: $5 [est]', 'a]$[']) {
      const plan = planRun(notebook, { mode: 'unattended', values: [{ name: 'p', value, source: 'flag' }] });
      expect(Object.values(plan.steps[0]!.env)).toContain(value);
    }
  });
  it('a front-matter pattern that accepts the value lets it through (the author decided)', () => {
    const notebook = parseRunbook(runbookFor('echo "<p>"', '---\nparams:\n  p:\n    pattern: "[a-z]\\\\[.*\\\\]"\n---\n'), { path: 'u.md' });
    const plan = planRun(notebook, { mode: 'unattended', values: [{ name: 'p', value: 'a[$x]', source: 'flag' }] });
    expect(Object.values(plan.steps[0]!.env)).toContain('a[$x]');
  });
});
