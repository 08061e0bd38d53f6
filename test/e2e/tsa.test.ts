// RFC 3161 timestamps end to end with the built CLI and a real TSA (openssl ts -reply behind
// node:http, test/helpers/tsa.ts): run --tsa, verify --tsa-cert offline, and every way a token
// must be refused (another digest, another TSA, tampered, replayed, too late), a TSA that cannot
// be reached, and a bad URL refused before anything runs.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { PKIStatus, PKIStatusInfo, TimeStampResp } from '@peculiar/asn1-tsp';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTimestampRequest, readTsaCertificates, verifyTimestamp } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';
import { makeTsaPki, opensslReply, startTsaServer, type TsaPki, type TsaServer } from '../helpers/tsa.js';

// Each case runs the built CLI many times: on a loaded 2-core machine that can take minutes.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const fixture = fileURLToPath(new URL('../fixtures/tsa/check.md', import.meta.url));
let dir: string;
let pki: TsaPki;
let other: TsaPki;
let tsa: TsaServer;
let n = 0;

function workspace(): string {
  const ws = join(dir, `ws${++n}`);
  mkdirSync(ws);
  copyFileSync(fixture, join(ws, 'check.md'));
  return ws;
}
const bundles = (ws: string): string[] => (existsSync(join(ws, 'ev')) ? readdirSync(join(ws, 'ev')).filter((x) => !x.startsWith('.')).sort().map((x) => join(ws, 'ev', x)) : []);
const run = (ws: string, extra: string[]) => runCli(['run', 'check.md', '--yes', '--evidence-dir', 'ev', ...extra], { cwd: ws });
const verify = (bundle: string, extra: string[] = []) => runCli(['verify', bundle, ...extra]);
const manifestDigest = (bundle: string): Buffer => createHash('sha256').update(readFileSync(join(bundle, 'manifest.json'))).digest();

async function stampedBundle(): Promise<string> {
  const ws = workspace();
  const result = await run(ws, ['--tsa', tsa.url]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const [bundle] = bundles(ws);
  return bundle!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-tsa-e2e-'));
  pki = await makeTsaPki();
  other = await makeTsaPki({ name: 'Other TSA' });
  tsa = await startTsaServer(pki);
}, 60_000);
afterAll(async () => {
  await tsa.close();
  for (const d of [dir, pki.dir, other.dir]) rmSync(d, { recursive: true, force: true });
});

