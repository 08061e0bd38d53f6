import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  collectSecrets,
  createRedactor,
  openBundle,
  readJournal,
  RunRecordSchema,
  type OutputCapture,
} from '../../src/record/index.js';
import { isRunproofError } from '../../src/core/errors.js';
import { makeAttempt, makeRecord, makeStep, runStartEvent, T0 } from './make-record.js';

let evidenceDir: string;
beforeEach(() => {
  evidenceDir = mkdtempSync(join(tmpdir(), 'rp-bundle-'));
});
afterEach(() => {
  rmSync(evidenceDir, { recursive: true, force: true });
});

const NOW = new Date('2026-01-22T10:15:00.123Z');

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

// Runs a real bash command and pipes its stdout/stderr through captures, chunk by chunk.
function pipeProcess(script: string, out: OutputCapture, err: OutputCapture, env: NodeJS.ProcessEnv = {}): Promise<number | null> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-c', script], { env: { PATH: process.env['PATH'], ...env } });
    child.stdout.on('data', (b: Buffer) => out.write(b));
    child.stderr.on('data', (b: Buffer) => err.write(b));
    child.on('error', fail);
    child.on('close', (code) => done(code));
  });
}

async function expectCode(p: Promise<unknown>, code: string): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(isRunproofError(e) ? e.code : e).toBe(code);
    return e as Error;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('openBundle', () => {
  it('creates <name>_<YYYYMMDD_HHMMSS> (UTC) with logs/ and journal.jsonl', async () => {
    const b = await openBundle({ evidenceDir, name: 'rollback_check', now: NOW, redactor: createRedactor() });
    expect(b.baseName).toBe('rollback_check_20260122_101500');
    expect(b.dir).toBe(join(evidenceDir, 'rollback_check_20260122_101500'));
    expect(statSync(join(b.dir, 'logs')).isDirectory()).toBe(true);
    expect(existsSync(join(b.dir, 'journal.jsonl'))).toBe(true);
    await b.close();
  });

  it('never overwrites: runs in the same second get _2, _3', async () => {
    const names = [];
    for (let i = 0; i < 3; i++) {
      const b = await openBundle({ evidenceDir, name: 'daily', now: NOW, redactor: createRedactor() });
      names.push(b.baseName);
      await b.close();
    }
    expect(names).toEqual(['daily_20260122_101500', 'daily_20260122_101500_2', 'daily_20260122_101500_3']);
    const concurrent = await Promise.all(
      Array.from({ length: 6 }, () => openBundle({ evidenceDir, name: 'race', now: NOW, redactor: createRedactor() })),
    );
    expect(new Set(concurrent.map((b) => b.baseName)).size).toBe(6);
    await Promise.all(concurrent.map((b) => b.close()));
  });

  it('rejects unsafe names before touching the disk', async () => {
    await expectCode(openBundle({ evidenceDir, name: '../escape', redactor: createRedactor() }), 'RP_BAD_EVIDENCE_NAME');
    expect(readdirSync(evidenceDir)).toEqual([]);
  });
});

