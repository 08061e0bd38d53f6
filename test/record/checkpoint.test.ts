import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint, generateSigningKeyPair, pae, readCheckpointFile, sealBundle, verifyBundle, CHECKPOINT_PAYLOAD_TYPE } from '../../src/record/index.js';
import { writeBundle } from './manifest-helpers.js';

let dir: string;
let ev: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-checkpoint-'));
  ev = join(dir, 'ev');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function chain(names: string[], key = '/ops/roxy.md', signingKeyFile?: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const name of names) {
    const bundle = writeBundle(ev, name);
    await sealBundle(bundle, { evidenceDir: ev, chainKey: key, ...(signingKeyFile ? { signingKeyFile } : {}) });
    dirs.push(bundle);
  }
  return dirs;
}

describe('evidence checkpoint', () => {
  it('is a small signed statement of origin, count and newest manifest hash per chain', async () => {
    await chain(['r_1', 'r_2', 'r_3']);
    await chain(['o_1'], '/ops/other.md');
    const keys = await generateSigningKeyPair(join(dir, 'ops.key'));
    const { checkpoint, envelope, text } = await createCheckpoint(ev, { signingKeyFile: keys.privateKeyPath, now: new Date('2026-02-01T00:00:00Z') });
    expect(text.length).toBeLessThan(2000);
    expect(checkpoint.chains.map((c) => [c.key, c.bundles, c.origin.bundle, c.newest.bundle])).toEqual([
      ['/ops/other.md', 1, 'o_1', 'o_1'],
      ['/ops/roxy.md', 3, 'r_1', 'r_3'],
    ]);
    const payload = Buffer.from(envelope.payload, 'base64');
    expect(envelope.payloadType).toBe(CHECKPOINT_PAYLOAD_TYPE);
    expect(cryptoVerify(null, pae(envelope.payloadType, payload), createPublicKey(readFileSync(keys.publicKeyPath)), Buffer.from(envelope.signatures[0]!.sig, 'base64'))).toBe(true);
  });

  it('verify --checkpoint passes while the chain extends it and fails when history was rewritten', async () => {
    const [, second] = await chain(['r_1', 'r_2']);
    const keys = await generateSigningKeyPair(join(dir, 'ops.key'));
    const file = join(dir, 'checkpoint.json');
    writeFileSync(file, (await createCheckpoint(ev, { signingKeyFile: keys.privateKeyPath })).text);
    const [third] = await chain(['r_3'], '/ops/roxy.md', keys.privateKeyPath);
    const extended = await verifyBundle(third!, { checkpointFile: file, keyFiles: [keys.publicKeyPath] });
    expect(extended.problems).toEqual([]);
    expect(extended.notes.join('\n')).toContain('the chain extends the checkpoint');
    // An older bundle is proved through the newer ones too.
    expect((await verifyBundle(second!, { checkpointFile: file })).ok).toBe(true);

    // Rewrite history: edit bundle 2, drop 3, reseal 2 (seq 2 after bundle 1) and seal a new 3,
    // so that every bundle verifies on its own.
    writeFileSync(join(second!, 'logs', 'c1.1.stdout.log'), 'a different past\n');
    rmSync(third!, { recursive: true });
    expect((await sealBundle(second!, { evidenceDir: ev, chainKey: '/ops/roxy.md' })).seq).toBe(2);
    const [newThird] = await chain(['r_3']);
    expect((await verifyBundle(newThird!)).ok).toBe(true);
    const rewritten = await verifyBundle(newThird!, { checkpointFile: file });
    expect(rewritten.ok).toBe(false);
    expect(rewritten.problems.map((p) => p.actual).join('\n')).toContain('history was rewritten');
  });

  it('fails when bundles were removed so the chain is shorter than the checkpoint', async () => {
    const [first, , third] = await chain(['r_1', 'r_2', 'r_3']);
    const file = join(dir, 'checkpoint.json');
    writeFileSync(file, (await createCheckpoint(ev)).text);
    rmSync(third!, { recursive: true });
    const result = await verifyBundle(first!, { checkpointFile: file });
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.actual).toContain('history was rewritten or bundles were removed');
  });

  it('checks the checkpoint signature with the given key', async () => {
    const [first] = await chain(['r_1']);
    const keys = await generateSigningKeyPair(join(dir, 'ops.key'));
    const other = await generateSigningKeyPair(join(dir, 'other.key'));
    const file = join(dir, 'checkpoint.json');
    writeFileSync(file, (await createCheckpoint(ev, { signingKeyFile: other.privateKeyPath })).text);
    const result = await verifyBundle(first!, { checkpointFile: file, keyFiles: [keys.publicKeyPath] });
    expect(result.ok).toBe(false);
    expect(result.problems.some((p) => p.file === file)).toBe(true);
  });

  it('rejects a file that is not a checkpoint, and an empty folder', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"payloadType":"x","payload":"","signatures":[]}');
    await expect(readCheckpointFile(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'RP_BAD_CHECKPOINT' });
    await expect(createCheckpoint(join(dir, 'empty'))).rejects.toMatchObject({ code: 'RP_BAD_BUNDLE' });
  });
});
