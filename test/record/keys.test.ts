import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair, loadSigningKey, loadVerifyKey, keyIdFor } from '../../src/record/index.js';
import { isRunproofError } from '../../src/core/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-keys-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (error) {
    return isRunproofError(error) ? error.code : String(error);
  }
}

describe('generateSigningKeyPair', () => {
  it('writes an Ed25519 pair: private 0600, public 0644, usable by plain Node crypto', async () => {
    const pair = await generateSigningKeyPair(join(dir, 'ops.key'));
    expect(pair.publicKeyPath).toBe(join(dir, 'ops.pub'));
    expect(statSync(pair.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(statSync(pair.publicKeyPath).mode & 0o777).toBe(0o644);
    const priv = createPrivateKey(readFileSync(pair.privateKeyPath));
    const pub = createPublicKey(readFileSync(pair.publicKeyPath));
    expect(priv.asymmetricKeyType).toBe('ed25519');
    const sig = sign(null, Buffer.from('x'), priv);
    expect(verify(null, Buffer.from('x'), pub, sig)).toBe(true);
    expect(pair.keyid).toBe(keyIdFor(pub));
  });

  it('never overwrites an existing key', async () => {
    writeFileSync(join(dir, 'ops.key'), 'precious');
    expect(await codeOf(generateSigningKeyPair(join(dir, 'ops.key')))).toBe('RP_BAD_KEY');
    expect(readFileSync(join(dir, 'ops.key'), 'utf8')).toBe('precious');
  });

  it('appends .pub when the file does not end in .key', async () => {
    const pair = await generateSigningKeyPair(join(dir, 'signing'));
    expect(pair.publicKeyPath).toBe(join(dir, 'signing.pub'));
  });
});

describe('loading keys', () => {
  it('refuses a missing file, a public key for signing, and a non-Ed25519 key', async () => {
    const pair = await generateSigningKeyPair(join(dir, 'ops.key'));
    expect(await codeOf(loadSigningKey(join(dir, 'missing.key')))).toBe('RP_BAD_KEY');
    expect(await codeOf(loadSigningKey(pair.publicKeyPath))).toBe('RP_BAD_KEY');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(join(dir, 'rsa.pem'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(await codeOf(loadSigningKey(join(dir, 'rsa.pem')))).toBe('RP_BAD_KEY');
    expect(await codeOf(loadVerifyKey(join(dir, 'rsa.pem')))).toBe('RP_BAD_KEY');
    writeFileSync(join(dir, 'junk.pem'), 'not a key');
    expect(await codeOf(loadVerifyKey(join(dir, 'junk.pem')))).toBe('RP_BAD_KEY');
  });

  it('derives the public key from a private key file for verification', async () => {
    const pair = await generateSigningKeyPair(join(dir, 'ops.key'));
    const fromPrivate = await loadVerifyKey(pair.privateKeyPath);
    const fromPublic = await loadVerifyKey(pair.publicKeyPath);
    expect(keyIdFor(fromPrivate)).toBe(keyIdFor(fromPublic));
    const signer = await loadSigningKey(pair.privateKeyPath);
    expect(signer.keyid).toBe(pair.keyid);
  });
});
