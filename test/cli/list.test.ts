import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotebookSchema } from '../../src/parse/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/parse');
const run = (...args: string[]) => execa('node', ['dist/cli/main.js', ...args], { cwd: root, reject: false, env: { NO_COLOR: '1' } });
let dir: string;

// dist/ is built once by the vitest global setup.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runproof-list-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runproof list', () => {
  it('shows the section tree with numbers and each cell: name, kind, risk, line; within 80 columns', async () => {
    const result = await run('list', join(fixtures, 'roxy-like.md'));
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Proxy Operator Runbook');
    expect(lines.every((line) => [...line].length <= 80)).toBe(true);
    expect(result.stdout).toMatch(/^ {2}2\. Health Checks +line 24$/m);
    expect(result.stdout).toMatch(/^ {4}\/health - Service Alive +line 26$/m);
    expect(result.stdout).toMatch(/^ {6}- health-service-alive\/1 · shell · (read|write|destructive) · line 27$/m);
    expect(result.stdout).toMatch(/^ {6}- health-service-alive\/expect-1 · expect json · line 31\n {10}checks health-service-alive\/1$/m);
    expect(result.stdout).toMatch(/^ {6}- ready-production-ready\/doc-1 · doc \(failure-example\) · line 52$/m);
  });

  it('shows the duplicate ## 10. sections and the 2A number distinctly', async () => {
    const result = await run('list', join(fixtures, 'archillx-like.md'));
    expect(result.stdout).toMatch(/^ {2}2A\. Linked release/m);
    expect(result.stdout).toContain('- 10-sandbox-host-enablement-runbook-v42/1 ·');
    expect(result.stdout).toContain('- 10-sandbox-host-enablement-runbook-v42-2/1 ·');
  });

  it('lists warnings at the end', async () => {
    const result = await run('list', join(fixtures, 'fences.md'));
    const tail = result.stdout.slice(result.stdout.indexOf('Warnings ('));
    expect(tail).toContain('RP_UNCLOSED_FENCE '); expect(tail).toMatch(/RP_UNCLOSED_FENCE \S*fences.md:46:1 /);
    expect(tail).toContain('RP_NO_LANGUAGE');
  });

  it('--json prints the Notebook, valid against its schema', async () => {
    const result = await run('list', join(fixtures, 'lists.md'), '--json');
    expect(result.exitCode).toBe(0);
    const notebook = NotebookSchema.parse(JSON.parse(result.stdout));
    expect(notebook.cells.map((c) => c.name)).toEqual(['numbered-steps/1', 'numbered-steps/2', 'errors', 'numbered-steps/expect-1']);
  });

  it('exits 2 with one line on stderr for a missing file, a directory, a binary or non-UTF-8 file, a parse error', async () => {
    const binary = join(dir, 'b.md');
    writeFileSync(binary, Buffer.from([0x23, 0x20, 0x00, 0x01]));
    const latin1 = join(dir, 'l.md');
    writeFileSync(latin1, Buffer.from('# caf\xe9\n', 'latin1'));
    const bad = join(dir, 'bad.md');
    writeFileSync(bad, '```bash {timout=1s}\nls\n```\n');
    const cases: [string, string][] = [
      [join(dir, 'missing.md'), 'RP_FILE_NOT_FOUND'],
      [dir, 'RP_NOT_A_FILE'],
      [binary, 'RP_BINARY_FILE'],
      [latin1, 'RP_NOT_UTF8'],
      [bad, 'RP_UNKNOWN_ATTRIBUTE'],
    ];
    for (const [path, code] of cases) {
      const result = await run('list', path);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      // One error line, code first; a parse error adds its source line with a caret (Hurl's form).
      const [first, ...context] = result.stderr.trim().split('\n');
      expect(first!.startsWith(`${code} `)).toBe(true);
      if (code === 'RP_UNKNOWN_ATTRIBUTE') expect(context.join('\n')).toMatch(/-->.*bad\.md:1:\d+\n\s+\|\n1 \| ```bash \{timout=1s\}\n\s+\| +\^/);
      else expect(context).toEqual([]);
    }
  });
});
