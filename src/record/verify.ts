// `runproof verify`: checks a bundle folder or its archive against its own manifest and
// attestation: every hash, every file listed and none unlisted, the statement, the signature
// when a key is given, the link to the previous bundle when it is present, and a checkpoint.
import { createHash, type X509Certificate } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RunproofError } from '../core/index.js';
import { archiveFormatOf, scanArchive } from './archive.js';
import {
  buildRunStatement,
  checkEnvelopeSignatures,
  decodeBase64Strict,
  EnvelopeSchema,
  IN_TOTO_PAYLOAD_TYPE,
  serializeEnvelope,
  statementBytes,
  type Envelope,
} from './attestation.js';
import { checkCheckpoint, readCheckpointFile } from './checkpoint.js';
import { checkJournalChain } from './journal.js';
import { atOrAbove, BUNDLE_APPROVAL_FILE, BUNDLE_PLAN_FILE, checkTrust, openApproval, parsePlan, readTrustFile, type OpenedApproval } from './approval.js';
import { JOURNAL_FILE } from './bundle.js';
import { loadVerifyKey, type VerifyKeys } from './keys.js';
import {
  ATTESTATION_FILE,
  chainBundles,
  hashFile,
  listBundleFiles,
  MANIFEST_FILE,
  parseManifest,
  readManifest,
  SEAL_FILES,
  sha256Hex,
  type ChainLink,
  type Manifest,
} from './manifest.js';
import { RunRecordSchema, type RunRecord } from './types.js';
import { readTsaCertificates, TIMESTAMP_QUERY_FILE, TIMESTAMP_REPLY_FILE, verifyTimestamp } from './timestamp.js';

/** One thing that does not match: which file, what was expected, what was found. */
export interface VerifyProblem {
  file: string;
  expected: string;
  actual: string;
}

export interface VerifyOptions {
  /** Ed25519 public (or private) key PEM files whose signatures count. */
  keyFiles?: string[];
  /** HMAC key (`RUNPROOF_SIGNING_KEY`): only its holders can check HMAC signatures. */
  hmacKey?: string;
  /** Fail unless at least one signature verifies with a given key. */
  requireSignature?: boolean;
  /** A trust file (`--trust`): decides whether the approver of an approved run counts. */
  trustFile?: string;
  /** A checkpoint file (`runproof evidence checkpoint`) the chain must still extend. */
  checkpointFile?: string;
  /** `--tsa-cert FILE`: PEM certificate(s) of the TSA (and its CAs) whose RFC 3161 tokens count. */
  tsaCertFile?: string;
}

/** What `verifyBundle` found. */
export interface VerifyResult {
  ok: boolean;
  /** The bundle's name (its folder). */
  bundle: string;
  path: string;
  source: 'directory' | 'tgz' | 'zip';
  problems: VerifyProblem[];
  /** What was checked or could not be checked, for the auditor (not failures). */
  notes: string[];
  files: number;
  bytes: number;
  signature: { present: number; verified: string[] };
  /**
   * What the verification proves (SECURITY L13): `signed` a signature verified with a given key;
   * `signature-unchecked` signatures present but no key given; `unsigned` no signature at all.
   * Without `signed`, anyone able to write the folder could have rebuilt and resealed it.
   */
  proves: 'signed' | 'signature-unchecked' | 'unsigned';
  /** Who sealed the bundle, from the record (`recover-force`: rebuilt and resealed). */
  sealedBy?: 'run' | 'recover' | 'recover-force';
  chain: { seq: number; origin: boolean; previous: ChainLink | null; previousChecked: boolean } | null;
}

// What verify needs from a bundle, whether it is a folder or an archive.
interface BundleView {
  name: string;
  source: VerifyResult['source'];
  /** The folder holding the bundle (or the archive): where the chain's other bundles are. */
  parentDir: string;
  files: Map<string, { size: number; sha256: string }>;
  problems: VerifyProblem[];
  read(rel: string): Promise<Buffer | null>;
}

