// STUB (being written by the evidence-integrity engineer): manifest.json (hashes, chain) and
// attestation.json (in-toto Statement in a DSSE envelope), written last in every bundle.
export interface SealOptions {
  /** The evidence folder holding this bundle and the earlier ones of the chain. */
  evidenceDir: string;
  /** Ed25519 private key PEM file (`--signing-key`). */
  signingKeyFile?: string;
  /** HMAC key (RUNPROOF_SIGNING_KEY). */
  hmacKey?: string;
}

export interface SealResult {
  manifestPath: string;
  manifestSha256: string;
  attestationPath?: string;
  signed: 'ed25519' | 'hmac-sha256' | 'unsigned';
}

export async function sealBundle(bundleDir: string, options: SealOptions): Promise<SealResult> {
  void bundleDir;
  void options;
  return { manifestPath: '', manifestSha256: '', signed: 'unsigned' };
}
