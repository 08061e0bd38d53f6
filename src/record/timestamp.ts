// RFC 3161 timestamps: time from an independent source. `run --tsa URL` asks a Time-Stamping
// Authority for a token over SHA-256(manifest.json) after sealing and keeps the request and the
// reply beside the manifest (`timestamp.tsq`, `timestamp.tsr`: they cannot be listed by the
// manifest they stamp). `approve --tsa URL` does the same over the approval's DSSE envelope bytes
// and keeps both inside approval.json. `verify --tsa-cert FILE` checks a token offline: the CMS
// SignedData signature with the TSA certificate (node:crypto), that certificate's chain to the
// given PEM certificates, its critical timeStamping-only extended key usage, the ESS
// signing-certificate binding, the message imprint, the nonce and genTime.
// ASN.1/CMS: @peculiar/asn1-tsp, -cms, -x509, -schema (engines node >=14; pkijs 4 needs 20.19).
import { createHash, randomBytes, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Asn1Schema from '@peculiar/asn1-schema';
import type * as Asn1X509 from '@peculiar/asn1-x509';
import type * as Asn1Cms from '@peculiar/asn1-cms';
import type * as Asn1Tsp from '@peculiar/asn1-tsp';
import type * as Asn1js from 'asn1js';
import { RunproofError } from '../core/index.js';

type ContentInfo = Asn1Cms.ContentInfo;
type SignedData = Asn1Cms.SignedData;
type TSTInfo = Asn1Tsp.TSTInfo;
type OctetString = Asn1Schema.OctetString;

// The ASN.1 packages (~140 CommonJS files) load on the first token built or read, not with this
// module: the record stage's index imports it, so `verify` of a bundle without a timestamp, and
// every `run` without --tsa, would load them all for nothing (start-up is module loading).
const requireAsn1 = createRequire(import.meta.url);
let asn1Modules: { schema: typeof Asn1Schema; x509: typeof Asn1X509; cms: typeof Asn1Cms; tsp: typeof Asn1Tsp; asn1js: typeof Asn1js } | undefined;
function asn1(): NonNullable<typeof asn1Modules> {
  return (asn1Modules ??= {
    schema: requireAsn1('@peculiar/asn1-schema') as typeof Asn1Schema,
    x509: requireAsn1('@peculiar/asn1-x509') as typeof Asn1X509,
    cms: requireAsn1('@peculiar/asn1-cms') as typeof Asn1Cms,
    tsp: requireAsn1('@peculiar/asn1-tsp') as typeof Asn1Tsp,
    asn1js: requireAsn1('asn1js') as typeof Asn1js,
  });
}

/** Beside manifest.json in a bundle: the request sent and the TSA's reply (DER, as `openssl ts` reads them). */
export const TIMESTAMP_QUERY_FILE = 'timestamp.tsq';
export const TIMESTAMP_REPLY_FILE = 'timestamp.tsr';
/** How far the TSA's clock may be from the run's recorded times and still count. */
export const TIMESTAMP_SKEW_MS = 60_000;
const TSA_TIMEOUT_MS = 30_000;
const TSA_REPLY_LIMIT = 1024 * 1024;

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const DIGEST_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  [OID_SHA256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERT = '1.2.840.113549.1.9.16.2.12';
const OID_SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
const OID_RSA_PSS = '1.2.840.113549.1.1.10';

/**
 * Checks a `--tsa` URL before anything runs: http or https, a host, no credentials.
 * @throws RunproofError RP_BAD_FLAG otherwise.
 */
export function parseTsaUrl(text: string, flag = '--tsa'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RunproofError('RP_BAD_FLAG', `${flag} ${text} is not a URL`, { hint: `e.g. ${flag} https://freetsa.org/tsr` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RunproofError('RP_BAD_FLAG', `${flag} ${text} is not an http or https URL`, { hint: `e.g. ${flag} https://freetsa.org/tsr` });
  if (url.hostname === '') throw new RunproofError('RP_BAD_FLAG', `${flag} ${text} names no host`, { hint: `e.g. ${flag} https://freetsa.org/tsr` });
  if (url.username !== '' || url.password !== '') throw new RunproofError('RP_BAD_FLAG', `${flag} URL carries credentials, which would be kept in shell history and evidence`, { hint: 'use a TSA that needs no credentials in its URL' });
  return url;
}

/** A DER TimeStampReq over a SHA-256 digest, with a random 64-bit nonce and certReq set. */
export function buildTimestampRequest(digest: Buffer, nonce: Buffer = randomBytes(8)): Buffer {
  const { schema: { AsnConvert, OctetString }, x509: { AlgorithmIdentifier }, tsp: { MessageImprint, TimeStampReq } } = asn1();
  if (digest.length !== 32) throw new RunproofError('RP_INTERNAL', 'a timestamp request takes a SHA-256 digest');
  // A positive INTEGER: a leading zero byte when the high bit is set.
  const n = nonce[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), nonce]) : nonce;
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID_SHA256 }), hashedMessage: new OctetString(digest) }),
    nonce: toArrayBuffer(n),
    certReq: true,
  });
  return Buffer.from(AsnConvert.serialize(req));
}