const KEEP_MAX = 64 * 1024 * 1024;

async function viewDirectory(dir: string): Promise<BundleView> {
  const { files, odd } = await listBundleFiles(dir);
  const map = new Map<string, { size: number; sha256: string }>();
  for (const path of files) map.set(path, await hashFile(join(dir, path)));
  return {
    name: basename(dir),
    source: 'directory',
    parentDir: dirname(dir),
    files: map,
    problems: odd.map((o) => ({ file: o.path, expected: 'a regular file', actual: o.kind === 'symlink' ? 'a symbolic link' : 'not a regular file' })),
    read: async (rel) => {
      if (!map.has(rel)) return null;
      const size = map.get(rel)!.size;
      if (size > KEEP_MAX) return null;
      return readFile(join(dir, rel)).catch(() => null);
    },
  };
}

async function viewArchive(path: string): Promise<BundleView> {
  const scan = await scanArchive(path, (rel) => SEAL_FILES.has(rel) || (rel.endsWith('.json') && !rel.includes('/')) || rel === JOURNAL_FILE || rel === BUNDLE_APPROVAL_FILE || rel === BUNDLE_PLAN_FILE);
  const files = new Map<string, { size: number; sha256: string }>();
  for (const [rel, f] of scan.files) files.set(rel, { size: f.size, sha256: f.sha256 });
  return {
    name: scan.root ?? basename(path).replace(/\.(tgz|tar\.gz|zip)$/i, ''),
    source: scan.format,
    parentDir: dirname(path),
    files,
    problems: scan.problems.map((p) => ({ file: p.entry, expected: 'a file inside the bundle folder', actual: p.message })),
    read: async (rel) => scan.files.get(rel)?.content ?? null,
  };
}

async function loadKeys(options: VerifyOptions): Promise<VerifyKeys> {
  const keys: VerifyKeys = {};
  if (options.keyFiles && options.keyFiles.length > 0) keys.ed25519 = await Promise.all(options.keyFiles.map(loadVerifyKey));
  // The key decides the algorithm (SECURITY L14): with `--key` given, only Ed25519 signatures by
  // those keys count; an HMAC key from the environment must not make an HMAC signature acceptable.
  else if (options.hmacKey) keys.hmacKey = options.hmacKey;
  return keys;
}

const describe = (f: { size: number; sha256: string }): string => `sha256 ${f.sha256} (${f.size} bytes)`;

/**
 * Verifies a sealed bundle folder or its `.tgz`/`.zip` archive. Never throws for what it finds:
 * every mismatch is a problem `{ file, expected, actual }`; `ok` is true when there is none.
 * @throws RunproofError RP_BAD_BUNDLE when the path is neither a folder nor an archive, RP_BAD_KEY for unreadable keys.
 * @example const result = await verifyBundle('evidence/daily_20260122_101500'); if (!result.ok) console.log(result.problems);
 */
