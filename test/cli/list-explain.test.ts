import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/parse/index.js';
import { readFileSync } from 'node:fs';

// `list --explain` on the fixtures that reproduce the four seed runbooks (roxy, archillx, unified, aos).
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/parse');
const run = (...args: string[]) => execa('node', ['dist/cli/main.js', ...args], { cwd: root, reject: false, env: { NO_COLOR: '1' } });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runproof-explain-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runproof list --explain', () => {
  for (const seed of ['roxy-like', 'archillx-like', 'unified-like', 'aos-like']) {
    it(`names the deciding rule of every runnable cell: ${seed}`, async () => {
      const path = join(fixtures, `${seed}.md`);
      const result = await run('list', '--explain', path);
      expect(result.exitCode).toBe(0);
      const notebook = parseRunbook(readFileSync(path, 'utf8'), { path });
      const runnable = notebook.cells.filter((c) => c.runnable);
      expect(runnable.length).toBeGreaterThan(0);
      const decided = result.stdout.split('\n').filter((l) => l.trim().startsWith('decided by: '));
      expect(decided.length).toBe(runnable.length);
      for (const cell of runnable) expect(result.stdout).toContain(`decided by: ${cell.risk!.decidedBy}`);
      expect(decided.every((l) => /decided by: (tools\/[a-z-]+#|risk\.ts#|policy )/.test(l.trim()))).toBe(true);
      expect(result.stdout).toContain('policy: none (built-in tool knowledge only)');
    });
  }

  it('names a team policy rule, and --policy picks the file', async () => {
    const runbook = join(dir, 'aos.md');
    copyFileSync(join(fixtures, 'aos-like.md'), runbook);
    writeFileSync(join(dir, 'team.yaml'), 'read:\n  - docker ps\n');
    const result = await run('list', '--explain', '--policy', join(dir, 'team.yaml'), runbook);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('decided by: policy read[0] "docker ps"');
    expect(result.stdout).toContain(`policy: ${join(dir, 'team.yaml')}`);
  });

  it('a bad policy file is bad input: exit 2, RP_BAD_POLICY', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'sandbox: sometimes\n');
    const result = await run('list', '--policy', join(dir, 'bad.yaml'), join(fixtures, 'aos-like.md'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('RP_BAD_POLICY');
  });
});
