import type { Command } from 'commander';
import { generateSigningKeyPair } from '../../record/index.js';
import type { CommandRegistrar } from '../program.js';

/** `runproof keygen [--out FILE]`: a new Ed25519 key pair for signing attestations and checkpoints. */
export const registerKeygen: CommandRegistrar = (program: Command) => {
  program
    .command('keygen')
    .description('write a new Ed25519 key pair: FILE (private, mode 0600) and its .pub (public, for auditors)')
    .option('--out <file>', 'private key file; the public key goes beside it as .pub', 'runproof-signing.key')
    .option('--json', 'print the paths and key id as JSON')
    .addHelpText('after', '\nExample:\n  runproof keygen --out ~/.config/runproof/ops.key\n  runproof run ops/roxy.md --yes --signing-key ~/.config/runproof/ops.key\n')
    .action(async (flags: { out: string; json?: boolean }) => {
      const pair = await generateSigningKeyPair(flags.out);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(pair, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `private key ${pair.privateKeyPath} (mode 0600: keep it secret)\npublic key  ${pair.publicKeyPath} (give it to auditors: runproof verify BUNDLE --key ${pair.publicKeyPath})\nkey id      ${pair.keyid}\n`,
      );
    });
};
