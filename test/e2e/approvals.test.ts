// Four eyes end to end with the built CLI: plan, approve, run --approval --trust, verify, and
// every way an approval must be refused. Keys are real Ed25519 keys from `runproof keygen`.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunRecordSchema } from '../../src/record/index.js';
import { runCli } from '../helpers/cli.js';

// Each case runs the built CLI many times: on a loaded 2-core machine that can take minutes.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const fixture = fileURLToPath(new URL('../fixtures/approvals/rotate.md', import.meta.url));
let dir: string;
let n = 0;

// Each case works in its own folder with the runbook, both key pairs and the trust file.
function workspace(): string {
  const ws = join(dir, `ws${++n}`);
  mkdirSync(ws);
  copyFileSync(fixture, join(ws, 'rotate.md'));
  for (const f of ['alice.key', 'alice.pub', 'bob.key', 'bob.pub', 'trust.yaml']) copyFileSync(join(dir, f), join(ws, f));
  mkdirSync(join(ws, 'cache-eu'));
  return ws;
}

const as = (user: string): Record<string, string> => ({ RUNPROOF_OPERATOR: user });
const cli = (ws: string, args: string[], user = 'bob') => runCli(args, { cwd: ws, env: as(user) });

async function planAndApprove(ws: string, approveArgs: string[] = []): Promise<void> {
  const plan = await cli(ws, ['plan', 'rotate.md', '--set', 'region=eu', '--out', 'change.plan.json']);
  expect(plan.stderr).toBe('');
  expect(plan.code).toBe(0);
  const approve = await cli(ws, ['approve', 'change.plan.json', '--key', 'alice.key', '--approver', 'alice', '--ticket', 'CHG-1234', ...approveArgs], 'alice');
  expect(approve.stderr).toBe('');
  expect(approve.code).toBe(0);
}

const runApproved = (ws: string, extra: string[] = [], user = 'bob') =>
  cli(ws, ['run', 'rotate.md', '--set', 'region=eu', '--approval', 'approval.json', '--trust', 'trust.yaml', '--yes', '--evidence-dir', 'ev', ...extra], user);

function bundleOf(ws: string): string {
  const names = existsSync(join(ws, 'ev')) ? readdirSync(join(ws, 'ev')).filter((x) => !x.startsWith('.')) : [];
  expect(names).toHaveLength(1);
  return join(ws, 'ev', names[0]!);
}

function recordOf(bundle: string) {
  const name = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, name), 'utf8')));
}

// An independent canonical JSON (sorted keys, no spaces) to re-digest a plan as an attacker would.
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
function redigest(plan: Record<string, unknown>): void {
  delete plan.digest;
  plan.digest = createHash('sha256').update(canonical(plan)).digest('hex');
}

