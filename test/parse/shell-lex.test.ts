import { describe, expect, it } from 'vitest';
import { lexShell, listCommands, wordValue, type RedirectToken, type Token } from '../../src/parse/shell-lex.js';

function commands(text: string): string[][] {
  return listCommands(lexShell(text).tokens).map((c) => [...c.assignments, ...c.args].map(wordValue));
}

function ops(tokens: Token[]): string[] {
  return tokens.flatMap((t) => (t.type === 'op' ? [t.op] : []));
}

describe('lexShell', () => {
  it('splits words and control operators', () => {
    const { tokens, complete } = lexShell('a b | c && d || e; f & g |& h');
    expect(complete).toBe(true);
    expect(ops(tokens)).toEqual(['|', '&&', '||', ';', '&', '|&']);
    expect(tokens.filter((t) => t.type === 'word').map((t) => (t.type === 'word' ? wordValue(t) : ''))).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });
  it('removes quotes and keeps their context', () => {
    const [w] = lexShell(`'a b'"c $X"d\\ e`).tokens;
    expect(w?.type).toBe('word');
    if (w?.type !== 'word') return;
    expect(wordValue(w)).toBe('a bc $Xd e');
    expect(w.parts.map((p) => `${p.kind}:${p.quote}`)).toEqual(['literal:single', 'literal:double', 'param:double', 'literal:none']);
  });
  it('joins continuation lines', () => {
    expect(commands('curl -X POST \\\n  http://x \\\n  -H "a: b"')).toEqual([['curl', '-X', 'POST', 'http://x', '-H', 'a: b']]);
  });
  it('drops comments, but not # inside a word or quotes', () => {
    const { tokens } = lexShell('echo a#b "#c" # comment here\nls');
    expect(tokens.filter((t) => t.type === 'comment').map((t) => (t.type === 'comment' ? t.text : ''))).toEqual(['# comment here']);
    expect(commands('echo a#b "#c" # comment here\nls')).toEqual([['echo', 'a#b', '#c'], ['ls']]);
  });
  it('reads redirections with descriptors and targets', () => {
    const redirects = lexShell('cmd 2>&1 >/dev/null < in >> log &>all').tokens.filter((t): t is RedirectToken => t.type === 'redirect');
    expect(redirects.map((r) => `${r.fd}${r.op}${r.target ? wordValue(r.target) : ''}`)).toEqual(['2>&1', '>/dev/null', '<in', '>>log', '&>all']);
  });
  it('reads heredoc bodies, quoted and unquoted', () => {
    const text = "cat <<EOF\nhello $USER\nEOF\ncat <<-'END'\n\tliteral $X\n\tEND\necho after";
    const heredocs = lexShell(text).tokens.filter((t): t is RedirectToken => t.type === 'redirect').map((r) => r.heredoc!);
    expect(heredocs.map((h) => [h.delimiter, h.quoted, h.body])).toEqual([
      ['EOF', false, 'hello $USER\n'],
      ['END', true, '\tliteral $X\n'],
    ]);
    expect(heredocs[0]!.parts.some((p) => p.kind === 'param' && p.name === 'USER')).toBe(true);
    expect(commands(text)).toEqual([['cat'], ['cat'], ['echo', 'after']]);
  });
  it('lexes $(...), backticks, ${...} and $((...)) as parts', () => {
    const [, w] = lexShell('echo $(a | b)`c`${D:-e}$((1+2))<(f)').tokens;
    if (w?.type !== 'word') throw new Error('expected a word');
    expect(w.parts.map((p) => p.kind)).toEqual(['command', 'command', 'param', 'arith', 'process']);
  });
  it('keeps <name> placeholders as text, not redirections', () => {
    expect(commands('git checkout <commit_sha> --rev=<x>')).toEqual([['git', 'checkout', '<commit_sha>', '--rev=<x>']]);
  });
  it('treats < and && inside [[ ]] as words', () => {
    expect(commands('[[ a < b && c > d ]] && ls')).toEqual([['[[', 'a', '<', 'b', '&&', 'c', '>', 'd', ']]'], ['ls']]);
  });
  it('reports unclosed quotes and substitutions', () => {
    expect(lexShell('echo "abc').complete).toBe(false);
    expect(lexShell("echo 'abc").complete).toBe(false);
    expect(lexShell('echo $(ls').complete).toBe(false);
    expect(lexShell('echo "ok" $(ls)').complete).toBe(true);
  });
  it('never throws on odd input', () => {
    for (const text of ['', ')', '((', '<', '>', '<<', '$', '${', '`', '\\', ';;', '|||', '<a', '{', '}', 'a=(', '$((1']) {
      expect(() => listCommands(lexShell(text).tokens)).not.toThrow();
    }
  });
});

describe('listCommands', () => {
  it('flattens compound commands and strips reserved words', () => {
    expect(commands('if test -f x; then rm x; else echo no; fi')).toEqual([['test', '-f', 'x'], ['rm', 'x'], ['echo', 'no']]);
    expect(commands('while true; do sleep 1; done')).toEqual([['true'], ['sleep', '1']]);
    expect(commands('{ a; b; }')).toEqual([['a'], ['b']]);
  });
  it('lists substitution commands before the command holding them', () => {
    const list = listCommands(lexShell('kill $(pgrep -f x)').tokens);
    expect(list.map((c) => [c.args.map(wordValue)[0], c.subshell])).toEqual([
      ['pgrep', true],
      ['kill', false],
    ]);
  });
  it('marks for headers with their variable', () => {
    const [header] = listCommands(lexShell('for port in 1 2; do echo $port; done').tokens);
    expect(header?.kind).toBe('for');
    expect(header?.loopVar).toBe('port');
  });
  it('skips case patterns but keeps their bodies', () => {
    expect(commands('case $x in\n  a|b) echo ab ;;\n  *) rm y ;;\nesac')).toEqual([['echo', 'ab'], ['rm', 'y']]);
  });
  it('separates prefix assignments from the command', () => {
    const [c] = listCommands(lexShell('A=1 B="x y" cmd arg').tokens);
    expect(c?.assignments.map(wordValue)).toEqual(['A=1', 'B=x y']);
    expect(c?.args.map(wordValue)).toEqual(['cmd', 'arg']);
  });
  it('records function definitions', () => {
    const list = listCommands(lexShell('f() { ls; }\nfunction g { pwd; }').tokens);
    expect(list.map((c) => c.functionName ?? wordValue(c.args[0]!))).toEqual(['f', 'ls', 'g', 'pwd']);
  });
});
