import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { RunproofError, parseDuration } from '../../core/index.js';
import { runRunbook, type FleetOptions } from '../../app/index.js';
import type { HttpExchange } from '../../execute/index.js';
import { ENV_FILE_LIMIT, parseEnvFile, parseSetFlag, type GivenValue, type Mode } from '../../plan/index.js';
import type { RiskLevel } from '../../parse/index.js';
import type { CommandRegistrar } from '../program.js';
import { stopOnSignals } from '../signals.js';
import { EXIT, exitCodeForStatus } from '../exit.js';
import { createRunPrinter } from '../run-printer.js';
import { loadBundleRecord, parseTsaUrl, readApprovalFile, type BundleTimestamp } from '../../record/index.js';
import { createInteractiveSession, type InteractiveSession } from '../interactive/session.js';

interface RunFlags {
  section: string[];
  cell: string[];
  tag: string[];
  set: string[];
  envFile?: string;
  secret: string[];
  timeout?: string;
  allow: string[];
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
  evidenceDir: string;
  evidenceName?: string;
  insecure?: boolean;
  caFile?: string;
  resume?: string;
  force?: boolean;
  archive?: string;
  signingKey?: string;
  templateDir?: string;
  host: string[];
  hosts?: string;
  group?: string;
  sshConfig?: string;
  parallel?: string;
  maxFail?: string;
  canary?: string;
  policy?: string;
  approval?: string;
  trust?: string;
  sandbox?: string;
  tsa?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

// `run --resume BUNDLE` without a runbook: the runbook path the resumed run recorded.
async function runbookOfBundle(bundle: string): Promise<string> {
  const { record } = await loadBundleRecord(bundle);
  return record.runbook.path;
}


function parseSandbox(value: string | undefined): 'required' | 'warn' | 'off' | undefined {
  if (value === undefined || value === 'required' || value === 'warn' || value === 'off') return value;
  throw new RunproofError('RP_BAD_FLAG', `--sandbox ${value} is not a sandbox setting`, { hint: 'use --sandbox required, --sandbox warn or --sandbox off' });
}

function parseAllow(values: string[]): RiskLevel[] {
  return values.map((value) => {
    if (value === 'write' || value === 'destructive' || value === 'read') return value;
    throw new RunproofError('RP_BAD_FLAG', `--allow ${value} is not a risk level`, { hint: 'use --allow write or --allow destructive' });
  });
}

// The env file is data for cells: read here (never by node, see main.ts), checked to be a small text file.
async function readEnvFile(path: string): Promise<GivenValue[]> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new RunproofError('RP_BAD_ENV_FILE', `env file ${path} is a folder`, { hint: 'give --env-file a file of NAME=value lines' });
    }
    if (!info.isFile()) {
      throw new RunproofError('RP_BAD_ENV_FILE', `env file ${path} is not a regular file`, { hint: 'give --env-file a file of NAME=value lines (not a pipe or device)' });
    }
    if (info.size > ENV_FILE_LIMIT) {
      throw new RunproofError('RP_BAD_ENV_FILE', `env file ${path} is ${info.size} bytes, more than ${ENV_FILE_LIMIT}`, { hint: 'an env file holds NAME=value lines; pass large data through a file a cell reads' });
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof RunproofError) throw error;
    throw new RunproofError('RP_BAD_ENV_FILE', `cannot read env file ${path}: ${(error as Error).message}`, {
      hint: 'check the path given to --env-file',
      cause: error,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new RunproofError('RP_BAD_ENV_FILE', `env file ${path} is not UTF-8 text`, { hint: 'an env file is text: NAME=value lines', cause: error });
  }
  return parseEnvFile(text, path);
}

async function isReadableFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function positiveInteger(value: string, flag: string): number {
  if (!/^[1-9]\d{0,3}$/.test(value)) throw new RunproofError('RP_BAD_FLAG', `${flag} ${value} is not a whole number from 1 to 9999`, { hint: `e.g. ${flag} 5` });
  return Number(value);
}