export async function verifyBundle(path: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const target = resolve(path);
  const info = await lstat(target).catch(() => null);
  if (!info) throw new RunproofError('RP_BAD_BUNDLE', `${path} does not exist`, { hint: 'pass a bundle folder (evidence/<name>_<ts>) or its archive' });
  let view: BundleView;
  if (info.isDirectory()) view = await viewDirectory(target);
  else if (info.isFile() && archiveFormatOf(target)) view = await viewArchive(target);
  else throw new RunproofError('RP_BAD_BUNDLE', `${path} is neither a bundle folder nor a .tgz/.zip archive`, { hint: 'pass a bundle folder (evidence/<name>_<ts>) or its archive' });
  const keys = await loadKeys(options);
  const tsaCerts = options.tsaCertFile ? await readTsaCertificates(options.tsaCertFile) : [];

  const problems = [...view.problems];
  const notes: string[] = [];
  let bytes = 0;
  for (const f of view.files.values()) bytes += f.size;
  const result: VerifyResult = {
    ok: false,
    bundle: view.name,
    path: target,
    source: view.source,
    problems,
    notes,
    files: view.files.size,
    bytes,
    signature: { present: 0, verified: [] },
    proves: 'unsigned',
    chain: null,
  };

  const manifestBytes = await view.read(MANIFEST_FILE);
  if (!manifestBytes) {
    problems.push({ file: MANIFEST_FILE, expected: 'present', actual: 'missing' });
    if (!view.files.has(ATTESTATION_FILE)) problems.push({ file: ATTESTATION_FILE, expected: 'present', actual: 'missing' });
    notes.push('without manifest.json no hash can be checked: if the run was killed, `runproof recover` seals it');
    return finish(result);
  }
  const manifest = parseManifest(manifestBytes);
  const manifestSha256 = sha256Hex(manifestBytes);
  if (!manifest) {
    problems.push({ file: MANIFEST_FILE, expected: 'a valid runproof manifest', actual: 'not valid JSON or not the manifest schema' });
    return finish(result);
  }

  checkFiles(manifest, view, problems);
  // The folder's name is not evidence (an auditor's copy is renamed): the manifest, which the
  // hashes and signature cover, names the bundle. Reported, never failed.
  if (manifest.bundle !== view.name) notes.push(`folder ${view.name} holds bundle ${manifest.bundle} (a renamed copy: its contents are what was verified)`);

  const record = await readRecord(manifest, view, problems);
  if (record?.sealedBy) {
    result.sealedBy = record.sealedBy;
    if (record.sealedBy === 'recover-force') notes.push('sealed by `recover --force`: the bundle was rebuilt from its journal and sealed again after the run; only a signature by a trusted key shows who did it');
  }
  await checkJournal(view, manifest, result);
  await checkApproval(view, record, manifest, options, result, tsaCerts);
  await checkAttestation(view, manifest, manifestSha256, record, keys, options, result);
  await checkChain(view, manifest, result);
  await checkTimestamp(view, manifest, manifestBytes, record, tsaCerts, options, result);
  if (options.checkpointFile) {
    const checkpoint = await readCheckpointFile(options.checkpointFile);
    const found = await checkCheckpoint(checkpoint, {
      evidenceDir: view.parentDir,
      keys,
      requireSignature: options.requireSignature === true,
      start: { name: view.name, manifest, manifestSha256 },
    });
    for (const p of found.problems) problems.push({ file: options.checkpointFile, expected: p.expected, actual: p.actual });
    notes.push(...found.notes);
  }
  return finish(result);
}

// The journal's own hash chain (journal.ts), beside the manifest's hash of the whole file.
async function checkJournal(view: BundleView, manifest: Manifest, result: VerifyResult): Promise<void> {
  const bytes = view.files.has(JOURNAL_FILE) ? await view.read(JOURNAL_FILE) : null;
  if (!bytes) {
    if (view.files.has(JOURNAL_FILE)) result.notes.push(`${JOURNAL_FILE} is too large to read back: its hash chain was not checked`);
    return;
  }
  const chain = checkJournalChain(bytes.toString('utf8'), manifest.bundle);
  for (const p of chain.problems) result.problems.push({ file: p.line > 0 ? `${JOURNAL_FILE} line ${p.line}` : JOURNAL_FILE, expected: 'an unbroken hash chain (prev) and seq', actual: p.message });
  if (chain.status === 'chained') result.notes.push(`journal hash chain checked: ${chain.lines} line(s) linked`);
  else if (chain.status === 'unchained') result.notes.push(`journal unchained (written before lines carried prev): only its seq numbering and the manifest hash were checked`);
}

