// Our shell lexer (src/parse/shell-lex.ts) against mvdan/sh's parser (sh-syntax, wasm, a test-only
// dependency): for generated scripts, both must cut the text into the same statements. A statement
// our lexer merged into another would escape the risk classifier; one it split off would be
// classified from the wrong words. Generated words mix every quoting and substitution form that
// hides a `;`, `|`, `&` or newline from the shell.
//
// Known differences, on text bash refuses anyway (so no cell runs it): sh-syntax rejects
// `echo $[1;2]` and a `;;` outside `case`, where our forgiving lexer still cuts statements (it
// never throws, so lint can point at the line). Compound commands (`if`, `{ }`, loops, `case`)
// are outside the generator: sh-syntax's wasm AST gives their statements only as opaque spans.
import fc from 'fast-check';
import { parse } from 'sh-syntax';
import { describe, expect, it } from 'vitest';
import { analyzeShell, type Token } from '../../src/parse/shell-lex.js';

// Start offsets of the top-level statements in our tokens: a statement starts at the first word,
// redirect or `(( ))` after `;`, `&` or a newline; `&&`, `||`, `|` and `|&` continue it, and a
// newline right after them is a line continuation (bash reads the next line as the same list).
function ourStatementStarts(tokens: Token[]): number[] {
  const starts: number[] = [];
  let atStart = true;
  let continued = false;
  for (const t of tokens) {
    if (t.type === 'comment') continue;
    if (t.type === 'op') {
      if (t.op === '\n' && continued) continue;
      if (t.op === ';' || t.op === '&' || t.op === '\n') atStart = true;
      continued = t.op === '&&' || t.op === '||' || t.op === '|' || t.op === '|&';
      continue;
    }
    continued = false;
    if (atStart) starts.push(t.start);
    atStart = false;
  }
  return starts;
}

async function theirStatementStarts(script: string): Promise<number[]> {
  const file = await parse(script);
  return file.Stmts.map((s) => s.Pos.Offset);
}

const plain = fc.stringMatching(/^[a-z0-9_./=-]{1,6}$/).filter((w) => !/^(if|then|else|elif|fi|do|done|while|until|for|case|esac|in|function|select|time|coproc)$/.test(w) && !w.startsWith('-') && !/^[a-z_][a-z0-9_]*=/.test(w));
// Text that holds separators the shell must not see.
const hidden = fc.constantFrom('a;b', 'x | y', 'p && q', 'r & s', 'u\nv', '#no', "it''s", 'a\\;b');
const word = fc.oneof(
  { weight: 4, arbitrary: plain },
  fc.tuple(plain, hidden).map(([w, h]) => `${w}'${h.replace(/'/g, '')}'`),
  fc.tuple(plain, hidden).map(([w, h]) => `"${w} ${h.replace(/["\\$`]/g, '')}"`),
  hidden.map((h) => `$'${h.replace(/['\\]/g, '')}'`),
  fc.tuple(plain, plain).map(([a, b]) => `$(${a}; ${b} | ${a})`),
  fc.tuple(plain, plain).map(([a, b]) => `"$(${a} && ${b})"`),
  fc.tuple(plain, plain).map(([a, b]) => `\`${a} ; ${b}\``),
  plain.map((w) => `${w}\\;`),
  plain.map((w) => `\\&${w}`),
  plain.map((w) => `\${${w.replace(/[^a-z_]/g, '') || 'x'}:-a;b}`),
  plain.map((w) => `<(${w}; ${w})`),
);
const redirect = fc.constantFrom('> /dev/null', '2>&1', '< in.txt', '>> log', '&> out');
const simple = fc
  .tuple(fc.array(word, { minLength: 1, maxLength: 4 }), fc.option(redirect, { nil: undefined }), fc.option(plain.map((w) => `X_${w.replace(/[^a-z0-9_]/g, '')}=1`), { nil: undefined }))
  .map(([words, redir, assign]) => [assign, ...words, redir].filter((w) => w !== undefined).join(' '));
const joiner = fc.constantFrom(' | ', ' && ', ' || ', ' |& ', ' &&\n  ', ' |\n  ');
const pipeline = fc.tuple(simple, fc.array(fc.tuple(joiner, simple), { maxLength: 2 })).map(([first, rest]) => first + rest.map(([j, s]) => j + s).join(''));
const separator = fc.constantFrom('; ', ' & ', '\n', ';\n', ' # note; | &\n', '\n\n');
const heredoc = plain.map((w) => `cat <<EOF\n${w}; rm -rf / | x &\nEOF\n`);
const statement = fc.oneof({ weight: 5, arbitrary: pipeline }, heredoc);
const script = fc.tuple(statement, fc.array(fc.tuple(separator, statement), { maxLength: 4 })).map(([first, rest]) => {
  let text = first;
  for (const [sep, s] of rest) text += (text.endsWith('\n') ? sep.replace(/^[; &]+/, '') : sep) + s;
  return text;
});

describe('shell lexer against mvdan/sh (sh-syntax)', () => {
  // At most 200 cases and 20 s of them: sh-syntax takes tens of milliseconds a parse, more under load.
  it('cuts generated scripts into the same statements', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(script, async (text) => {
        const theirs = await theirStatementStarts(text);
        const ours = ourStatementStarts(analyzeShell(text).tokens);
        expect({ text, starts: ours }).toEqual({ text, starts: theirs });
      }),
      { numRuns: 200, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('agrees on the hand-picked cases the generator is built from', async () => {
    const cases = [
      'a; b', 'a & b', 'a && b || c | d', "echo 'x;y' z", 'echo "$(a; b)"; c', 'cat <<EOF\nx; y\nEOF\nls', 'a # c; d\nb', 'a \\; b', 'a |\n b',
      'a\\\nb; c', 'x=$(cat <<EOF\n;\nEOF\n); y', 'a <<EOF; b\nbody\nEOF\nc', 'echo ${x/;/|}; b', 'a <<<"x;y"; b', 'echo {a,b;c}',
      'a &>/dev/null & b', 'echo "a\\"; b"; c', "echo $'a\\'; b'; c", 'a\r\nb', 'echo `echo \\`x;y\\``; z',
    ];
    for (const text of cases) expect({ text, starts: ourStatementStarts(analyzeShell(text).tokens) }).toEqual({ text, starts: await theirStatementStarts(text) });
  });
});
