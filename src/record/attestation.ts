// attestation.json: an in-toto Statement v1 over the manifest and the runbook, in a DSSE
// envelope. DSSE signs the exact payload bytes (through PAE), so there is no canonical JSON to
// agree on: the signed form is the base64-decoded `payload`, byte for byte.
import { z } from 'zod';
import type { RunRecord } from './types.js';
import type { Manifest } from './manifest.js';
import { checkSignature, type Signer, type VerifyKeys } from './keys.js';

/** DSSE payload type of an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** The predicate type of a runproof run summary. */
export const RUN_PREDICATE_TYPE = 'https://runproof.dev/attestation/run/v1';

/**
 * DSSE v1 Pre-Authentication Encoding: `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, where
 * LEN is the decimal byte length. This, not the JSON, is what signatures cover.
 * @example pae('application/vnd.in-toto+json', Buffer.from('{}'))
 */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

export const SignatureSchema = z.strictObject({ keyid: z.string(), sig: z.string() });
export const EnvelopeSchema = z.strictObject({
  payloadType: z.string(),
  payload: z.string(),
  signatures: z.array(SignatureSchema),
});
/** A DSSE envelope as stored in attestation.json. */
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** Wraps payload bytes in a DSSE envelope, with one signature per signer (none: unsigned). */
export function createEnvelope(payloadType: string, payload: Buffer, signers: readonly Signer[]): Envelope {
  const data = pae(payloadType, payload);
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: signers.map((s) => ({ keyid: s.keyid, sig: s.sign(data).toString('base64') })),
  };
}

/** The envelope's bytes on disk. */
export function serializeEnvelope(envelope: Envelope): string {
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

/** Strict base64: decodes only text that re-encodes to itself (no ignored bits or characters). */
export function decodeBase64Strict(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** What checking an envelope's signatures found. */
export interface SignatureCheck {
  /** Signatures present in the envelope. */
  present: number;
  /** Key ids whose signature verified with a given key. */
  verified: string[];
  /** Key ids of signatures that none of the given keys verified. */
  unverified: string[];
}

/** Checks every signature of an envelope against the given keys. */
export function checkEnvelopeSignatures(envelope: Envelope, payload: Buffer, keys: VerifyKeys): SignatureCheck {
  const data = pae(envelope.payloadType, payload);
  const result: SignatureCheck = { present: envelope.signatures.length, verified: [], unverified: [] };
  for (const signature of envelope.signatures) {
    const sig = decodeBase64Strict(signature.sig);
    const id = sig ? checkSignature(signature.keyid, sig, data, keys) : null;
    if (id) result.verified.push(id);
    else result.unverified.push(signature.keyid);
  }
  return result;
}

/** The predicate of a runproof attestation: the run in a few fields an auditor reads first. */
export interface RunPredicate {
  result: 'PASSED' | 'FAILED';
  status: RunRecord['status'];
  bundle: string;
  evidenceName: string;
  runbook: { path: string; title: string; sha256: string; gitCommit: string | null; gitDirty: boolean | null };
  selection: RunRecord['selection'];
  mode: RunRecord['mode'];
  policy: RunRecord['policy'];
  operator: RunRecord['operator'];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  counts: RunRecord['counts'];
  chain: { seq: number; previousManifestSha256: string | null };
  resumedFrom: string | null;
  /** Every decision an operator or a flag made: who confirmed what, and when. */
  confirmations: Array<{ step: string; name: string; action: string; by: string; at: string; reason: string; input?: string }>;
}

/** The in-toto Statement of a sealed bundle. */
export interface RunStatement {
  _type: typeof STATEMENT_TYPE;
  subject: Array<{ name: string; digest: { sha256: string } }>;
  predicateType: typeof RUN_PREDICATE_TYPE;
  predicate: RunPredicate;
}

/**
 * The Statement over a bundle's manifest and runbook, summarising the run. Deterministic: the
 * same manifest and record always give the same bytes, which is how `verify` checks it.
 */
export function buildRunStatement(manifest: Manifest, manifestSha256: string, record: RunRecord): RunStatement {
  const confirmations: RunPredicate['confirmations'] = [];
  for (const step of record.steps) {
    for (const d of step.decisions) {
      if (d.by === 'policy') continue;
      confirmations.push({ step: step.id, name: step.name, action: d.action, by: d.by, at: d.at, reason: d.reason, ...(d.input !== undefined ? { input: d.input } : {}) });
    }
  }
  return {
    _type: STATEMENT_TYPE,
    subject: [
      { name: 'manifest.json', digest: { sha256: manifestSha256 } },
      { name: manifest.runbook.path, digest: { sha256: manifest.runbook.sha256 } },
    ],
    predicateType: RUN_PREDICATE_TYPE,
    predicate: {
      result: record.status === 'passed' ? 'PASSED' : 'FAILED',
      status: record.status,
      bundle: manifest.bundle,
      evidenceName: record.evidenceName,
      runbook: {
        path: record.runbook.path,
        title: record.runbook.title,
        sha256: record.runbook.sha256,
        gitCommit: record.runbook.git.commit,
        gitDirty: record.runbook.git.dirty,
      },
      selection: record.selection,
      mode: record.mode,
      policy: record.policy,
      operator: record.operator,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      durationMs: record.durationMs,
      counts: record.counts,
      chain: { seq: manifest.chain.seq, previousManifestSha256: manifest.chain.previous?.manifestSha256 ?? null },
      resumedFrom: record.resumedFrom ?? null,
      confirmations,
    },
  };
}

/** The exact payload bytes of a Statement: compact JSON in construction order. */
export function statementBytes(statement: RunStatement): Buffer {
  return Buffer.from(JSON.stringify(statement), 'utf8');
}
