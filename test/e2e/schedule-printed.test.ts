import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { RunRecordSchema } from '../../src/record/index.js';
import { CLI, runCli } from '../helpers/cli.js';

// Printed scheduler units must work as printed: the variables a checklist reads reach it (cron
// runs with an empty environment), Kubernetes gets them from a Secret and an image that exists
// (the repository's Dockerfile), and outputs land in the evidence volume.
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/checklist');
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
let dir: string;

const CHECKLIST = `
defaults:
  evidenceDir: ev
  junit: out/junit.xml
  textfile: out/runproof.prom
checklists:
  - name: token-check
    runbook: env-echo.md
    schedule: "0 6 * * *"
    params: { api_token: env:RP_UNIT_TOKEN }
    webhook: { url: "http://127.0.0.1:9/hook", secret: env:RP_UNIT_HOOK_KEY }
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-printed-'));
  copyFileSync(join(fixtures, 'env-echo.md'), join(dir, 'env-echo.md'));
  writeFileSync(join(dir, 'checklists.yaml'), CHECKLIST);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('printed scheduler units work as printed', () => {
  it('--print-cron: the line loads the env file it names, and run with cron\'s empty environment it passes', async () => {
    const envDir = join(dir, 'etc');
    const printed = await runCli(['schedule', join(dir, 'checklists.yaml'), '--print-cron', '--env-file-dir', envDir], { cwd: dir });
    expect(printed.code, printed.stderr).toBe(0);
    const envFile = join(envDir, 'runproof-token-check.env');
    expect(printed.stdout).toContain(`# token-check reads RP_UNIT_HOOK_KEY, RP_UNIT_TOKEN from ${envFile}`);
    const line = printed.stdout.split('\n').find((l) => l.startsWith('0 6 * * * '))!;
    expect(line).toContain(`set -a && . ${envFile} && set +a && `);
    mkdirSync(envDir);
    writeFileSync(envFile, 'RP_UNIT_TOKEN=s3cr3t-value-42\nRP_UNIT_HOOK_KEY=hook-key\n', { mode: 0o600 });
    // The command part of the crontab line, run as cron does: /bin/sh -c with a near-empty environment.
    const command = line.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
    const ran = spawnSync('/bin/sh', ['-c', command], { env: { PATH: '/usr/bin:/bin', HOME: dir }, encoding: 'utf8', timeout: 60_000 });
    expect(ran.status, readLog(dir)).toBe(0);
    const bundles = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.') && !n.endsWith('.log'));
    expect(bundles).toHaveLength(1);
    const record = RunRecordSchema.parse(JSON.parse(readFileSync(join(dir, 'ev', bundles[0]!, `${bundles[0]}.json`), 'utf8')));
    expect(record.status).toBe('passed');
    expect(record.trigger).toMatchObject({ kind: 'schedule', via: 'cron' });
    // Without the env file the same line fails loudly instead of running with no token.
    rmSync(envFile);
    const missing = spawnSync('/bin/sh', ['-c', command], { env: { PATH: '/usr/bin:/bin', HOME: dir }, encoding: 'utf8', timeout: 60_000 });
    expect(missing.status).not.toBe(0);
  });

  it('--print-systemd: EnvironmentFile= names the env file and its variables; systemd-analyze verify accepts it', async () => {
    const out = join(dir, 'units');
    const printed = await runCli(['schedule', join(dir, 'checklists.yaml'), '--print-systemd', '--out-dir', out], { cwd: dir });
    expect(printed.code, printed.stderr).toBe(0);
    const service = readFileSync(join(out, 'runproof-token-check.service'), 'utf8');
    expect(service).toMatch(/^# token-check reads RP_UNIT_HOOK_KEY, RP_UNIT_TOKEN from \/etc\/runproof\/runproof-token-check\.env/m);
    expect(service).toMatch(/^EnvironmentFile=\/etc\/runproof\/runproof-token-check\.env$/m);
    // EnvironmentFile= comes before ExecStart= in [Service].
    expect(service.indexOf('EnvironmentFile=')).toBeGreaterThan(service.indexOf('[Service]'));
    if (SYSTEMD_ANALYZE) {
      const verify = spawnSync(SYSTEMD_ANALYZE, ['verify', '--man=no', join(out, 'runproof-token-check.service'), join(out, 'runproof-token-check.timer')], { encoding: 'utf8' });
      expect(verify.status, verify.stderr).toBe(0);
    }
  });

  it('--print-k8s needs --image (no default image); with it, each variable comes from a Secret by secretKeyRef', async () => {
    const without = await runCli(['schedule', join(dir, 'checklists.yaml'), '--print-k8s'], { cwd: dir });
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/^RP_BAD_FLAG --print-k8s needs --image .*Dockerfile/m);
    expect(without.stdout).toBe('');
    const printed = await runCli(['schedule', join(dir, 'checklists.yaml'), '--print-k8s', '--image', 'registry.local/runproof:0.1.0'], { cwd: dir });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain('kubectl create secret generic runproof-token-check-env --from-literal=RP_UNIT_HOOK_KEY=... --from-literal=RP_UNIT_TOKEN=...');
    const [doc] = parseAllDocuments(printed.stdout).map((d) => d.toJS() as Record<string, any>);
    const pod = doc!.spec.jobTemplate.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe('registry.local/runproof:0.1.0');
    expect(container.env).toEqual([
      { name: 'NO_COLOR', value: '1' },
      { name: 'RP_UNIT_HOOK_KEY', valueFrom: { secretKeyRef: { name: 'runproof-token-check-env', key: 'RP_UNIT_HOOK_KEY' } } },
      { name: 'RP_UNIT_TOKEN', valueFrom: { secretKeyRef: { name: 'runproof-token-check-env', key: 'RP_UNIT_TOKEN' } } },
    ]);
    // No secret value is ever printed.
    expect(printed.stdout).not.toMatch(/s3cr3t|hook-key/);
    expect(pod.securityContext.fsGroup).toBe(1000);
  });

  it('with --evidence-dir (the Kubernetes volume), JUnit and textfile follow the bundles into it', async () => {
    const volume = join(dir, 'volume');
    const ran = await runCli(['checklist', 'run', join(dir, 'checklists.yaml'), '--evidence-dir', volume, '--trigger', 'schedule', '--via', 'kubernetes'], {
      cwd: dir,
      env: { RP_UNIT_TOKEN: 'tok', RP_UNIT_HOOK_KEY: 'k' },
    });
    expect(ran.code, ran.stderr).toBe(0);
    expect(existsSync(join(volume, 'out/junit.xml'))).toBe(true);
    expect(existsSync(join(volume, 'out/runproof.prom'))).toBe(true);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(readFileSync(join(volume, 'out/runproof.prom'), 'utf8')).toContain('runproof_checklist_status{checklist="token-check",status="passed"} 1');
  });
});

