import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadChecklistFile, printCron, printK8s, printSystemd } from '../../src/checklist/index.js';
import { isRunproofError } from '../../src/core/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/checklist/', import.meta.url));
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const COMMAND = [process.execPath, fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp units%-'));
  mkdirSync(join(dir, 'ops'));
  copyFileSync(join(fixtures, 'roxy.md'), join(dir, 'ops', 'roxy.md'));
  writeFileSync(
    join(dir, 'checklists.yaml'),
    `checklists:
  - name: Daily_Health
    description: health every weekday morning
    runbook: ops/roxy.md
    sections: ["2"]
    schedule: { cron: "30 6 * * 1-5", timezone: Europe/Berlin }
    maxDuration: 10m
  - name: pct.check
    runbook: ops/roxy.md
    schedule: "0 */4 1,15 * sun"
  - name: manual-only
    runbook: ops/roxy.md
`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('printed units', () => {
  it('prints a systemd .service and .timer pair per scheduled checklist, with Persistent=true', async () => {
    const file = await loadChecklistFile(join(dir, 'checklists.yaml'));
    const units = printSystemd(file, { command: COMMAND });
    expect(units.map((u) => u.name)).toEqual(['runproof-daily-health.service', 'runproof-daily-health.timer', 'runproof-pct-check.service', 'runproof-pct-check.timer']);
    const timer = units[1]!.content;
    expect(timer).toMatch(/^\[Timer\]$/m);
    expect(timer).toContain('OnCalendar=Mon..Fri *-*-* 06:30:00 Europe/Berlin');
    expect(timer).toContain('Persistent=true');
    expect(timer).toContain('Unit=runproof-daily-health.service');
    const service = units[0]!.content;
    expect(service).toContain('Type=oneshot');
    // The path with a space is quoted; its `%` is escaped for systemd.
    expect(service).toContain(`ExecStart=${process.execPath} `);
    expect(service).toContain(`"${join(dir, 'checklists.yaml').replace('%', '%%')}" Daily_Health --trigger schedule --via systemd`);
    expect(units[2]!.content).toContain(' pct.check --trigger');
    expect(units[3]!.content.match(/^OnCalendar=/gm)).toHaveLength(2);
  });

  it.runIf(SYSTEMD_ANALYZE)('has systemd-analyze verify accept the printed units (and reject a broken one)', async () => {
    const file = await loadChecklistFile(join(dir, 'checklists.yaml'));
    const out = join(dir, 'units');
    mkdirSync(out);
    const units = printSystemd(file, { command: COMMAND });
    for (const u of units) writeFileSync(join(out, u.name), u.content);
    const verify = (paths: string[]) => spawnSync(SYSTEMD_ANALYZE!, ['verify', '--man=no', ...paths], { encoding: 'utf8' });
    const ok = verify(units.map((u) => join(out, u.name)));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).not.toMatch(/runproof-/);
    // The control: the same tool does fail a unit with a bad calendar spec.
    writeFileSync(join(out, 'runproof-broken.timer'), units[1]!.content.replace(/^OnCalendar=.*$/m, 'OnCalendar=every tuesday-ish'));
    writeFileSync(join(out, 'runproof-broken.service'), units[0]!.content);
    const bad = verify([join(out, 'runproof-broken.timer')]);
    expect(`${bad.stdout}${bad.stderr}`).toMatch(/OnCalendar|calendar|Failed/i);
  });

  it('prints crontab lines with CRON_TZ, quoted paths and escaped %; refuses seconds', async () => {
    const file = await loadChecklistFile(join(dir, 'checklists.yaml'));
    const [crontab] = printCron(file, { command: COMMAND });
    const lines = crontab!.content.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines).toHaveLength(3);
    expect(lines[0]!).toMatch(/^0 \*\/4 1,15 \* sun mkdir -p '.*' && cd '/);
    expect(lines[0]!).toContain('units\\%-');
    expect(lines[0]!).not.toMatch(/[^\\]%/);
    expect(lines[1]).toBe('CRON_TZ=Europe/Berlin');
    expect(lines[2]!).toMatch(/^30 6 \* \* 1-5 mkdir -p '.*' && cd '.* checklist run '.*checklists\.yaml' Daily_Health --trigger schedule --via cron >> '.*runproof-daily-health\.cron\.log' 2>&1$/);
    for (const line of lines.filter((l) => !l.includes('='))) expect(line.split(' ').length).toBeGreaterThan(6);
    // The command runs as written: its argv reaches runproof (here: --help of checklist run).
    const command = lines[2]!.split(' ').slice(5).join(' ').replace(/ >> .*$/, '').replace(/checklist run .*$/, 'checklist run --help').replace(/\\%/g, '%');
    expect(execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' })).toMatch(/Usage: runproof checklist run/);
    writeFileSync(join(dir, 'sec.yaml'), 'checklists:\n  - name: fast\n    runbook: ops/roxy.md\n    schedule: "*/10 * * * * *"\n');
    try {
      printCron(await loadChecklistFile(join(dir, 'sec.yaml')), { command: COMMAND });
      throw new Error('not thrown');
    } catch (error) {
      expect(isRunproofError(error) && error.code).toBe('RP_BAD_CHECKLIST');
    }
  });

  it('prints a Kubernetes CronJob per checklist that has the fields Kubernetes requires', async () => {
    const file = await loadChecklistFile(join(dir, 'checklists.yaml'));
    const [manifest] = printK8s(file, { image: 'registry.local/runproof:1' });
    const docs = parseAllDocuments(manifest!.content).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as Record<string, any>;
    });
    expect(docs).toHaveLength(2);
    for (const doc of docs) {
      expect(doc.apiVersion).toBe('batch/v1');
      expect(doc.kind).toBe('CronJob');
      expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(doc.metadata.name.length).toBeLessThanOrEqual(52);
      expect(doc.spec.schedule.split(' ')).toHaveLength(5);
      expect(doc.spec.concurrencyPolicy).toBe('Forbid');
      const pod = doc.spec.jobTemplate.spec.template.spec;
      expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
      const container = pod.containers[0];
      expect(container.name).toBeTruthy();
      expect(container.image).toBe('registry.local/runproof:1');
      expect(container.args.slice(0, 2)).toEqual(['checklist', 'run']);
      const volumes = new Map<string, any>(pod.volumes.map((v: any) => [v.name, v]));
      for (const mount of container.volumeMounts) expect(volumes.has(mount.name)).toBe(true);
      expect(volumes.get('evidence').persistentVolumeClaim.claimName).toBe('runproof-evidence');
      const evidenceMount = container.volumeMounts.find((m: any) => m.name === 'evidence').mountPath;
      expect(container.args).toContain(evidenceMount);
      expect(volumes.get('checklists').configMap.items).toEqual([
        { key: 'checklists.yaml', path: 'checklists.yaml' },
        { key: 'ops__roxy.md', path: 'ops/roxy.md' },
      ]);
    }
    expect(docs[0]!.spec.timeZone).toBe('Europe/Berlin');
    expect(docs[0]!.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(660);
    expect(docs[0]!.metadata.name).toBe('runproof-daily-health');
  });
});
