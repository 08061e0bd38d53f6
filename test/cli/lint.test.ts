import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/parse');
const run = (...args: string[]) => execa('node', ['dist/cli/main.js', ...args], { cwd: root, reject: false, env: { NO_COLOR: '1' } });
let dir: string;

beforeAll(async () => {
  await execa('npm', ['run', 'build'], { cwd: root, reject: false });
  dir = mkdtempSync(join(tmpdir(), 'runproof-lint-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runproof lint', () => {
  it('exits 0 on the seed-like fixtures (warnings allowed)', async () => {
    const result = await run('lint', fixtures);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^12 files: 0 errors, \d+ warnings$/m);
    expect(result.stdout).toMatch(/fences\.md:46:1 warning RP_UNCLOSED_FENCE .* \(hint: close it with a ``` line\)$/m);
  });

  it('--strict makes warnings errors', async () => {
    const result = await run('lint', '--strict', join(fixtures, 'fences.md'));
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/fences\.md:46:1 error RP_UNCLOSED_FENCE/);
  });

  it('walks folders recursively (.md, .markdown, .txt), keeps going past bad files, exits 2', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'sub', 'deeper'), { recursive: true });
    mkdirSync(join(tree, 'node_modules'), { recursive: true });
    writeFileSync(join(tree, 'a.md'), '```bash {timout=1s}\nls\n```\n\n```bash {name=x}\nls\n```\n```bash {name=x}\nls\n```\n');
    writeFileSync(join(tree, 'sub', 'b.markdown'), Buffer.from([0x61, 0x00]));
    writeFileSync(join(tree, 'sub', 'deeper', 'c.txt'), '# fine\n```bash\nls\n```\n');
    writeFileSync(join(tree, 'sub', 'ignored.json'), '{}');
    writeFileSync(join(tree, 'node_modules', 'x.md'), '```bash {bad=1}\nls\n```\n');
    const result = await run('lint', tree, join(dir, 'nope.md'));
    expect(result.exitCode).toBe(2);
    const out = result.stdout.split('\n').filter(Boolean);
    expect(out).toEqual([
      `${join(tree, 'a.md')}:1:10 error RP_UNKNOWN_ATTRIBUTE unknown attribute "timout" (hint: did you mean timeout?)`,
      `${join(tree, 'a.md')}:8:1 error RP_DUPLICATE_CELL_NAME two cells are named "x" (lines 5 and 8) (hint: give one of them another name attribute, e.g. {name=check-ready-2})`,
    ]);
    expect(result.stderr).toContain(`${join(dir, 'nope.md')} error RP_FILE_NOT_FOUND`);
    expect(result.stderr).toContain('RP_BINARY_FILE');
    expect(result.stderr).toMatch(/^4 files: 4 errors, 0 warnings$/m);
  });

  it('--json reports files and counts', async () => {
    const result = await run('lint', '--json', join(fixtures, 'attributes.md'));
    const report = JSON.parse(result.stdout) as { files: { path: string; diagnostics: { code: string; severity: string }[] }[]; errors: number; warnings: number };
    expect(report.errors).toBe(0);
    expect(report.files[0]!.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['RP_ORPHAN_ASSERT', 'RP_ORPHAN_EXPECT']));
    expect(result.exitCode).toBe(0);
  });

  it('a folder with no runbook is RP_NOTHING_TO_LINT', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const result = await run('lint', empty);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^RP_NOTHING_TO_LINT /);
  });
});
