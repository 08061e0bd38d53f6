import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A new user's first minutes, on a clean clone of the committed tree: the README's install and
// demo commands exactly as the README writes them (read from its fenced blocks, so the README
// cannot drift from what works), then the bundle the demo wrote must verify.
//
// The README contract: the first fenced shell block holding `npm install` is the install block;
// the first fenced shell block holding `npm run demo` (or `node dist/cli/main.js demo`) is the
// demo block. Every command line of them runs, in order, in the clone, except `git clone ...`
// and `cd ...` (the test clones into its own folder) and `npm test` (that is this suite).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHELL_LANGUAGES = new Set(['', 'bash', 'sh', 'shell', 'zsh', 'console', 'shell-session']);
const INSTALL_MINUTES = 5;

interface ReadmeCommands {
  install: string[];
  demo: string[];
}

/** The command lines of each fenced shell block of a Markdown text, prompts (`$ `) removed. */
function shellBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  const fence = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*\n([\s\S]*?)^ {0,3}\1[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) {
    const language = match[2]!.toLowerCase();
    if (!SHELL_LANGUAGES.has(language)) continue;
    const lines = match[3]!.split('\n');
    const prompted = lines.some((l) => /^\s*\$ /.test(l));
    const commands: string[] = [];
    for (const raw of lines) {
      let line = raw.trim();
      if (prompted || language === 'console' || language === 'shell-session') {
        if (!line.startsWith('$ ')) continue;
        line = line.slice(2).trim();
      }
      if (line === '' || line.startsWith('#')) continue;
      commands.push(line);
    }
    blocks.push(commands);
  }
  return blocks;
}

/** The README's install and demo commands, by the contract above. */
function readmeCommands(readme: string): ReadmeCommands {
  const blocks = shellBlocks(readme);
  const install = blocks.find((b) => b.some((c) => /^npm (install|i|ci)\b/.test(c)));
  const demo = blocks.find((b) => b.some((c) => /^(npm run demo|node dist\/cli\/main\.js demo)\b/.test(c)));
  if (!install) throw new Error('README.md has no fenced shell block with `npm install`');
  if (!demo) throw new Error('README.md has no fenced shell block with `npm run demo`');
  const runnable = (c: string): boolean => !/^(git clone|cd)\s/.test(c) && !/^npm (test|t|run test)\b/.test(c);
  return { install: install.filter(runnable), demo: demo.filter(runnable) };
}

describe('reading the README', () => {
  it('finds the install and demo blocks, drops clone, cd and the test command', () => {
    const readme = [
      '# runproof',
      '',
      '```bash',
      'git clone https://example.invalid/runproof.git',
      'cd runproof',
      'npm install   # also builds',
      'npm test',
      '```',
      '',
      '```json',
      '{"npm install": 1}',
      '```',
      '',
      '```console',
      '$ npm run demo',
      'runproof demo: demo service on http://127.0.0.1:40123',
      '$ npm run demo -- --fail',
      '```',
    ].join('\n');
    expect(readmeCommands(readme)).toEqual({ install: ['npm install   # also builds'], demo: ['npm run demo', 'npm run demo -- --fail'] });
  });

  it('says what is missing', () => {
    expect(() => readmeCommands('# x\n')).toThrow(/npm install/);
    expect(() => readmeCommands('```sh\nnpm install\n```\n')).toThrow(/npm run demo/);
  });

  it('takes indented fences, tildes and prompt-less shell blocks; skips other languages', () => {
    const blocks = shellBlocks('  ~~~sh\n  npm ci\n  ~~~\n```yaml\nnpm install\n```\n```\nnpm run demo\n```\n');
    expect(blocks).toEqual([['npm ci'], ['npm run demo']]);
  });
});

let clone: string | undefined;
afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

// The user's environment, without what `npm test` adds for the suite (npm_config_*, npm_lifecycle_*).
function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_|^INIT_CWD$|^VITEST|^NODE_ENV$/.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1' };
}

function sh(command: string, cwd: string, timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { cwd, env: userEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('a new user on a clean clone', () => {
  it(
    "runs the README's install and demo commands as written, and the demo's bundle verifies",
    async () => {
      const started = Date.now();
      clone = mkdtempSync(join(tmpdir(), 'rp-newcomer-'));
      const repo = join(clone, 'runproof');
      const cloned = await sh(`git clone --quiet ${JSON.stringify(ROOT)} ${JSON.stringify(repo)}`, clone, 120_000);
      expect(cloned.output).toBe('');
      const commands = readmeCommands(readFileSync(join(repo, 'README.md'), 'utf8'));

      for (const command of commands.install) {
        const result = await sh(command, repo, INSTALL_MINUTES * 60_000);
        expect(result.code, `${command}\n${result.output.slice(-4000)}`).toBe(0);
      }
      const installed = Date.now();
      const outputs: string[] = [];
      for (const command of commands.demo) {
        const result = await sh(command, repo, 120_000);
        outputs.push(result.output);
        expect(result.code, `${command}\n${result.output.slice(-4000)}`).toBe(0);
      }
      const finished = Date.now();

      const evidence = join(repo, 'evidence');
      const bundles = readdirSync(evidence).filter((n) => /^demo_daily_\d{8}_\d{6}/.test(n));
      expect(bundles.length).toBeGreaterThan(0);
      const bundle = join(evidence, bundles.sort()[0]!);
      expect(outputs.join('\n')).toContain(`HTML report: evidence/${bundles.sort()[0]}/`);
      expect(existsSync(join(bundle, `${bundles.sort()[0]}.html`))).toBe(true);
      const verified = await sh(`node dist/cli/main.js verify ${JSON.stringify(bundle)}`, repo, 120_000);
      expect(verified.output).toMatch(/^OK /);
      expect(verified.code).toBe(0);

      // The closing note of the newcomer issue: the time from clone to bundle, measured.
      process.stdout.write(
        `newcomer: clone to bundle ${((finished - started) / 1000).toFixed(1)} s ` +
          `(clone + install ${((installed - started) / 1000).toFixed(1)} s, demo ${((finished - installed) / 1000).toFixed(1)} s)\n`,
      );
    },
    (INSTALL_MINUTES + 5) * 60_000,
  );
});
