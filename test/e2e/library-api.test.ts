import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package as another tool uses it: a project with node_modules/runproof linked to this
// repository, importing 'runproof' only. Deep imports must fail (package.json `exports`), at run
// time and for the type checker.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'rp-library-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules', 'runproof'), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function run(file: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: project, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const RUNBOOK = [
  '---',
  'title: Library check',
  'evidence: library_check',
  '---',
  '# Library check',
  '',
  '## 1. Greet',
  '',
  '```bash {"name":"greet"}',
  'printf "%s\\n" <who>',
  '```',
  '',
  '```assert',
  'exit == 0',
  'stdout contains "operator"',
  '```',
  '',
].join('\n');

const CONSUMER = `
import * as runproof from 'runproof';
import { parseRunbook, lintRunbook, planRun, runNotebook, runRunbook, verifyBundle, renderReports, RunproofError, isRunproofError, TOOL_VERSION } from 'runproof';
import { readFileSync } from 'node:fs';

const out = {};
const text = readFileSync('library-check.md', 'utf8');
const notebook = parseRunbook(text, { path: 'library-check.md' });
out.title = notebook.title;
out.cells = notebook.cells.map((c) => [c.name, c.kind]);
out.lint = lintRunbook('\`\`\`bash {timout=3s}\\nls\\n\`\`\`\\n', { path: 'a.md' }).map((d) => d.code);
const plan = planRun(notebook, { mode: 'unattended', values: [{ name: 'who', value: 'operator', source: 'flag' }] });
out.planned = plan.steps.map((s) => [s.name, s.decision.action]);
try {
  planRun(notebook, { mode: 'unattended', onMissing: 'throw' });
} catch (error) {
  out.missing = { isRunproofError: isRunproofError(error), instance: error instanceof RunproofError, code: error.code };
}
const result = await runRunbook({ runbookPath: 'library-check.md', mode: 'unattended', values: [{ name: 'who', value: 'operator', source: 'flag' }], evidenceDir: 'evidence' });
out.status = result.status;
out.bundle = result.bundleDir;
const verified = await verifyBundle(result.bundleDir);
out.verified = verified.ok;
const { html, markdown } = await renderReports(result.record);
out.report = { html: html.includes('Library check'), markdown: markdown.includes('greet') };
out.runNotebook = typeof runNotebook;
out.version = TOOL_VERSION;
out.exports = Object.keys(runproof).sort();
for (const deep of ['runproof/dist/parse/index.js', 'runproof/dist/index.js', 'runproof/src/index.ts']) {
  try {
    await import(deep);
    out[deep] = 'imported';
  } catch (error) {
    out[deep] = error.code;
  }
}
process.stdout.write(JSON.stringify(out));
`;

// A typed consumer: strict NodeNext type check through the package's "types".
const TYPED = `
import { parseRunbook, planRun, verifyBundle, renderReports, runRunbook, isRunproofError } from 'runproof';
import type { Notebook, PlanResult, VerifyResult, RenderedReports, RunRunbookOptions, RunRecord, ErrorCode, Cell } from 'runproof';

const notebook: Notebook = parseRunbook('# T\\n', { path: 't.md' });
const cells: Cell[] = notebook.cells;
const plan: PlanResult = planRun(notebook, { mode: 'dry-run' });
const options: RunRunbookOptions = { runbookPath: 't.md', mode: 'unattended', evidenceDir: 'evidence' };
export async function check(record: RunRecord): Promise<[VerifyResult, RenderedReports]> {
  void runRunbook;
  return [await verifyBundle('evidence/x'), await renderReports(record)];
}
export function codeOf(error: unknown): ErrorCode | undefined {
  return isRunproofError(error) ? error.code : undefined;
}
// @ts-expect-error a status that does not exist
const bad: RunRecord['status'] = 'fine';
export { cells, plan, options, bad };
`;

const TYPED_DEEP = `
import { parseRunbook } from 'runproof/dist/parse/index.js';
export { parseRunbook };
`;

function tsc(files: string[]): Promise<{ code: number; stdout: string }> {
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files,
    }),
  );
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, timeout: 180_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout });
    });
  });
}

describe("the package through its public entry ('runproof')", () => {
  it('parses, lints, plans, runs, verifies and renders; deep imports fail with ERR_PACKAGE_PATH_NOT_EXPORTED', async () => {
    writeFileSync(join(project, 'library-check.md'), RUNBOOK);
    writeFileSync(join(project, 'consumer.mjs'), CONSUMER);
    const result = await run('consumer.mjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(out.title).toBe('Library check');
    expect(out.cells).toEqual([
      ['greet', 'shell'],
      [expect.stringMatching(/assert/), 'assert'],
    ]);
    expect(out.lint).toEqual(['RP_UNKNOWN_ATTRIBUTE']);
    expect(out.planned).toEqual([['greet', 'run']]);
    expect(out.missing).toEqual({ isRunproofError: true, instance: true, code: 'RP_MISSING_PARAMETER' });
    expect(out.status).toBe('passed');
    expect(String(out.bundle)).toContain(join(project, 'evidence', 'library_check_'));
    expect(out.verified).toBe(true);
    expect(out.report).toEqual({ html: true, markdown: true });
    expect(out.runNotebook).toBe('function');
    expect(out.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(out.exports).toEqual(
      expect.arrayContaining(['parseRunbook', 'lintRunbook', 'planRun', 'runNotebook', 'runRunbook', 'verifyBundle', 'renderReports', 'RunproofError', 'isRunproofError']),
    );
    expect(out['runproof/dist/parse/index.js']).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(out['runproof/dist/index.js']).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(out['runproof/src/index.ts']).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('is typed: a strict NodeNext consumer type-checks; a deep import does not resolve', async () => {
    writeFileSync(join(project, 'typed.ts'), TYPED);
    writeFileSync(join(project, 'deep.ts'), TYPED_DEEP);
    // One tsc run for both files: the only error must be the deep import.
    const checked = await tsc(['typed.ts', 'deep.ts']);
    expect(checked.code).not.toBe(0);
    expect(checked.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^deep\.ts\(2,\d+\): error TS2307: Cannot find module 'runproof\/dist\/parse\/index\.js'/),
    ]);
  });

  it('every function export carries TSDoc in the published declarations', () => {
    const declarations = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => readFileSync(join(ROOT, 'dist', f), 'utf8'))
      .join('\n');
    expect(readFileSync(join(ROOT, 'dist', 'index.d.ts'), 'utf8')).toContain('@packageDocumentation');
    for (const name of ['parseRunbook', 'lintRunbook', 'planRun', 'runNotebook', 'runRunbook', 'verifyBundle', 'renderReports', 'isRunproofError']) {
      const documented = new RegExp(`/\\*\\*(?:(?!\\*/)[\\s\\S])*@example(?:(?!\\*/)[\\s\\S])*\\*/\\s*export declare (?:function|const) ${name}\\b`);
      expect(documented.test(declarations), `${name} has TSDoc with an @example`).toBe(true);
    }
  });
});
