// Units for the schedulers fleets already have: crontab lines, a systemd .service/.timer pair
// per checklist, a Kubernetes CronJob per checklist. Each runs `runproof checklist run FILE NAME
// --trigger schedule --via X`, so the record still knows it was scheduled and when it was due.
import { basename, dirname, relative, sep } from 'node:path';
import { stringify } from 'yaml';
import { RunproofError, TOOL_VERSION } from '../core/index.js';
import { cronToOnCalendar, hasSeconds } from './cron.js';
import type { Checklist, ChecklistFile } from './load.js';

/** One file of printed units. */
export interface UnitFile {
  /** Suggested file name (`runproof-daily.timer`, `crontab`, `runproof-cronjobs.yaml`). */
  name: string;
  content: string;
}

/** How the printed units start runproof: the command (argv prefix) before `checklist run`. */
export interface UnitOptions {
  /** argv that runs runproof, e.g. `['/usr/bin/node', '/opt/runproof/dist/cli/main.js']` or `['runproof']`. */
  command: string[];
  /** Folder of the per-checklist env files holding the variables it reads (default /etc/runproof). */
  envFileDir?: string;
}

/** Where the env files of printed cron and systemd units live unless told otherwise. */
export const DEFAULT_ENV_FILE_DIR = '/etc/runproof';

/**
 * The environment variables a checklist reads when it runs: its `env:NAME` parameters and its
 * webhook key. A scheduler must pass each of them, or the run cannot start.
 */
export function checklistEnvNames(c: Checklist): string[] {
  const names = c.params.flatMap((p) => (p.env !== undefined ? [p.env] : []));
  if (c.webhook?.secret?.env !== undefined) names.push(c.webhook.secret.env);
  return [...new Set(names)].sort();
}

/** The env file of a checklist's printed unit: `<dir>/runproof-<name>.env`. */
export function envFileFor(c: Checklist, dir = DEFAULT_ENV_FILE_DIR): string {
  return `${dir.replace(/\/+$/, '') || '/'}/${unitNameFor(c.name)}.env`;
}

function envFileComment(c: Checklist, path: string): string[] {
  const names = checklistEnvNames(c);
  return [
    `# ${c.name} reads ${names.join(', ')} from ${path}: one NAME=value per line, owned by the unit's user, mode 0600.`,
  ];
}

function scheduled(file: ChecklistFile): Checklist[] {
  const out = file.checklists.filter((c) => c.schedule);
  if (out.length === 0) {
    throw new RunproofError('RP_BAD_CHECKLIST', `no checklist in ${file.path} has a schedule`, { hint: 'add schedule: "0 6 * * *" to a checklist' });
  }
  return out;
}

// Cron and Kubernetes read 5 fields: a 6-field expression must fire at second 0.
function fiveFields(c: Checklist, where: string): string {
  const expression = c.schedule!.cron.trim();
  if (hasSeconds(expression)) {
    throw new RunproofError('RP_BAD_CHECKLIST', `checklist ${c.name}: "${expression}" fires within the minute; ${where} schedules by the minute`, {
      hint: 'use 5 fields (minute hour day month weekday), or runproof schedule / --print-systemd',
    });
  }
  const fields = expression.split(/\s+/);
  return fields.length === 6 ? fields.slice(1).join(' ') : expression;
}

