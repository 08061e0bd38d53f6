// Signing keys: Ed25519 key pairs (PEM, Node's own crypto) for attestations and checkpoints that
// anyone holding the public key can check, and HMAC keys that only their holders can check.
import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { RunproofError } from '../core/index.js';

/** A signer of DSSE envelopes: `sign` receives the PAE bytes. */
export interface Signer {
  readonly keyid: string;
  readonly method: 'ed25519' | 'hmac-sha256';
  sign(data: Buffer): Buffer;
}

/** Keys that can check signatures: Ed25519 public keys and/or one HMAC key. */
export interface VerifyKeys {
  ed25519?: KeyObject[];
  hmacKey?: string;
}

/**
 * The key id of an Ed25519 public key: SHA-256 (hex) of its DER SubjectPublicKeyInfo.
 * @example keyIdFor(createPublicKey(pem)) // 'ed25519:5f1c…'
 */
export function keyIdFor(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex')}`;
}

// An HMAC key id must not help guess the key: it is a MAC of a fixed label, so it is no easier
// to brute-force than any signature made with the key.
/** The key id of an HMAC key (`hmac-sha256:` and 16 hex digits). */
export function hmacKeyId(key: string): string {
  return `hmac-sha256:${createHmac('sha256', key).update('runproof key id').digest('hex').slice(0, 16)}`;
}

async function readKeyFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new RunproofError('RP_BAD_KEY', `cannot read key file ${file}: ${(cause as Error).message}`, {
      hint: 'create a key pair with `runproof keygen`',
      file,
      cause,
    });
  }
}

/**
 * Loads an Ed25519 private key (PKCS#8 PEM) for signing.
 * @throws RunproofError RP_BAD_KEY when the file is missing, not PEM, not private or not Ed25519.
 */
export async function loadSigningKey(file: string): Promise<Signer> {
  const pem = await readKeyFile(file);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new RunproofError('RP_BAD_KEY', `${file} is not a PEM private key`, { hint: 'pass the .key file written by `runproof keygen`, not the .pub', file, cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RunproofError('RP_BAD_KEY', `${file} is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`, { hint: 'create an Ed25519 key pair with `runproof keygen`', file });
  }
  return ed25519Signer(key);
}

/** A signer over an Ed25519 private key object. */
export function ed25519Signer(privateKey: KeyObject): Signer {
  const keyid = keyIdFor(createPublicKey(privateKey));
  return { keyid, method: 'ed25519', sign: (data) => signEd25519(data, privateKey) };
}

function signEd25519(data: Buffer, key: KeyObject): Buffer {
  // Ed25519 hashes internally: the algorithm argument must be null.
  return cryptoSign(null, data, key);
}

/** A signer with an HMAC-SHA256 key (`RUNPROOF_SIGNING_KEY`). */
export function hmacSigner(key: string): Signer {
  if (key === '') throw new RunproofError('RP_BAD_KEY', 'the HMAC signing key is empty', { hint: 'set RUNPROOF_SIGNING_KEY to a long random value' });
  return { keyid: hmacKeyId(key), method: 'hmac-sha256', sign: (data) => createHmac('sha256', key).update(data).digest() };
}

/**
 * Loads a public key for checking signatures, from a public (SPKI) or private PEM file.
 * @throws RunproofError RP_BAD_KEY when the file is not an Ed25519 PEM key.
 */
export async function loadVerifyKey(file: string): Promise<KeyObject> {
  const pem = await readKeyFile(file);
  let key: KeyObject;
  try {
    key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch (cause) {
    throw new RunproofError('RP_BAD_KEY', `${file} is not a PEM public or private key`, { hint: 'pass the .pub file written by `runproof keygen`', file, cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RunproofError('RP_BAD_KEY', `${file} is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`, { hint: 'pass the .pub file written by `runproof keygen`', file });
  }
  return key;
}

/**
 * Checks one signature `sig` over `data` with the given keys; returns the key id that verified
 * it, or null.
 */
export function checkSignature(keyid: string, sig: Buffer, data: Buffer, keys: VerifyKeys): string | null {
  for (const key of keys.ed25519 ?? []) {
    const id = keyIdFor(key);
    if (keyid !== '' && keyid !== id) continue;
    try {
      if (cryptoVerify(null, data, key, sig)) return id;
    } catch {
      // A malformed signature is simply not valid.
    }
  }
  if (keys.hmacKey) {
    const id = hmacKeyId(keys.hmacKey);
    if (keyid === '' || keyid === id) {
      const expected = createHmac('sha256', keys.hmacKey).update(data).digest();
      if (expected.length === sig.length && timingSafeEqual(expected, sig)) return id;
    }
  }
  return null;
}

/** Paths written by `generateSigningKeyPair`. */
export interface GeneratedKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  keyid: string;
}

/**
 * Writes a new Ed25519 key pair: the private key (PKCS#8 PEM, mode 0600) and the public key
 * (SPKI PEM, mode 0644) at `<file>.pub` (or `.key` replaced by `.pub`). Never overwrites.
 * @example await generateSigningKeyPair('ops/runproof.key') // ops/runproof.key + ops/runproof.pub
 * @throws RunproofError RP_BAD_KEY when either file already exists.
 */
export async function generateSigningKeyPair(file: string): Promise<GeneratedKeyPair> {
  const publicKeyPath = file.endsWith('.key') ? `${file.slice(0, -4)}.pub` : `${file}.pub`;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  await writeNew(file, privatePem, 0o600);
  try {
    await writeNew(publicKeyPath, publicPem, 0o644);
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
  return { privateKeyPath: file, publicKeyPath, keyid: keyIdFor(publicKey) };
}

// Exclusive create with the mode given at open(), so the private key is never readable by others,
// not even for an instant (the umask can only remove bits, chmod confirms).
async function writeNew(path: string, content: string, mode: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (cause) {
    const exists = (cause as NodeJS.ErrnoException).code === 'EEXIST';
    throw new RunproofError('RP_BAD_KEY', exists ? `${path} already exists; refusing to overwrite a key` : `cannot create ${path}: ${(cause as Error).message}`, {
      hint: exists ? 'choose another --out file or move the old key away' : 'check that the folder exists and is writable',
      file: path,
      cause,
    });
  }
  try {
    await handle.chmod(mode);
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
