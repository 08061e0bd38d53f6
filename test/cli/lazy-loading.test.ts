import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/cli.js';

// Start-up is module loading: each command loads only what it uses. A resolve hook (node's
// module.register) lists every module the built CLI loads; no timing is asserted.
const root = fileURLToPath(new URL('../../', import.meta.url));
const HOOK = `data:text/javascript,${encodeURIComponent(
  'export async function resolve(s,c,n){const r=await n(s,c);process.stderr.write("RP_LOADED "+r.url+"\\n");return r}',
)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import{register}from"node:module";register(${JSON.stringify(HOOK)})`)}`;

function loaded(args: string[]): Promise<{ code: number; stdout: string; modules: string[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', REGISTER, CLI, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      const modules = String(stderr).split('\n').filter((l) => l.startsWith('RP_LOADED ')).map((l) => l.slice('RP_LOADED '.length));
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: String(stdout), modules });
    });
  });
}
const packages = (modules: string[]) => new Set(modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1] ?? []));

describe('lazy loading of the CLI', () => {
  it('--version prints the version without loading commander, zod or any command', async () => {
    const { code, stdout, modules } = await loaded(['--version']);
    expect(code).toBe(0);
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    expect(stdout).toBe(`${pkg.version}\n`);
    expect([...packages(modules)]).toEqual([]);
    expect(modules.filter((m) => m.includes('/dist/cli/commands/'))).toEqual([]);
  });

  it('list loads its own command, the parse stage and the record stage (its redactor masks the runbook\'s credentials): no undici, handlebars, archiver, execa', async () => {
    const { code, modules } = await loaded(['list', 'test/fixtures/checklist/roxy.md']);
    expect(code).toBe(0);
    const pkgs = packages(modules);
    for (const heavy of ['undici', 'handlebars', 'archiver', 'execa', 'croner']) expect(pkgs.has(heavy), heavy).toBe(false);
    expect(modules.filter((m) => m.includes('/dist/cli/commands/')).map((m) => m.replace(/^.*\/dist\/cli\/commands\//, ''))).toEqual(['lazy.js', 'list.js']);
    expect(modules.some((m) => m.includes('/dist/execute/') || m.includes('/dist/render/'))).toBe(false);
  });

  it('an unknown command still loads every command, so "did you mean" sees them all', async () => {
    const { code, modules } = await loaded(['lsit']);
    expect(code).toBe(2);
    expect(modules.some((m) => m.endsWith('/dist/cli/commands/schedule.js'))).toBe(true);
  });
});