/** A unit-safe name: `runproof-<name>` in lower case letters, digits and dashes. */
export function unitNameFor(checklist: string): string {
  const slug = checklist.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'checklist';
  return `runproof-${slug}`;
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function runArgs(file: ChecklistFile, c: Checklist, via: string): string[] {
  return ['checklist', 'run', file.path, c.name, '--trigger', 'schedule', '--via', via];
}

/**
 * Crontab lines, one per scheduled checklist (with `CRON_TZ=` where a time zone is set, as cronie reads it).
 * @throws RunproofError RP_BAD_CHECKLIST for schedules with seconds or no scheduled checklist.
 */
export function printCron(file: ChecklistFile, options: UnitOptions): UnitFile[] {
  const lines = [
    `# runproof ${TOOL_VERSION}: checklists of ${file.path}`,
    '# Install with `crontab -e` (or as a file in /etc/cron.d with a user column added).',
    '# A run still going when the next one is due exits 4 and leaves a `skipped` bundle.',
  ];
  const list = scheduled(file).sort((a, b) => (a.schedule!.timezone ?? '').localeCompare(b.schedule!.timezone ?? ''));
  let zone: string | undefined;
  for (const c of list) {
    const expression = fiveFields(c, 'cron');
    if ((c.schedule!.timezone ?? undefined) !== zone) {
      zone = c.schedule!.timezone;
      if (zone) lines.push(`CRON_TZ=${zone}`);
    }
    const log = `${c.evidenceDir}${sep}${unitNameFor(c.name)}.cron.log`;
    // cron passes no environment: the checklist's variables come from its env file (`set -a` exports them).
    const env = checklistEnvNames(c).length > 0 ? envFileFor(c, options.envFileDir) : undefined;
    const load = env ? ['set -a', '&&', `. ${shellQuote(env)}`, '&&', 'set +a', '&&'] : [];
    // The log's folder is made first: the shell opens `>> log` before runproof could create it.
    const command = [`mkdir -p ${shellQuote(c.evidenceDir)}`, '&&', `cd ${shellQuote(dirname(file.path))}`, '&&', ...load, ...[...options.command, ...runArgs(file, c, 'cron')].map(shellQuote), '>>', shellQuote(log), '2>&1'].join(' ');
    // `%` ends the command in a crontab line unless escaped.
    lines.push(`# ${c.name}${c.description ? `: ${c.description}` : ''}`, ...(env ? envFileComment(c, env) : []), `${expression} ${command.replace(/%/g, '\\%')}`);
  }
  return [{ name: 'crontab', content: `${lines.join('\n')}\n` }];
}

// systemd reads `%` specifiers and C-style quoting in Exec lines.
function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%');
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(escaped) ? escaped : `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A `.service` (oneshot) and `.timer` (`OnCalendar=` from the cron expression, `Persistent=true`) per scheduled checklist.
 * systemd never starts a unit that is still active, so a long run is not started twice.
 */
export function printSystemd(file: ChecklistFile, options: UnitOptions): UnitFile[] {
  const out: UnitFile[] = [];
  for (const c of scheduled(file)) {
    const unit = unitNameFor(c.name);
    const exec = [...options.command, ...runArgs(file, c, 'systemd')].map(systemdWord).join(' ');
    const env = checklistEnvNames(c).length > 0 ? envFileFor(c, options.envFileDir) : undefined;
    const service = [
      '[Unit]',
      `Description=runproof checklist ${c.name}`,
      `Documentation=file://${encodeURI(file.path).replace(/%/g, '%%')}`,
      'Wants=network-online.target',
      'After=network-online.target',
      '',
      '[Service]',
      'Type=oneshot',
      `WorkingDirectory=${dirname(file.path).replace(/%/g, '%%')}`,
      'Environment=NO_COLOR=1',
      ...(env ? [...envFileComment(c, env), `EnvironmentFile=${env.replace(/%/g, '%%')}`] : []),
      `ExecStart=${exec}`,
      '# SIGTERM stops the running step and writes its bundle before runproof exits.',
      'KillMode=mixed',
      'TimeoutStopSec=60',
      '',
    ].join('\n');
    const onCalendar = cronToOnCalendar(c.schedule!).map((spec) => `OnCalendar=${spec}`);
    const timer = [
      '[Unit]',
      `Description=Schedule of runproof checklist ${c.name} (${c.schedule!.cron}${c.schedule!.timezone ? ` ${c.schedule!.timezone}` : ''})`,
      '',
      '[Timer]',
      ...onCalendar,
      'Persistent=true',
      'AccuracySec=1s',
      `Unit=${unit}.service`,
      '',
      '[Install]',
      'WantedBy=timers.target',
      '',
    ].join('\n');
    out.push({ name: `${unit}.service`, content: service }, { name: `${unit}.timer`, content: timer });
  }
  return out;
}

/** Options of `printK8s`. */
export interface K8sOptions {
  /** Container image whose entrypoint is runproof (the repository's Dockerfile builds one). Required: no default image exists. */
  image: string;
  /** Claim of the evidence volume (default `runproof-evidence`). */
  evidenceClaim?: string;
  /** ConfigMap with the checklist file and its runbooks (default `runproof-checklists`). */
  configMap?: string;
  namespace?: string;
}

// ConfigMap keys are flat: `ops/roxy.md` is stored as `ops__roxy.md` and mounted back at its path.
function configKey(rel: string): string {
  return rel.split(sep).join('__').replace(/[^-._a-zA-Z0-9]/g, '_');
}

