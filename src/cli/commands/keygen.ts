import type { Command } from 'commander';
import { RunproofError } from '../../core/index.js';
import { generateSigningKeyPair } from '../../record/index.js';
import type { CommandRegistrar } from '../program.js';

/** `runproof keygen [FILE]` (or `--out FILE`): a new Ed25519 key pair for signing attestations and checkpoints. */
export const registerKeygen: CommandRegistrar = (program: Command) => {
  program
    .command('keygen')
    .description('write a new Ed25519 key pair: FILE (private, mode 0600) and its .pub (public, for auditors)')
    .argument('[file]', 'private key file (same as --out); the public key goes beside it as .pub')
    .option('--out <file>', 'private key file; the public key goes beside it as .pub')
    .option('--json', 'print the paths and key id as JSON')
    .addHelpText('after', '\nExample:\n  runproof keygen ~/.config/runproof/ops.key\n  runproof run ops/roxy.md --yes --signing-key ~/.config/runproof/ops.key\n')
    .action(async (file: string | undefined, flags: { out?: string; json?: boolean }) => {
      if (file !== undefined && flags.out !== undefined && file !== flags.out) {
        throw new RunproofError('RP_BAD_FLAG', `two key files given: ${file} and --out ${flags.out}`, { hint: 'runproof keygen FILE (or --out FILE), not both' });
      }
      const pair = await generateSigningKeyPair(file ?? flags.out ?? 'runproof-signing.key');
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(pair, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `private key ${pair.privateKeyPath} (mode 0600: keep it secret)\npublic key  ${pair.publicKeyPath} (give it to auditors: runproof verify BUNDLE --key ${pair.publicKeyPath})\nkey id      ${pair.keyid}\n`,
      );
    });
};
