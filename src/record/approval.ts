// Change plans and approvals (four eyes): `runproof plan` writes the exact plan of a change,
// `runproof approve` signs it (a DSSE envelope over an in-toto Statement whose subject is the
// plan's digest), `runproof run --approval` runs only what was approved, and `verify` checks the
// approval copied into the bundle. The plan's digest is SHA-256 over its canonical JSON (keys
// sorted, no whitespace), so it does not depend on how the file is laid out.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { RunproofError } from '../core/index.js';
import { RiskLevelSchema, type RiskLevel } from '../parse/index.js';
import { RunbookInfoSchema, SelectionSchema, Sha256Schema } from './types.js';
import { checkEnvelopeSignatures, createEnvelope, decodeBase64Strict, EnvelopeSchema, IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE, type Envelope } from './attestation.js';
import { keyIdFor, type Signer } from './keys.js';

export const PLAN_SCHEMA = 'runproof.plan/v1';
export const APPROVAL_SCHEMA = 'runproof.approval/v1';
export const APPROVAL_PREDICATE_TYPE = 'https://runproof.dev/approval/v1';
/** Where a run copies its plan and approval inside the bundle (covered by the manifest). */
export const BUNDLE_PLAN_FILE = 'approval/change.plan.json';
export const BUNDLE_APPROVAL_FILE = 'approval/approval.json';

const RISK_ORDER: Record<RiskLevel, number> = { read: 0, write: 1, destructive: 2 };

/** Whether `level` is at or above `threshold`. */
export function atOrAbove(level: RiskLevel, threshold: RiskLevel): boolean {
  return RISK_ORDER[level] >= RISK_ORDER[threshold];
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, strings and numbers as
 * JSON.stringify writes them (the RFC 8785 form for the integers and strings plans hold).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RunproofError('RP_INTERNAL', 'canonical JSON has no form for a non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const PlanParameterSchema = z.strictObject({
  name: z.string(),
  secret: z.boolean(),
  /** The value; absent for a secret, which the plan names only by reference (`ref`). */
  value: z.string().optional(),
  ref: z.string().optional(),
});
export type PlanParameter = z.infer<typeof PlanParameterSchema>;

export const ChangePlanStepSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  risk: RiskLevelSchema,
  /** The exact command the shell (or HTTP client) gets, parameters as references to their values. */
  command: z.string(),
  hosts: z.array(z.string()).min(1),
  params: z.array(z.string()),
  shell: z.string().optional(),
  cwd: z.string().optional(),
});
export type ChangePlanStep = z.infer<typeof ChangePlanStepSchema>;

const ChangePlanBody = {
  schema: z.literal(PLAN_SCHEMA),
  runbook: RunbookInfoSchema.pick({ path: true, title: true, sha256: true }),
  selection: SelectionSchema,
  hosts: z.array(z.string()).min(1),
  parameters: z.array(PlanParameterSchema),
  steps: z.array(ChangePlanStepSchema),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
};
export const ChangePlanSchema = z.strictObject({ ...ChangePlanBody, digest: Sha256Schema });
/** `change.plan.json`. */
export type ChangePlan = z.infer<typeof ChangePlanSchema>;
export type ChangePlanContent = Omit<ChangePlan, 'digest'>;

