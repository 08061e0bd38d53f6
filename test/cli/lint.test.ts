import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/parse');
const run = (...args: string[]) => execa('node', ['dist/cli/main.js', ...args], { cwd: root, reject: false, env: { NO_COLOR: '1' } });
let dir: string;

// dist/ is built once by the vitest global setup.
beforeAll(() => {
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

describe('runproof lint of checklist files', () => {
  const checklistFixtures = join(root, 'test/fixtures/checklist/lint');
  let tree: string;
  beforeAll(() => {
    tree = join(dir, 'checklists');
    cpSync(checklistFixtures, tree, { recursive: true });
  });
  const lintIn = (...args: string[]) => execa('node', [join(root, 'dist/cli/main.js'), 'lint', ...args], { cwd: tree, reject: false, env: { NO_COLOR: '1' } });

  it('a valid checklist file (sections exist, env: parameters given) is 0 errors, exit 0', async () => {
    const result = await lintIn('good.checklist.yaml');
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('1 file: 0 errors, 0 warnings');
    expect(result.exitCode).toBe(0);
  });

  it('checks every checklist against its runbook: section, runbook and cell typos with did-you-mean, missing parameters, an empty selection, all blocked', async () => {
    const result = await lintIn('bad.checklist.yaml');
    expect(result.exitCode).toBe(2);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^bad\.checklist\.yaml:6:9 error RP_SECTION_NOT_FOUND checklist typo-section: no section "Helth Cheks" .*\(hint: did you mean "Health Checks"\?/);
    expect(lines[1]).toMatch(/^bad\.checklist\.yaml:8:14 error RP_BAD_CHECKLIST checklists\[1\]\.runbook: runbook opps\.md not found .*\(hint: did you mean ops\.md\?\)$/);
    expect(lines[2]).toMatch(/^bad\.checklist\.yaml:11:13 error RP_CELL_NOT_FOUND checklist typo-cell: .*did you mean "health"/);
    expect(lines[3]).toMatch(/^bad\.checklist\.yaml:12:5 error RP_MISSING_PARAMETER checklist needs-param: parameter commit_sha has no value \(needed by checkout\)/);
    expect(lines[4]).toMatch(/^bad\.checklist\.yaml:18:15 error RP_CHECKLIST_CHECKS_NOTHING checklist nothing: /);
    expect(lines[5]).toMatch(/^bad\.checklist\.yaml:19:5 warning RP_CHECKLIST_ALL_BLOCKED checklist blocked: every selected cell \(1\) is blocked/);
    expect(result.stderr.trim()).toBe('1 file: 5 errors, 1 warning');
  });

  it('--strict makes the all-blocked warning an error; --json names the codes', async () => {
    const path = join(tree, 'blocked-only.yaml');
    writeFileSync(path, 'checklists:\n  - name: blocked\n    runbook: ops.md\n    sections: ["Restart"]\n');
    expect((await lintIn('blocked-only.yaml')).exitCode).toBe(0);
    expect((await lintIn('--strict', 'blocked-only.yaml')).exitCode).toBe(2);
    const json = JSON.parse((await lintIn('--json', 'blocked-only.yaml')).stdout) as { files: { diagnostics: { code: string; severity: string }[] }[] };
    expect(json.files[0]!.diagnostics.map((d) => [d.code, d.severity])).toEqual([['RP_CHECKLIST_ALL_BLOCKED', 'warning']]);
  });

  it('a YAML file given by name is validated against the checklist schema, never read as Markdown', async () => {
    const result = await lintIn('schema.yaml');
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/^schema\.yaml:4:5 error RP_BAD_CHECKLIST checklists\[0\]\.sectoins: unknown key "sectoins"/m);
    const notChecklist = await lintIn('deployment.yaml');
    expect(notChecklist.exitCode).toBe(2);
    expect(notChecklist.stdout).toContain('RP_BAD_CHECKLIST');
  });

  it('a folder lints both kinds: runbooks, and YAML with a top-level checklists key (other YAML is left alone)', async () => {
    const result = await lintIn('--json', '.');
    const report = JSON.parse(result.stdout) as { files: { path: string; diagnostics: { code: string }[] }[] };
    expect(report.files.map((f) => f.path).sort()).toEqual(['bad.checklist.yaml', 'blocked-only.yaml', 'good.checklist.yaml', 'ops.md', 'schema.yaml']);
    expect(result.exitCode).toBe(2);
  });

  it('a typo in one section of a checklist shared by several does not hide the others', async () => {
    const path = join(tree, 'multi.yaml');
    writeFileSync(path, 'defaults:\n  params: { commit_sha: abc }\nchecklists:\n  - name: a\n    runbook: ops.md\n    sections: ["Rollbak", "Health"]\n    allow: write\n  - name: b\n    runbook: ops.md\n    sections: ["Rollback"]\n    allow: write\n');
    const result = await lintIn('multi.yaml');
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^multi\.yaml:6:16 error RP_SECTION_NOT_FOUND .*"Rollbak".*did you mean "Rollback"/);
    expect(lines[1]).toMatch(/^multi\.yaml:6:27 error RP_SECTION_NOT_FOUND .*"Health"/);
    rmSync(path);
  });
});
