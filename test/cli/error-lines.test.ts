// J12: every error line starts with its code; parse errors show the source line with a caret
// under the column (Hurl's form); the section hint searches every level; `keygen FILE` works.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/runev/${name}`, import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-errors-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('error lines', () => {
  it('a missing file: the line starts with the code, then the path', async () => {
    const result = await runCli(['run', 'nothere.md', '--yes'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^RP_FILE_NOT_FOUND nothere\.md /);
  });

  it('every command that fails on a missing runbook starts its line with the code', async () => {
    for (const args of [['run', 'nothere.md', '--dry-run'], ['list', 'nothere.md']]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n').find((l) => l.includes('nothere.md')), args.join(' ')).toMatch(/^RP_[A-Z_]+ /);
    }
  });

  it('a parse error: code first, then file:line:col, then the source line with a caret under the column', async () => {
    const result = await runCli(['run', fixture('bad-attr.md'), '--dry-run'], { cwd: dir });
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(/^RP_BAD_ATTRIBUTE \S*bad-attr\.md:3:(\d+) /);
    const col = Number(/bad-attr\.md:3:(\d+)/.exec(lines[0]!)![1]);
    expect(lines[1]).toMatch(/-->\s\S*bad-attr\.md:3:\d+$/);
    const sourceLine = lines.find((l) => l.startsWith('3 | '))!;
    expect(sourceLine).toBe('3 | ```sh {name=x timeout=soon}');
    const caretLine = lines[lines.indexOf(sourceLine) + 1]!;
    expect(caretLine.trimEnd().endsWith('^')).toBe(true);
    // The caret sits under the column the error names.
    expect(caretLine.indexOf('^') - caretLine.indexOf('|') - 2).toBe(col - 1);
  });

  it('section not found: the hint finds a section at any level (typo and words of a deep title)', async () => {
    const typo = await runCli(['run', fixture('deep.md'), '--section', 'Rotate the replica credentails', '--dry-run'], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^RP_SECTION_NOT_FOUND /);
    expect(typo.stderr).toContain('did you mean "Rotate the replica credentials"');
    const words = await runCli(['run', fixture('deep.md'), '--section', 'replica', '--dry-run'], { cwd: dir });
    expect(words.code).toBe(2);
    expect(words.stderr).toContain('Rotate the replica credentials');
  });

  it('runproof keygen FILE writes FILE and its .pub, as the help says', async () => {
    const result = await runCli(['keygen', 'ops.key'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(statSync(join(dir, 'ops.key')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'ops.pub'))).toBe(true);
    const help = await runCli(['keygen', '--help'], { cwd: dir });
    expect(help.stdout).toMatch(/keygen \[options\] \[file\]/);
    const both = await runCli(['keygen', 'a.key', '--out', 'b.key'], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^RP_BAD_FLAG /);
  });
});