/** What a TSA answered: the request sent and the DER reply, both kept as evidence. */
export interface TimestampExchange {
  query: Buffer;
  reply: Buffer;
  genTime: Date;
}

/**
 * Asks the TSA at `url` for a token over `digest` (SHA-256) and checks that the reply grants one
 * over that digest and nonce (the signature is checked by `verifyTimestamp`, offline).
 * @throws RunproofError RP_TSA_FAILED when the TSA cannot be reached or does not grant a token.
 */
export async function requestTimestamp(url: URL, digest: Buffer, options: { timeoutMs?: number } = {}): Promise<TimestampExchange> {
  const query = buildTimestampRequest(digest);
  const fail = (why: string, cause?: unknown): RunproofError =>
    new RunproofError('RP_TSA_FAILED', `timestamp authority ${url.origin}${url.pathname}: ${why}`, { hint: 'check the --tsa URL and that the TSA is reachable; the bundle itself is sealed and verifies without a token', ...(cause ? { cause } : {}) });
  let reply: Buffer;
  try {
    const timeout = options.timeoutMs ?? TSA_TIMEOUT_MS;
    // undici on demand: commands that never ask a TSA (list, lint) do not load it (lazy loading).
    const { request } = await import('undici');
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: query,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
      maxRedirections: 0,
    } as NonNullable<Parameters<typeof request>[1]>);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > TSA_REPLY_LIMIT) {
        res.body.destroy();
        throw fail(`reply larger than ${TSA_REPLY_LIMIT} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    if (res.statusCode !== 200) throw fail(`HTTP ${res.statusCode}`);
    reply = Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof RunproofError) throw error;
    const e = error as Error & { code?: string; cause?: { code?: string; message?: string } };
    throw fail(`unreachable (${e.cause?.code ?? e.code ?? e.cause?.message ?? e.message})`, error);
  }
  const opened = openReply(reply);
  if ('error' in opened) throw fail(opened.error);
  const imprint = Buffer.from(opened.tst.messageImprint.hashedMessage.buffer);
  if (!imprint.equals(digest)) throw fail('the token is over another digest than the one sent');
  const sentNonce = nonceOf(query);
  if (!opened.tst.nonce || !sentNonce || !bigEqual(Buffer.from(opened.tst.nonce), sentNonce)) throw fail('the token does not carry the nonce sent');
  return { query, reply, genTime: opened.tst.genTime };
}

interface OpenedToken {
  signed: SignedData;
  /** The first signer's signed attributes exactly as encoded ([0] IMPLICIT), or null. */
  signedAttrsDer: Buffer | null;
  tst: TSTInfo;
  tstDer: Buffer;
}

// Parses a TimeStampResp down to its TSTInfo, refusing anything that is not strict DER.
function openReply(bytes: Buffer): OpenedToken | { error: string } {
  const { schema: { AsnConvert }, cms: { id_signedData, SignedData }, tsp: { id_ct_tstInfo, PKIStatus, TimeStampResp, TSTInfo } } = asn1();
  let token: ContentInfo | undefined;
  try {
    const resp = AsnConvert.parse(bytes, TimeStampResp);
    if (resp.status.status !== PKIStatus.granted && resp.status.status !== PKIStatus.grantedWithMods) {
      const text = resp.status.statusString ? ` (${[...resp.status.statusString].join('; ')})` : '';
      return { error: `request not granted: status ${PKIStatus[resp.status.status] ?? resp.status.status}${text}` };
    }
    token = resp.timeStampToken;
    // Strict DER: a reply that does not re-encode to its own bytes was edited (BER leniency would
    // let a changed length or tag pass while the signed bytes stay the same).
    if (!Buffer.from(AsnConvert.serialize(resp)).equals(bytes)) return { error: 'the reply is not strict DER (edited)' };
  } catch {
    return { error: 'not a DER TimeStampResp' };
  }
  if (!token) return { error: 'granted, but the reply holds no token' };
  if (token.contentType !== id_signedData) return { error: `token content type ${token.contentType}, not CMS SignedData` };
  try {
    const signed = AsnConvert.parse(token.content, SignedData);
    if (!Buffer.from(AsnConvert.serialize(signed)).equals(Buffer.from(token.content))) return { error: 'the token is not strict DER (edited)' };
    if (signed.encapContentInfo.eContentType !== id_ct_tstInfo) return { error: `signed content type ${signed.encapContentInfo.eContentType}, not TSTInfo` };
    const e = signed.encapContentInfo.eContent;
    const tstDer = e?.single ? Buffer.from(e.single.buffer) : e?.any ? Buffer.from(e.any) : null;
    if (!tstDer) return { error: 'the token carries no TSTInfo' };
    const tst = AsnConvert.parse(tstDer, TSTInfo);
    if (!Buffer.from(AsnConvert.serialize(tst)).equals(tstDer)) return { error: 'the TSTInfo is not strict DER (edited)' };
    return { signed, signedAttrsDer: rawSignedAttrs(token.content), tst, tstDer };
  } catch (error) {
    return { error: `token does not parse: ${(error as Error).message}` };
  }
}

// The signature covers the signed attributes as they were encoded, so they are taken from the
// bytes (asn1js) rather than re-encoded: SignedData's last field is signerInfos, whose first
// SignerInfo holds them as its [0] IMPLICIT element.
function rawSignedAttrs(signedDataDer: ArrayBuffer): Buffer | null {
  const { fromBER } = asn1().asn1js;
  const parsed = fromBER(signedDataDer);
  if (parsed.offset === -1) return null;
  const fields = (parsed.result.valueBlock as { value?: Array<{ valueBlock: { value?: unknown[] } }> }).value;
  const signerInfos = fields?.[fields.length - 1]?.valueBlock.value as Array<{ valueBlock: { value?: unknown[] } }> | undefined;
  const first = signerInfos?.[0]?.valueBlock.value as Array<{ idBlock: { tagClass: number; tagNumber: number }; valueBeforeDecodeView: Uint8Array }> | undefined;
  const attrs = first?.find((e) => e.idBlock.tagClass === 3 && e.idBlock.tagNumber === 0);
  return attrs ? Buffer.from(attrs.valueBeforeDecodeView) : null;
}

function nonceOf(query: Buffer): Buffer | null {
  const { schema: { AsnConvert }, tsp: { TimeStampReq } } = asn1();
  try {
    const req = AsnConvert.parse(query, TimeStampReq);
    return req.nonce ? Buffer.from(req.nonce) : null;
  } catch {
    return null;
  }
}

const stripZeros = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
};
const bigEqual = (a: Buffer, b: Buffer): boolean => stripZeros(a).equals(stripZeros(b));

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
 * Reads a PEM file of one or more certificates (`--tsa-cert`).
 * @throws RunproofError RP_BAD_TSA_CERT when it holds none or one does not parse.
 */
export async function readTsaCertificates(file: string): Promise<X509Certificate[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RunproofError('RP_BAD_TSA_CERT', `cannot read --tsa-cert ${file}: ${(error as Error).message}`, { hint: 'give the TSA certificate (PEM), optionally followed by its CA certificates', cause: error });
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new RunproofError('RP_BAD_TSA_CERT', `--tsa-cert ${file} holds no PEM certificate`, { hint: 'give the TSA certificate (PEM), optionally followed by its CA certificates' });
  return blocks.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch (error) {
      throw new RunproofError('RP_BAD_TSA_CERT', `--tsa-cert ${file}: certificate ${i + 1} does not parse: ${(error as Error).message}`, { hint: 'give PEM certificates (-----BEGIN CERTIFICATE-----)', cause: error });
    }
  });
}

/** What `verifyTimestamp` found: problems (failures), what it checked and what it could not. */
export interface TimestampCheck {
  problems: Array<{ expected: string; actual: string }>;
  checked: string[];
  unchecked: string[];
  genTime?: Date;
  tsa?: string;
}

/**
 * Checks an RFC 3161 reply offline against the TSA certificates `trusted` (the first that signed
 * it, or one that chains to them): signature, EKU, ESS binding, imprint == `digest`, the nonce of
 * `query` when given, and genTime within `[notBefore - skew, notAfter + skew]` when given.
 */
export function verifyTimestamp(
  reply: Buffer,
  digest: Buffer,
  trusted: X509Certificate[],
  options: { query?: Buffer | null; notBefore?: { at: Date; what: string }; notAfter?: Array<{ at: Date; what: string }>; skewMs?: number } = {},
): TimestampCheck {
  const result: TimestampCheck = { problems: [], checked: [], unchecked: [] };
  const { schema: { AsnConvert, OctetString }, x509: { id_kp_timeStamping }, tsp: { id_ct_tstInfo, TimeStampReq } } = asn1();
  const problem = (expected: string, actual: string): TimestampCheck => {
    result.problems.push({ expected, actual });
    return result;
  };
  const opened = openReply(reply);
  if ('error' in opened) return problem('a granted RFC 3161 timestamp token', opened.error);
  const { signed, signedAttrsDer, tst, tstDer } = opened;
  result.genTime = tst.genTime;

  // The digest stamped.
  const alg = tst.messageImprint.hashAlgorithm.algorithm;
  const imprint = Buffer.from(tst.messageImprint.hashedMessage.buffer);
  if (alg !== OID_SHA256) problem('message imprint SHA-256', `imprint algorithm ${alg}`);
  else if (!imprint.equals(digest)) problem(`a token over sha256 ${digest.toString('hex')}`, `a token over another digest: ${imprint.toString('hex')}`);
  else result.checked.push('message imprint');

  // The nonce sent, when the request was kept.
  if (options.query) {
    const sent = nonceOf(options.query);
    const sentImprint = (() => {
      try {
        return Buffer.from(AsnConvert.parse(options.query!, TimeStampReq).messageImprint.hashedMessage.buffer);
      } catch {
        return null;
      }
    })();
    if (!sent || !sentImprint) problem('a DER TimeStampReq with a nonce', 'the kept request does not parse or has no nonce');
    else if (!tst.nonce || !bigEqual(Buffer.from(tst.nonce), sent)) problem(`nonce ${stripZeros(sent).toString('hex')} (sent)`, tst.nonce ? `nonce ${stripZeros(Buffer.from(tst.nonce)).toString('hex')}` : 'no nonce');
    else if (!sentImprint.equals(imprint)) problem('the imprint sent', 'the token stamps another imprint than the request');
    else result.checked.push('nonce');
  } else {
    result.unchecked.push('nonce (no request kept)');
  }

  // Time (the TSA's clock, trusted only once the signature is): after the stamped thing existed, before what came after it.
  const skew = options.skewMs ?? TIMESTAMP_SKEW_MS;
  const t = tst.genTime.getTime();
  if (options.notBefore) {
    if (t + skew < options.notBefore.at.getTime()) problem(`genTime after ${options.notBefore.what} (${options.notBefore.at.toISOString()})`, `genTime ${tst.genTime.toISOString()}`);
    else result.checked.push(`time after ${options.notBefore.what}`);
  }
  for (const later of options.notAfter ?? []) {
    if (t - skew > later.at.getTime()) problem(`genTime before ${later.what} (${later.at.toISOString()})`, `genTime ${tst.genTime.toISOString()}`);
    else result.checked.push(`time before ${later.what}`);
  }
  if (trusted.length === 0) {
    result.unchecked.push('signature, certificate and key usage (pass --tsa-cert FILE): without them the token proves nothing');
    return result;
  }

  // One signer, with signed attributes (RFC 3161 §2.4.1: the ESS signing-certificate attribute).
  if (signed.signerInfos.length !== 1) return problem('exactly one signer', `${signed.signerInfos.length} signers`);
  const signer = signed.signerInfos[0]!;
  const digestName = DIGEST_OIDS[signer.digestAlgorithm.algorithm];
  if (!digestName || digestName === 'sha1') return problem('a SHA-2 signer digest', `digest algorithm ${signer.digestAlgorithm.algorithm}`);
  if (!signer.signedAttrs || !signedAttrsDer) return problem('signed attributes', 'none');
  const attr = (oid: string): ArrayBuffer[] => signer.signedAttrs!.filter((a) => a.attrType === oid).flatMap((a) => a.attrValues);
  const contentType = attr(OID_CONTENT_TYPE);
  if (contentType.length !== 1 || AsnConvert.toString(contentType[0]!).indexOf(id_ct_tstInfo) < 0) problem('signed contentType attribute id-ct-TSTInfo', 'missing or another type');
  const md = attr(OID_MESSAGE_DIGEST);
  const tstDigest = createHash(digestName).update(tstDer).digest();
  if (md.length !== 1 || !Buffer.from(AsnConvert.parse(md[0]!, OctetString).buffer).equals(tstDigest)) return problem('signed messageDigest attribute == digest of the TSTInfo', 'it differs: the token content was changed');

  // The signer's certificate: among the given ones, or embedded and chaining to them.
  const embedded = (signed.certificates ?? []).flatMap((c) => (c.certificate ? [new X509Certificate(Buffer.from(AsnConvert.serialize(c.certificate)))] : []));
  const signerCert = [...trusted, ...embedded].find((c) => matchesSid(c, signer.sid));
  if (!signerCert) return problem('a token signed by the given TSA certificate', 'signed by a certificate that is neither given nor in the token');
  result.tsa = signerCert.subject.replace(/\n/g, ', ');

  const sigAlg = signer.signatureAlgorithm.algorithm;
  // Signed over the DER SET OF the attributes (tag 0x31), not the [0] IMPLICIT form it is stored in.
  const toVerify = Buffer.concat([Buffer.from([0x31]), signedAttrsDer.subarray(1)]);
  let ok = false;
  try {
    const key = signerCert.publicKey;
    const type = key.asymmetricKeyType;
    const sig = Buffer.from(signer.signature.buffer);
    if (type === 'ed25519' || type === 'ed448') ok = cryptoVerify(null, toVerify, key, sig);
    else if (sigAlg === OID_RSA_PSS) ok = false; // PSS parameters are not read: refused rather than guessed
    else if (type === 'ec') ok = cryptoVerify(digestName, toVerify, { key, dsaEncoding: 'der' }, sig);
    else ok = cryptoVerify(digestName, toVerify, key, sig);
  } catch {
    ok = false;
  }
  if (!ok) return problem(`a signature by ${result.tsa}`, sigAlg === OID_RSA_PSS ? 'an RSA-PSS signature (not supported)' : 'the signature does not verify: the token was changed or not signed by this key');
  result.checked.push('signature');

  // ESS: the signed attributes name the signer's certificate by its hash.
  const ess = [...attr(OID_SIGNING_CERT).map((v) => ({ v, alg: 'sha1' })), ...attr(OID_SIGNING_CERT_V2).map((v) => ({ v, alg: 'v2' }))];
  const certDer = signerCert.raw;
  const bound = ess.some(({ v, alg }) => {
    const bytes = Buffer.from(v);
    const hashes = alg === 'sha1' ? ['sha1'] : ['sha256', 'sha384', 'sha512'];
    return hashes.some((h) => bytes.includes(createHash(h).update(certDer).digest()));
  });
  if (!bound) problem('an ESS signing-certificate attribute naming the signer certificate', ess.length === 0 ? 'none' : 'it names another certificate');
  else result.checked.push('signing-certificate binding');

  // The signer's certificate: critical EKU timeStamping only, valid at genTime, chaining to a given certificate.
  const eku = ekuOf(signerCert);
  if (!eku) problem('a TSA certificate with extendedKeyUsage timeStamping', 'no extendedKeyUsage');
  else if (!eku.critical || eku.usages.length !== 1 || eku.usages[0] !== id_kp_timeStamping) problem('extendedKeyUsage critical, timeStamping only (RFC 3161 §2.3)', `${eku.critical ? 'critical' : 'not critical'}: ${eku.usages.join(', ')}`);
  else result.checked.push('timeStamping key usage');
  const chain = chainTo(signerCert, trusted, embedded);
  if (!chain) problem('a signer certificate that is, or chains to, a --tsa-cert certificate', `${result.tsa} does not`);
  else {
    result.checked.push(chain.length > 1 ? `certificate chain (${chain.length} certificates)` : 'certificate (given)');
    for (const c of chain) {
      if (tst.genTime < new Date(c.validFrom) || tst.genTime > new Date(c.validTo)) problem(`certificate ${c.subject.replace(/\n/g, ', ')} valid at genTime ${tst.genTime.toISOString()}`, `valid ${new Date(c.validFrom).toISOString()} to ${new Date(c.validTo).toISOString()}`);
    }
  }
  result.unchecked.push('revocation of the TSA certificate (no CRL or OCSP offline)');

  return result;
}

function matchesSid(cert: X509Certificate, sid: { issuerAndSerialNumber?: { issuer: unknown; serialNumber: ArrayBuffer }; subjectKeyIdentifier?: OctetString }): boolean {
  const { schema: { AsnConvert }, x509: { Certificate, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier } } = asn1();
  try {
    const parsed = AsnConvert.parse(cert.raw, Certificate);
    if (sid.issuerAndSerialNumber) {
      const issuer = Buffer.from(AsnConvert.serialize(parsed.tbsCertificate.issuer));
      const wanted = Buffer.from(AsnConvert.serialize(sid.issuerAndSerialNumber.issuer));
      return issuer.equals(wanted) && bigEqual(Buffer.from(parsed.tbsCertificate.serialNumber), Buffer.from(sid.issuerAndSerialNumber.serialNumber));
    }
    if (sid.subjectKeyIdentifier) {
      const ext = parsed.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
      if (!ext) return false;
      const ski = AsnConvert.parse(ext.extnValue, SubjectKeyIdentifier);
      return Buffer.from(ski.buffer).equals(Buffer.from(sid.subjectKeyIdentifier.buffer));
    }
  } catch {
    return false;
  }
  return false;
}

function ekuOf(cert: X509Certificate): { critical: boolean; usages: string[] } | null {
  const { schema: { AsnConvert }, x509: { Certificate, ExtendedKeyUsage, id_ce_extKeyUsage } } = asn1();
  const parsed = AsnConvert.parse(cert.raw, Certificate);
  const ext = parsed.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  if (!ext) return null;
  return { critical: ext.critical, usages: [...AsnConvert.parse(ext.extnValue, ExtendedKeyUsage)] };
}

// The path from the signer's certificate to one of the given certificates (anchors), through
// embedded or given intermediates that are CAs; null when there is none.
function chainTo(leaf: X509Certificate, anchors: X509Certificate[], pool: X509Certificate[]): X509Certificate[] | null {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    if (anchors.some((a) => a.raw.equals(current.raw))) return path;
    const issuer = [...anchors, ...pool].find((c) => !c.raw.equals(current.raw) && c.ca && current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer) return null;
    path.push(issuer);
    current = issuer;
  }
  return null;
}

/** What `stampBundle` got: a token's time, or why there is none. */
export type BundleTimestamp = { ok: true; genTime: string; url: string } | { ok: false; url: string; code: string; message: string; hint?: string };

/**
 * Stamps a sealed bundle: a token over SHA-256(manifest.json) from the TSA at `url`, kept as
 * timestamp.tsq/timestamp.tsr beside the manifest. Never throws for what the TSA does: a failure
 * is returned (the bundle is sealed and verifies without a token).
 */
export async function stampBundle(bundleDir: string, url: URL): Promise<BundleTimestamp> {
  const where = `${url.origin}${url.pathname}`;
  try {
    const manifest = await readFile(join(bundleDir, 'manifest.json'));
    const exchange = await requestTimestamp(url, createHash('sha256').update(manifest).digest());
    await writeFile(join(bundleDir, TIMESTAMP_QUERY_FILE), exchange.query, { flag: 'wx', mode: 0o644 });
    await writeFile(join(bundleDir, TIMESTAMP_REPLY_FILE), exchange.reply, { flag: 'wx', mode: 0o644 });
    return { ok: true, genTime: exchange.genTime.toISOString(), url: where };
  } catch (error) {
    if (error instanceof RunproofError) return { ok: false, url: where, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    return { ok: false, url: where, code: 'RP_TSA_FAILED', message: `cannot keep the timestamp: ${(error as Error).message}` };
  }
}
