import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createCheckpoint, diffBundles, listEvidence, loadBundleRecord, diffHosts } from '../../record/index.js';
import { formatBundleShow, formatEvidenceDiff, formatEvidenceList, formatHostDiff } from '../evidence-format.js';
import { RunproofError } from '../../core/index.js';
import type { CommandRegistrar } from '../program.js';
import { EXIT } from '../exit.js';
import { untilStopSignal } from '../signals.js';

/** `runproof evidence list | show | diff | serve | checkpoint`: what an evidence folder holds. */
export const registerEvidence: CommandRegistrar = (program: Command) => {
  const evidence = program.command('evidence').description('list, show and compare runs in an evidence folder; print a checkpoint');
  evidence.addHelpText('after', '\nExample:\n  runproof evidence list evidence/\n');

  evidence
    .command('list')
    .description('runs newest first: name, runbook, section, status, duration, steps passed/failed/blocked')
    .argument('[dir]', 'evidence folder', 'evidence')
    .option('--json', 'print the runs as JSON')
    .addHelpText('after', '\nExample:\n  runproof evidence list evidence/\n')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const runs = await listEvidence(dir);
      process.stdout.write(flags.json ? `${JSON.stringify(runs, null, 2)}\n` : formatEvidenceList(runs));
    });

  evidence
    .command('show')
    .description('the summary of one run and each of its steps')
    .argument('<bundle>', 'bundle folder')
    .option('--json', 'print the record as JSON')
    .addHelpText('after', '\nExample:\n  runproof evidence show evidence/demo_daily_20260122_101500\n')
    .action(async (bundle: string, flags: { json?: boolean }) => {
      const loaded = await loadBundleRecord(bundle);
      process.stdout.write(flags.json ? `${JSON.stringify(loaded.record, null, 2)}\n` : formatBundleShow(loaded.record, { dir: bundle, ...loaded }));
    });

  evidence
    .command('diff')
    .description('steps whose status, exit code, assertion results or output changed between two runs; with one bundle of a run on hosts, the hosts that differ from the others (exit 1 when any did)')
    .argument('<a>', 'the earlier bundle (alone: a run on hosts, whose hosts are compared)')
    .argument('[b]', 'the later bundle')
    .option('--json', 'print the differences and the masking rules as JSON')
    .addHelpText('after', '\nExample:\n  runproof evidence diff evidence/demo_daily_20260122_101500 evidence/demo_daily_20260123_101500\n  runproof evidence diff evidence/disk_checks_20260122_101500   (the hosts of one run)\n')
    .action(async (a: string, b: string | undefined, flags: { json?: boolean }) => {
      if (b === undefined) {
        const hosts = await diffHosts(a);
        process.stdout.write(flags.json ? `${JSON.stringify(hosts, null, 2)}\n` : formatHostDiff(hosts));
        process.exitCode = hosts.steps.length === 0 ? EXIT.passed : EXIT.failed;
        return;
      }
      const diff = await diffBundles(a, b);
      process.stdout.write(flags.json ? `${JSON.stringify(diff, null, 2)}\n` : formatEvidenceDiff(diff));
      process.exitCode = diff.steps.length === 0 ? EXIT.passed : EXIT.failed;
    });

  evidence
    .command('serve')
    .description('a read-only local web view of an evidence folder: runs, reports, chains, step history, diff, audit sample')
    .argument('[dir]', 'evidence folder', 'evidence')
    .option('--port <port>', 'TCP port (default 0: a free one)', '0')
    .option('--host <address>', 'address to bind; anything but loopback requires the token printed at start', '127.0.0.1')
    .option('--key <file...>', 'Ed25519 public key(s) whose signatures count as verified (HMAC: RUNPROOF_SIGNING_KEY)')
    .option('--checkpoint <file>', 'a checkpoint (`evidence checkpoint`) each chain is checked against')
    .addHelpText('after', '\nExample:\n  runproof evidence serve evidence --port 8080\n')
    .action(async (dir: string, flags: { port: string; host: string; key?: string[]; checkpoint?: string }) => {
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) throw new RunproofError('RP_BAD_FLAG', `--port ${flags.port} is not a TCP port`, { hint: 'give a number from 0 (a free port) to 65535' });
      // Loaded here so that no other command pays for the server's modules.
      const { startEvidenceServer } = await import('../../serve/index.js');
      const hmacKey = process.env.RUNPROOF_SIGNING_KEY;
      const server = await startEvidenceServer({
        dir,
        host: flags.host,
        port,
        ...(flags.key ? { keyFiles: flags.key } : {}),
        ...(hmacKey ? { hmacKey } : {}),
        ...(flags.checkpoint ? { checkpointFile: flags.checkpoint } : {}),
      });
      process.stdout.write(`runproof evidence serve: ${server.store.size} run(s) in ${dir}\n${server.url}\n`);
      if (server.token) process.stdout.write(`bound to ${flags.host}: open the URL above once (it carries the token); other clients get 401\n`);
      process.stdout.write('read-only; Ctrl-C stops it\n');
      await untilStopSignal();
      await server.close();
    });

  evidence
    .command('checkpoint')
    .description('print a small signed checkpoint of every chain (origin, number of bundles, newest manifest hash) to store where it cannot be rewritten')
    .argument('[dir]', 'evidence folder', 'evidence')
    .option('--signing-key <file>', 'Ed25519 private key (PEM); HMAC: RUNPROOF_SIGNING_KEY')
    .option('--out <file>', 'also write the checkpoint to this file (never overwritten)')
    .addHelpText('after', '\nExample:\n  runproof evidence checkpoint evidence --signing-key ops.key > checkpoint.json\n  runproof verify evidence/<newest bundle> --checkpoint checkpoint.json --key ops.pub\n')
    .action(async (dir: string, flags: { signingKey?: string; out?: string }) => {
      const hmacKey = process.env.RUNPROOF_SIGNING_KEY;
      const { text, checkpoint, envelope } = await createCheckpoint(dir, {
        ...(flags.signingKey ? { signingKeyFile: flags.signingKey } : {}),
        ...(hmacKey ? { hmacKey } : {}),
      });
      if (flags.out) {
        try {
          await writeFile(flags.out, text, { flag: 'wx' });
        } catch (cause) {
          throw new RunproofError('RP_EVIDENCE_WRITE_FAILED', `cannot write ${flags.out}: ${(cause as Error).message}`, { hint: 'choose a new file name', cause });
        }
      }
      process.stdout.write(text);
      const summary = checkpoint.chains.map((c) => `${c.runbook}: ${c.bundles} bundle(s), newest ${c.newest.bundle} ${c.newest.manifestSha256}`);
      process.stderr.write(`${summary.join('\n')}\n${envelope.signatures.length === 0 ? 'unsigned: pass --signing-key or set RUNPROOF_SIGNING_KEY to sign it\n' : ''}`);
    });
};
