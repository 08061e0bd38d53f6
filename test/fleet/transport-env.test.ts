// SECURITY L5 on fleet runs: the transport (ssh, its ProxyCommand, askpass, SendEnv) is started
// without runproof's own secrets. A stand-in `ssh` first on PATH writes down the environment it
// was given and then is the host's shell, so the cells run as they would over a real connection.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rp-fleet-env-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('fleet transport environment', () => {
  it('ssh never receives RUNPROOF_SIGNING_KEY nor any RUNPROOF_* secret', async () => {
    const bin = join(work, 'bin');
    const seen = join(work, 'ssh-env.txt');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nenv > '${seen}'\nexec bash --noprofile --norc -s\n`);
    chmodSync(join(bin, 'ssh'), 0o755);
    writeFileSync(join(work, 'hosts.txt'), 'h1\n');
    writeFileSync(join(work, 'peek.md'), '# Peek\n\n## 1. Peek\n\n```bash {"name":"peek"}\nprintf %s "${RUNPROOF_SIGNING_KEY-none}" | xxd -p\n```\n');
    const key = 'fleet-Hmac-Key-0123456789abcdef';
    const r = await runCli(['run', 'peek.md', '--hosts', 'hosts.txt', '--yes', '--json', '--evidence-dir', join(work, 'ev')], {
      cwd: work,
      env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, RUNPROOF_SIGNING_KEY: key, RUNPROOF_WEBHOOK_TOKEN: 'whTok-fleet-123456' },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const env = readFileSync(seen, 'utf8');
    expect(env).toContain('PATH=');
    expect(env).not.toContain('RUNPROOF_SIGNING_KEY');
    expect(env).not.toContain('RUNPROOF_WEBHOOK_TOKEN');
    expect(env).not.toContain(key);
    expect(r.stdout).not.toContain(Buffer.from(key).toString('hex'));
  }, 90_000);
});
