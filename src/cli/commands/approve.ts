import type { Command } from 'commander';
import { RunproofError, parseDuration } from '../../core/index.js';
import { operatorIdentity } from '../../app/index.js';
import { createHash } from 'node:crypto';
import { createApproval, loadSigningKey, loadVerifyKey, parseTsaUrl, readPlanFile, requestTimestamp, serializeApproval, serializeEnvelope, writeAtomic } from '../../record/index.js';
import type { CommandRegistrar } from '../program.js';

interface ApproveFlags {
  key?: string;
  ticket?: string;
  expires: string;
  comment?: string;
  approver?: string;
  threshold: string;
  out: string;
  tsa?: string;
}

/** `8h`, `30m`, `2d`: the approval's lifetime in ms. */
export function parseExpiry(text: string): number {
  const days = /^(\d+)d$/.exec(text.trim());
  const ms = days ? Number(days[1]) * 86_400_000 : parseDuration(text, '--expires');
  if (ms <= 0) throw new RunproofError('RP_BAD_DURATION', `--expires ${text} is not a positive duration`, { hint: 'e.g. --expires 8h' });
  return ms;
}

/** `runproof approve change.plan.json --key reviewer.key`: a DSSE-signed approval of the plan's digest. */
export const registerApprove: CommandRegistrar = (program: Command) => {
  program
    .command('approve')
    .description('sign a plan written by `runproof plan`: a DSSE envelope over an in-toto Statement of the plan digest')
    .argument('<plan>', 'change.plan.json')
    .option('--key <file>', 'the approver\'s Ed25519 private key (from `runproof keygen`); required')
    .option('--ticket <id>', 'change ticket, e.g. CHG-1234')
    .option('--expires <duration>', 'how long the approval is valid: 30m, 8h, 2d', '8h')
    .option('--comment <text>', 'a comment kept in the approval')
    .option('--approver <name>', 'the approver\'s name (default RUNPROOF_OPERATOR, else the login user); must match the trust file')
    .option('--threshold <level>', 'steps at or above this risk run only as approved: write or destructive', 'destructive')
    .option('--out <file>', 'where the approval goes', 'approval.json')
    .option('--tsa <url>', 'get an RFC 3161 timestamp token over the signed approval from this TSA (kept in the approval file)')
    .addHelpText('after', '\nExample:\n  runproof approve change.plan.json --key alice.key --ticket CHG-1234 --expires 8h\n  runproof run ops/rotate.md --approval approval.json --trust trust.yaml --yes\n')
    .action(async (planFile: string, flags: ApproveFlags) => {
      // Checked here, not by commander: an unknown flag is reported before a missing one.
      if (flags.key === undefined) throw new RunproofError('RP_BAD_FLAG', 'approve needs --key FILE', { hint: "the approver's Ed25519 private key, from `runproof keygen`" });
      const tsaUrl = flags.tsa !== undefined ? parseTsaUrl(flags.tsa) : undefined;
      if (flags.threshold !== 'write' && flags.threshold !== 'destructive') {
        throw new RunproofError('RP_BAD_FLAG', `--threshold ${flags.threshold} is not write or destructive`, { hint: 'use --threshold write or --threshold destructive' });
      }
      const plan = await readPlanFile(planFile);
      const expiresInMs = parseExpiry(flags.expires);
      const signer = await loadSigningKey(flags.key);
      const publicKey = await loadVerifyKey(flags.key);
      const approver = flags.approver ?? operatorIdentity(process.env).user;
      const approval = createApproval(plan, signer, publicKey, {
        approver,
        ...(flags.ticket !== undefined ? { ticket: flags.ticket } : {}),
        ...(flags.comment !== undefined ? { comment: flags.comment } : {}),
        threshold: flags.threshold,
        expiresInMs,
      });
      // Independent time for the approval: a token over the envelope's bytes. A TSA failure writes
      // no approval (RP_TSA_FAILED): approving again costs nothing, and an approval asked to carry
      // independent time must not go out without it.
      let stamped = '';
      if (tsaUrl) {
        const exchange = await requestTimestamp(tsaUrl, createHash('sha256').update(serializeEnvelope(approval.envelope), 'utf8').digest());
        approval.timestamp = { tsq: exchange.query.toString('base64'), tsr: exchange.reply.toString('base64') };
        stamped = `timestamp: ${exchange.genTime.toISOString()} from ${tsaUrl.origin}${tsaUrl.pathname}\n`;
      }
      await writeAtomic(flags.out, serializeApproval(approval));
      process.stdout.write(
        `approval ${flags.out}: ${approver} (${signer.keyid}) approves plan ${plan.digest}\n` +
          `runbook ${plan.runbook.path}, ${plan.steps.length} step(s), threshold ${flags.threshold}${flags.ticket ? `, ticket ${flags.ticket}` : ''}, expires in ${flags.expires}\n${stamped}`,
      );
    });
};