// The fleet part of the flags: undefined for a run on this machine.
async function fleetOptions(flags: RunFlags): Promise<FleetOptions | undefined> {
  if (flags.host.length === 0 && flags.hosts === undefined) {
    // A resumed fleet run goes back to its own hosts: only how to reach them may be given.
    if (flags.resume) return { targets: [], ...(flags.sshConfig ? { sshConfig: flags.sshConfig } : {}), ...(flags.parallel !== undefined ? { parallel: positiveInteger(flags.parallel, '--parallel') } : {}) };
    for (const [value, flag] of [[flags.group, '--group'], [flags.sshConfig, '--ssh-config'], [flags.parallel, '--parallel'], [flags.maxFail, '--max-fail'], [flags.canary, '--canary']] as const) {
      if (value !== undefined) throw new RunproofError('RP_BAD_FLAG', `${flag} applies to runs on hosts`, { hint: 'add --host NAME or --hosts FILE' });
    }
    return undefined;
  }
  if (flags.sshConfig !== undefined && !(await isReadableFile(flags.sshConfig))) {
    throw new RunproofError('RP_BAD_FLAG', `--ssh-config ${flags.sshConfig} is not a readable file`, { hint: 'give the ssh_config to pass to ssh -F' });
  }
  const { resolveTargets } = await import('../../fleet/index.js');
  const targets = resolveTargets({ hosts: flags.host, ...(flags.hosts ? { hostsFile: flags.hosts } : {}), ...(flags.group ? { group: flags.group } : {}) });
  if (flags.maxFail !== undefined && !/^(\d{1,4}|\d{1,3}(\.\d+)?%)$/.test(flags.maxFail)) {
    throw new RunproofError('RP_BAD_FLAG', `--max-fail ${flags.maxFail} is neither a count nor a percentage`, { hint: 'e.g. --max-fail 2 or --max-fail 20%' });
  }
  return {
    targets,
    ...(flags.sshConfig ? { sshConfig: flags.sshConfig } : {}),
    ...(flags.parallel !== undefined ? { parallel: positiveInteger(flags.parallel, '--parallel') } : {}),
    ...(flags.maxFail !== undefined ? { maxFail: flags.maxFail } : {}),
    ...(flags.canary !== undefined ? { canary: positiveInteger(flags.canary, '--canary') } : {}),
  };
}

// `--tsa`: the token's time, or a warning. A run asked for independent time and did not get it
// exits 1 even when every step passed (the bundle is sealed and verifies; only the token is missing).
function reportTimestamp(timestamp: BundleTimestamp, out: NodeJS.WritableStream): void {
  if (timestamp.ok) {
    out.write(`timestamp: ${timestamp.genTime} from ${timestamp.url} (timestamp.tsr; check with runproof verify BUNDLE --tsa-cert TSA.pem)\n`);
    return;
  }
  process.stderr.write(`WARNING no timestamp: ${timestamp.code} ${timestamp.message}${timestamp.hint ? ` (hint: ${timestamp.hint})` : ''}\n`);
  if (process.exitCode === EXIT.passed || process.exitCode === undefined) process.exitCode = EXIT.failed;
}