// The change approval copied into the bundle (`run --approval`): which of its checks could be made.
async function checkApproval(view: BundleView, record: RunRecord | null, manifest: Manifest, options: VerifyOptions, result: VerifyResult, tsaCerts: X509Certificate[]): Promise<void> {
  const { problems, notes } = result;
  const bytes = view.files.has(BUNDLE_APPROVAL_FILE) ? await view.read(BUNDLE_APPROVAL_FILE) : null;
  const gatedSteps = (record?.steps ?? []).filter((s) => s.approval !== undefined);
  if (!bytes) {
    if (gatedSteps.length > 0) problems.push({ file: BUNDLE_APPROVAL_FILE, expected: `the approval ${gatedSteps.length} step(s) name`, actual: 'missing' });
    return;
  }
  const fail = (expected: string, actual: string, file = BUNDLE_APPROVAL_FILE): void => {
    problems.push({ file, expected, actual });
  };
  let approval: OpenedApproval;
  try {
    approval = openApproval(bytes, BUNDLE_APPROVAL_FILE);
  } catch (error) {
    fail('a valid approval: signature, plan digest', error instanceof RunproofError ? `${error.code} ${error.message}` : String(error));
    return;
  }
  const p = approval.statement.predicate;
  const checked: string[] = ['signature (with the key the approval carries)'];
  const unchecked: string[] = [];
  // Plan: the copy beside it is the approved plan; the runbook that ran is the planned one.
  const planBytes = view.files.has(BUNDLE_PLAN_FILE) ? await view.read(BUNDLE_PLAN_FILE) : null;
  if (planBytes) {
    try {
      const copy = parsePlan(JSON.parse(planBytes.toString('utf8')), BUNDLE_PLAN_FILE);
      if (copy.digest !== approval.plan.digest) fail(`plan digest ${approval.plan.digest} (approved)`, `plan digest ${copy.digest}`, BUNDLE_PLAN_FILE);
    } catch (error) {
      fail('the approved plan', error instanceof RunproofError ? `${error.code} ${error.message}` : `not JSON: ${(error as Error).message}`, BUNDLE_PLAN_FILE);
    }
  }
  if (manifest.runbook.sha256 !== approval.plan.runbook.sha256) fail(`runbook sha256 ${approval.plan.runbook.sha256} (approved plan)`, `runbook sha256 ${manifest.runbook.sha256} ran`);
  checked.push('plan matches (digest, runbook)');
  // Who counts: the trust file, when given.
  if (options.trustFile) {
    const trust = await readTrustFile(options.trustFile);
    let highest: 'read' | 'write' | 'destructive' | null = null;
    for (const s of approval.plan.steps) if (atOrAbove(s.risk, p.threshold) && (highest === null || atOrAbove(s.risk, highest))) highest = s.risk;
    const decision = checkTrust(approval, trust, highest);
    if (!decision.ok) fail(`an approver trusted by ${options.trustFile}`, decision.reason);
    checked.push('key trusted');
  } else {
    unchecked.push('key trusted (pass --trust FILE)');
  }
  if (record) {
    if (p.approver.name === record.operator.user) fail(`an approver other than the operator ${record.operator.user}`, `approved by ${p.approver.name}`);
    const attestation = await view.read(ATTESTATION_FILE);
    if (attestation) {
      try {
        const envelope = EnvelopeSchema.parse(JSON.parse(attestation.toString('utf8')));
        if (envelope.signatures.some((sig) => sig.keyid === p.approver.keyid)) fail('a run signed by another key than the approver\'s', `the attestation is signed by the approver key ${p.approver.keyid}`);
      } catch {
        // the attestation's own problems are reported by checkAttestation
      }
    }
    checked.push('approver ≠ operator');
    const signedAt = Date.parse(p.signedAt);
    const expiresAt = Date.parse(p.expiresAt);
    const approvedById = new Map(approval.plan.steps.map((s) => [s.id, s]));
    const sha = sha256Hex(bytes);
    for (const step of gatedSteps) {
      const a = step.approval!;
      const where = `${manifest.record} step ${step.name}`;
      if (a.approvalSha256 !== sha) fail(`approval sha256 ${sha}`, `the step names approval ${a.approvalSha256}`, where);
      if (a.planDigest !== approval.plan.digest) fail(`plan digest ${approval.plan.digest}`, `the step names plan ${a.planDigest}`, where);
      if (a.status !== 'approved') continue;
      const planned = approvedById.get(step.id);
      const ran = step.boundCommand ?? step.source;
      if (!planned || planned.command !== ran) fail(`the approved command ${JSON.stringify(planned?.command ?? '(none)')}`, `ran ${JSON.stringify(ran)}`, where);
      if (step.decisions.some((d) => d.action === 'edit')) notes.push(`step ${step.name} was edited during the run: the edit ran unapproved, on the operator's confirmation (see its decisions)`);
      const started = step.attempts[0]?.startedAt;
      if (started !== undefined) {
        const t = Date.parse(started);
        if (!(signedAt < t)) fail(`approval signed (${p.signedAt}) before the step started`, `started ${started}`, where);
        if (!(t < expiresAt)) fail(`the step started before the approval expired (${p.expiresAt})`, `started ${started}`, where);
      }
    }
    checked.push('signed before each approved step started (approver clock)', 'not expired when each step started');
  } else {
    unchecked.push('approver ≠ operator, timing and expiry (no readable record)');
  }
  // `approve --tsa`: the approval's own RFC 3161 token, over the envelope, before the first approved step.
  const stamp = (JSON.parse(bytes.toString('utf8')) as { timestamp?: { tsq: string; tsr: string } }).timestamp;
  if (stamp) {
    const starts = gatedSteps.flatMap((s) => (s.attempts[0]?.startedAt ? [{ at: new Date(s.attempts[0].startedAt), what: `step ${s.name} started` }] : []));
    const check = verifyTimestamp(Buffer.from(stamp.tsr, 'base64'), createHash('sha256').update(serializeEnvelope(approval.envelope), 'utf8').digest(), tsaCerts, { query: Buffer.from(stamp.tsq, 'base64'), notAfter: starts });
    for (const q of check.problems) fail(`approval timestamp: ${q.expected}`, q.actual);
    if (check.problems.length === 0 && tsaCerts.length > 0) checked.push(`approval timestamp ${check.genTime?.toISOString()} by ${check.tsa} (before each approved step started, TSA clock)`);
    else if (tsaCerts.length === 0) unchecked.push('the approval timestamp (pass --tsa-cert FILE)');
  } else if (options.tsaCertFile) {
    unchecked.push('an approval timestamp (the approval has none: approve --tsa)');
  }
  notes.push(`change approval by ${p.approver.name}${p.ticket ? ` (${p.ticket})` : ''}, plan ${approval.plan.digest.slice(0, 12)}…: checked ${checked.join(', ')}${unchecked.length > 0 ? `; not checked: ${unchecked.join(', ')}` : ''}`);
}

