import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadChecklistFile, parsePrometheusTextForTest, runChecklist, runChecklists, signWebhookBody, WEBHOOK_FILE } from './run-helpers.js';
import { acquireLock, RunRecordSchema, verifyBundle } from '../../src/record/index.js';
import { runLockKeyFor } from '../../src/app/index.js';
import { exitCodeForChecklist, worstExitCode } from '../../src/cli/exit.js';
import { startRoxyServer, type TestServer } from '../helpers/servers.js';

const fixtures = fileURLToPath(new URL('../fixtures/checklist/', import.meta.url));
let dir: string;
let healthy: TestServer;
let failing: TestServer;
let hook: { url: string; seen: Array<{ signature: string | undefined; body: string }>; close(): Promise<void> };
let hangingUrl: string;
let closeHanging: () => Promise<void>;

// A webhook receiver on 127.0.0.1 that records what it got, and one that never answers.
async function startReceiver(answer: boolean): Promise<{ url: string; seen: Array<{ signature: string | undefined; body: string }>; close(): Promise<void> }> {
  const seen: Array<{ signature: string | undefined; body: string }> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ signature: req.headers['x-runproof-signature'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') });
      if (answer) res.end('ok');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen,
    close: () => new Promise((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    }),
  };
}

beforeAll(async () => {
  healthy = await startRoxyServer({ ready: true });
  failing = await startRoxyServer({ ready: false });
  hook = await startReceiver(true);
  const hanging = await startReceiver(false);
  hangingUrl = hanging.url;
  closeHanging = hanging.close;
});
afterAll(async () => {
  await Promise.all([healthy.close(), failing.close(), hook.close(), closeHanging()]);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-checklist-run-'));
  copyFileSync(join(fixtures, 'roxy.md'), join(dir, 'roxy.md'));
  hook.seen.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeChecklist(body: string): string {
  const path = join(dir, 'checklists.yaml');
  writeFileSync(path, body);
  return path;
}

const bundlesIn = (ev: string) => (existsSync(ev) ? readdirSync(ev).filter((n) => !n.startsWith('.')).sort() : []);
function recordIn(bundleDir: string) {
  const name = readdirSync(bundleDir).find((f) => f.endsWith('.json') && !['manifest.json', 'attestation.json', WEBHOOK_FILE].includes(f))!;
  return RunRecordSchema.parse(JSON.parse(readFileSync(join(bundleDir, name), 'utf8')));
}

describe('runChecklist (real runs against a local ROXY-like server)', () => {
  it('passes, records a manual trigger, writes JUnit and the textfile, sends no failure webhook; then a failure carries the last success forward and the signed webhook lands in the sealed bundle', async () => {
    const path = writeChecklist(`
defaults:
  evidenceDir: ev
  junit: out/junit.xml
  textfile: out/runproof.prom
  webhook: { url: "${hook.url}", secret: env:HOOK_KEY, timeout: 5s }
checklists:
  - name: health
    runbook: roxy.md
    sections: ["Health Checks"]
    params: { unused_param: env:ROXY_API_TOKEN }
`);
    const file = await loadChecklistFile(path);
    const env = { ...process.env, ROXY_URL: healthy.url, HOOK_KEY: 'hook-secret-1', ROXY_API_TOKEN: 'tok-123-secret' } as Record<string, string>;
    const first = await runChecklist(file.checklists[0]!, { env, trigger: { kind: 'manual' } });
    expect(first.status).toBe('passed');
    expect(exitCodeForChecklist(first.status)).toBe(0);
    expect(first.record!.trigger).toMatchObject({ kind: 'manual', checklist: 'health' });
    expect(first.webhook).toBeUndefined();
    expect(hook.seen).toHaveLength(0);
    expect(existsSync(join(first.bundleDir!, WEBHOOK_FILE))).toBe(false);

    env.ROXY_URL = failing.url;
    const second = await runChecklist(file.checklists[0]!, { env, trigger: { kind: 'manual' } });
    expect(second.status).toBe('failed');
    expect(exitCodeForChecklist(second.status)).toBe(1);
    // The webhook: one signed POST with the summary.
    expect(hook.seen).toHaveLength(1);
    const body = JSON.parse(hook.seen[0]!.body);
    expect(hook.seen[0]!.signature).toBe(signWebhookBody(hook.seen[0]!.body, 'hook-secret-1'));
    expect(body).toMatchObject({ checklist: 'health', status: 'failed', bundle: second.bundleDir, counts: { failed: 1, passed: 1 } });
    expect(body.failedSteps).toHaveLength(1);
    expect(body.failedSteps[0].name).toBe('ready');
    expect(body.failedSteps[0].messages.join(' ')).toMatch(/\$\.ready/);
    // Its outcome is in the bundle, covered by the manifest: the bundle verifies.
    const outcome = JSON.parse(readFileSync(join(second.bundleDir!, WEBHOOK_FILE), 'utf8'));
    expect(outcome).toMatchObject({ delivered: true, signed: true, on: 'failure' });
    const manifest = readFileSync(join(second.bundleDir!, 'manifest.json'), 'utf8');
    expect(manifest).toContain(WEBHOOK_FILE);
    expect((await verifyBundle(second.bundleDir!)).ok).toBe(true);
    // The secret parameter never reaches the bundle.
    for (const f of readdirSync(second.bundleDir!)) {
      if (f.endsWith('.json') || f.endsWith('.md') || f.endsWith('.jsonl')) expect(readFileSync(join(second.bundleDir!, f), 'utf8')).not.toContain('tok-123-secret');
    }
    // Textfile: failure now, last success carried forward from the first run.
    const samples = parsePrometheusTextForTest(readFileSync(join(dir, 'out/runproof.prom'), 'utf8'));
    const get = (name: string) => samples.find((s) => s.name === name && s.labels.checklist === 'health' && !s.labels.status)?.value;
    expect(get('runproof_last_run_success')).toBe(0);
    expect(get('runproof_last_success_timestamp_seconds')).toBe(Date.parse(first.record!.startedAt) / 1000);
    expect(get('runproof_last_run_timestamp_seconds')).toBe(Date.parse(second.record!.startedAt) / 1000);
    expect(get('runproof_last_webhook_success')).toBe(1);
    const junit = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="health" tests="2" failures="1"');
  });

  it('retries a failure with a new bundle per try and sends the webhook once, for the last try', async () => {
    const path = writeChecklist(`
checklists:
  - name: retried
    runbook: roxy.md
    sections: ["2"]
    evidenceDir: ev
    retries: 1
    retryDelay: 100ms
    webhook: { url: "${hook.url}", on: always }
`);
    const file = await loadChecklistFile(path);
    const result = await runChecklist(file.checklists[0]!, { env: { ...process.env, ROXY_URL: failing.url } as Record<string, string> });
    expect(result.attempts).toBe(2);
    expect(result.status).toBe('failed');
    const bundles = bundlesIn(join(dir, 'ev'));
    expect(bundles).toHaveLength(2);
    expect(bundles.map((b) => recordIn(join(dir, 'ev', b)).trigger?.attempt).sort()).toEqual([1, 2]);
    expect(hook.seen).toHaveLength(1);
    expect(existsSync(join(dir, 'ev', bundles[0]!, WEBHOOK_FILE))).toBe(false);
    expect(JSON.parse(hook.seen[0]!.body).trigger.attempt).toBe(2);
  });

  it('records a webhook receiver that never answers as a timeout in the bundle, and returns within the bound', async () => {
    const path = writeChecklist(`
checklists:
  - name: hung
    runbook: roxy.md
    sections: ["2"]
    evidenceDir: ev
    webhook: { url: "${hangingUrl}", timeout: 300ms, retries: 1 }
`);
    const file = await loadChecklistFile(path);
    const result = await runChecklist(file.checklists[0]!, { env: { ...process.env, ROXY_URL: failing.url } as Record<string, string> });
    expect(result.status).toBe('failed');
    expect(result.webhook?.delivered).toBe(false);
    const outcome = JSON.parse(readFileSync(join(result.bundleDir!, WEBHOOK_FILE), 'utf8'));
    expect(outcome.delivered).toBe(false);
    expect(outcome.attempts.map((a: { error: string }) => a.error)).toEqual(['no answer within 300 ms', 'no answer within 300 ms']);
    expect((await verifyBundle(result.bundleDir!)).ok).toBe(true);
  });

  it('exits 4 when another run holds the lock; a scheduled trigger leaves a skipped bundle', async () => {
    const path = writeChecklist(`
checklists:
  - name: locked
    runbook: roxy.md
    sections: ["2"]
    schedule: "0 6 * * *"
    evidenceDir: ev
    textfile: out/l.prom
`);
    const file = await loadChecklistFile(path);
    const c = file.checklists[0]!;
    // Run locks live in one folder (RUNPROOF_LOCK_DIR), keyed by the runbook and its resolved selection.
    const lockDir = join(dir, 'locks');
    const lock = await acquireLock({ dir: lockDir, key: await runLockKeyFor(realpathSync(c.runbookPath), { sections: c.sections, cells: c.cells, tags: c.tags }) });
    try {
      const manual = await runChecklist(c, { env: { ...process.env, ROXY_URL: healthy.url, RUNPROOF_LOCK_DIR: lockDir } as Record<string, string> });
      expect(manual.status).toBe('locked');
      expect(exitCodeForChecklist(manual.status)).toBe(4);
      expect(bundlesIn(join(dir, 'ev'))).toEqual([]);
      const scheduled = await runChecklist(c, { env: { ...process.env, ROXY_URL: healthy.url, RUNPROOF_LOCK_DIR: lockDir } as Record<string, string>, trigger: { kind: 'schedule', via: 'systemd' } });
      expect(exitCodeForChecklist(scheduled.status)).toBe(4);
      const record = recordIn(scheduled.bundleDir!);
      expect(record.status).toBe('skipped');
      expect(record.steps).toEqual([]);
      expect(record.trigger).toMatchObject({ kind: 'schedule', via: 'systemd', cron: '0 6 * * *' });
      expect(record.trigger!.scheduledAt!.endsWith('T06:00:00.000Z') || record.trigger!.scheduledAt!.includes(':00:00.000')).toBe(true);
      expect(record.warnings[0]).toMatch(/holds the lock/);
      expect((await verifyBundle(scheduled.bundleDir!)).ok).toBe(true);
      expect(readFileSync(join(dir, 'out/l.prom'), 'utf8')).toContain('runproof_skipped_runs_total{checklist="locked"} 2');
    } finally {
      await lock.release();
    }
  });

  it('records a parameter read from the environment (env:NAME) as source environment, a literal one as flag, in the record and the journal', async () => {
    writeFileSync(join(dir, 'params.md'), '---\nparams:\n  region: { description: where }\n  stage: { description: which }\n---\n# Params\n\n## Show\n\n```bash {name=show}\necho "<region> <stage>"\n```\n');
    const path = writeChecklist(`
checklists:
  - name: params
    runbook: params.md
    evidenceDir: ev
    params: { region: env:RP_TEST_REGION, stage: prod }
`);
    const file = await loadChecklistFile(path);
    const result = await runChecklist(file.checklists[0]!, { env: { ...process.env, RP_TEST_REGION: 'eu-west-1' } as Record<string, string> });
    expect(result.status).toBe('passed');
    const expected = [
      { name: 'region', value: 'eu-west-1', source: 'environment', secret: false },
      { name: 'stage', value: 'prod', source: 'flag', secret: false },
    ];
    expect(recordIn(result.bundleDir!).parameters).toEqual(expected);
    const start = readFileSync(join(result.bundleDir!, 'journal.jsonl'), 'utf8').split('\n').map((l) => (l ? JSON.parse(l) : null)).find((e) => e?.type === 'run-start');
    expect(start.parameters).toEqual(expected);
    expect(result.record!.steps[0]!.attempts[0]!.stdout.inline).toBe('eu-west-1 prod\n');
  });

  it('a run that cannot start is exit 2; runChecklists returns the worst exit code', async () => {
    const path = writeChecklist(`
checklists:
  - name: ok
    runbook: roxy.md
    sections: ["2"]
    evidenceDir: ev
  - name: needs-env
    runbook: roxy.md
    evidenceDir: ev
    schedule: "0 6 * * *"
    params: { region: env:RP_TEST_UNSET_VARIABLE }
`);
    const file = await loadChecklistFile(path);
    const env = { ...process.env, ROXY_URL: healthy.url } as Record<string, string>;
    delete env.RP_TEST_UNSET_VARIABLE;
    const { results } = await runChecklists(file, [], { env });
    const codes = results.map((r) => exitCodeForChecklist(r.status, r.error?.code));
    expect(results.map((r, i) => [r.checklist, r.status, codes[i]])).toEqual([['ok', 'passed', 0], ['needs-env', 'error', 2]]);
    expect(results[1]!.error!.code).toBe('RP_MISSING_PARAMETER');
    expect(worstExitCode(codes)).toBe(2);
    // Scheduled, the same failure leaves a failed bundle saying why.
    const scheduled = await runChecklist(file.checklists[1]!, { env, trigger: { kind: 'schedule' } });
    const record = recordIn(scheduled.bundleDir!);
    expect(record.status).toBe('failed');
    expect(record.warnings[0]).toMatch(/RP_MISSING_PARAMETER.*RP_TEST_UNSET_VARIABLE/);
  });
});
