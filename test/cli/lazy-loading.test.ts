import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/cli.js';

// Start-up is module loading: each command loads only what it uses. A resolve hook (node's
// module.register) lists every module the built CLI loads; no timing is asserted. The bin is an
// esbuild bundle (scripts/build-cli.mjs): dist/cli/main.js and chunks in dist/bundle/, so what a
// command loads is read through each loaded chunk's source map: the src/ files and packages whose
// code the chunk holds.
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
// Node's own modules, however loaded (import, require, process.getBuiltinModule), listed at exit.
// A preload of its own: module.register above runs its hooks on a worker thread.
const BUILTINS = `data:text/javascript,${encodeURIComponent(
  'process.on("exit",()=>process.stderr.write("RP_BUILTINS "+process.moduleLoadList.filter(m=>m.startsWith("NativeModule ")).map(m=>m.slice(13)).join(" ")+"\\n"))',
)}`;

// `files`: the files node loaded (built-ins left out); `modules`: what they hold, each loaded file
// replaced by the sources its source map names (src/… relative to the root, node_modules/… kept).
function loaded(args: string[], preload = REGISTER): Promise<{ code: number; stdout: string; files: string[]; modules: string[]; builtins: string[] }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', preload, CLI, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      const urls = String(stderr).split('\n').filter((l) => l.startsWith('RP_LOADED file:///')).map((l) => l.slice('RP_LOADED '.length));
      const files = [...new Set(urls.map((u) => fileURLToPath(u)))];
      const builtins = (String(stderr).split('\n').find((l) => l.startsWith('RP_BUILTINS ')) ?? '').split(' ').slice(1);
      done({ code: error ? Number(error.code ?? 1) : 0, stdout: String(stdout), files, modules: files.flatMap(sourcesOf), builtins });
    });
  });
}
function sourcesOf(file: string): string[] {
  const map = `${file}.map`;
  if (!file.includes('/dist/') || !existsSync(map)) return [file];
  const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
  return sources.map((s) => s.replace(/^[\w-]+:/, '')).map((s) => relative(root, resolve(dirname(map), s)));
}
const packages = (modules: string[]) => new Set(modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1] ?? []));
const stage = (modules: string[], name: string) => [...new Set(modules.filter((m) => m.startsWith(`src/${name}/`)).map((m) => m.slice('src/'.length)))].sort();

describe('lazy loading of the CLI', () => {
  it('--version prints the version without loading commander, zod or any command', async () => {
    const { code, stdout, modules } = await loaded(['--version']);
    expect(code).toBe(0);
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    expect(stdout).toBe(`${pkg.version}\n`);
    expect([...packages(modules)]).toEqual([]);
    expect(modules.filter((m) => m.startsWith('src/cli/commands/'))).toEqual([]);
    // The entry and the small chunk of core/version.ts only: no parse, no zod.
    expect(stage(modules, 'parse')).toEqual([]);
    expect(modules).toContain('src/core/version.ts');
  });

  it('list loads its own command, the parse stage and the record stage (its redactor masks the runbook\'s credentials): no undici, handlebars, archiver, execa', async () => {
    const { code, modules } = await loaded(['list', 'test/fixtures/checklist/roxy.md']);
    expect(code).toBe(0);
    const pkgs = packages(modules);
    for (const heavy of ['undici', 'handlebars', 'archiver', 'execa', 'croner']) expect(pkgs.has(heavy), heavy).toBe(false);
    expect(stage(modules, 'cli/commands')).toEqual(['cli/commands/lazy.ts', 'cli/commands/list.ts']);
    expect(stage(modules, 'execute')).toEqual([]);
    expect(stage(modules, 'render')).toEqual([]);
  });

  it('list of a runbook without front matter or policy loads neither yaml, nor the plan and record stages beyond its redactor, nor asn1', async () => {
    const { code, modules } = await loaded(['list', 'test/fixtures/parse/roxy-like.md']);
    expect(code).toBe(0);
    const pkgs = packages(modules);
    for (const heavy of ['yaml', 'asn1js', '@peculiar/asn1-tsp', '@peculiar/asn1-x509', '@peculiar/asn1-schema']) expect(pkgs.has(heavy), heavy).toBe(false);
    expect(stage(modules, 'record')).toEqual(['record/redact.ts']);
    expect(stage(modules, 'plan')).toEqual(['plan/parameters.ts']);
  });

  it('list without a policy file loads neither node:crypto (the policy hash) nor node:worker_threads (the regex budget)', async () => {
    const { code, builtins } = await loaded(['list', 'test/fixtures/parse/roxy-like.md'], BUILTINS);
    expect(code).toBe(0);
    expect(builtins).toContain('fs');
    for (const heavy of ['crypto', 'worker_threads']) expect(builtins, heavy).not.toContain(heavy);
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

  it('a run of one shell cell loads no undici; verify of its bundle (unsigned, no timestamp) neither the ASN.1 packages nor yaml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-lazy-'));
    const runbook = join(dir, 'one.md');
    writeFileSync(runbook, '# One\n\n```bash\ntrue\n```\n');
    const ran = await loaded(['run', runbook, '--yes', '--evidence-dir', join(dir, 'ev')]);
    expect(ran.code).toBe(0);
    // A run of shell cells, no webhook, no --tsa: no HTTP client (undici), no ASN.1.
    for (const heavy of ['undici', 'asn1js', '@peculiar/asn1-tsp', 'yaml']) expect(packages(ran.modules).has(heavy), `run: ${heavy}`).toBe(false);
    const bundle = readdirSync(join(dir, 'ev')).find((n) => n.startsWith('one_'))!;
    const { code, stdout, modules } = await loaded(['verify', join(dir, 'ev', bundle)]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^OK /);
    const pkgs = packages(modules);
    for (const heavy of ['yaml', 'asn1js', '@peculiar/asn1-schema', '@peculiar/asn1-x509', '@peculiar/asn1-cms', '@peculiar/asn1-tsp']) expect(pkgs.has(heavy), heavy).toBe(false);
  });

  it('an unknown command still loads every command, so "did you mean" sees them all', async () => {
    const { code, modules } = await loaded(['lsit']);
    expect(code).toBe(2);
    expect(modules).toContain('src/cli/commands/schedule.ts');
  });

  it('list reads its code from a few bundled files: every package is inside the bundle, zod without its 49 other locales', async () => {
    const { code, files, modules } = await loaded(['list', 'test/fixtures/parse/roxy-like.md']);
    expect(code).toBe(0);
    // No file from node_modules and none of tsc's per-file output: the entry and its chunks only.
    expect(files.filter((f) => !f.startsWith(join(root, 'dist/bundle/')) && f !== join(root, 'dist/cli/main.js'))).toEqual([]);
    expect(files.length).toBeLessThan(20); // 14 today: the entry, commander, zod, parse with markdown-it, list's own
    // The bundle holds zod, markdown-it and commander; of zod's locales, English only.
    for (const pkg of ['zod', 'markdown-it', 'commander']) expect(packages(modules).has(pkg), pkg).toBe(true);
    expect(modules.filter((m) => /zod\/v4\/locales\/[\w-]+\.js$/.test(m)).map((m) => m.replace(/^.*\//, ''))).toEqual(['en.js']);
  });
});