// The RFC 3161 token beside the manifest (`run --tsa`): over SHA-256(manifest.json), signed by
// the TSA given with --tsa-cert, after the run ended and before the next bundle of the chain began.
async function checkTimestamp(view: BundleView, manifest: Manifest, manifestBytes: Buffer, record: RunRecord | null, tsaCerts: X509Certificate[], options: VerifyOptions, result: VerifyResult): Promise<void> {
  const reply = view.files.has(TIMESTAMP_REPLY_FILE) ? await view.read(TIMESTAMP_REPLY_FILE) : null;
  if (!reply) {
    if (view.files.has(TIMESTAMP_QUERY_FILE)) result.problems.push({ file: TIMESTAMP_REPLY_FILE, expected: `the token answering ${TIMESTAMP_QUERY_FILE}`, actual: 'missing' });
    if (options.tsaCertFile) result.problems.push({ file: TIMESTAMP_REPLY_FILE, expected: 'an RFC 3161 timestamp token (--tsa-cert given)', actual: 'missing: the run had no --tsa, or the token was removed' });
    return;
  }
  const query = view.files.has(TIMESTAMP_QUERY_FILE) ? await view.read(TIMESTAMP_QUERY_FILE) : null;
  const later = await nextBundleStart(view, manifest);
  const check = verifyTimestamp(reply, createHash('sha256').update(manifestBytes).digest(), tsaCerts, {
    query,
    ...(record ? { notBefore: { at: new Date(record.endedAt), what: `the run ended (endedAt)` } } : {}),
    ...(later ? { notAfter: [later] } : {}),
  });
  for (const p of check.problems) result.problems.push({ file: TIMESTAMP_REPLY_FILE, expected: p.expected, actual: p.actual });
  if (!record) check.unchecked.push('time after the run (no readable record)');
  if (!later) check.unchecked.push('time before a later bundle (none in this folder)');
  result.notes.push(
    `timestamp ${check.genTime ? check.genTime.toISOString() : '(unreadable)'}${check.tsa ? ` by ${check.tsa}` : ''}: checked ${check.checked.length > 0 ? check.checked.join(', ') : 'nothing'}${check.unchecked.length > 0 ? `; not checked: ${check.unchecked.join(', ')}` : ''}`,
  );
}

