import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitInfo } from '../../src/record/index.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'rp-git-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: dir,
};
const git = (...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { env }).toString().trim();

describe('gitInfo', () => {
  it('gives nulls outside a repository', async () => {
    writeFileSync(join(dir, 'r.md'), '# r\n');
    expect(await gitInfo(join(dir, 'r.md'))).toEqual({ commit: null, dirty: null });
  });

  it('gives the commit, the root and whether the runbook differs from it', async () => {
    git('init', '-q');
    const file = join(dir, 'r.md');
    writeFileSync(file, '# r\n');
    expect(await gitInfo(file)).toEqual({ commit: null, dirty: true, root: dir });
    git('add', 'r.md');
    git('commit', '-q', '-m', 'r');
    const head = git('rev-parse', 'HEAD');
    expect(await gitInfo(file)).toEqual({ commit: head, dirty: false, root: dir });
    writeFileSync(join(dir, 'other.md'), 'x');
    expect((await gitInfo(file)).dirty).toBe(false);
    writeFileSync(file, '# r changed\n');
    expect(await gitInfo(file)).toEqual({ commit: head, dirty: true, root: dir });
  });

  it('counts an ignored runbook as dirty: it is not in the commit', async () => {
    git('init', '-q');
    writeFileSync(join(dir, '.gitignore'), 'local.md\n');
    git('add', '.gitignore');
    git('commit', '-q', '-m', 'i');
    writeFileSync(join(dir, 'local.md'), '# l\n');
    expect((await gitInfo(join(dir, 'local.md'))).dirty).toBe(true);
  });
});
