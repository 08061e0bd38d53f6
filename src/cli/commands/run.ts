import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { RunproofError, parseDuration } from '../../core/index.js';
import { runRunbook } from '../../app/index.js';
import { parseEnvFile, parseSetFlag, type GivenValue, type Mode } from '../../plan/index.js';
import type { RiskLevel } from '../../parse/index.js';
import type { CommandRegistrar } from '../program.js';
import { stopOnSignals } from '../signals.js';
import { EXIT } from '../exit.js';
import { createRunPrinter } from '../run-printer.js';
import { collectSecrets, createRedactor, loadBundleRecord } from '../../record/index.js';
import { createInteractiveSession, type InteractiveSession } from '../interactive/session.js';
import { findMissingParameters } from '../interactive/parameters.js';

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
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

// `run --resume BUNDLE` without a runbook: the runbook path the resumed run recorded.
async function runbookOfBundle(bundle: string): Promise<string> {
  const { record } = await loadBundleRecord(bundle);
  return record.runbook.path;
}

/** Maps a run's status to the process exit code (SPEC §2). */
export function exitCodeForStatus(status: string): number {
  switch (status) {
    case 'passed':
    case 'dry-run':
      return EXIT.passed;
    case 'aborted':
      return EXIT.aborted;
    case 'empty':
      return EXIT.nothingChecked;
    default:
      return EXIT.failed;
  }
}

function parseAllow(values: string[]): RiskLevel[] {
  return values.map((value) => {
    if (value === 'write' || value === 'destructive' || value === 'read') return value;
    throw new RunproofError('RP_BAD_FLAG', `--allow ${value} is not a risk level`, { hint: 'use --allow write or --allow destructive' });
  });
}

async function readEnvFile(path: string): Promise<GivenValue[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RunproofError('RP_BAD_ENV_FILE', `cannot read env file ${path}: ${(error as Error).message}`, {
      hint: 'check the path given to --env-file',
      cause: error,
    });
  }
  return parseEnvFile(text, path);
}

/** `runproof run RUNBOOK [--section S]... [--cell NAME]...`: runs cells and writes the evidence bundle. */
export const registerRun: CommandRegistrar = (program: Command) => {
  program
    .command('run')
    .description('run the selected cells of a runbook and write an evidence bundle')
    .argument('[runbook]', 'Markdown runbook (.md, .markdown, .txt); with --resume, defaults to the resumed run\'s')
    .option('-s, --section <section>', 'section by number (2A), title, slug or path; repeatable; brings subsections', collect, [])
    .option('-c, --cell <name>', 'cell by name; repeatable', collect, [])
    .option('--tag <tag>', "cells carrying Runme's tag/category; repeatable", collect, [])
    .option('--set <name=value>', 'a parameter or variable value; repeatable', collect, [])
    .option('--env-file <file>', 'NAME=value lines: parameter and variable values')
    .option('--secret <value>', 'a value to redact from every file of the bundle; repeatable', collect, [])
    .option('--timeout <duration>', 'default timeout per cell (a cell\'s own timeout wins)', undefined)
    .option('--allow <level>', 'unattended: also run write or destructive cells', collect, [])
    .option('-y, --yes', 'unattended: no prompts; only read cells run unless --allow says more')
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
    .option('--template-dir <dir>', 'folder of your own report templates (report.md.hbs, report.html.hbs, partials/*.hbs)')
    .addHelpText('after', '\nExample:\n  runproof run ops/roxy.md --section "Health Checks" --yes\n')
    .action(async (runbookArg: string | undefined, flags: RunFlags, command: Command) => {
      const runbook = runbookArg ?? (flags.resume ? await runbookOfBundle(flags.resume) : undefined);
      if (runbook === undefined) throw new RunproofError('RP_BAD_FLAG', 'missing runbook', { hint: 'runproof run RUNBOOK [--section S]... (or --resume BUNDLE)' });
      if (flags.archive !== undefined && flags.archive !== 'tgz' && flags.archive !== 'zip') {
        throw new RunproofError('RP_BAD_FLAG', `--archive ${flags.archive} is not an archive format`, { hint: 'use --archive tgz or --archive zip' });
      }
      if (flags.force && !flags.resume) throw new RunproofError('RP_BAD_FLAG', '--force only applies to --resume', { hint: 'runproof run RUNBOOK --resume BUNDLE --force' });
      const values: GivenValue[] = [];
      if (flags.envFile) values.push(...(await readEnvFile(flags.envFile)));
      values.push(...flags.set.map(parseSetFlag));
      const allow = parseAllow(flags.allow);
      const timeoutMs = flags.timeout !== undefined ? parseDuration(flags.timeout, '--timeout') : undefined;
      let mode: Mode;
      if (flags.dryRun) mode = 'dry-run';
      else if (flags.yes || !process.stdin.isTTY) mode = 'unattended';
      else mode = 'interactive';

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
          const missing = await findMissingParameters(runbook, {
            sections: flags.section,
            cells: flags.cell,
            tags: flags.tag,
            values,
            allow,
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          });
          const asked = await session.askParameters(missing);
          if (asked === null) {
            session.screen.line('quit before any cell ran: nothing was run or recorded');
            process.exitCode = EXIT.aborted;
            return;
          }
          values.push(...asked);
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
          ...(flags.evidenceName !== undefined ? { evidenceName: flags.evidenceName } : {}),
          ...(flags.insecure ? { insecure: true } : {}),
          ...(flags.caFile ? { caFile: flags.caFile } : {}),
          signal: controller.signal,
          ...(session
            ? {
                progress: session.progress,
                decider: session.decider,
                // The screen masks what the bundle redacts: the same secrets, learned from the plan.
                onPlan: (plan) => session.setPlan(plan, createRedactor(collectSecrets({ env: process.env, params: plan.parameters, extra: flags.secret }))),
                // What the operator saw goes into the bundle, redacted by the bundle writer.
                beforeSeal: async ({ writeFile }) => {
                  await writeFile('transcript.txt', session.transcript());
                },
              }
            : { progress: printer.progress }),
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
              steps: result.record.steps.map((s) => ({ id: s.id, name: s.name, status: s.status, risk: s.risk.level, note: s.note })),
            }, null, 2)}\n`,
          );
        } else {
          printer.summary(result);
        }
        process.exitCode = exitCodeForStatus(result.status);
      } catch (error) {
        printer.endLine();
        throw error;
      } finally {
        interactive?.close();
        stopSignals();
      }
    });
};
