import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash, createHmac, createPublicKey, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pae, sealBundle, IN_TOTO_PAYLOAD_TYPE, RUN_PREDICATE_TYPE, STATEMENT_TYPE } from '../../src/record/index.js';
import { writeBundle } from './manifest-helpers.js';
import { makeStep } from './make-record.js';

// PAE written here from the DSSE v1 spec (protocol.md), independently of src/:
//   PAE(type, body) = "DSSEv1" + SP + LEN(type) + SP + type + SP + LEN(body) + SP + body
//   LEN(s) = ASCII decimal encoding of the byte length of s, with no leading zeros
function specPae(type: string, body: Buffer): Buffer {
  const t = new TextEncoder().encode(type);
  const head = new TextEncoder().encode('DSSEv1 ' + String(t.byteLength) + ' ');
  const mid = new TextEncoder().encode(' ' + String(body.byteLength) + ' ');
  const out = new Uint8Array(head.length + t.length + mid.length + body.length);
  out.set(head, 0);
  out.set(t, head.length);
  out.set(mid, head.length + t.length);
  out.set(body, head.length + t.length + mid.length);
  return Buffer.from(out);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-att-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('PAE', () => {
  it('matches the spec example and the independent implementation', () => {
    // The DSSE spec's test vector: PAE("http://example.com/HelloWorld", "hello world").
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    for (const body of ['', '{}', 'é ünïcode ✓', 'x'.repeat(1000)]) {
      expect(pae(IN_TOTO_PAYLOAD_TYPE, Buffer.from(body))).toEqual(specPae(IN_TOTO_PAYLOAD_TYPE, Buffer.from(body)));
    }
  });

  it('counts bytes, not characters', () => {
    expect(pae('t', Buffer.from('é')).toString()).toBe('DSSEv1 1 t 2 é');
  });
});

describe('attestation.json', () => {
  it('is an in-toto Statement v1 over the manifest and the runbook, in an Ed25519-signed DSSE envelope', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = join(dir, 'k.key');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const operatorRun = makeStep({ decisions: [{ action: 'run', by: 'operator', at: '2026-01-22T10:15:01.000Z', reason: 'confirmed', input: 'y' }] });
    const bundle = writeBundle(join(dir, 'ev'), 'roxy_20260122_101500', { status: 'failed', steps: [operatorRun] });
    const seal = await sealBundle(bundle, { evidenceDir: join(dir, 'ev'), signingKeyFile: keyFile, chainKey: '/ops/roxy.md' });
    expect(seal.signed).toBe('ed25519');
    const envelope = JSON.parse(readFileSync(join(bundle, 'attestation.json'), 'utf8'));
    expect(Object.keys(envelope)).toEqual(['payloadType', 'payload', 'signatures']);
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    const payload = Buffer.from(envelope.payload, 'base64');
    // Third-party check: only the public key, the spec's PAE and Node's verify.
    const ok = cryptoVerify(null, specPae(envelope.payloadType, payload), createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(envelope.signatures[0].sig, 'base64'));
    expect(ok).toBe(true);
    // A signature over the JSON instead of the PAE would not verify.
    expect(cryptoVerify(null, payload, publicKey, Buffer.from(envelope.signatures[0].sig, 'base64'))).toBe(false);
    const statement = JSON.parse(payload.toString('utf8'));
    expect(statement._type).toBe(STATEMENT_TYPE);
    expect(statement.predicateType).toBe(RUN_PREDICATE_TYPE);
    const manifestSha = createHash('sha256').update(readFileSync(join(bundle, 'manifest.json'))).digest('hex');
    expect(statement.subject).toEqual([
      { name: 'manifest.json', digest: { sha256: manifestSha } },
      { name: 'ops/roxy.md', digest: { sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' } },
    ]);
    expect(seal.manifestSha256).toBe(manifestSha);
    expect(statement.predicate).toMatchObject({
      result: 'FAILED',
      status: 'failed',
      counts: { total: 1, passed: 1 },
      policy: { allow: ['read'] },
      operator: { user: 'ops', host: 'box1' },
      chain: { seq: 1, previousManifestSha256: null },
    });
    expect(statement.predicate.confirmations).toEqual([{ step: 'c1', name: 'health-checks/1', action: 'run', by: 'operator', at: '2026-01-22T10:15:01.000Z', reason: 'confirmed', input: 'y' }]);
    const der = publicKey.export({ type: 'spki', format: 'der' });
    expect(envelope.signatures[0].keyid).toBe(`ed25519:${createHash('sha256').update(der).digest('hex')}`);
  });

  it('says PASSED for a passed run and signs with HMAC-SHA256 over the PAE', async () => {
    const bundle = writeBundle(join(dir, 'ev'), 'roxy_20260122_101500');
    const seal = await sealBundle(bundle, { evidenceDir: join(dir, 'ev'), hmacKey: 'team secret', chainKey: '/ops/roxy.md' });
    expect(seal.signed).toBe('hmac-sha256');
    const envelope = JSON.parse(readFileSync(join(bundle, 'attestation.json'), 'utf8'));
    const payload = Buffer.from(envelope.payload, 'base64');
    expect(JSON.parse(payload.toString()).predicate.result).toBe('PASSED');
    const expected = createHmac('sha256', 'team secret').update(specPae(envelope.payloadType, payload)).digest('base64');
    expect(envelope.signatures).toHaveLength(1);
    expect(envelope.signatures[0].sig).toBe(expected);
    expect(envelope.signatures[0].keyid).toMatch(/^hmac-sha256:[0-9a-f]{16}$/);
  });

  it('is unsigned (no signatures) without a key', async () => {
    const bundle = writeBundle(join(dir, 'ev'), 'roxy_20260122_101500');
    const seal = await sealBundle(bundle, { evidenceDir: join(dir, 'ev'), chainKey: '/ops/roxy.md' });
    expect(seal.signed).toBe('unsigned');
    expect(JSON.parse(readFileSync(join(bundle, 'attestation.json'), 'utf8')).signatures).toEqual([]);
  });
});
