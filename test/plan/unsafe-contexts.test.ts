import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/errors.js';
import { parseRunbook } from '../../src/parse/index.js';
import { planRun } from '../../src/plan/index.js';

// L6: every context where a quoted value is still code, against values an attacker would give.
// Each (context, value) pair either plans and then runs in real bash without creating the
// sentinel, or is refused by planRun (RP_UNSAFE_PARAMETER_CONTEXT / RP_BAD_PARAMETER) before
// anything runs.
const dir = mkdtempSync(join(tmpdir(), 'runproof-unsafe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const X = join(dir, 'X');

const HOSTILE: string[] = [
  `$(touch ${X})`,
  `\`touch ${X}\``,
  `'; touch ${X}; '`,
  `"; touch ${X}; "`,
  `a[$(touch ${X})]`,
  `x[$(touch ${X})]`,
  `1+$(touch ${X})`,
  `1 + a[$(touch ${X})]`,
  `\ntouch ${X}\n`,
  `a\ntouch ${X}`,
  `;touch ${X}`,
  `|touch ${X}`,
  `&& touch ${X}`,
  `x/;touch ${X};/`,
  `a/x/w ${X}`,
  `x/e touch ${X}`,
  `")\nimport os; os.system("touch ${X}")\n("`,
  `BEGIN{system("touch ${X}")}`,
  `.[] | input_filename`,
  `'; \\! touch ${X}; --`,
  `$(touch${'${IFS}'}${X})`,
  '-rf',
  `--output=${X}`,
  'a\0b',
  '42',
  'plain_word',
];

// Contexts: the cell text with <p> where the value goes. A cell may print; it may fail; it must not create X.
const CONTEXTS: string[] = [
  'arr[<p>]=1',
  'declare -a arr; arr[<p>]=1',
  'echo $[<p>]',
  'echo $((<p>))',
  'echo $(( <p> + 1 ))',
  '(( n = <p> ))',
  'declare -i n=<p>',
  'local -i n=<p> 2>/dev/null; typeset -i m=<p>',
  'let n=<p>',
  'let "n = <p>"',
  '[[ <p> -eq 1 ]]',
  '[[ "<p>" -gt 1 ]]',
  'printf -v <p> %s x',
  "printf -v '<p>' %s x",
  'read <p> <<< hi',
  'read -r "<p>" <<< hi',
  'unset <p>',
  'unset "<p>"',
  'export <p>=1',
  'declare <p>=1',
  'mapfile -t <p> < /dev/null',
  'echo "x <p>" | sh',
  'echo "x <p>" | bash',
  "printf '%s\\n' 'echo <p>' | bash -s",
  'echo <p> | xargs echo',
  'cat <<EOF | sh\necho <p>\nEOF',
  `flock ${dir}/lock -c "echo <p>"`,
  'source /dev/stdin <<< "echo <p>"',
  '. /dev/stdin <<< "echo <p>"',
  'bash <<< "echo <p>"',
  'bash -c "echo <p>"',
  "bash -c 'echo <p>'",
  'sh -c "echo <p>"',
  'eval "echo <p>"',
  "eval 'echo <p>'",
  'sudo -n sh -c "echo <p>" 2>/dev/null',
  'xargs sh -c "echo <p>" < /dev/null',
  'find /dev/null -exec sh -c "echo <p>" \\;',
  'env -S "echo <p>"',
  'env --split-string="echo <p>"',
  'trap "echo <p>" EXIT',
  'bash <(echo "echo <p>")',
  'source <(echo "echo <p>")',
  'sh -s <<EOF\necho <p>\nEOF',
  'bash <<EOF\necho <p>\nEOF',
  'timeout 5 bash -c "echo <p>"',
  'nohup sh -c "echo <p>" >/dev/null',
  'awk "BEGIN { print \\"<p>\\" }"',
  "awk 'BEGIN { print \"<p>\" }'",
  "awk '/<p>/' /dev/null",
  'sed "s/<p>/x/" /dev/null',
  "sed 's/a/<p>/' /dev/null",
  "echo '{}' | jq '.<p>'",
  'echo {} | jq ".a == \\"<p>\\""',
  'python3 -c "print(\'<p>\')"',
  "python3 -c 'print(\"<p>\")'",
  'python3 <<EOF\nprint("<p>")\nEOF',
  'echo "print(\'<p>\')" | python3',
  'perl -e "print \'<p>\'"',
  "perl -ne 'print \"<p>\"' /dev/null",
  'node -e "console.log(\'<p>\')"',
  'echo <p>',
  'echo "<p>"',
  "echo '<p>'",
  'printf "%s\\n" "pre <p> post"',
  'git --no-pager log --oneline -1 <p> 2>/dev/null',
  'test <p> -eq 1 2>/dev/null',
  '[ "<p>" = 1 ]',
  'cat <<EOF\n<p>\nEOF',
  'x=<p>; echo "$x"',
];

function runbookFor(command: string): string {
  return `# T\n\n\`\`\`bash {name=c}\n${command}\n\`\`\`\n`;
}

describe('parameters in contexts where a quoted value is still code', () => {
  it('has a table of at least 60 contexts and 20 hostile values', () => {
    expect(CONTEXTS.length).toBeGreaterThanOrEqual(60);
    expect(HOSTILE.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CONTEXTS.map((c) => [c]))('no value runs code: %s', async (context) => {
    const notebook = parseRunbook(runbookFor(context), { path: 'unsafe.md' });
    expect(notebook.cells[0]!.params.map((p) => p.name), context).toEqual(['p']);
    const scripts: string[] = [];
    const env: Record<string, string> = {};
    const refused: string[] = [];
    HOSTILE.forEach((value, i) => {
      try {
        const plan = planRun(notebook, { mode: 'unattended', allow: ['destructive'], values: [{ name: 'p', value, source: 'flag' }] });
        const step = plan.steps[0]!;
        // Each value under its own variable so that one bash runs the whole column.
        const renamed = step.command.replaceAll('RP_PARAM_p', `RP_PARAM_p${i}`);
        for (const [k, v] of Object.entries(step.env)) env[k.replace('RP_PARAM_p', `RP_PARAM_p${i}`)] = v;
        scripts.push(`( ${renamed}\n) </dev/null >/dev/null 2>&1`);
      } catch (error) {
        if (!isRunproofError(error)) throw error;
        expect(['RP_UNSAFE_PARAMETER_CONTEXT', 'RP_BAD_PARAMETER'], `${context} ${JSON.stringify(value)}: ${error.message}`).toContain(error.code);
        if (error.code === 'RP_UNSAFE_PARAMETER_CONTEXT') {
          // The refusal names the cell and its runbook line.
          expect(error.message).toMatch(/^cell c \(unsafe\.md:\d+\)/);
          expect(error.hint).toBeTruthy();
        }
        refused.push(value);
      }
    });
    await execa('bash', ['-c', scripts.join('\n')], { env, extendEnv: true, cwd: dir, reject: false, timeout: 30_000 });
    expect(existsSync(X), `${context}: a value ran code (refused: ${refused.length})`).toBe(false);
    expect(readdirSync(dir).filter((f) => f !== 'lock')).toEqual([]);
  });

  it('program text is refused whatever the value, before any cell runs', () => {
    const text = `# T\n\n\`\`\`bash {name=first}\ntouch ${X}\n\`\`\`\n\n\`\`\`bash {name=second}\nawk '/<p>/ {print}' /dev/null\n\`\`\`\n`;
    const notebook = parseRunbook(text, { path: 'unsafe.md' });
    let code = '';
    let message = '';
    try {
      planRun(notebook, { mode: 'unattended', values: [{ name: 'p', value: 'harmless', source: 'flag' }] });
    } catch (error) {
      if (!isRunproofError(error)) throw error;
      code = error.code;
      message = error.message;
    }
    expect(code).toBe('RP_UNSAFE_PARAMETER_CONTEXT');
    expect(message).toContain('cell second (unsafe.md:8)');
    expect(existsSync(X)).toBe(false);
  });

  it('safe values still bind where only some values are safe', async () => {
    for (const [context, value, expected] of [
      ['arr[<p>]=7; echo "${arr[3]}"', '3', '7'],
      ['echo $(( <p> + 1 ))', '41', '42'],
      ['printf -v <p> %s hi; echo "$myvar"', 'myvar', 'hi'],
      ['bash -c "echo <p>"', 'release-1.2', 'release-1.2'],
      ['echo "echo x <p>" | sh', 'abc', 'x abc'],
    ] as const) {
      const plan = planRun(parseRunbook(runbookFor(context), { path: 'u.md' }), { mode: 'unattended', allow: ['destructive'], values: [{ name: 'p', value, source: 'flag' }] });
      const result = await execa('bash', ['-c', plan.steps[0]!.command], { env: plan.steps[0]!.env, extendEnv: true, cwd: dir, reject: false });
      expect(result.stdout.trim(), context).toBe(expected);
    }
  });
});