// The start of the next bundle of the same chain in the same folder, when there is one.
async function nextBundleStart(view: BundleView, manifest: Manifest): Promise<{ at: Date; what: string } | null> {
  const next = (await chainBundles(view.parentDir, manifest.chain.key).catch(() => [])).filter((b) => b.manifest.chain.seq > manifest.chain.seq).sort((a, b) => a.manifest.chain.seq - b.manifest.chain.seq)[0];
  if (!next) return null;
  try {
    const record = JSON.parse(await readFile(join(view.parentDir, next.name, next.manifest.record), 'utf8')) as { startedAt?: unknown };
    if (typeof record.startedAt !== 'string' || Number.isNaN(Date.parse(record.startedAt))) return null;
    return { at: new Date(record.startedAt), what: `the next bundle ${next.name} started` };
  } catch {
    return null;
  }
}

function finish(result: VerifyResult): VerifyResult {
  result.ok = result.problems.length === 0;
  return result;
}

function checkFiles(manifest: Manifest, view: BundleView, problems: VerifyProblem[]): void {
  const listed = new Set<string>();
  for (const entry of manifest.files) {
    if (listed.has(entry.path)) {
      problems.push({ file: entry.path, expected: 'listed once in manifest.json', actual: 'listed twice' });
      continue;
    }
    listed.add(entry.path);
    if (SEAL_FILES.has(entry.path)) {
      problems.push({ file: entry.path, expected: 'not listed (a seal file)', actual: 'listed in manifest.json' });
      continue;
    }
    const found = view.files.get(entry.path);
    if (!found) problems.push({ file: entry.path, expected: describe(entry), actual: 'missing' });
    else if (found.sha256 !== entry.sha256 || found.size !== entry.size) problems.push({ file: entry.path, expected: describe(entry), actual: describe(found) });
  }
  for (const [path, found] of view.files) {
    if (!listed.has(path) && !SEAL_FILES.has(path)) problems.push({ file: path, expected: 'not present (unlisted in manifest.json)', actual: `present: ${describe(found)}` });
  }
}

async function readRecord(manifest: Manifest, view: BundleView, problems: VerifyProblem[]): Promise<RunRecord | null> {
  if (!manifest.files.some((f) => f.path === manifest.record)) {
    problems.push({ file: manifest.record, expected: 'the run record, listed in manifest.json', actual: 'not listed' });
    return null;
  }
  const bytes = await view.read(manifest.record);
  if (!bytes) return null; // already reported as missing
  try {
    const parsed = RunRecordSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (parsed.success) return parsed.data;
    problems.push({ file: manifest.record, expected: 'a valid run record', actual: parsed.error.issues[0]?.message ?? 'invalid' });
  } catch (error) {
    problems.push({ file: manifest.record, expected: 'a valid run record', actual: `not JSON: ${(error as Error).message}` });
  }
  return null;
}