function refusedNothingWritten(ws: string, result: { code: number; stderr: string }, code: string): void {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(new RegExp(`(^|\\s)${code} `));
  expect(existsSync(join(ws, 'ev'))).toBe(false);
  expect(existsSync(join(ws, 'cache-eu'))).toBe(true);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-approvals-'));
  for (const who of ['alice', 'bob']) expect((await runCli(['keygen', '--out', `${who}.key`], { cwd: dir })).code).toBe(0);
  writeFileSync(join(dir, 'trust.yaml'), 'approvers:\n  - name: alice\n    keyFile: alice.pub\n    maxRisk: destructive\n    runbooks: ["*.md"]\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan, approve, run --approval', () => {
  it('runs an approved destructive step unattended, records the approval, and verify checks it', async () => {
    const ws = workspace();
    await planAndApprove(ws);
    const plan = JSON.parse(readFileSync(join(ws, 'change.plan.json'), 'utf8'));
    expect(plan.runbook.sha256).toBe(createHash('sha256').update(readFileSync(join(ws, 'rotate.md'))).digest('hex'));
    expect(plan.steps.map((s: { risk: string }) => s.risk)).toEqual(['read', 'destructive']);
    expect(plan.steps[1].hosts).toEqual(['local']);
    const run = await runApproved(ws, ['--signing-key', 'bob.key']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(existsSync(join(ws, 'cache-eu'))).toBe(false);
    const bundle = bundleOf(ws);
    const record = recordOf(bundle);
    expect(record.steps[1]!.approval).toMatchObject({ status: 'approved', approver: 'alice', ticket: 'CHG-1234', threshold: 'destructive' });
    expect(record.steps[0]!.approval?.status).toBe('below-threshold');
    expect(readFileSync(join(bundle, 'approval', 'approval.json'))).toEqual(readFileSync(join(ws, 'approval.json')));
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { files: Array<{ path: string }> };
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['approval/approval.json', 'approval/change.plan.json']));
    const md = readFileSync(join(bundle, `${record.bundleName}.md`), 'utf8');
    expect(md).toContain('## Change approval');
    expect(md).toMatch(/- Approver: alice \(`ed25519:[0-9a-f]{64}`\), ticket CHG-1234/);
    expect(md).toContain('| [2-rotate/1](#step-c2) | approved | `rm -rf ./cache-"${RP_PARAM_region}"` | (the approved command) | passed |');
    expect(readFileSync(join(bundle, `${record.bundleName}.html`), 'utf8')).toMatch(/<section class="change-approval" aria-label="Change approval">[\s\S]*CHG-1234[\s\S]*data-approval="approved"/);
    const verify = await cli(ws, ['verify', bundle, '--trust', 'trust.yaml', '--key', 'bob.pub']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/change approval by alice \(CHG-1234\).*checked signature.*key trusted.*approver ≠ operator/);
    const untrusted = await cli(ws, ['verify', bundle]);
    expect(untrusted.stdout).toContain('not checked: key trusted (pass --trust FILE)');
    // An approval swapped in the bundle is caught by the manifest and by the step's approval hash.
    const swapped = JSON.parse(readFileSync(join(bundle, 'approval', 'approval.json'), 'utf8'));
    swapped.plan.createdBy = 'mallory';
    writeFileSync(join(bundle, 'approval', 'approval.json'), JSON.stringify(swapped));
    const tampered = await cli(ws, ['verify', bundle]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/approval\/approval\.json: expected a valid approval.*RP_PLAN_TAMPERED/);
  });

  it('refuses a tampered plan: at approve, and inside an approval at run', async () => {
    const ws = workspace();
    await cli(ws, ['plan', 'rotate.md', '--set', 'region=eu', '--out', 'change.plan.json']);
    const plan = JSON.parse(readFileSync(join(ws, 'change.plan.json'), 'utf8'));
    plan.steps[1].command = 'rm -rf /';
    writeFileSync(join(ws, 'change.plan.json'), JSON.stringify(plan));
    const approve = await cli(ws, ['approve', 'change.plan.json', '--key', 'alice.key', '--approver', 'alice'], 'alice');
    expect(approve.code).toBe(2);
    expect(approve.stderr).toMatch(/(^|\s)RP_PLAN_TAMPERED /);
    expect(existsSync(join(ws, 'approval.json'))).toBe(false);

    await planAndApprove(ws);
    const approval = JSON.parse(readFileSync(join(ws, 'approval.json'), 'utf8'));
    // The plan inside the approval changed, digest kept: tampered.
    approval.plan.parameters[0].value = 'us';
    writeFileSync(join(ws, 'approval.json'), JSON.stringify(approval));
    refusedNothingWritten(ws, await runApproved(ws), 'RP_PLAN_TAMPERED');
    // Changed and re-digested: no longer the digest that was signed.
    redigest(approval.plan);
    writeFileSync(join(ws, 'approval.json'), JSON.stringify(approval));
    refusedNothingWritten(ws, await runApproved(ws), 'RP_PLAN_TAMPERED');
    // The signed statement itself changed (a longer expiry): the signature no longer verifies.
    await planAndApprove(ws);
    const signed = JSON.parse(readFileSync(join(ws, 'approval.json'), 'utf8'));
    const statement = JSON.parse(Buffer.from(signed.envelope.payload, 'base64').toString('utf8'));
    statement.predicate.expiresAt = '2099-01-01T00:00:00.000Z';
    signed.envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    writeFileSync(join(ws, 'approval.json'), JSON.stringify(signed));
    refusedNothingWritten(ws, await runApproved(ws), 'RP_APPROVAL_SIGNATURE_INVALID');
  });

  it('refuses self-approval: the approver is the operator, or signed with the operator\'s signing key', async () => {
    const ws = workspace();
    await planAndApprove(ws);
    refusedNothingWritten(ws, await runApproved(ws, [], 'alice'), 'RP_SELF_APPROVAL');
    refusedNothingWritten(ws, await runApproved(ws, ['--signing-key', 'alice.key'], 'carol'), 'RP_SELF_APPROVAL');
  });

  it('refuses an expired approval', async () => {
    const ws = workspace();
    await planAndApprove(ws, ['--expires', '1ms']);
    const result = await runApproved(ws);
    refusedNothingWritten(ws, result, 'RP_APPROVAL_EXPIRED');
  });

  it('refuses an untrusted key, a name the trust file does not give that key, a risk above its maxRisk, and any approval without --trust', async () => {
    const ws = workspace();
    await cli(ws, ['plan', 'rotate.md', '--set', 'region=eu', '--out', 'change.plan.json']);
    expect((await cli(ws, ['approve', 'change.plan.json', '--key', 'bob.key', '--approver', 'alice'], 'alice')).code).toBe(0);
    refusedNothingWritten(ws, await runApproved(ws, [], 'carol'), 'RP_APPROVAL_UNTRUSTED');
    expect((await cli(ws, ['approve', 'change.plan.json', '--key', 'alice.key', '--approver', 'mallory'], 'alice')).code).toBe(0);
    refusedNothingWritten(ws, await runApproved(ws, [], 'carol'), 'RP_APPROVAL_UNTRUSTED');
    expect((await cli(ws, ['approve', 'change.plan.json', '--key', 'alice.key', '--approver', 'alice'], 'alice')).code).toBe(0);
    writeFileSync(join(ws, 'trust.yaml'), 'approvers:\n  - name: alice\n    keyFile: alice.pub\n    maxRisk: write\n');
    refusedNothingWritten(ws, await runApproved(ws, [], 'carol'), 'RP_APPROVAL_UNTRUSTED');
    const noTrust = await cli(ws, ['run', 'rotate.md', '--set', 'region=eu', '--approval', 'approval.json', '--yes', '--evidence-dir', 'ev'], 'carol');
    refusedNothingWritten(ws, noTrust, 'RP_APPROVAL_UNTRUSTED');
    expect(noTrust.stderr).toContain('--trust');
  });

  it('refuses a runbook changed since the plan and parameters that differ from it', async () => {
    const ws = workspace();
    await planAndApprove(ws);
    refusedNothingWritten(ws, await cli(ws, ['run', 'rotate.md', '--set', 'region=us', '--approval', 'approval.json', '--trust', 'trust.yaml', '--yes', '--evidence-dir', 'ev']), 'RP_APPROVAL_MISMATCH');
    writeFileSync(join(ws, 'rotate.md'), readFileSync(join(ws, 'rotate.md'), 'utf8').replace('rm -rf ./cache-<region>', 'rm -rf ./cache-<region> ./data'));
    refusedNothingWritten(ws, await runApproved(ws), 'RP_RUNBOOK_CHANGED');
  });

  it('blocks a destructive step whose command is not the approved text, and runs the rest', async () => {
    const ws = workspace();
    await cli(ws, ['plan', 'rotate.md', '--set', 'region=eu', '--out', 'change.plan.json']);
    // The reviewer is shown (and signs) a plan whose destructive command differs from the runbook's.
    const plan = JSON.parse(readFileSync(join(ws, 'change.plan.json'), 'utf8'));
    plan.steps[1].command = 'rm -rf ./cache-"${RP_PARAM_region}"/tmp';
    redigest(plan);
    writeFileSync(join(ws, 'change.plan.json'), JSON.stringify(plan));
    expect((await cli(ws, ['approve', 'change.plan.json', '--key', 'alice.key', '--approver', 'alice'], 'alice')).code).toBe(0);
    // Without a runbook argument the approved plan's runbook runs.
    const run = await cli(ws, ['run', '--approval', 'approval.json', '--trust', 'trust.yaml', '--yes', '--evidence-dir', 'ev']);
    expect(run.stderr).toBe('');
    expect(existsSync(join(ws, 'cache-eu'))).toBe(true);
    const record = recordOf(bundleOf(ws));
    expect(record.steps.map((s) => s.status)).toEqual(['passed', 'blocked']);
    expect(record.steps[1]!.approval).toMatchObject({ status: 'unapproved', reason: 'not approved: the command is not the approved text' });
    expect(record.steps[1]!.decisions[0]!.reason).toMatch(/^not approved by alice: the command is not the approved text/);
    const md = readFileSync(join(bundleOf(ws), `${record.bundleName}.md`), 'utf8');
    expect(md).toContain('| [2-rotate/1](#step-c2) | not approved | `rm -rf ./cache-"${RP_PARAM_region}"/tmp` | `rm -rf ./cache-"${RP_PARAM_region}"` | blocked |');
  });
});

