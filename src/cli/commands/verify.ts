import type { Command } from 'commander';
import { verifyBundle } from '../../record/index.js';
import { formatVerifyResult } from '../evidence-format.js';
import type { CommandRegistrar } from '../program.js';
import { EXIT } from '../exit.js';

interface VerifyFlags {
  key: string[];
  json?: boolean;
  requireSignature?: boolean;
  checkpoint?: string;
  trust?: string;
  tsaCert?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `runproof verify BUNDLE|ARCHIVE`: exit 0, or 1 with one line per problem (file, expected, actual). */
export const registerVerify: CommandRegistrar = (program: Command) => {
  program
    .command('verify')
    .description('check a bundle or its archive: every hash, no file unlisted, the attestation, the chain link, the signature')
    .argument('<bundle>', 'bundle folder (evidence/<name>_<ts>) or its .tgz/.zip archive')
    .option('--key <file>', 'Ed25519 public key PEM whose signature counts (repeatable); HMAC: set RUNPROOF_SIGNING_KEY', collect, [])
    .option('--require-signature', 'fail unless a signature verifies with a given key')
    .option('--checkpoint <file>', 'a checkpoint from `runproof evidence checkpoint` the chain must still extend')
    .option('--trust <file>', 'trust file (YAML) deciding whether a change approval in the bundle counts')
    .option('--tsa-cert <file>', 'PEM certificate of the timestamp authority (and its CAs): check the RFC 3161 token (timestamp.tsr) offline')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  runproof verify evidence/daily_20260122_101500\n  runproof verify evidence/daily_20260122_101500.tgz --key ops.pub --require-signature\n  runproof verify evidence/daily_20260122_101500 --tsa-cert tsa-chain.pem\n')
    .action(async (bundle: string, flags: VerifyFlags) => {
      const hmacKey = process.env.RUNPROOF_SIGNING_KEY;
      const result = await verifyBundle(bundle, {
        keyFiles: flags.key,
        ...(hmacKey ? { hmacKey } : {}),
        ...(flags.requireSignature ? { requireSignature: true } : {}),
        ...(flags.checkpoint ? { checkpointFile: flags.checkpoint } : {}),
        ...(flags.trust ? { trustFile: flags.trust } : {}),
        ...(flags.tsaCert ? { tsaCertFile: flags.tsaCert } : {}),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerifyResult(result));
      process.exitCode = result.ok ? EXIT.passed : EXIT.failed;
    });
};