/** `runproof run RUNBOOK [--section S]... [--cell NAME]...`: runs cells and writes the evidence bundle. */
export const registerRun: CommandRegistrar = (program: Command) => {
  program
    .command('run')
    .description('run the selected cells of a runbook and write an evidence bundle')
    .argument('[runbook]', 'Markdown runbook (.md, .markdown, .txt); with --resume, defaults to the resumed run\'s; with --approval, to the approved plan\'s')
    .option('-s, --section <section>', 'section by number (2A), title, slug or path; repeatable; brings subsections', collect, [])
    .option('-c, --cell <name>', 'cell by name; repeatable', collect, [])
    .option('--tag <tag>', "cells carrying Runme's tag/category; repeatable", collect, [])
    .option('--set <name=value>', 'a parameter or variable value; repeatable', collect, [])
    .option('--env-file <file>', 'NAME=value lines: parameter and variable values')
    .option('--policy <file>', 'team policy file: read-only forms, destructive patterns, sandbox (default: runproof.policy.yaml beside the runbook)')
    .option('--secret <value>', 'a value to redact from every file of the bundle; repeatable', collect, [])
    .option('--timeout <duration>', 'default timeout per cell (a cell\'s own timeout wins)', undefined)
    .option('--allow <level>', 'unattended: also run write or destructive cells', collect, [])
    .option('-y, --yes', 'unattended: no prompts; only read cells run unless --allow says more')
    .option('--sandbox <mode>', 'unattended read cells run in bubblewrap: required (refuse without it), warn (default), off')
    .option('--dry-run', 'print and record the plan; run nothing')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--evidence-dir <dir>', 'where bundles go', 'evidence')
    .option('--evidence-name <name>', 'bundle name (default: front matter `evidence`, else runbook and section slugs)')
    .option('--insecure', 'accept TLS certificates that do not verify (recorded)')
    .option('--ca-file <file>', 'PEM CA certificates to trust for HTTP cells')
    .option('--resume <bundle>', 'continue an interrupted or failed run after its completed steps (new bundle linked to it)')
    .option('--force', 'with --resume: resume even though the runbook changed')
    .option('--archive <format>', 'also write the sealed bundle as one archive beside it: tgz or zip')
    .option('--signing-key <file>', 'Ed25519 private key (PEM, from `runproof keygen`) that signs the attestation')
    .option('--approval <file>', 'run an approved plan only (approval.json from `runproof approve`); steps at or above its threshold run only as approved')
    .option('--trust <file>', 'with --approval: YAML of approvers, their public keys and what each may approve')
    .option('--tsa <url>', 'after sealing, get an RFC 3161 timestamp token over the manifest from this TSA (kept as timestamp.tsr)')
    .option('--template-dir <dir>', 'folder of your own report templates (report.md.hbs, report.html.hbs, partials/*.hbs)')
    .option('--host <name>', 'run the shell cells on this host over ssh (an ssh alias or address); repeatable', collect, [])
    .option('--hosts <file>', 'hosts to run on: one a line, or an Ansible inventory (INI or YAML)')
    .option('--group <name>', 'with --hosts: only this inventory group (and its children)')
    .option('--ssh-config <file>', 'ssh_config for the hosts (passed to ssh -F)')
    .option('--parallel <n>', 'hosts run at once (default 5)')
    .option('--max-fail <n|p%>', 'stop starting new hosts once more than this many (or this share) failed')
    .option('--canary <k>', 'run on the first K hosts, then on the rest only if all of them passed')
    .addHelpText('after', '\nExample:\n  runproof run ops/roxy.md --section "Health Checks" --yes\n  runproof run ops/roxy.md --section "Health Checks" --hosts inventory.ini --group web --yes\n')
    .action(async (runbookArg: string | undefined, flags: RunFlags, command: Command) => {
      // Checked before anything runs (a typo must not surface only after the change was made).
      const tsaUrl = flags.tsa !== undefined ? parseTsaUrl(flags.tsa) : undefined;
      if (tsaUrl && flags.dryRun) throw new RunproofError('RP_BAD_FLAG', '--tsa cannot be combined with --dry-run', { hint: 'a dry run seals no evidence to stamp' });
      const runbook = runbookArg ?? (flags.resume ? await runbookOfBundle(flags.resume) : flags.approval ? (await readApprovalFile(flags.approval)).approval.plan.runbook.path : undefined);
      if (runbook === undefined) throw new RunproofError('RP_BAD_FLAG', 'missing runbook', { hint: 'runproof run RUNBOOK [--section S]... (or --resume BUNDLE)' });
      if (flags.archive !== undefined && flags.archive !== 'tgz' && flags.archive !== 'zip') {
        throw new RunproofError('RP_BAD_FLAG', `--archive ${flags.archive} is not an archive format`, { hint: 'use --archive tgz or --archive zip' });
      }
      if (flags.trust && !flags.approval) throw new RunproofError('RP_BAD_FLAG', '--trust only applies to --approval', { hint: 'runproof run RUNBOOK --approval approval.json --trust trust.yaml' });
      if (flags.approval && (flags.resume || flags.dryRun)) throw new RunproofError('RP_BAD_FLAG', `--approval cannot be combined with ${flags.resume ? '--resume' : '--dry-run'}`, { hint: 'an approved plan runs from the start; use `runproof plan` to see it' });
      if (flags.force && !flags.resume) throw new RunproofError('RP_BAD_FLAG', '--force only applies to --resume', { hint: 'runproof run RUNBOOK --resume BUNDLE --force' });
      const values: GivenValue[] = [];
      if (flags.envFile) values.push(...(await readEnvFile(flags.envFile)));
      values.push(...flags.set.map(parseSetFlag));
      const allow = parseAllow(flags.allow);
      const sandbox = parseSandbox(flags.sandbox);
      const timeoutMs = flags.timeout !== undefined ? parseDuration(flags.timeout, '--timeout') : undefined;
      let mode: Mode;
      if (flags.dryRun) mode = 'dry-run';
      else if (flags.yes || !process.stdin.isTTY) mode = 'unattended';
      else mode = 'interactive';

      // Interactive runs on hosts ask once per step for every host (app/run-fleet.ts).
      const fleet = await fleetOptions(flags);

      if (mode === 'unattended' && !flags.yes) {
        // No terminal and no --yes: say once that nobody will be asked, and what the policy runs.
        const runs = ['read', ...allow.filter((l) => l !== 'read')].join(', ');
        process.stderr.write(`runproof: no terminal and no --yes: running unattended; policy runs ${runs} cells, the rest are blocked (--allow write|destructive to run more)\n`);
      }
      const controller = new AbortController();
      // Interactive (a TTY and no --yes): single keys in raw mode; see src/cli/interactive/.
      let interactive: InteractiveSession | undefined;
      // Interactive: a SIGINT while a cell runs is that cell's Ctrl-C (the keyboard hands the
      // terminal to cells marked interactive, so their Ctrl-C comes as a signal, not a key).
      const stopSignals = stopOnSignals(controller, (signal) => signal === 'SIGINT' && interactive?.interruptCell() === true);
      const out = flags.json ? process.stderr : process.stdout;
      const printer = createRunPrinter({ json: flags.json === true, out });
      try {
        if (mode === 'interactive') {
          const session = createInteractiveSession({ input: process.stdin, output: out, env: process.env, quitRun: () => controller.abort('quit') });
          interactive = session;
        }
        const session = interactive;
        const result = await runRunbook({
          runbookPath: runbook,
          sections: flags.section,
          cells: flags.cell,
          tags: flags.tag,
          values,
          secrets: flags.secret,
          mode,
          allow,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          // Resuming writes beside the resumed bundle unless --evidence-dir is given.
          ...(flags.resume && command.getOptionValueSource('evidenceDir') === 'default' ? {} : { evidenceDir: flags.evidenceDir }),
          ...(flags.resume ? { resumeFrom: flags.resume } : {}),
          ...(flags.force ? { force: true } : {}),
          ...(flags.archive ? { archive: flags.archive as 'tgz' | 'zip' } : {}),
          ...(flags.signingKey ? { signingKeyFile: flags.signingKey } : {}),
          ...(flags.templateDir ? { templateDir: flags.templateDir } : {}),
          ...(flags.approval ? { approval: { file: flags.approval, ...(flags.trust ? { trustFile: flags.trust } : {}) } } : {}),
          ...(flags.evidenceName !== undefined ? { evidenceName: flags.evidenceName } : {}),
          ...(flags.insecure ? { insecure: true } : {}),
          ...(flags.caFile ? { caFile: flags.caFile } : {}),
          ...(fleet ? { fleet } : {}),
          ...(flags.policy ? { policyFile: flags.policy } : {}),
          ...(sandbox ? { sandbox } : {}),
          ...(tsaUrl ? { tsaUrl } : {}),
          signal: controller.signal,
          ...(session
            ? {
                progress: session.progress,
                decider: session.decider,
                // A parameter with no value is asked when the first cell that needs it comes.
                askMissing: session.askMissing,
                // The screen masks what the bundle redacts: the same secrets, learned from the plan.
                onPlan: (plan, _notebook, redactor) => session.setPlan(plan, redactor),
                // What the operator saw goes into the bundle, redacted by the bundle writer.
                beforeSeal: async ({ writeFile }) => {
                  await writeFile('transcript.txt', session.transcript());
                },
              }
            : { progress: printer.progress, onPlan: (plan, _notebook, redactor) => printer.usePlan(plan, redactor) }),
          // HTTP cells: the status each attempt got, under its output.
          onEvent: (event) => {
            // A fleet host's copy of a step (`c3@web-1`) prints one line when it ends, nothing more.
            if (event.type !== 'attempt-end' || event.attempt.http === undefined || event.stepId.includes('@')) return;
            const exchange = event.attempt.http as HttpExchange;
            if (session) session.httpResult(exchange);
            else printer.httpResult(undefined, exchange);
          },
        });
        session?.close();
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({
              status: result.status,
              counts: result.counts,
              bundle: result.bundleDir,
              record: result.recordPath,
              ...(result.archivePath ? { archive: result.archivePath } : {}),
              durationMs: result.durationMs,
              steps: result.record.steps.map((s) => ({ id: s.id, name: s.name, ...(s.host ? { host: s.host } : {}), status: s.status, risk: s.risk.level, note: s.note })),
              ...(result.record.hosts ? { hosts: result.record.hosts } : {}),
              ...(result.record.sandbox ? { sandbox: result.record.sandbox } : {}),
              ...(result.timestamp ? { timestamp: result.timestamp } : {}),
            }, null, 2)}\n`,
          );
        } else {
          printer.summary(result);
        }
        process.exitCode = exitCodeForStatus(result.status);
        if (result.timestamp) reportTimestamp(result.timestamp, out);
      } catch (error) {
        printer.endLine();
        throw error;
      } finally {
        interactive?.close();
        stopSignals();
      }
    });
};