function readLog(d: string): string {
  try {
    const ev = join(d, 'ev');
    return readdirSync(ev).filter((n) => n.endsWith('.log')).map((n) => readFileSync(join(ev, n), 'utf8')).join('\n');
  } catch {
    return '';
  }
}

// The image the printed CronJob runs. Images cannot be built here; this checks that the
// Dockerfile would build what the CronJob expects: its COPY sources exist, the base and tools
// are the ones asked for, the build runs, and the entrypoint is package.json's bin.
describe('Dockerfile', () => {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([A-Z]+)\s+(.*)$/.exec(l);
      expect(m, `instruction: ${l}`).not.toBeNull();
      return { op: m![1]!, args: m![2]! };
    });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[]; scripts: Record<string, string> };

  it('uses node:20-slim with bash, curl, jq and bubblewrap, and builds with npm ci', () => {
    const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(f).toBe('node:20-slim');
    const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    for (const tool of ['bash', 'curl', 'jq', 'bubblewrap']) expect(runs).toMatch(new RegExp(`apt-get install [^\\n]*\\b${tool}\\b`));
    expect(runs).toMatch(/\bnpm ci\b/);
    // npm ci runs `prepare`, which must be the build.
    expect(pkg.scripts.prepare).toBe('npm run build');
  });

  it('copies only sources that exist, everything the build and package need', () => {
    const copies = instructions.filter((i) => (i.op === 'COPY' || i.op === 'ADD') && !i.args.startsWith('--from'));
    const sources = copies.flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) expect(existsSync(join(root, s)), `COPY source ${s} exists`).toBe(true);
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', ...pkg.files.filter((f) => f !== 'dist')]) expect(sources).toContain(needed);
    // Every script the build runs (`node scripts/build-cli.mjs`, the CLI bundle) is copied too.
    const buildScripts = [...pkg.scripts.build!.matchAll(/\bnode ([\w./-]+)/g)].map((m) => m[1]!);
    expect(buildScripts.length).toBeGreaterThan(0);
    for (const script of buildScripts) expect(sources.some((s) => script === s || script.startsWith(`${s}/`)), `COPY of ${script}`).toBe(true);
    // The final stage copies the package's files from the build stage.
    const fromBuild = instructions.filter((i) => i.op === 'COPY' && i.args.startsWith('--from=build')).map((i) => i.args.split(/\s+/)[1]!);
    for (const f of pkg.files) expect(fromBuild.some((p) => p.endsWith(`/${f}`))).toBe(true);
    // .dockerignore keeps no source the build needs out.
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    for (const s of sources) expect(ignored).not.toContain(s);
  });

  it('its entrypoint is the package bin under the WORKDIR it was copied to', () => {
    const entry = instructions.filter((i) => i.op === 'ENTRYPOINT').pop()!;
    const argv = JSON.parse(entry.args) as string[];
    expect(argv[0]).toBe('node');
    const workdirs = instructions.filter((i) => i.op === 'WORKDIR').map((i) => i.args);
    expect(workdirs).toContain('/opt/runproof');
    expect(argv[1]).toBe(`/opt/runproof/${pkg.bin.runproof}`);
    // The built file it names exists and is runproof.
    expect(execFileSync(process.execPath, [join(root, pkg.bin.runproof), '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(CLI.endsWith(pkg.bin.runproof)).toBe(true);
  });
});
