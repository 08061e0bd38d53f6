import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { RunproofError } from '../../core/index.js';
import { createLineLogger, loadChecklistFile, printCron, printK8s, printSystemd, startScheduler, type UnitFile } from '../../checklist/index.js';
import type { CommandRegistrar } from '../program.js';
import { EXIT } from '../exit.js';
import { cliEntryPath } from '../self.js';
import { parseLogFormat, reportChecklistError } from './checklist.js';

interface ScheduleFlags {
  printCron?: boolean;
  printSystemd?: boolean;
  printK8s?: boolean;
  outDir?: string;
  image?: string;
  envFileDir?: string;
  logFormat: string;
  evidenceDir?: string;
}

// The printed units start this very installation: node and the CLI's absolute path.
function selfCommand(): string[] {
  // `--` ends node's own options: an `--env-file` among runproof's arguments is never node's (SECURITY L8).
  return [process.execPath, '--', cliEntryPath()];
}

async function emit(files: UnitFile[], outDir: string | undefined): Promise<void> {
  if (outDir) {
    await mkdir(outDir, { recursive: true });
    for (const f of files) {
      await writeFile(join(outDir, f.name), f.content);
      process.stdout.write(`wrote ${join(outDir, f.name)}\n`);
    }
    return;
  }
  const many = files.length > 1;
  for (const f of files) process.stdout.write(`${many ? `# ---- ${f.name} ----\n` : ''}${f.content}${many ? '\n' : ''}`);
}

/** `runproof schedule FILE`: a long-lived scheduler, or `--print-*` units for system schedulers. */
export const registerSchedule: CommandRegistrar = (program: Command) => {
  program
    .command('schedule')
    .description('run checklists on their cron schedules (long-lived), or print units for cron, systemd or Kubernetes')
    .argument('<file>', 'checklist file (YAML)')
    .option('--print-cron', 'print crontab lines and exit')
    .option('--print-systemd', 'print a .service and .timer per checklist and exit')
    .option('--print-k8s', 'print a Kubernetes CronJob per checklist and exit')
    .option('--out-dir <dir>', 'with --print-*: write the files into this folder instead of stdout')
    .option('--image <image>', 'with --print-k8s (required): the container image whose entrypoint is runproof, built from the Dockerfile')
    .option('--env-file-dir <dir>', "with --print-cron/--print-systemd: folder of each checklist's env file with the variables it reads", '/etc/runproof')
    .option('--evidence-dir <dir>', "overrides every checklist's evidence folder")
    .option('--log-format <format>', 'text or json: one line per event on stdout', 'text')
    .addHelpText('after', '\nSignals: SIGTERM/SIGINT stop the running steps, write their bundles and exit; SIGHUP reloads the file.\n\nExample:\n  runproof schedule ops/checklists.yaml --log-format json\n')
    .action(async (file: string, flags: ScheduleFlags) => {
      const format = parseLogFormat(flags.logFormat);
      const prints = [flags.printCron, flags.printSystemd, flags.printK8s].filter(Boolean).length;
      if (prints > 1) throw new RunproofError('RP_BAD_FLAG', 'choose one of --print-cron, --print-systemd and --print-k8s', { hint: 'run the command once per format' });
      try {
        if (prints === 1) {
          if (flags.printK8s && !flags.image) {
            throw new RunproofError('RP_BAD_FLAG', '--print-k8s needs --image', { hint: "build the image from the repository's Dockerfile (docker build -t REGISTRY/runproof:TAG .), push it, and pass --image REGISTRY/runproof:TAG" });
          }
          const loaded = await loadChecklistFile(file);
          const unit = { command: selfCommand(), ...(flags.envFileDir ? { envFileDir: flags.envFileDir } : {}) };
          const files = flags.printCron ? printCron(loaded, unit) : flags.printSystemd ? printSystemd(loaded, unit) : printK8s(loaded, { image: flags.image! });
          await emit(files, flags.outDir);
          return;
        }
        const log = createLineLogger(process.stdout, format);
        const scheduler = await startScheduler({ file, log, ...(flags.evidenceDir ? { evidenceDir: flags.evidenceDir } : {}) });
        await new Promise<void>((resolve) => {
          let stopping = false;
          const onStop = (signal: NodeJS.Signals): void => {
            if (stopping) process.exit(EXIT.aborted);
            stopping = true;
            log({ event: 'signal', signal, message: 'stopping: running steps are killed and their bundles written' });
            void scheduler.stop(signal).then(({ interrupted }) => {
              process.exitCode = interrupted > 0 ? EXIT.aborted : EXIT.passed;
              cleanup();
              resolve();
            });
          };
          const onHup = (): void => {
            log({ event: 'signal', signal: 'SIGHUP', message: 'reloading the checklist file' });
            void scheduler.reload();
          };
          const cleanup = (): void => {
            process.off('SIGTERM', onStop);
            process.off('SIGINT', onStop);
            process.off('SIGHUP', onHup);
          };
          process.on('SIGTERM', onStop);
          process.on('SIGINT', onStop);
          process.on('SIGHUP', onHup);
        });
      } catch (error) {
        const code = reportChecklistError(error);
        if (code === null) throw error;
        process.exitCode = code;
      }
    });
};
