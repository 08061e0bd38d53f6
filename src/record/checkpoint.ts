// Anchoring: a small signed checkpoint of an evidence folder (per chain: origin, number of
// bundles, newest manifest hash) that an operator pastes into a ticket or ships to storage they
// cannot rewrite. Later, `verify --checkpoint` proves the chain still extends it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { RunproofError } from '../core/index.js';
import { checkEnvelopeSignatures, createEnvelope, decodeBase64Strict, EnvelopeSchema, serializeEnvelope, type Envelope } from './attestation.js';
import type { VerifyKeys } from './keys.js';
import { ChainLinkSchema, listSealedBundles, type Manifest, type SealedBundle } from './manifest.js';
import { signersFor } from './seal.js';

export const CHECKPOINT_PAYLOAD_TYPE = 'application/vnd.runproof.checkpoint+json';
export const CHECKPOINT_SCHEMA = 'runproof.checkpoint/v1';

export const CheckpointChainSchema = z.strictObject({
  /** The chain key (the runbook's absolute path when sealed). */
  key: z.string(),
  runbook: z.string(),
  origin: ChainLinkSchema,
  /** Bundles in the chain up to the newest: its seq. */
  bundles: z.number().int().min(1),
  newest: ChainLinkSchema,
});
export const CheckpointSchema = z.strictObject({
  schema: z.literal(CHECKPOINT_SCHEMA),
  createdAt: z.iso.datetime(),
  chains: z.array(CheckpointChainSchema),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** A checkpoint and its envelope (the form that is printed and stored). */
export interface SignedCheckpoint {
  checkpoint: Checkpoint;
  envelope: Envelope;
  /** The envelope as text: what to paste or store. */
  text: string;
}

function linkOf(b: SealedBundle): z.infer<typeof ChainLinkSchema> {
  return { bundle: b.name, seq: b.manifest.chain.seq, manifestSha256: b.manifestSha256 };
}

/**
 * Builds the checkpoint of every chain in an evidence folder, signed when a key is given.
 * @throws RunproofError RP_BAD_BUNDLE when the folder holds no sealed bundle.
 * @example const { text } = await createCheckpoint('evidence', { signingKeyFile: 'ops.key' })
 */
export async function createCheckpoint(evidenceDir: string, options: { signingKeyFile?: string; hmacKey?: string; now?: Date } = {}): Promise<SignedCheckpoint> {
  const bundles = await listSealedBundles(resolve(evidenceDir));
  if (bundles.length === 0) {
    throw new RunproofError('RP_BAD_BUNDLE', `${evidenceDir} holds no sealed bundle`, { hint: 'pass the evidence folder written by `runproof run` (--evidence-dir)' });
  }
  const byKey = new Map<string, SealedBundle[]>();
  for (const b of bundles) byKey.set(b.manifest.chain.key, [...(byKey.get(b.manifest.chain.key) ?? []), b]);
  const chains = [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, list]) => {
      list.sort((a, b) => a.manifest.chain.seq - b.manifest.chain.seq);
      const newest = list[list.length - 1]!;
      const origin = list.find((b) => b.manifest.chain.origin) ?? list[0]!;
      return { key, runbook: newest.manifest.runbook.path, origin: linkOf(origin), bundles: newest.manifest.chain.seq, newest: linkOf(newest) };
    });
  const checkpoint: Checkpoint = { schema: CHECKPOINT_SCHEMA, createdAt: (options.now ?? new Date()).toISOString(), chains };
  const signers = await signersFor(options);
  const envelope = createEnvelope(CHECKPOINT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(checkpoint), 'utf8'), signers);
  return { checkpoint, envelope, text: serializeEnvelope(envelope) };
}

/**
 * Reads a checkpoint file (the envelope printed by `evidence checkpoint`).
 * @throws RunproofError RP_BAD_CHECKPOINT when it is not a checkpoint envelope.
 */
export async function readCheckpointFile(file: string): Promise<{ checkpoint: Checkpoint; envelope: Envelope; payload: Buffer }> {
  const bad = (why: string, cause?: unknown): RunproofError =>
    new RunproofError('RP_BAD_CHECKPOINT', `${file} is not a runproof checkpoint: ${why}`, { hint: 'pass the output of `runproof evidence checkpoint`', file, cause });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw bad((cause as Error).message, cause);
  }
  let envelope: Envelope;
  try {
    const parsed = EnvelopeSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw bad('not a DSSE envelope');
    envelope = parsed.data;
  } catch (error) {
    if (error instanceof RunproofError) throw error;
    throw bad('not JSON', error);
  }
  if (envelope.payloadType !== CHECKPOINT_PAYLOAD_TYPE) throw bad(`payloadType ${envelope.payloadType}`);
  const payload = decodeBase64Strict(envelope.payload);
  if (!payload) throw bad('payload is not canonical base64');
  try {
    const parsed = CheckpointSchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (!parsed.success) throw bad(parsed.error.issues[0]?.message ?? 'invalid payload');
    return { checkpoint: parsed.data, envelope, payload };
  } catch (error) {
    if (error instanceof RunproofError) throw error;
    throw bad('payload is not JSON', error);
  }
}

