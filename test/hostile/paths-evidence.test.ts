// Hostile paths (issue I.3): evidence names that try to leave the evidence folder, an evidence
// folder or `.locks/` that is a planted symbolic link, a bundle folder pre-created by another
// user with a `logs/` link inside: nothing may be written outside the evidence folder.
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/app/run-runbook.js';
import { isRunproofError } from '../../src/core/index.js';
import { acquireLock, createRedactor, openBundle, validateEvidenceName } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let outside: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-hostile-paths-'));
  outside = join(dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(dir, 'rb.md'), '# Paths\n\n## 1. Echo\n\n```bash\necho hello\n```\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Every file under a folder, as relative paths (links are listed, not followed).
function tree(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: false }).map(String).sort();
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isRunproofError(error) ? error.code : `foreign: ${(error as Error).message}`;
  }
}

const HOSTILE_NAMES = ['../../x', '..', '.', 'a/b', 'a\\b', '/etc/passwd', 'nul\u0000byte', 'line\nbreak', 'tab\there', 'esc\u001b[31m', 'bell\u0007', '', '   ', 'a'.repeat(161), 'x/../../y', 'del\u007f'];

describe('evidence names that try to leave the evidence folder', () => {
  it.each(HOSTILE_NAMES.map((n) => [JSON.stringify(n), n]))('validateEvidenceName refuses %s with RP_BAD_EVIDENCE_NAME', (_shown, name) => {
    expect(() => validateEvidenceName(name)).toThrow(expect.objectContaining({ code: 'RP_BAD_EVIDENCE_NAME' }));
  });

  it('openBundle refuses them too, and creates nothing', async () => {
    for (const name of HOSTILE_NAMES) {
      expect(await codeOf(openBundle({ evidenceDir: join(dir, 'ev'), name, redactor: createRedactor() }))).toBe('RP_BAD_EVIDENCE_NAME');
    }
    expect(tree(join(dir, 'ev'))).toEqual([]);
    expect(tree(outside)).toEqual([]);
  });

  it('the CLI exits 2 with one clear line for --evidence-name ../../x and writes nothing', async () => {
    for (const name of ['../../x', 'a/b', 'tab\there']) {
      const result = await runCli(['run', 'rb.md', '--yes', '--evidence-dir', 'ev', '--evidence-name', name], { cwd: dir });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^RP_BAD_EVIDENCE_NAME evidence name .* (holds|is)/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(tree(join(dir, 'ev')).filter((f) => !f.startsWith('.locks'))).toEqual([]);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('a front-matter evidence name with ".." is refused the same way', async () => {
    writeFileSync(join(dir, 'fm.md'), '---\nevidence: ../escape\n---\n# FM\n\n## 1. Go\n\n```bash\necho hi\n```\n');
    const result = await runCli(['run', 'fm.md', '--yes', '--evidence-dir', 'ev'], { cwd: dir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^RP_BAD_EVIDENCE_NAME/);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
  });
});

describe('planted links and folders', () => {
  it('an evidence folder that is a symlink to elsewhere is refused (RP_UNSAFE_PATH): nothing is written there', async () => {
    symlinkSync(outside, join(dir, 'ev'));
    expect(await codeOf(runRunbook({ runbookPath: join(dir, 'rb.md'), mode: 'unattended', evidenceDir: join(dir, 'ev'), cwd: dir, env: { PATH: process.env.PATH ?? '' } }))).toBe('RP_UNSAFE_PATH');
    expect(await codeOf(openBundle({ evidenceDir: join(dir, 'ev'), name: 'x', redactor: createRedactor() }))).toBe('RP_UNSAFE_PATH');
    expect(await codeOf(acquireLock({ evidenceDir: join(dir, 'ev'), key: 'k' }))).toBe('RP_UNSAFE_PATH');
    const cli = await runCli(['run', 'rb.md', '--yes', '--evidence-dir', 'ev'], { cwd: dir });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^RP_UNSAFE_PATH the evidence folder .*ev is a symbolic link/);
    expect(tree(outside)).toEqual([]);
  });

  it('a dangling evidence-folder link is refused too (mkdir would follow it)', async () => {
    symlinkSync(join(outside, 'not-yet'), join(dir, 'ev'));
    expect(await codeOf(openBundle({ evidenceDir: join(dir, 'ev'), name: 'x', redactor: createRedactor() }))).toBe('RP_UNSAFE_PATH');
    expect(tree(outside)).toEqual([]);
  });

  it('a .locks link planted in the evidence folder is refused: no lock file lands elsewhere', async () => {
    mkdirSync(join(dir, 'ev'));
    symlinkSync(outside, join(dir, 'ev', '.locks'));
    expect(await codeOf(runRunbook({ runbookPath: join(dir, 'rb.md'), mode: 'unattended', evidenceDir: join(dir, 'ev'), cwd: dir, env: { PATH: process.env.PATH ?? '' } }))).toBe('RP_UNSAFE_PATH');
    expect(tree(outside)).toEqual([]);
  });

  it('an evidence folder that is a file is a clear error, not a crash', async () => {
    writeFileSync(join(dir, 'ev'), 'not a folder');
    const code = await codeOf(openBundle({ evidenceDir: join(dir, 'ev'), name: 'x', redactor: createRedactor() }));
    expect(code).toBe('RP_UNSAFE_PATH');
  });

  it('a bundle folder pre-created by another user, with a planted logs/ link, is never written into: the run takes <name>_<ts>_2', async () => {
    const now = new Date('2026-01-22T10:15:00Z');
    const ev = join(dir, 'ev');
    const planted = join(ev, 'paths_20260122_101500');
    mkdirSync(planted, { recursive: true });
    symlinkSync(outside, join(planted, 'logs'));
    symlinkSync(join(outside, 'journal'), join(planted, 'journal.jsonl'));
    if (process.getuid?.() === 0) chownSync(planted, 65534, 65534);
    const before = tree(planted);
    const result = await runRunbook({ runbookPath: join(dir, 'rb.md'), mode: 'unattended', evidenceDir: ev, evidenceName: 'paths', now, cwd: dir, env: { PATH: process.env.PATH ?? '' } });
    expect(result.status).toBe('passed');
    expect(result.bundleDir).toBe(join(ev, 'paths_20260122_101500_2'));
    expect(tree(planted)).toEqual(before);
    expect(tree(outside)).toEqual([]);
    expect(tree(result.bundleDir)).toContain('journal.jsonl');
  });

  it('a link planted where the bundle writes a temp file is not followed (exclusive create, the link removed)', async () => {
    const bundle = await openBundle({ evidenceDir: join(dir, 'ev'), name: 'tmpl', redactor: createRedactor() });
    symlinkSync(join(outside, 'stolen'), join(bundle.dir, `report.md.${process.pid}.tmp`));
    // The link is removed, not followed: the report lands in the bundle as a regular file.
    expect(await codeOf(bundle.writeFile('report.md', 'hello'))).toBe('resolved');
    expect(tree(outside)).toEqual([]);
    expect(lstatSync(join(bundle.dir, 'report.md')).isFile()).toBe(true);
    expect(readFileSync(join(bundle.dir, 'report.md'), 'utf8')).toBe('hello');
    expect(await codeOf(bundle.writeFile('../../outside/x.md', 'hello'))).toBe('RP_EVIDENCE_WRITE_FAILED');
    expect(await codeOf(bundle.writeFile('/etc/x.md', 'hello'))).toBe('RP_EVIDENCE_WRITE_FAILED');
    await bundle.close();
    expect(tree(outside)).toEqual([]);
  });
});