async function checkAttestation(
  view: BundleView,
  manifest: Manifest,
  manifestSha256: string,
  record: RunRecord | null,
  keys: VerifyKeys,
  options: VerifyOptions,
  result: VerifyResult,
): Promise<void> {
  const { problems, notes } = result;
  const bytes = await view.read(ATTESTATION_FILE);
  if (!bytes) {
    problems.push({ file: ATTESTATION_FILE, expected: 'present', actual: 'missing' });
    return;
  }
  let envelope: Envelope;
  try {
    const parsed = EnvelopeSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) {
      problems.push({ file: ATTESTATION_FILE, expected: 'a DSSE envelope {payloadType, payload, signatures}', actual: parsed.error.issues[0]?.message ?? 'invalid' });
      return;
    }
    envelope = parsed.data;
  } catch (error) {
    problems.push({ file: ATTESTATION_FILE, expected: 'a DSSE envelope (JSON)', actual: `not JSON: ${(error as Error).message}` });
    return;
  }
  // The envelope is written in one form only; any other bytes mean it was edited.
  if (serializeEnvelope(envelope) !== bytes.toString('utf8')) problems.push({ file: ATTESTATION_FILE, expected: 'the envelope as runproof writes it', actual: 'edited (whitespace or layout differs)' });
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) problems.push({ file: ATTESTATION_FILE, expected: `payloadType ${IN_TOTO_PAYLOAD_TYPE}`, actual: `payloadType ${envelope.payloadType}` });
  const payload = decodeBase64Strict(envelope.payload);
  if (!payload) {
    problems.push({ file: ATTESTATION_FILE, expected: 'payload in canonical base64', actual: 'not canonical base64' });
    return;
  }
  type StatementShape = { subject?: Array<{ name?: string; digest?: { sha256?: string } }> };
  let statement: StatementShape | null = null;
  try {
    statement = JSON.parse(payload.toString('utf8')) as StatementShape;
  } catch {
    problems.push({ file: ATTESTATION_FILE, expected: 'an in-toto Statement (JSON) as payload', actual: 'payload is not JSON' });
  }
  const subjectSha = statement?.subject?.[0]?.digest?.sha256;
  if (statement && subjectSha !== manifestSha256) {
    problems.push({ file: ATTESTATION_FILE, expected: `subject manifest.json sha256 ${subjectSha ?? '(none)'}`, actual: `manifest.json sha256 ${manifestSha256}` });
  } else if (statement && record) {
    const expected = statementBytes(buildRunStatement(manifest, manifestSha256, record));
    if (!expected.equals(payload)) problems.push({ file: ATTESTATION_FILE, expected: 'a statement matching manifest.json and the record', actual: 'the statement differs (edited predicate or subject)' });
  }

  const check = checkEnvelopeSignatures(envelope, payload, keys);
  result.signature = { present: check.present, verified: check.verified };
  result.proves = check.verified.length > 0 ? 'signed' : check.present > 0 ? 'signature-unchecked' : 'unsigned';
  const haveKey = (keys.ed25519?.length ?? 0) > 0 || keys.hmacKey !== undefined;
  if (haveKey) {
    if (check.verified.length === 0) {
      problems.push({
        file: ATTESTATION_FILE,
        expected: 'a signature that verifies with the given key',
        actual: check.present === 0 ? 'unsigned' : `${check.present} signature(s), none valid for the given key (${check.unverified.join(', ')})`,
      });
    } else {
      notes.push(`signature verified: ${check.verified.join(', ')}`);
    }
  } else if (check.present > 0) {
    notes.push(`${check.present} signature(s) present, not checked: pass --key PUBLIC.pem (Ed25519) or set RUNPROOF_SIGNING_KEY (HMAC)`);
  }
  if (options.keyFiles?.length && options.hmacKey) notes.push('RUNPROOF_SIGNING_KEY ignored: --key decides the algorithm (Ed25519)');
  if (options.requireSignature) {
    if (check.present === 0) problems.push({ file: ATTESTATION_FILE, expected: 'a signature (--require-signature)', actual: 'unsigned' });
    else if (!haveKey) problems.push({ file: ATTESTATION_FILE, expected: 'a key to check the signature (--require-signature)', actual: 'no --key given and RUNPROOF_SIGNING_KEY unset' });
  }
}