/** SHA-256 (hex) of the plan's canonical JSON without its `digest` field. */
export function planDigest(plan: ChangePlanContent | ChangePlan): string {
  const { digest: _digest, ...content } = plan as ChangePlan;
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

/** The plan with its digest, as written to `change.plan.json`. */
export function sealPlan(content: ChangePlanContent): ChangePlan {
  return { ...content, digest: planDigest(content) };
}

export function serializePlan(plan: ChangePlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/**
 * Parses a plan and checks that its digest is its content's.
 * @throws RunproofError RP_PLAN_TAMPERED when the digest does not match, RP_BAD_PLAN when it is not a plan.
 */
export function parsePlan(value: unknown, file: string): ChangePlan {
  const parsed = ChangePlanSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunproofError('RP_BAD_PLAN', `${file} is not a runproof plan: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`, {
      hint: 'write a plan with `runproof plan RUNBOOK --out change.plan.json`',
      file,
    });
  }
  const digest = planDigest(parsed.data);
  if (digest !== parsed.data.digest) {
    throw new RunproofError('RP_PLAN_TAMPERED', `${file} was changed after it was written: its digest is ${parsed.data.digest}, its content hashes to ${digest}`, {
      hint: 'write the plan again with `runproof plan` and have it approved again',
      file,
    });
  }
  return parsed.data;
}

async function readJsonFile(file: string, code: 'RP_BAD_PLAN' | 'RP_BAD_APPROVAL', hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new RunproofError(code, `cannot read ${file}: ${(cause as Error).message}`, { hint, file, cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new RunproofError(code, `${file} is not JSON: ${(cause as Error).message}`, { hint, file, cause });
  }
}

/** Reads `change.plan.json` (RP_BAD_PLAN, RP_PLAN_TAMPERED). */
export async function readPlanFile(file: string): Promise<ChangePlan> {
  return parsePlan(await readJsonFile(file, 'RP_BAD_PLAN', 'write a plan with `runproof plan RUNBOOK --out change.plan.json`'), file);
}

// ---------------------------------------------------------------------------------------------
// Approvals

export const ApprovalPredicateSchema = z.strictObject({
  approver: z.strictObject({
    /** Who approved, as they named themselves (`--approver`, else their login). */
    name: z.string().min(1),
    keyid: z.string(),
    /** The approver's Ed25519 public key (SPKI PEM): the signature can be checked without a trust file. */
    publicKey: z.string(),
  }),
  ticket: z.string().optional(),
  comment: z.string().optional(),
  /** Steps at or above this risk run only as approved. */
  threshold: z.enum(['write', 'destructive']),
  /** The approver's clock when signing (an RFC 3161 timestamp is the independent one). */
  signedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  plan: z.strictObject({
    digest: Sha256Schema,
    runbook: z.strictObject({ path: z.string(), sha256: Sha256Schema }),
    steps: z.number().int().min(0),
  }),
});
export type ApprovalPredicate = z.infer<typeof ApprovalPredicateSchema>;

export const ApprovalStatementSchema = z.strictObject({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(z.strictObject({ name: z.string(), digest: z.strictObject({ sha256: Sha256Schema }) })).length(1),
  predicateType: z.literal(APPROVAL_PREDICATE_TYPE),
  predicate: ApprovalPredicateSchema,
});
export type ApprovalStatement = z.infer<typeof ApprovalStatementSchema>;

/** `approval.json`: the plan that was approved and the signed approval over its digest. */
export const ApprovalFileSchema = z.strictObject({
  schema: z.literal(APPROVAL_SCHEMA),
  plan: z.unknown(),
  envelope: EnvelopeSchema,
  /**
   * `approve --tsa URL`: an RFC 3161 request and token (DER, base64) over SHA-256 of the
   * envelope's serialized bytes (`serializeEnvelope`); checked by `verify --tsa-cert`.
   */
  timestamp: z.strictObject({ tsq: z.base64(), tsr: z.base64() }).optional(),
});
export type ApprovalFile = z.infer<typeof ApprovalFileSchema>;

export interface ApproveOptions {
  approver: string;
  ticket?: string;
  comment?: string;
  threshold: 'write' | 'destructive';
  expiresInMs: number;
  now?: Date;
}

/** Signs a plan: the approval file holding the plan and the DSSE envelope. */
export function createApproval(plan: ChangePlan, signer: Signer, publicKey: KeyObject, options: ApproveOptions): ApprovalFile {
  if (signer.method !== 'ed25519') throw new RunproofError('RP_BAD_KEY', 'an approval is signed with an Ed25519 key', { hint: 'create one with `runproof keygen`' });
  const now = options.now ?? new Date();
  const statement: ApprovalStatement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: 'change.plan.json', digest: { sha256: plan.digest } }],
    predicateType: APPROVAL_PREDICATE_TYPE,
    predicate: {
      approver: { name: options.approver, keyid: signer.keyid, publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string },
      ...(options.ticket !== undefined ? { ticket: options.ticket } : {}),
      ...(options.comment !== undefined ? { comment: options.comment } : {}),
      threshold: options.threshold,
      signedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + options.expiresInMs).toISOString(),
      plan: { digest: plan.digest, runbook: { path: plan.runbook.path, sha256: plan.runbook.sha256 }, steps: plan.steps.length },
    },
  };
  const envelope = createEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), [signer]);
  return { schema: APPROVAL_SCHEMA, plan, envelope };
}