describe('journal hash chain (built CLI)', () => {
  it('verify and recover catch a journal line edited or dropped; the manifest is not the only check', async () => {
    const ws = workspace();
    const run = await cli(ws, ['run', 'rotate.md', '--set', 'region=eu', '--yes', '--evidence-dir', 'ev']);
    expect(run.stderr).toBe('');
    const bundle = bundleOf(ws);
    const journal = join(bundle, 'journal.jsonl');
    const original = readFileSync(journal, 'utf8');
    const lines = original.split('\n');
    const ok = await cli(ws, ['verify', bundle]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/journal hash chain checked: \d+ line\(s\) linked/);

    // Edited: a decision's reason rewritten.
    const edited = [...lines];
    const i = lines.findIndex((l) => l.includes('"type":"decision"'));
    expect(i).toBeGreaterThan(0);
    edited[i] = edited[i]!.replace(/"reason":"[^"]*"/, '"reason":"approved by the CISO"');
    expect(edited[i]).not.toBe(lines[i]);
    writeFileSync(journal, edited.join('\n'));
    const afterEdit = await cli(ws, ['verify', bundle]);
    expect(afterEdit.code).toBe(1);
    expect(afterEdit.stdout).toContain(`journal.jsonl line ${i + 2}: expected an unbroken hash chain (prev) and seq; actual prev`);
    expect(afterEdit.stdout).toContain(`is not the hash of line ${i + 1}`);

    // Dropped: line 3 removed; sealed files removed as a killed run leaves them, then recover.
    writeFileSync(journal, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    const afterDrop = await cli(ws, ['verify', bundle]);
    expect(afterDrop.code).toBe(1);
    expect(afterDrop.stdout).toMatch(/journal\.jsonl line 3: .*not the hash of line 2/);
    expect(afterDrop.stdout).toMatch(/seq 4, expected 3: 1 line\(s\) missing/);
    rmSync(join(bundle, 'manifest.json'));
    rmSync(join(bundle, 'attestation.json'));
    const recover = await cli(ws, ['recover', bundle]);
    expect(recover.code).toBe(0);
    expect(recover.stdout).toMatch(/journal\.jsonl line 3: hash chain broken/);
    expect(recordOf(bundle).warnings.join('\n')).toMatch(/line 3: hash chain broken/);
  });
});
