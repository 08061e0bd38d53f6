// `approve --tsa`: an RFC 3161 token over the approval's DSSE envelope, kept in approval.json,
// copied into the bundle by `run --approval`, and checked by `verify --tsa-cert` (before the
// approved steps started, by the TSA's clock). A real TSA: test/helpers/tsa.ts.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTimestampRequest } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';
import { makeTsaPki, opensslReply, startTsaServer, type TsaPki, type TsaServer } from '../helpers/tsa.js';

// Each case runs the built CLI many times: on a loaded 2-core machine that can take minutes.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const fixture = fileURLToPath(new URL('../fixtures/approvals/rotate.md', import.meta.url));
let dir: string;
let pki: TsaPki;
let tsa: TsaServer;
let n = 0;

function workspace(): string {
  const ws = join(dir, `ws${++n}`);
  mkdirSync(ws);
  copyFileSync(fixture, join(ws, 'rotate.md'));
  for (const f of ['alice.key', 'alice.pub', 'trust.yaml']) copyFileSync(join(dir, f), join(ws, f));
  mkdirSync(join(ws, 'cache-eu'));
  return ws;
}
const cli = (ws: string, args: string[], user: string) => runCli(args, { cwd: ws, env: { RUNPROOF_OPERATOR: user } });
const approve = (ws: string, tsaUrl: string) => cli(ws, ['approve', 'change.plan.json', '--key', 'alice.key', '--approver', 'alice', '--tsa', tsaUrl], 'alice');
const runApproved = (ws: string) => cli(ws, ['run', 'rotate.md', '--set', 'region=eu', '--approval', 'approval.json', '--trust', 'trust.yaml', '--yes', '--evidence-dir', 'ev'], 'bob');
const bundleOf = (ws: string): string => join(ws, 'ev', readdirSync(join(ws, 'ev')).filter((x) => !x.startsWith('.'))[0]!);

async function planned(): Promise<string> {
  const ws = workspace();
  expect((await cli(ws, ['plan', 'rotate.md', '--set', 'region=eu', '--out', 'change.plan.json'], 'bob')).code).toBe(0);
  return ws;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-tsa-approve-'));
  expect((await runCli(['keygen', '--out', 'alice.key'], { cwd: dir })).code).toBe(0);
  writeFileSync(join(dir, 'trust.yaml'), 'approvers:\n  - name: alice\n    keyFile: alice.pub\n    maxRisk: destructive\n    runbooks: ["*.md"]\n');
  pki = await makeTsaPki();
  tsa = await startTsaServer(pki);
}, 60_000);
afterAll(async () => {
  await tsa.close();
  for (const d of [dir, pki.dir]) rmSync(d, { recursive: true, force: true });
});

describe('approve --tsa', () => {
  it('stamps the envelope; the run copies it; verify --tsa-cert checks it before the approved step', async () => {
    const ws = await planned();
    const approved = await approve(ws, tsa.url);
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/^timestamp: \S+Z from http:\/\/127\.0\.0\.1:\d+\/tsr$/m);
    const file = JSON.parse(readFileSync(join(ws, 'approval.json'), 'utf8')) as { envelope: unknown; timestamp: { tsq: string; tsr: string } };
    const envelopeDigest = createHash('sha256').update(`${JSON.stringify(file.envelope, null, 2)}\n`).digest();
    // Over the envelope's bytes as runproof writes an envelope (2-space JSON and a newline).
    expect(tsa.requests.some((r) => r.includes(envelopeDigest))).toBe(true);
    expect(Buffer.from(file.timestamp.tsr, 'base64').includes(envelopeDigest)).toBe(true);
    const run = await runApproved(ws);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const v = await runCli(['verify', bundleOf(ws), '--trust', join(ws, 'trust.yaml'), '--tsa-cert', pki.chain]);
    expect(v.code).toBe(1); // the run itself had no --tsa: its own token is missing
    expect(v.stdout).toContain('timestamp.tsr: expected an RFC 3161 timestamp token (--tsa-cert given)');
    expect(v.stdout).toMatch(/checked .*approval timestamp \S+Z by CN=Test TSA \(before each approved step started, TSA clock\)/);
    const plain = await runCli(['verify', bundleOf(ws), '--trust', join(ws, 'trust.yaml')]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('not checked: the approval timestamp (pass --tsa-cert FILE)');
  }, 90_000);

  it('a token over another digest in approval.json is refused by verify', async () => {
    const ws = await planned();
    expect((await approve(ws, tsa.url)).code).toBe(0);
    const file = JSON.parse(readFileSync(join(ws, 'approval.json'), 'utf8')) as { timestamp: { tsq: string; tsr: string } };
    const q = buildTimestampRequest(createHash('sha256').update('another approval').digest());
    file.timestamp = { tsq: q.toString('base64'), tsr: (await opensslReply(pki, q)).toString('base64') };
    writeFileSync(join(ws, 'approval.json'), `${JSON.stringify(file, null, 2)}\n`);
    expect((await runApproved(ws)).code).toBe(0);
    const v = await runCli(['verify', bundleOf(ws), '--trust', join(ws, 'trust.yaml'), '--tsa-cert', pki.chain]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/approval\/approval\.json: expected approval timestamp: a token over sha256 [0-9a-f]{64}; actual a token over another digest/);
  }, 90_000);

  it('TSA unreachable: no approval is written, exit 1; a bad URL: exit 2', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const ws = await planned();
    const down = await approve(ws, `http://127.0.0.1:${port}/tsr`);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^RP_TSA_FAILED timestamp authority http:\/\/127\.0\.0\.1:\d+\/tsr: unreachable/);
    expect(existsSync(join(ws, 'approval.json'))).toBe(false);
    const bad = await approve(ws, 'ftp://127.0.0.1/tsr');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^RP_BAD_FLAG --tsa /);
    expect(existsSync(join(ws, 'approval.json'))).toBe(false);
  }, 90_000);
});