// The chain link: the previous bundle, when it is in the same folder, must have exactly the
// manifest hash and seq this manifest names; a missing one with older ones still present means
// a bundle was removed from the middle of the chain.
async function checkChain(view: BundleView, manifest: Manifest, result: VerifyResult): Promise<void> {
  const { problems, notes } = result;
  const { chain } = manifest;
  result.chain = { seq: chain.seq, origin: chain.origin, previous: chain.previous, previousChecked: false };
  const consistent = chain.origin ? chain.previous === null && chain.seq === 1 : chain.previous !== null && chain.previous.seq === chain.seq - 1;
  if (!consistent) {
    problems.push({
      file: MANIFEST_FILE,
      expected: chain.origin ? 'origin: seq 1 and no previous bundle' : `previous bundle with seq ${chain.seq - 1}`,
      actual: `seq ${chain.seq}, origin ${chain.origin}, previous ${chain.previous ? `${chain.previous.bundle} (seq ${chain.previous.seq})` : 'null'}`,
    });
    return;
  }
  if (chain.previous) {
    const prev = chain.previous;
    const read = await readManifest(join(view.parentDir, prev.bundle));
    if (read) {
      result.chain.previousChecked = true;
      if (read.sha256 !== prev.manifestSha256) problems.push({ file: `${prev.bundle}/${MANIFEST_FILE}`, expected: `sha256 ${prev.manifestSha256} (named by ${view.name})`, actual: `sha256 ${read.sha256}` });
      else if (read.manifest.chain.seq !== prev.seq) problems.push({ file: `${prev.bundle}/${MANIFEST_FILE}`, expected: `seq ${prev.seq}`, actual: `seq ${read.manifest.chain.seq}` });
      else notes.push(`chain link checked: ${prev.bundle} (seq ${prev.seq}) → ${view.name} (seq ${chain.seq})`);
    } else if ((await lstat(join(view.parentDir, prev.bundle)).catch(() => null))?.isDirectory()) {
      problems.push({ file: `${prev.bundle}/${MANIFEST_FILE}`, expected: `the manifest of the previous bundle (sha256 ${prev.manifestSha256})`, actual: 'missing or not a valid manifest' });
    } else {
      const older = (await chainBundles(view.parentDir, chain.key)).filter((b) => b.manifest.chain.seq < chain.seq && b.name !== view.name);
      const before = older[older.length - 1];
      // The previous bundle copied under another folder name: found by its manifest's hash.
      const renamed = older.find((b) => b.manifestSha256 === prev.manifestSha256 && b.manifest.chain.seq === prev.seq);
      if (renamed) {
        result.chain.previousChecked = true;
        notes.push(`chain link checked: ${prev.bundle} (seq ${prev.seq}, in folder ${renamed.name}) → ${view.name} (seq ${chain.seq})`);
      } else if (before) {
        problems.push({
          file: MANIFEST_FILE,
          expected: `previous bundle ${prev.bundle} (seq ${prev.seq}) in ${view.parentDir}`,
          actual: `chain broken between ${before.name} and ${view.name}: ${prev.bundle} (seq ${prev.seq}) is missing`,
        });
      } else {
        notes.push(`previous bundle ${prev.bundle} (seq ${prev.seq}) is not in ${view.parentDir}: chain link not checked`);
      }
    }
  } else {
    notes.push(`chain origin: ${view.name} is the first bundle of its chain`);
  }
  if (manifest.resumedFrom) {
    const link = manifest.resumedFrom;
    const read = await readManifest(join(view.parentDir, link.bundle));
    if (read && read.sha256 !== link.manifestSha256) problems.push({ file: `${link.bundle}/${MANIFEST_FILE}`, expected: `sha256 ${link.manifestSha256} (resumed by ${view.name})`, actual: `sha256 ${read.sha256}` });
    else if (read) notes.push(`resumed run ${link.bundle} checked`);
    else notes.push(`resumed run ${link.bundle} is not in ${view.parentDir}: link not checked`);
  }
}