/**
 * A `batch/v1` CronJob per scheduled checklist (`concurrencyPolicy: Forbid`), the checklist file
 * and runbooks mounted from a ConfigMap, bundles written to a PersistentVolumeClaim.
 */
export function printK8s(file: ChecklistFile, options: K8sOptions): UnitFile[] {
  const image = options.image;
  if (!image) throw new RunproofError('RP_BAD_FLAG', 'a Kubernetes CronJob needs the image that runs runproof', { hint: 'build one from the repository\'s Dockerfile (docker build -t REGISTRY/runproof:TAG .), push it, and pass --image REGISTRY/runproof:TAG' });
  const claim = options.evidenceClaim ?? 'runproof-evidence';
  const configMap = options.configMap ?? 'runproof-checklists';
  const base = dirname(file.path);
  const checklistName = basename(file.path);
  const files = new Map<string, string>([[checklistName, checklistName]]);
  const list = scheduled(file);
  for (const c of list) {
    const rel = relative(base, c.runbookPath);
    if (rel.startsWith('..')) {
      throw new RunproofError('RP_BAD_CHECKLIST', `checklist ${c.name}: runbook ${c.runbook} is outside the checklist's folder, which a ConfigMap cannot mount`, {
        hint: 'keep runbooks beside or below the checklist file',
      });
    }
    files.set(configKey(rel), rel.split(sep).join('/'));
  }
  const createCmd = `kubectl create configmap ${configMap} ${[...files.entries()].map(([key, rel]) => `--from-file=${key}=${rel}`).join(' ')}`;
  const secrets: string[] = [];
  const docs = list.map((c) => {
    const name = unitNameFor(c.name).slice(0, 52).replace(/-+$/, '');
    // Variables the checklist reads come from a Secret, one key per variable (the pod does not start while one is missing).
    const secretName = `${name}-env`;
    const envNames = checklistEnvNames(c);
    if (envNames.length > 0) secrets.push(`#   kubectl create secret generic ${secretName} ${envNames.map((n) => `--from-literal=${n}=...`).join(' ')}`);
    const labels = { 'app.kubernetes.io/name': 'runproof', 'app.kubernetes.io/instance': name };
    const args = ['checklist', 'run', `/etc/runproof/${checklistName}`, c.name, '--trigger', 'schedule', '--via', 'kubernetes', '--evidence-dir', '/evidence'];
    return {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels },
      spec: {
        schedule: fiveFields(c, 'Kubernetes'),
        ...(c.schedule!.timezone ? { timeZone: c.schedule!.timezone } : {}),
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            ...(c.maxDurationMs !== undefined ? { activeDeadlineSeconds: Math.ceil(c.maxDurationMs / 1000) + 60 } : {}),
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                // The image runs as `node` (uid 1000): the evidence volume must be writable by it.
                securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
                containers: [
                  {
                    name: 'runproof',
                    image,
                    args,
                    workingDir: '/etc/runproof',
                    env: [{ name: 'NO_COLOR', value: '1' }, ...envNames.map((n) => ({ name: n, valueFrom: { secretKeyRef: { name: secretName, key: n } } }))],
                    volumeMounts: [
                      { name: 'checklists', mountPath: '/etc/runproof', readOnly: true },
                      { name: 'evidence', mountPath: '/evidence' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'checklists', configMap: { name: configMap, items: [...files.entries()].map(([key, path]) => ({ key, path })) } },
                  { name: 'evidence', persistentVolumeClaim: { claimName: claim } },
                ],
              },
            },
          },
        },
      },
    };
  });
  const header = [
    `# runproof ${TOOL_VERSION}: CronJobs for the checklists of ${file.path}`,
    `# The checklist file and runbooks come from a ConfigMap; create it from ${base}:`,
    `#   ${createCmd}`,
    `# Bundles, JUnit and textfile outputs go to the PersistentVolumeClaim ${claim} (mounted at /evidence;`,
    '# relative junit/textfile paths of the checklist are written under it).',
    ...(secrets.length > 0 ? ['# The variables each checklist reads come from a Secret; create them with:', ...secrets] : []),
  ].join('\n');
  const body = docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  return [{ name: 'runproof-cronjobs.yaml', content: `${header}\n${body}` }];
}