describe('run --tsa, verify --tsa-cert', () => {
  it('gets a token over SHA-256(manifest.json) after sealing and verifies it offline', async () => {
    const ws = workspace();
    const result = await run(ws, ['--tsa', tsa.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^timestamp: \d{4}-\d\d-\d\dT[\d:.]+Z from http:\/\/127\.0\.0\.1:\d+\/tsr/m);
    const [bundle] = bundles(ws);
    expect(readdirSync(bundle!)).toEqual(expect.arrayContaining(['timestamp.tsq', 'timestamp.tsr', 'manifest.json']));
    // The request sent was over the manifest's digest.
    const sent = tsa.requests[tsa.requests.length - 1]!;
    expect(sent.includes(manifestDigest(bundle!))).toBe(true);
    // The TSA is gone: verification is offline. With the TSA cert alone, and with the chain.
    await tsa.close();
    try {
      for (const cert of [pki.tsaCert, pki.chain, pki.caCert]) {
        const v = await verify(bundle!, ['--tsa-cert', cert]);
        expect(v.stdout).toMatch(/^OK /);
        expect(v.code).toBe(0);
        expect(v.stdout).toMatch(/note: timestamp \S+ by CN=Test TSA: checked message imprint, nonce, time after the run ended \(endedAt\), signature, signing-certificate binding, timeStamping key usage, certificate/);
        expect(v.stdout).toContain('not checked: revocation');
      }
      // Without --tsa-cert: not an unlisted file; the note says the signature was not checked.
      const plain = await verify(bundle!);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toMatch(/not checked: .*signature, certificate and key usage \(pass --tsa-cert FILE\)/);
    } finally {
      tsa = await startTsaServer(pki);
    }
  }, 60_000);

  it('with --json the token is in the summary', async () => {
    const ws = workspace();
    const result = await run(ws, ['--tsa', tsa.url, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { timestamp: { ok: boolean; genTime: string } };
    expect(summary.timestamp.ok).toBe(true);
    expect(Number.isNaN(Date.parse(summary.timestamp.genTime))).toBe(false);
  }, 60_000);

  it('the archive carries the token and verifies with it', async () => {
    const ws = workspace();
    expect((await run(ws, ['--tsa', tsa.url, '--archive', 'tgz'])).code).toBe(0);
    const archive = readdirSync(join(ws, 'ev')).find((f) => f.endsWith('.tgz'))!;
    const v = await verify(join(ws, 'ev', archive), ['--tsa-cert', pki.chain]);
    expect(v.stdout).toMatch(/^OK /);
    expect(v.stdout).toContain('checked message imprint');
  }, 60_000);
});

describe('tokens that must be refused', () => {
  it('a token over another digest (a genuine token of the same TSA)', async () => {
    const bundle = await stampedBundle();
    const otherDigest = createHash('sha256').update('another manifest').digest();
    writeFileSync(join(bundle, 'timestamp.tsr'), await opensslReply(pki, buildTimestampRequest(otherDigest)));
    const v = await verify(bundle, ['--tsa-cert', pki.chain]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/timestamp\.tsr: expected a token over sha256 [0-9a-f]{64}; actual a token over another digest/);
    // Also without --tsa-cert: the imprint is checked whenever a token is present.
    expect((await verify(bundle)).code).toBe(1);
  }, 60_000);

  it('a token and its request both replaced by ones over another digest', async () => {
    const bundle = await stampedBundle();
    const q = buildTimestampRequest(createHash('sha256').update('x').digest());
    writeFileSync(join(bundle, 'timestamp.tsq'), q);
    writeFileSync(join(bundle, 'timestamp.tsr'), await opensslReply(pki, q));
    const v = await verify(bundle, ['--tsa-cert', pki.chain]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('another digest');
  }, 60_000);

  it("another bundle's token (replayed)", async () => {
    const a = await stampedBundle();
    const b = await stampedBundle();
    for (const f of ['timestamp.tsq', 'timestamp.tsr']) copyFileSync(join(a, f), join(b, f));
    const v = await verify(b, ['--tsa-cert', pki.chain]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('another digest');
  }, 60_000);

  it('a token from another TSA certificate', async () => {
    const bundle = await stampedBundle();
    // The genuine token, checked against another TSA's certificate (alone or with its CA).
    for (const cert of [other.tsaCert, other.chain, other.caCert]) {
      const v = await verify(bundle, ['--tsa-cert', cert]);
      expect(v.code).toBe(1);
      expect(v.stdout).toMatch(/timestamp\.tsr: expected a (signer certificate that is, or chains to, a --tsa-cert certificate|signature by CN=Other TSA)/);
    }
    // A token over the right digest, by the other TSA, checked against ours.
    const copy = join(dir, `other-signed-${++n}`);
    cpSync(bundle, copy, { recursive: true });
    const q = readFileSync(join(copy, 'timestamp.tsq'));
    writeFileSync(join(copy, 'timestamp.tsr'), await opensslReply(other, q));
    const v = await verify(copy, ['--tsa-cert', pki.chain]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('a signer certificate that is, or chains to, a --tsa-cert certificate');
  }, 60_000);

  it('a token signed by a certificate that is not a TSA certificate (no EKU, EKU not critical)', async () => {
    // openssl ts refuses such a signer, so the token is built as an attacker would: the genuine
    // TSTInfo signed with `openssl cms -sign` (id-ct-TSTInfo content) and wrapped in a TimeStampResp.
    const digest = createHash('sha256').update('m').digest();
    const q = buildTimestampRequest(digest);
    const genuine = AsnConvert.parse(await opensslReply(pki, q), TimeStampResp);
    const signed = AsnConvert.parse(genuine.timeStampToken!.content, SignedData);
    const tstDer = Buffer.from(signed.encapContentInfo.eContent!.single!.buffer);
    for (const eku of ['noncritical', 'none'] as const) {
      const bad = await makeTsaPki({ name: `Bad ${eku}`, eku });
      writeFileSync(join(bad.dir, 'tst.der'), tstDer);
      execFileSync('openssl', ['cms', '-sign', '-binary', '-nodetach', '-in', join(bad.dir, 'tst.der'), '-econtent_type', '1.2.840.113549.1.9.16.1.4', '-signer', bad.tsaCert, '-inkey', bad.tsaKey, '-md', 'sha256', '-outform', 'DER', '-out', join(bad.dir, 'token.der')]);
      const token = AsnConvert.parse(readFileSync(join(bad.dir, 'token.der')), ContentInfo);
      const reply = Buffer.from(AsnConvert.serialize(new TimeStampResp({ status: new PKIStatusInfo({ status: PKIStatus.granted }), timeStampToken: token })));
      const check = verifyTimestamp(reply, digest, await readTsaCertificates(bad.chain), { query: q });
      // The signature itself verifies: what refuses it is the certificate's key usage (and the missing ESS binding).
      expect(check.checked).toContain('signature');
      expect(check.problems.map((p) => p.expected)).toContain(eku === 'none' ? 'a TSA certificate with extendedKeyUsage timeStamping' : 'extendedKeyUsage critical, timeStamping only (RFC 3161 §2.3)');
      expect(check.problems.map((p) => p.expected)).toContain('an ESS signing-certificate attribute naming the signer certificate');
      rmSync(bad.dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a tampered token: genTime edited, signature edited, every byte of the signed content flipped', async () => {
    const bundle = await stampedBundle();
    const reply = readFileSync(join(bundle, 'timestamp.tsr'));
    const query = readFileSync(join(bundle, 'timestamp.tsq'));
    const digest = manifestDigest(bundle);
    const certs = await readTsaCertificates(pki.chain);
    expect(verifyTimestamp(reply, digest, certs, { query }).problems).toEqual([]);
    // genTime: the GeneralizedTime in the TSTInfo, one year later.
    const at = reply.indexOf(Buffer.from(String(new Date().getUTCFullYear()), 'ascii'), reply.indexOf(digest) + digest.length);
    expect(at).toBeGreaterThan(0);
    const edited = Buffer.from(reply);
    edited[at + 3] = edited[at + 3]! + 1;
    const copy = join(dir, `tampered-${++n}`);
    cpSync(bundle, copy, { recursive: true });
    writeFileSync(join(copy, 'timestamp.tsr'), edited);
    const v = await verify(copy, ['--tsa-cert', pki.chain]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/timestamp\.tsr: expected (signed messageDigest attribute == digest of the TSTInfo|a granted RFC 3161)/);
    // The signature's last byte.
    const sigEdit = Buffer.from(reply);
    sigEdit[sigEdit.length - 1] = sigEdit[sigEdit.length - 1]! ^ 0x01;
    expect(verifyTimestamp(sigEdit, digest, certs, { query }).problems.length).toBeGreaterThan(0);
    // Every byte of the signed content (the TSTInfo, from its content-type OID to its end): no
    // single-bit change anywhere in it survives (bounded: one flip per byte).
    const oid = Buffer.from('060b2a864886f70d0109100104', 'hex');
    const from = reply.indexOf(oid);
    expect(from).toBeGreaterThan(0);
    // [0] EXPLICIT, OCTET STRING, SEQUENCE headers after the OID, then the TSTInfo's length.
    const header = (at: number): { len: number; next: number } => {
      const b = reply[at + 1]!;
      if (b < 0x80) return { len: b, next: at + 2 };
      const k = b & 0x7f;
      return { len: reply.subarray(at + 2, at + 2 + k).reduce((a, x) => a * 256 + x, 0), next: at + 2 + k };
    };
    const seq = header(header(from + oid.length).next);
    const tst = header(seq.next);
    const to = tst.next + tst.len;
    let flipped = 0;
    for (let i = from; i < to && flipped < 400; i++, flipped++) {
      const t = Buffer.from(reply);
      t[i] = t[i]! ^ 0x04;
      expect(verifyTimestamp(t, digest, certs, { query }).problems.length, `byte ${i}`).toBeGreaterThan(0);
    }
    expect(flipped).toBeGreaterThan(40);
  }, 60_000);

  it('a token over an earlier bundle whose time is after the next bundle of the chain started', async () => {
    const ws = workspace();
    expect((await run(ws, [])).code).toBe(0);
    expect((await run(ws, [])).code).toBe(0);
    const [first, second] = bundles(ws);
    // Stamped only now, after the second run: the token must not pass for evidence of the first
    // run's time. Here the second run's record says it started an hour ago.
    const q = buildTimestampRequest(manifestDigest(first!));
    writeFileSync(join(first!, 'timestamp.tsq'), q);
    writeFileSync(join(first!, 'timestamp.tsr'), await opensslReply(pki, q));
    const ok = await verify(first!, ['--tsa-cert', pki.chain]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/time before the next bundle \S+ started/);
    const recordFile = readdirSync(second!).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
    const record = JSON.parse(readFileSync(join(second!, recordFile), 'utf8')) as { startedAt: string };
    record.startedAt = new Date(Date.parse(record.startedAt) - 3_600_000).toISOString();
    writeFileSync(join(second!, recordFile), JSON.stringify(record));
    const late = await verify(first!, ['--tsa-cert', pki.chain]);
    expect(late.code).toBe(1);
    expect(late.stdout).toMatch(/timestamp\.tsr: expected genTime before the next bundle \S+ started/);
  }, 60_000);

  it('a token whose time is before the run ended', async () => {
    const digest = createHash('sha256').update('m').digest();
    const q = buildTimestampRequest(digest);
    const reply = await opensslReply(pki, q);
    const certs = await readTsaCertificates(pki.chain);
    const future = new Date(Date.now() + 3_600_000);
    const check = verifyTimestamp(reply, digest, certs, { query: q, notBefore: { at: future, what: 'the run ended (endedAt)' } });
    expect(check.problems).toEqual([expect.objectContaining({ expected: expect.stringMatching(/^genTime after the run ended/) })]);
  }, 60_000);

  it('--tsa-cert given but the bundle has no token; a request kept without its token', async () => {
    const ws = workspace();
    expect((await run(ws, [])).code).toBe(0);
    const [bundle] = bundles(ws);
    const v = await verify(bundle!, ['--tsa-cert', pki.chain]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('timestamp.tsr: expected an RFC 3161 timestamp token (--tsa-cert given)');
    const stamped = await stampedBundle();
    rmSync(join(stamped, 'timestamp.tsr'));
    expect((await verify(stamped)).code).toBe(1);
  }, 60_000);
});

describe('TSA failures', () => {
  it('TSA unreachable: the bundle is sealed and valid, a warning, exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const ws = workspace();
    const result = await run(ws, ['--tsa', `http://127.0.0.1:${port}/tsr`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^WARNING no timestamp: RP_TSA_FAILED timestamp authority http:\/\/127\.0\.0\.1:\d+\/tsr: unreachable \(ECONNREFUSED\)/m);
    expect(result.stdout).toMatch(/passed|PASSED/);
    const [bundle] = bundles(ws);
    expect(existsSync(join(bundle!, 'timestamp.tsr'))).toBe(false);
    expect((await verify(bundle!)).code).toBe(0);
  }, 60_000);

  it('a TSA that answers with something else than a token', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not a TSA</html>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const ws = workspace();
      const result = await run(ws, ['--tsa', `http://127.0.0.1:${port}/`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/WARNING no timestamp: RP_TSA_FAILED .*not a DER TimeStampResp/);
      expect((await verify(bundles(ws)[0]!)).code).toBe(0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);

  it('a bad --tsa URL exits 2 before anything runs', async () => {
    for (const url of ['not a url', 'ftp://127.0.0.1/tsr', 'file:///etc/passwd', 'http://user:secret@127.0.0.1/tsr', 'javascript:alert(1)']) {
      const ws = workspace();
      writeFileSync(join(ws, 'check.md'), readFileSync(fixture, 'utf8').replace('echo ok', 'echo ok; touch ran.marker'));
      const result = await run(ws, ['--tsa', url]);
      expect(result.code, url).toBe(2);
      expect(result.stderr).toMatch(/^RP_BAD_FLAG --tsa /);
      expect(existsSync(join(ws, 'ev')), url).toBe(false);
      expect(existsSync(join(ws, 'ran.marker')), url).toBe(false);
    }
    // A dry run seals nothing to stamp.
    const ws = workspace();
    const dry = await run(ws, ['--tsa', tsa.url, '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/^RP_BAD_FLAG --tsa cannot be combined with --dry-run/);
  }, 60_000);
});
