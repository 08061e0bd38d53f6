import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

// L8: an env file is data for cells, never configuration of runproof or of the shell it starts.
const dir = mkdtempSync(join(tmpdir(), 'runproof-envfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sentinel = (name: string): string => join(dir, name);

writeFileSync(join(dir, 'evil.cjs'), `require('node:fs').writeFileSync(${JSON.stringify(sentinel('EVIL-NODE'))}, String(process.pid));\n`);
writeFileSync(join(dir, 'bashenv.sh'), `touch ${sentinel('EVIL-BASH_ENV')}\n`);
writeFileSync(join(dir, 'first.md'), `# T\n\n\`\`\`bash {name=first}\ntouch ${sentinel('CELL-RAN')}\n\`\`\`\n\n\`\`\`bash {name=show}\nprintf '[%s][%s][%s]\\n' "$PLAIN" "$QUOTED" "$EXPORTED"\n\`\`\`\n`);

// The installed bin, started the way a shell starts it (its shebang), not through our helper.
function runBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(CLI, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const HOSTILE: Array<[string, string]> = [
  ['node-options', `NODE_OPTIONS=--require ${join(dir, 'evil.cjs')}\n`],
  ['node-options-export', `export NODE_OPTIONS="--require ${join(dir, 'evil.cjs')}"\n`],
  ['ld-preload', 'LD_PRELOAD=/nonexistent/evil.so\n'],
  ['ld-library-path', 'LD_LIBRARY_PATH=/tmp\n'],
  ['bash-env', `BASH_ENV=${join(dir, 'bashenv.sh')}\n`],
  ['env', `ENV=${join(dir, 'bashenv.sh')}\n`],
  ['bash-func', `BASH_FUNC_touch%%=() { /bin/true; }\n`.replace('%%', '')],
  ['path', `PATH=${dir}:/usr/bin\n`],
  ['shellopts', 'SHELLOPTS=xtrace\n'],
  ['ps4', `PS4=$(touch ${sentinel('EVIL-PS4')})\n`],
  ['runproof-key', 'RUNPROOF_SIGNING_KEY=attacker\n'],
  ['runproof-operator', 'RUNPROOF_OPERATOR=someone-else\n'],
  ['python', `PYTHONSTARTUP=${join(dir, 'evil.py')}\n`],
  ['perl', 'PERL5OPT=-Mevil\n'],
  ['git', 'GIT_SSH_COMMAND=touch /tmp/x\n'],
  ['lowercase', 'ld_preload=/nonexistent/evil.so\n'],
];

describe('--env-file is data, never runner configuration', () => {
  it.each(HOSTILE)('refuses %s before anything runs; no code of it runs', async (label, content) => {
    const file = join(dir, `${label}.env`);
    writeFileSync(file, `PLAIN=ok\n${content}`);
    const result = await runBin(['run', 'first.md', '--yes', '--env-file', file, '--evidence-dir', join(dir, 'ev')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^RP_BAD_ENV_FILE /m);
    expect(existsSync(sentinel('EVIL-NODE'))).toBe(false);
    expect(existsSync(sentinel('EVIL-BASH_ENV'))).toBe(false);
    expect(existsSync(sentinel('EVIL-PS4'))).toBe(false);
    expect(existsSync(sentinel('CELL-RAN'))).toBe(false);
  });

  it('--set refuses the same names (RP_BAD_FLAG)', async () => {
    const result = await runCli(['run', join(dir, 'first.md'), '--yes', '--set', `BASH_ENV=${join(dir, 'bashenv.sh')}`, '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^RP_BAD_FLAG /m);
    expect(existsSync(sentinel('CELL-RAN'))).toBe(false);
  });

  it('a folder, a missing file, binary content, a huge file, non-UTF-8 and an unclosed quote are clean RP_BAD_ENV_FILE errors', async () => {
    mkdirSync(join(dir, 'folder.env'), { recursive: true });
    writeFileSync(join(dir, 'binary.env'), Buffer.from([0x41, 0x3d, 0x00, 0x01, 0x02]));
    writeFileSync(join(dir, 'latin1.env'), Buffer.from('A=caf\xe9\n', 'latin1'));
    writeFileSync(join(dir, 'huge.env'), `A=${'x'.repeat(2 * 1024 * 1024)}\n`);
    writeFileSync(join(dir, 'unclosed.env'), 'A="open\n');
    for (const [file, pattern] of [
      ['folder.env', /is a folder/],
      ['missing.env', /cannot read env file/],
      ['binary.env', /NUL bytes/],
      ['latin1.env', /not UTF-8/],
      ['huge.env', /more than/],
      ['unclosed.env', /does not close/],
    ] as const) {
      const result = await runBin(['run', 'first.md', '--yes', '--env-file', file, '--evidence-dir', join(dir, 'ev')]);
      expect(result.code, `${file}: ${result.stderr}`).toBe(2);
      expect(result.stderr, file).toMatch(/^RP_BAD_ENV_FILE /m);
      expect(result.stderr, file).toMatch(pattern);
      expect(result.stderr, file).not.toMatch(/invalid format|node:/);
    }
    expect(existsSync(sentinel('CELL-RAN'))).toBe(false);
  });

  it('ordinary values, export prefixes and quotes reach the cells', async () => {
    writeFileSync(join(dir, 'good.env'), `# comment\nPLAIN=ok # trailing\nQUOTED="a \\"b\\" # not a comment"\nexport EXPORTED='$(touch ${sentinel('EVIL-VALUE')})'\n`);
    const result = await runBin(['run', 'first.md', '--yes', '--allow', 'write', '--env-file', 'good.env', '--evidence-dir', join(dir, 'ev-good'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(JSON.parse(result.stdout).record as string, 'utf8');
    expect(text).toContain(`[ok][a \\"b\\" # not a comment][$(touch ${sentinel('EVIL-VALUE')})]`);
    expect(existsSync(sentinel('EVIL-VALUE'))).toBe(false);
    rmSync(sentinel('CELL-RAN'), { force: true });
  });
  it('a value reaches only the cells that name it (L8), on a later cell too, and --set values likewise', async () => {
    writeFileSync(join(dir, 'scoped.env'), 'ALPHA_VALUE=alpha-111\nBETA_VALUE=beta-222\n');
    const cells = [
      ['a', 'echo "a=$ALPHA_VALUE"; env | grep -c -e beta-222 -e gamma-333 || true; env | grep -c ^ALPHA_VALUE= || true'],
      ['none', 'env | grep -c _VALUE= || true; sh -c \'env | grep -q alpha-111 && echo child=seen || echo child=none\''],
      ['b', 'printenv BETA_VALUE; printenv GAMMA_VALUE'],
    ];
    writeFileSync(join(dir, 'scoped.md'), `# S\n\n${cells.map(([n, c]) => `\`\`\`bash {name=${n}}\n${c}\n\`\`\`\n`).join('\n')}`);
    const result = await runBin(['run', 'scoped.md', '--yes', '--allow', 'write', '--env-file', 'scoped.env', '--set', 'GAMMA_VALUE=gamma-333', '--evidence-dir', join(dir, 'ev-scoped'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(readFileSync(JSON.parse(result.stdout).record as string, 'utf8')) as { steps: Array<{ attempts: Array<{ stdout: { inline: string } }> }> };
    expect(record.steps.map((s) => s.attempts[0]!.stdout.inline)).toEqual(['a=alpha-111\n0\n1\n', '0\nchild=none\n', 'beta-222\ngamma-333\n']);
  }, 90_000);
});
