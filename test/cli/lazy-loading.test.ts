import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/cli.js';

// Start-up is module loading: each command loads only what it uses. A resolve hook (node's
// module.register) lists every module the built CLI loads; no timing is asserted.
const root = fileURLToPath(new URL('../../', import.meta.url));
const HOOK = `data:text/javascript,${encodeURIComponent(
  'export async function resolve(s,c,n){const r=await n(s,c);process.stderr.write("RP_LOADED "+r.url+"\\n");return r}',
)}`;
// CommonJS packages loaded by require() (also a lazy createRequire) pass no ESM resolve hook: the
// preload also wraps Module._load on the main thread and reports each required file the same way.
const REGISTER = `data:text/javascript,${encodeURIComponent(
  `import M,{register}from"node:module";register(${JSON.stringify(HOOK)});` +
    'const load=M._load;M._load=function(r,p,i){try{process.stderr.write("RP_LOADED file://"+M._resolveFilename(r,p,i)+"\\n")}catch{}return load.apply(this,arguments)}',
)}`;

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

  it('list of a runbook without front matter or policy loads neither yaml, nor the plan and record stages beyond its redactor, nor asn1', async () => {
    const { code, modules } = await loaded(['list', 'test/fixtures/parse/roxy-like.md']);
    expect(code).toBe(0);
    const pkgs = packages(modules);
    for (const heavy of ['yaml', 'asn1js', '@peculiar/asn1-tsp', '@peculiar/asn1-x509', '@peculiar/asn1-schema']) expect(pkgs.has(heavy), heavy).toBe(false);
    const stage = (name: string) => [...new Set(modules.filter((m) => m.includes(`/dist/${name}/`)).map((m) => m.replace(/^.*\/dist\//, '')))].sort();
    expect(stage('record')).toEqual(['record/redact.js']);
    expect(stage('plan')).toEqual(['plan/parameters.js']);
  });

  it('list still loads yaml when the runbook has front matter, and reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-lazy-'));
    const runbook = join(dir, 'fm.md');
    writeFileSync(runbook, '---\ntimeout: 5s\n---\n# Title\n\n```bash\necho hi\n```\n');
    const { code, stdout, modules } = await loaded(['list', '--json', runbook]);
    expect(code).toBe(0);
    expect(packages(modules).has('yaml')).toBe(true);
    expect(JSON.stringify(JSON.parse(stdout))).toContain('"timeout":"5s"');
  });

  it('an unknown command still loads every command, so "did you mean" sees them all', async () => {
    const { code, modules } = await loaded(['lsit']);
    expect(code).toBe(2);
    expect(modules.some((m) => m.endsWith('/dist/cli/commands/schedule.js'))).toBe(true);
  });
});