export function serializeApproval(file: ApprovalFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** An approval whose signature verified with the key it names, and the plan it covers. */
export interface OpenedApproval {
  plan: ChangePlan;
  statement: ApprovalStatement;
  envelope: Envelope;
  /** SHA-256 of the approval file's bytes: the id a step record names. */
  sha256: string;
  publicKey: KeyObject;
}

/**
 * Opens an approval: its plan (digest checked), its statement, and its signature checked
 * against the public key it carries (whose id must be the key id it names). Says nothing yet
 * about whether that key is trusted: see `checkTrust`.
 * @throws RunproofError RP_BAD_APPROVAL, RP_PLAN_TAMPERED, RP_APPROVAL_SIGNATURE_INVALID.
 */
export function openApproval(bytes: Buffer, file: string): OpenedApproval {
  const hint = 'pass the approval.json written by `runproof approve`';
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new RunproofError('RP_BAD_APPROVAL', `${file} is not JSON: ${(cause as Error).message}`, { hint, file, cause });
  }
  const parsed = ApprovalFileSchema.safeParse(value);
  if (!parsed.success) throw new RunproofError('RP_BAD_APPROVAL', `${file} is not a runproof approval: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { hint, file });
  const plan = parsePlan(parsed.data.plan, `${file} (its plan)`);
  const { envelope } = parsed.data;
  const invalid = (why: string): RunproofError =>
    new RunproofError('RP_APPROVAL_SIGNATURE_INVALID', `the signature of ${file} is not valid: ${why}`, { hint: 'the approval was changed after it was signed; have the plan approved again', file });
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) throw invalid(`payloadType ${envelope.payloadType}`);
  const payload = decodeBase64Strict(envelope.payload);
  if (!payload) throw invalid('payload is not canonical base64');
  let statement: ApprovalStatement;
  try {
    const s = ApprovalStatementSchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (!s.success) throw invalid(`not an approval statement: ${s.error.issues[0]?.message ?? 'invalid'}`);
    statement = s.data;
  } catch (error) {
    if (error instanceof RunproofError) throw error;
    throw invalid('payload is not JSON');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(statement.predicate.approver.publicKey);
  } catch {
    throw invalid('the approver public key is not a PEM key');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') throw invalid('the approver key is not Ed25519');
  const keyid = keyIdFor(publicKey);
  if (keyid !== statement.predicate.approver.keyid) throw invalid(`the approver key id ${statement.predicate.approver.keyid} is not the id of the key it carries (${keyid})`);
  if (envelope.signatures.length !== 1) throw invalid(`${envelope.signatures.length} signatures; an approval has exactly one`);
  const check = checkEnvelopeSignatures(envelope, payload, { ed25519: [publicKey] });
  if (check.verified.length !== 1) throw invalid('the signature does not verify with the approver key');
  if (statement.subject[0]!.digest.sha256 !== plan.digest || statement.predicate.plan.digest !== plan.digest) {
    throw new RunproofError('RP_PLAN_TAMPERED', `${file} approves plan ${statement.subject[0]!.digest.sha256}, but the plan it holds is ${plan.digest}`, {
      hint: 'the plan was changed after it was approved; have the new plan approved',
      file,
    });
  }
  if (statement.predicate.plan.runbook.sha256 !== plan.runbook.sha256) throw invalid('the approved runbook hash is not the plan\'s');
  return { plan, statement, envelope, sha256: createHash('sha256').update(bytes).digest('hex'), publicKey };
}

/** Reads and opens `approval.json` (see `openApproval`). */
export async function readApprovalFile(file: string): Promise<{ approval: OpenedApproval; bytes: Buffer }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new RunproofError('RP_BAD_APPROVAL', `cannot read ${file}: ${(cause as Error).message}`, { hint: 'pass the approval.json written by `runproof approve`', file, cause });
  }
  return { approval: openApproval(bytes, file), bytes };
}

// ---------------------------------------------------------------------------------------------
// Trust

const TrustApproverSchema = z.strictObject({
  name: z.string().min(1),
  /** The approver's Ed25519 public key: PEM text, or a file (relative to the trust file). */
  key: z.string().optional(),
  keyFile: z.string().optional(),
  /** The highest risk this approver may approve (default destructive). */
  maxRisk: RiskLevelSchema.default('destructive'),
  /** Runbook path globs (`*`, `**`, `?`) this approver may approve; default: any. */
  runbooks: z.array(z.string()).default(['**']),
});
export const TrustFileSchema = z.strictObject({ approvers: z.array(TrustApproverSchema).min(1) });

export interface TrustedApprover {
  name: string;
  keyid: string;
  maxRisk: RiskLevel;
  runbooks: string[];
}

/**
 * Reads a trust file (YAML): `approvers: [{name, key | keyFile, maxRisk, runbooks}]`.
 * @throws RunproofError RP_BAD_TRUST when it does not read, parse or hold Ed25519 keys.
 */
export async function readTrustFile(file: string): Promise<TrustedApprover[]> {
  const hint = 'a trust file is YAML: approvers: [{name: alice, keyFile: alice.pub, maxRisk: destructive, runbooks: ["ops/**"]}]';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new RunproofError('RP_BAD_TRUST', `cannot read trust file ${file}: ${(cause as Error).message}`, { hint, file, cause });
  }
  // yaml (72 files) only when a trust file is read: the record stage's index imports this module,
  // so every `verify` and `run` loaded it (start-up is module loading).
  const { parse: parseYaml } = await import('yaml');
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (cause) {
    throw new RunproofError('RP_BAD_TRUST', `${file} is not YAML: ${(cause as Error).message.split('\n')[0]}`, { hint, file, cause });
  }
  const parsed = TrustFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunproofError('RP_BAD_TRUST', `${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`, { hint, file });
  }
  const approvers: TrustedApprover[] = [];
  for (const a of parsed.data.approvers) {
    if ((a.key === undefined) === (a.keyFile === undefined)) throw new RunproofError('RP_BAD_TRUST', `${file}: approver ${a.name} needs exactly one of key or keyFile`, { hint, file });
    let pem = a.key;
    if (a.keyFile !== undefined) {
      try {
        pem = await readFile(resolve(dirname(file), a.keyFile), 'utf8');
      } catch (cause) {
        throw new RunproofError('RP_BAD_TRUST', `${file}: cannot read key file ${a.keyFile} of ${a.name}`, { hint, file, cause });
      }
    }
    let key: KeyObject;
    try {
      key = createPublicKey(pem!);
    } catch (cause) {
      throw new RunproofError('RP_BAD_TRUST', `${file}: the key of ${a.name} is not a PEM public key`, { hint: 'use the .pub file written by `runproof keygen`', file, cause });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new RunproofError('RP_BAD_TRUST', `${file}: the key of ${a.name} is not Ed25519`, { hint: 'use the .pub file written by `runproof keygen`', file });
    approvers.push({ name: a.name, keyid: keyIdFor(key), maxRisk: a.maxRisk, runbooks: a.runbooks });
  }
  return approvers;
}

/** A path glob as a RegExp: `**` any path, `*` any name part, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** What `checkTrust` decided: the trusted approver, or why the approval does not count. */
export type TrustDecision = { ok: true; approver: TrustedApprover } | { ok: false; reason: string };

/**
 * Whether the trust file lets this approval count for a plan whose gated steps reach `highest`:
 * the key is listed, the name it signed under is the listed one, the risk is within its
 * `maxRisk` and the runbook path matches one of its globs.
 */
export function checkTrust(approval: OpenedApproval, trusted: readonly TrustedApprover[], highest: RiskLevel | null): TrustDecision {
  const { approver } = approval.statement.predicate;
  const entry = trusted.find((t) => t.keyid === approver.keyid);
  if (!entry) return { ok: false, reason: `key ${approver.keyid} (signed as ${approver.name}) is not in the trust file` };
  if (entry.name !== approver.name) return { ok: false, reason: `key ${approver.keyid} belongs to ${entry.name} in the trust file, but the approval names ${approver.name}` };
  if (highest !== null && RISK_ORDER[highest] > RISK_ORDER[entry.maxRisk]) return { ok: false, reason: `${entry.name} may approve up to ${entry.maxRisk}, the plan holds ${highest} steps` };
  const path = approval.plan.runbook.path.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!entry.runbooks.some((g) => globToRegExp(g).test(path))) return { ok: false, reason: `${entry.name} may approve runbooks ${entry.runbooks.join(', ')}, not ${path}` };
  return { ok: true, approver: entry };
}
