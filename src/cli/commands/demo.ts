import type { Command } from 'commander';
import { RunproofError } from '../../core/index.js';
import { DEMO_TOKEN_ENV, DEMO_TOKEN_HEADER, runDemo, startDemoService } from '../../demo/index.js';
import type { CommandRegistrar } from '../program.js';
import { EXIT, exitCodeForStatus } from '../exit.js';
import { untilStopSignal } from '../signals.js';

interface DemoFlags {
  fail?: boolean;
  evidenceDir: string;
  json?: boolean;
  serve?: boolean;
  port: string;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new RunproofError('RP_BAD_FLAG', `--port ${text} is not a TCP port`, { hint: 'give a number from 1 to 65535, or 0 (the default) for a free port' });
  }
  return port;
}

/** `runproof demo [--fail] [--serve]`: the embedded demo service and a run of the daily checks against it. */
export const registerDemo: CommandRegistrar = (program: Command) => {
  program
    .command('demo')
    .description('run notebooks/demo-daily-checks.md against an embedded demo service on 127.0.0.1 and write the bundle')
    .option('--fail', 'make pool "beta" unreachable first, to see what a failing check looks like')
    .option('--evidence-dir <dir>', 'where the bundle goes', 'evidence')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--serve', 'only start the demo service and keep it running (Ctrl-C stops it), to try the other notebooks by hand')
    .option('--port <port>', 'with --serve: the port on 127.0.0.1 (0 = a free one)', '0')
    .addHelpText('after', '\nExample:\n  runproof demo --fail\n')
    .action(async (flags: DemoFlags) => {
      const port = parsePort(flags.port);
      if (flags.serve) {
        await serve(flags.fail === true, port);
        return;
      }
      if (port !== 0) {
        throw new RunproofError('RP_BAD_FLAG', '--port is only for --serve', { hint: 'runproof demo picks a free port itself; use --serve --port N to keep a service on a fixed port' });
      }
      const controller = new AbortController();
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) process.exit(EXIT.aborted);
        process.stderr.write(`\nrunproof demo: ${signal}: stopping the running step and writing the bundle...\n`);
        controller.abort(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const demo = await runDemo({
          ...(flags.fail ? { fail: true } : {}),
          evidenceDir: flags.evidenceDir,
          signal: controller.signal,
          ...(flags.json ? {} : { out: process.stdout }),
        });
        if (flags.json) {
          const c = demo.run.counts;
          process.stdout.write(
            `${JSON.stringify({ status: demo.status, counts: c, serviceUrl: demo.serviceUrl, bundle: demo.bundleDir, record: demo.recordPath, html: demo.reportPaths.html, markdown: demo.reportPaths.markdown }, null, 2)}\n`,
          );
        }
        process.exitCode = exitCodeForStatus(demo.status);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
};

// `--serve`: the service alone, until SIGINT/SIGTERM, with the commands to point runbooks at it.
async function serve(fail: boolean, port: number): Promise<void> {
  const service = await startDemoService({ fail, port });
  const out = process.stdout;
  out.write(`demo service listening on ${service.url}${fail ? ' (pool beta unreachable)' : ''}\n`);
  out.write(`token for ${DEMO_TOKEN_HEADER}: export ${DEMO_TOKEN_ENV}=${service.token}\n`);
  out.write(`try:   runproof run notebooks/incident-ready-503.md --set base=${service.url}\n`);
  out.write('Ctrl-C stops it\n');
  await untilStopSignal();
  await service.close();
  out.write('demo service stopped\n');
}