/** A bundle to start the walk from (the one being verified, possibly inside an archive). */
export interface ChainStart {
  name: string;
  manifest: Manifest;
  manifestSha256: string;
}

/**
 * Proves that the chain of `start` in `evidenceDir` still extends the checkpoint: walking back
 * from the newest bundle through each `previous` link (each hash checked) reaches the
 * checkpoint's newest bundle with the same manifest hash, and the origin is unchanged.
 */
export async function checkCheckpoint(
  read: { checkpoint: Checkpoint; envelope: Envelope; payload: Buffer },
  options: { evidenceDir: string; start: ChainStart; keys: VerifyKeys; requireSignature: boolean },
): Promise<{ problems: Array<{ expected: string; actual: string }>; notes: string[] }> {
  const problems: Array<{ expected: string; actual: string }> = [];
  const notes: string[] = [];
  const signatures = checkEnvelopeSignatures(read.envelope, read.payload, options.keys);
  const haveKey = (options.keys.ed25519?.length ?? 0) > 0 || options.keys.hmacKey !== undefined;
  if (haveKey && signatures.verified.length === 0) problems.push({ expected: 'a checkpoint signature valid for the given key', actual: signatures.present === 0 ? 'unsigned' : 'no valid signature' });
  else if (options.requireSignature && signatures.present === 0) problems.push({ expected: 'a signed checkpoint (--require-signature)', actual: 'unsigned' });
  else if (signatures.verified.length > 0) notes.push(`checkpoint signature verified: ${signatures.verified.join(', ')}`);

  const { start } = options;
  const entry = read.checkpoint.chains.find((c) => c.key === start.manifest.chain.key);
  if (!entry) {
    problems.push({ expected: `a chain for ${start.manifest.runbook.path} in the checkpoint`, actual: `the checkpoint covers ${read.checkpoint.chains.map((c) => c.runbook).join(', ') || 'no chain'}` });
    return { problems, notes };
  }
  const all = await listSealedBundles(resolve(options.evidenceDir));
  const byName = new Map(all.filter((b) => b.manifest.chain.key === entry.key).map((b) => [b.name, b] as const));
  // Start from whichever is newer: the bundle being verified or the head of its folder.
  let current: ChainStart = start;
  for (const b of byName.values()) if (b.manifest.chain.seq > current.manifest.chain.seq) current = { name: b.name, manifest: b.manifest, manifestSha256: b.manifestSha256 };
  if (current.manifest.chain.seq < entry.newest.seq) {
    problems.push({ expected: `a chain of at least ${entry.newest.seq} bundles (checkpoint of ${read.checkpoint.createdAt})`, actual: `the newest bundle ${current.name} has seq ${current.manifest.chain.seq}: history was rewritten or bundles were removed` });
    return { problems, notes };
  }
  const seen = new Map<number, string>([[current.manifest.chain.seq, current.manifestSha256]]);
  // Down to the checkpoint (and the verified bundle) every link must be present; below that, up
  // to the origin, a missing bundle only stops the walk.
  const required = Math.min(entry.newest.seq, start.manifest.chain.seq);
  while (current.manifest.chain.previous) {
    const link = current.manifest.chain.previous;
    const prev = byName.get(link.bundle);
    const mustExist = current.manifest.chain.seq > required;
    if (!prev) {
      if (mustExist) {
        problems.push({ expected: `${link.bundle} (seq ${link.seq}) to walk back to the checkpoint`, actual: `chain broken between ${current.name} and the checkpoint: ${link.bundle} is missing` });
        return { problems, notes };
      }
      break;
    }
    if (prev.manifestSha256 !== link.manifestSha256 || prev.manifest.chain.seq !== link.seq) {
      problems.push({ expected: `${link.bundle}/manifest.json sha256 ${link.manifestSha256} (seq ${link.seq})`, actual: `sha256 ${prev.manifestSha256} (seq ${prev.manifest.chain.seq}): history was rewritten` });
      return { problems, notes };
    }
    current = { name: prev.name, manifest: prev.manifest, manifestSha256: prev.manifestSha256 };
    seen.set(current.manifest.chain.seq, current.manifestSha256);
  }
  const atCheckpoint = seen.get(entry.newest.seq);
  if (atCheckpoint === undefined) problems.push({ expected: `bundle seq ${entry.newest.seq} in the chain`, actual: 'not reachable' });
  else if (atCheckpoint !== entry.newest.manifestSha256) problems.push({ expected: `seq ${entry.newest.seq} manifest sha256 ${entry.newest.manifestSha256} (checkpoint)`, actual: `sha256 ${atCheckpoint}: history was rewritten` });
  else notes.push(`the chain extends the checkpoint of ${read.checkpoint.createdAt} (seq ${entry.newest.seq})`);
  const startSha = seen.get(start.manifest.chain.seq);
  if (startSha !== undefined && startSha !== start.manifestSha256) problems.push({ expected: `${start.name} on the chain (sha256 ${startSha})`, actual: `sha256 ${start.manifestSha256}` });
  const origin = seen.get(entry.origin.seq);
  if (origin !== undefined && origin !== entry.origin.manifestSha256) problems.push({ expected: `origin ${entry.origin.bundle} sha256 ${entry.origin.manifestSha256}`, actual: `sha256 ${origin}` });
  return { problems, notes };
}
