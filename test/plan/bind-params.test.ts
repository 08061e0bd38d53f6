import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/errors.js';
import { findParameters } from '../../src/parse/params.js';
import { bindParameters } from '../../src/plan/bind-params.js';

const dir = mkdtempSync(join(tmpdir(), 'runproof-bind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pwn = (n: number): string => join(dir, `pwned${n}`);

// Values that would break out of naive string substitution. None may run anything.
const HOSTILE: string[] = [
  `$(touch ${pwn(1)})`,
  `\`touch ${pwn(2)}\``,
  `;touch ${pwn(3)}`,
  `$(touch ${pwn(4)})'";rm -rf /`,
  `' ; touch ${pwn(5)} ; '`,
  `" ; touch ${pwn(6)} ; "`,
  `&& touch ${pwn(7)}`,
  `EOF\ntouch ${pwn(8)}\nEOF`,
  `| touch ${pwn(9)}`,
  `'"$(touch ${pwn(10)})"'`,
  ';rm -rf /',
  "'",
  '"',
  '\\',
  '\\n',
  'a\nb',
  '\n',
  '\r\n',
  '*',
  '?',
  '[a]',
  ' spaced  value ',
  '\t',
  '$HOME',
  '${IFS}',
  '|',
  '&',
  '>',
  '<',
  '%s',
  '#comment',
  '~',
  '{a,b}',
  '!!',
  '$((1+1))',
  "$'\\x41'",
  '`\'"$',
  'a=b',
  'héllo wörld 🚀 שלום',
  '\x01\x1b[31m',
  'x'.repeat(50_000),
  '',
];

interface Template {
  label: string;
  command: string;
  expected: (value: string) => string;
}

const TEMPLATES: Template[] = [
  { label: 'unquoted', command: "printf '%s\\0' <v>", expected: (v) => `${v}\0` },
  { label: 'double quotes', command: `printf '%s\\0' "<v>"`, expected: (v) => `${v}\0` },
  { label: 'single quotes', command: "printf '%s\\0' '<v>'", expected: (v) => `${v}\0` },
  { label: 'part of a word', command: "printf '%s\\0' --rev=<v>", expected: (v) => `--rev=${v}\0` },
  { label: 'brace in a URL', command: "printf '%s\\0' http://x/{v}/y", expected: (v) => `http://x/${v}/y\0` },
  { label: 'inside a double-quoted phrase', command: `printf '%s\\0' "pre <v> post"`, expected: (v) => `pre ${v} post\0` },
  { label: 'inside a single-quoted phrase', command: "printf '%s\\0' 'a {v} b'", expected: (v) => `a ${v} b\0` },
  { label: 'ANSI-C quotes', command: "printf '%s\\0' $'x<v>y'", expected: (v) => `x${v}y\0` },
  { label: 'unquoted heredoc', command: 'cat <<EOF\n<v>\nEOF', expected: (v) => `${v}\n` },
  { label: 'inside $( ) in double quotes', command: `printf '%s\\0' "$(printf '%s' <v>)"`, expected: (v) => `${v.replace(/\n+$/, '')}\0` },
  { label: 'twice in one command', command: "printf '%s\\0' <v> \"{v}\"", expected: (v) => `${v}\0${v}\0` },
];

async function run(command: string, env: Record<string, string>): Promise<Buffer> {
  const result = await execa('bash', ['-c', command], { env, extendEnv: true, cwd: dir, encoding: 'buffer', reject: false, stripFinalNewline: false });
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return Buffer.from(result.stdout);
}

describe('bindParameters with real bash', () => {
  it('has at least 30 hostile values', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
  });

  // One bash process per template: each value is bound under its own prefix (P0_, P1_...) and the
  // outputs are split on a marker no value contains, so every value is checked on its own.
  it.each(TEMPLATES.map((t) => [t.label, t] as const))('every value arrives as one literal argument: %s', async (_label, template) => {
    const uses = findParameters(template.command);
    expect(uses.map((u) => u.name)).toEqual(['v']);
    const env: Record<string, string> = {};
    const script = HOSTILE.map((value, i) => {
      const bound = bindParameters(template.command, uses, { v: value }, { envPrefix: `P${i}_` });
      expect(bound.env).toEqual({ [`P${i}_v`]: value });
      Object.assign(env, bound.env);
      return `${bound.command}\nprintf '%s' '<<RP-SEP>>'`;
    }).join('\n');
    const segments = (await run(script, env)).toString('utf8').split('<<RP-SEP>>');
    expect(segments).toHaveLength(HOSTILE.length + 1);
    const failures = HOSTILE.flatMap((value, i) =>
      segments[i] === template.expected(value) ? [] : [`${JSON.stringify(value.slice(0, 60))} → ${JSON.stringify(segments[i]!.slice(0, 80))}`],
    );
    expect(failures).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  // The risk of a step with values is judged on `structural` (plan/judgeWithValues): it must parse
  // into exactly the words that run, or a value could hide a form from the classifier.
  it.each(TEMPLATES.map((t) => [t.label, t] as const))('the structural text runs as the bound command does: %s', async (_label, template) => {
    const uses = findParameters(template.command);
    // In a heredoc the structural text writes line ends as spaces (a value line could end it).
    const expected = (value: string): string => template.expected(template.label === 'unquoted heredoc' ? value.replace(/\r?\n/g, ' ') : value);
    const script = HOSTILE.map((value) => `${bindParameters(template.command, uses, { v: value }).structural}\nprintf '%s' '<<RP-SEP>>'`).join('\n');
    const segments = (await run(script, {})).toString('utf8').split('<<RP-SEP>>');
    expect(segments).toHaveLength(HOSTILE.length + 1);
    const failures = HOSTILE.flatMap((value, i) =>
      segments[i] === expected(value) ? [] : [`${JSON.stringify(value.slice(0, 60))} → ${JSON.stringify(segments[i]!.slice(0, 80))}`],
    );
    expect(failures).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('nothing else ran: no touch target exists', () => {
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unquoted backtick substitution splits the value as bash would, and runs nothing', async () => {
    const command = 'printf \'%s\\0\' `printf \'%s\' <v>`x';
    const value = `a b$(touch ${pwn(11)})`;
    const bound = bindParameters(command, findParameters(command), { v: value });
    expect((await run(bound.command, bound.env)).toString('utf8')).toBe(`a\0b$(touch\0${pwn(11)})x\0`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('bindParameters output', () => {
  it('uses the documented reference per quoting context', () => {
    const command = `echo <a> "<a>" '<a>' x=<a>`;
    const bound = bindParameters(command, findParameters(command), { a: '1' });
    expect(bound.command).toBe('echo "${RP_PARAM_a}" "${RP_PARAM_a}" \'\'"${RP_PARAM_a}"\'\' x="${RP_PARAM_a}"');
  });
  it('fills values in literally for display', () => {
    const command = 'git checkout <commit_sha> && echo {trace_id}';
    const bound = bindParameters(command, findParameters(command), { commit_sha: 'abc123', trace_id: '$(x)' });
    expect(bound.display).toBe('git checkout abc123 && echo $(x)');
    expect(bound.env).toEqual({ RP_PARAM_commit_sha: 'abc123', RP_PARAM_trace_id: '$(x)' });
  });
  it('sanitizes names with - and honours envPrefix', () => {
    const command = 'echo <run-id>';
    const bound = bindParameters(command, findParameters(command), { 'run-id': '7' }, { envPrefix: 'X_' });
    expect(bound.command).toBe('echo "${X_run_id}"');
    expect(bound.env).toEqual({ X_run_id: '7' });
  });
  it('leaves a command without placeholders unchanged', () => {
    expect(bindParameters('echo ${HOME} $X 2>&1', [], {})).toEqual({ command: 'echo ${HOME} $X 2>&1', env: {}, display: 'echo ${HOME} $X 2>&1', structural: 'echo ${HOME} $X 2>&1' });
  });
  it('does not touch comments or quoted heredocs', () => {
    const command = "echo <a> # <a>\ncat <<'EOF'\n<a>\nEOF";
    const bound = bindParameters(command, findParameters(command), { a: 'v' });
    expect(bound.command).toBe("echo \"${RP_PARAM_a}\" # <a>\ncat <<'EOF'\n<a>\nEOF");
  });
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isRunproofError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('values that begin an argument', () => {
  it('refuses a leading - where the value starts an argument, unless the parameter has a pattern', () => {
    for (const command of ['git log <v>', 'curl "<v>"', "printf '%s' '<v>'", 'ls {v}']) {
      const uses = findParameters(command);
      for (const value of ['-n', '--help', '--output=/tmp/x', '-rf']) {
        expect(codeOf(() => bindParameters(command, uses, { v: value })), `${command} ${value}`).toBe('RP_BAD_PARAMETER');
        expect(bindParameters(command, uses, { v: value }, { optionLike: new Set(['v']) }).env).toEqual({ RP_PARAM_v: value });
      }
    }
  });
  it('binds a leading - after --, inside a word, and as an option value', () => {
    for (const command of ['git log -- <v>', 'echo --rev=<v>', 'echo "x <v>"', 'n=<v>']) {
      expect(bindParameters(command, findParameters(command), { v: '-rf' }).env, command).toEqual({ RP_PARAM_v: '-rf' });
    }
  });
});

describe('bindParameters guards', () => {
  const uses = findParameters('echo <v>');
  it('refuses NUL', () => {
    expect(codeOf(() => bindParameters('echo <v>', uses, { v: 'a\0b' }))).toBe('RP_BAD_PARAMETER');
  });
  it('refuses a missing value, naming it', () => {
    expect(codeOf(() => bindParameters('echo <v>', uses, {}))).toBe('RP_MISSING_PARAMETER');
    expect(() => bindParameters('echo <v>', uses, {})).toThrow(/"v"/);
  });
  it('does not take values from the object prototype', () => {
    const command = 'echo <constructor>';
    expect(codeOf(() => bindParameters(command, findParameters(command), {}))).toBe('RP_MISSING_PARAMETER');
  });
  it('refuses two names that map to one variable with different values', () => {
    const command = 'echo <a-b> <a_b>';
    expect(codeOf(() => bindParameters(command, findParameters(command), { 'a-b': '1', a_b: '2' }))).toBe('RP_BAD_PARAMETER');
    expect(bindParameters(command, findParameters(command), { 'a-b': '1', a_b: '1' }).env).toEqual({ RP_PARAM_a_b: '1' });
  });
  it('accepts only integers in arithmetic', async () => {
    const command = "printf '%s\\0' $(( <n> + 1 ))";
    const params = findParameters(command);
    const bound = bindParameters(command, params, { n: '41' });
    expect((await run(bound.command, bound.env)).toString('utf8')).toBe('42\0');
    expect(codeOf(() => bindParameters(command, params, { n: `a[$(touch ${pwn(20)})]` }))).toBe('RP_UNSAFE_PARAMETER_CONTEXT');
    expect(codeOf(() => bindParameters('[[ <n> -gt 1 ]]', findParameters('[[ <n> -gt 1 ]]'), { n: 'x[$(id)]' }))).toBe('RP_UNSAFE_PARAMETER_CONTEXT');
  });
  it('accepts only plain words where a second shell reads the text', async () => {
    const command = `bash -c 'printf "%s\\0" <v>'`;
    const params = findParameters(command);
    const bound = bindParameters(command, params, { v: 'release-1.2_x:/a@b' });
    expect((await run(bound.command, bound.env)).toString('utf8')).toBe('release-1.2_x:/a@b\0');
    for (const value of HOSTILE.slice(0, 10)) expect(codeOf(() => bindParameters(command, params, { v: value }))).toBe('RP_UNSAFE_PARAMETER_CONTEXT');
    expect(codeOf(() => bindParameters("watch 'curl http://x/<v>'", findParameters("watch 'curl http://x/<v>'"), { v: 'a b' }))).toBe('RP_UNSAFE_PARAMETER_CONTEXT');
    expect(readdirSync(dir)).toEqual([]);
  });
});