describe('Bundle.append', () => {
  it('numbers, timestamps and writes one JSON line per event, in call order', async () => {
    const b = await openBundle({ evidenceDir, name: 'j', now: NOW, redactor: createRedactor() });
    // Fired without awaiting, as an executor might: order and whole lines must survive.
    const pending = [b.append(runStartEvent())];
    for (let i = 0; i < 20; i++) {
      pending.push(b.append({ type: 'decision', stepId: 'c1', decision: { action: 'run', by: 'flag', at: T0, reason: `r${i}` } }));
    }
    pending.push(b.append({ type: 'run-end', status: 'passed', endedAt: T0 }));
    await Promise.all(pending);
    await b.close();
    const lines = readFileSync(b.journalPath, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(22);
    const events = lines.map((l) => JSON.parse(l) as { seq: number; type: string; at: string });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(events[0]!.type).toBe('run-start');
    expect(events[21]!.type).toBe('run-end');
    expect(events[1]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const read = await readJournal(b.journalPath);
    expect(read.events).toHaveLength(22);
    expect(read.tornLastLine).toBe(false);
  });

  it('refuses events after close', async () => {
    const b = await openBundle({ evidenceDir, name: 'j', now: NOW, redactor: createRedactor() });
    await b.close();
    await expectCode(b.append({ type: 'run-end', status: 'passed', endedAt: T0 }), 'RP_INTERNAL');
  });

  it('rejects an invalid event with RP_BAD_RECORD naming the field', async () => {
    const b = await openBundle({ evidenceDir, name: 'j', now: NOW, redactor: createRedactor() });
    const e = await expectCode(b.append({ type: 'step-end', stepId: 'c1', status: 'exploded' as never }), 'RP_BAD_RECORD');
    expect(e.message).toContain('status');
    await b.close();
  });
});

describe('Bundle.writeRecord and writeFile', () => {
  it('validates and writes <baseName>.json that reads back as the same record', async () => {
    const b = await openBundle({ evidenceDir, name: 'rec', now: NOW, redactor: createRedactor() });
    const record = makeRecord({ bundleName: b.baseName, evidenceName: 'rec' });
    const path = await b.writeRecord(record);
    expect(path).toBe(join(b.dir, 'rec_20260122_101500.json'));
    const back = RunRecordSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    expect(back).toEqual(record);
    await b.close();
  });

  it('refuses an invalid record with the path of the problem', async () => {
    const b = await openBundle({ evidenceDir, name: 'rec', now: NOW, redactor: createRedactor() });
    const bad = makeRecord({ steps: [makeStep({ attempts: [makeAttempt({ exitCode: 'zero' as never })] })] });
    const e = await expectCode(b.writeRecord(bad), 'RP_BAD_RECORD');
    expect(e.message).toContain('steps.0.attempts.0.exitCode');
    expect(existsSync(join(b.dir, `${b.baseName}.json`))).toBe(false);
    await b.close();
  });

  it('writes files inside the bundle only', async () => {
    const b = await openBundle({ evidenceDir, name: 'f', now: NOW, redactor: createRedactor() });
    const p = await b.writeFile('reports/summary.md', '# ok\n');
    expect(readFileSync(p, 'utf8')).toBe('# ok\n');
    await expectCode(b.writeFile('../outside.md', 'x'), 'RP_EVIDENCE_WRITE_FAILED');
    await expectCode(b.writeFile('/tmp/abs.md', 'x'), 'RP_EVIDENCE_WRITE_FAILED');
    expect(existsSync(join(evidenceDir, 'outside.md'))).toBe(false);
    await b.close();
  });
});

describe('a whole bundle holds no planted secret', () => {
  it('greps every file for every secret and finds none', async () => {
    const planted = {
      envToken: 'env-tok-7Hq2Zp9Lw',
      paramSecret: 'param-pw-Q8n3Vx',
      flagSecret: 'flag-secret-M4k7',
      pgpass: 'novapass-Y5t1',
      urlPass: 'urlpw-R2d8Fj',
      apiKey: 'apikey-K9s4Bn',
      bearer: 'bearer-J3w6Xc',
      cookie: 'sid-C7v2Nm',
    };
    const env = { AOS_API_TOKEN: planted.envToken, HOME: '/home/ops' };
    const params = [
      { name: 'db_pass', value: planted.paramSecret, secret: true },
      { name: 'commit_sha', value: 'abc123def', secret: false },
    ];
    const redactor = createRedactor(collectSecrets({ env, params, extra: [planted.flagSecret] }));
    const b = await openBundle({ evidenceDir, name: 'secrets', now: NOW, redactor, inlineLimit: 256 });

    const source = [
      `PGPASSWORD=${planted.pgpass} psql -h localhost -c "SELECT 1"`,
      `curl -s -H "X-API-Key: ${planted.apiKey}" -H "Authorization: Bearer ${planted.bearer}" "https://ops:${planted.urlPass}@127.0.0.1/x"`,
      `echo ${planted.paramSecret}`,
    ].join('\n');
    await b.append(
      runStartEvent({
        parameters: [{ name: 'db_pass', value: planted.paramSecret, source: 'flag', secret: true }],
        warnings: [`env AOS_API_TOKEN=${planted.envToken}`],
      }),
    );
    const step = makeStep({ source, boundCommand: source, attempts: [] });
    const { status: _s, decisions: _d, attempts: _a, assertions: _as, ...header } = step;
    await b.append({ type: 'step-start', step: header });
    await b.append({
      type: 'decision',
      stepId: 'c1',
      decision: { action: 'edit', by: 'operator', at: T0, reason: 'edited', input: `echo ${planted.flagSecret}` },
    });

    const stdout = b.captureOutput('c1', 1, 'stdout');
    const stderr = b.captureOutput('c1', 1, 'stderr');
    // Secrets printed split across writes with pauses, so they arrive in separate chunks; plus
    // enough filler to overflow the inline limit and keep a log file.
    const script = [
      `printf '%s' "${planted.envToken.slice(0, 5)}"; sleep 0.05; printf '%s\\n' "${planted.envToken.slice(5)}"`,
      `printf 'pw=%s' "${planted.paramSecret.slice(0, 3)}"; sleep 0.05; printf '%s\\n' "${planted.paramSecret.slice(3)}"`,
      `for i in $(seq 1 40); do echo "filler line $i ${planted.flagSecret}"; done`,
      `printf '> Cookie: %s\\n' "${planted.cookie}"`,
      `echo "error: password ${planted.pgpass} rejected" >&2`,
      `echo "connecting to postgresql://ops:${planted.urlPass}@db/x" >&2`,
      `printf '< X-API-Key: %s' "${planted.apiKey.slice(0, 4)}"; sleep 0.05; printf '%s\\n' "${planted.apiKey.slice(4)}"`,
    ].join('\n');
    const code = await pipeProcess(script, stdout, stderr);
    expect(code).toBe(0);
    expect(stdout.text()).not.toContain(planted.envToken);
    const out = await stdout.end();
    const err = await stderr.end();
    expect(out.truncated).toBe(true);
    const attempt = makeAttempt({
      stdout: out,
      stderr: err,
      // A whole exchange (Attempt.http is typed): the secrets sit in a request header, the curl line and a response header.
      http: {
        request: { method: 'GET', url: 'http://127.0.0.1:9/x', headers: [['Authorization', `Bearer ${planted.bearer}`]] },
        response: { status: 200, headers: { 'set-cookie': planted.cookie }, body: 'ok', bodySize: 2, bodySha256: 'a'.repeat(64), truncated: false },
        timings: { totalMs: 1 },
        curl: `curl -H 'Authorization: Bearer ${planted.bearer}' http://127.0.0.1:9/x`,
      },
      error: `failed with ${planted.paramSecret}`,
    });
    await b.append({ type: 'attempt-end', stepId: 'c1', attempt });
    await b.append({ type: 'assertions', stepId: 'c1', assertions: [{ text: 'stdout contains "x"', line: 9, passed: false, actual: planted.envToken }] });
    await b.append({ type: 'step-end', stepId: 'c1', status: 'failed', note: planted.flagSecret });
    await b.append({ type: 'run-end', status: 'failed', endedAt: T0 });

    const record = makeRecord({
      bundleName: b.baseName,
      evidenceName: 'secrets',
      status: 'failed',
      parameters: [{ name: 'db_pass', value: planted.paramSecret, source: 'flag', secret: true }],
      steps: [makeStep({ source, boundCommand: source, status: 'failed', attempts: [attempt], note: `${planted.cookie}` })],
      warnings: [`saw ${planted.bearer}`],
    });
    await b.writeRecord(record);
    await b.writeFile(`${b.baseName}.md`, `# Report\n\n${source}\n\n${out.inline}\n`);
    await b.writeFile(`${b.baseName}.html`, `<pre>${planted.urlPass} ${planted.apiKey}</pre>`);
    await b.close();

    const files = allFiles(b.dir);
    expect(files.map((f) => f.slice(b.dir.length + 1)).sort()).toEqual(
      ['journal.jsonl', 'logs/c1.1.stdout.log', `${b.baseName}.html`, `${b.baseName}.json`, `${b.baseName}.md`].sort(),
    );
    for (const file of files) {
      const content = readFileSync(file, 'utf8');
      for (const [what, secret] of Object.entries(planted)) {
        expect(content.includes(secret), `${what} found in ${file}`).toBe(false);
      }
    }
    // And what was hidden is marked, not dropped.
    const log = readFileSync(join(b.dir, 'logs/c1.1.stdout.log'), 'utf8');
    expect(log).toContain('[REDACTED:AOS_API_TOKEN]');
    expect(log).toContain('[REDACTED:secret]');
    expect(log).toContain('> Cookie: [REDACTED:Cookie]');
    const json = readFileSync(join(b.dir, `${b.baseName}.json`), 'utf8');
    expect(json).toContain('PGPASSWORD=[REDACTED:PGPASSWORD]');
    expect(json).toContain('Bearer [REDACTED:Authorization]');
    expect(json).toContain(':[REDACTED:url-password]@');
    // Redacting the record again left the captured output as it was: inline, size and hash
    // still describe the log file byte for byte.
    const saved = RunRecordSchema.parse(JSON.parse(json));
    expect(saved.steps[0]!.attempts[0]!.stdout).toEqual(out);
    expect(createHash('sha256').update(readFileSync(join(b.dir, out.logFile!))).digest('hex')).toBe(out.sha256);
  });
});
