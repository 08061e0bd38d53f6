// Real CLI runs of the secrets attacks (SECURITY L2, L3, L5, L11, L13, L14): a real bash cell
// prints the secret, then every file of the bundle and everything runproof printed is searched.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rp-secrets-cli-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// The bundle folders of an evidence folder (not `.locks` and other runproof files).
function bundlesIn(evidence: string): string[] {
  return readdirSync(evidence)
    .filter((n) => !n.startsWith('.') && statSync(join(evidence, n)).isDirectory())
    .map((n) => join(evidence, n));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

// Every place a secret could show: each bundle file (as bytes) and the terminal.
function leaks(bundle: string, terminal: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(bundle)) {
    const text = readFileSync(file, 'latin1');
    for (const s of secrets) if (text.toLowerCase().includes(s.toLowerCase())) found.push(`${s} in ${file}`);
  }
  for (const s of secrets) if (terminal.toLowerCase().includes(s.toLowerCase())) found.push(`${s} on the terminal`);
  return found;
}

const cell = (name: string, body: string): string => `\`\`\`bash {"name":"${name}"}\n${body}\n\`\`\`\n`;

async function run(file: string, text: string, args: string[] = [], env: Record<string, string> = {}) {
  writeFileSync(join(work, file), text);
  const evidence = join(work, `ev-${file}`);
  const r = await runCli(['run', file, '--yes', '--json', '--evidence-dir', evidence, ...args], { cwd: work, env, timeoutMs: 60_000 });
  const summary = JSON.parse(r.stdout) as { bundle: string; status: string; steps: Array<{ status: string }> };
  // The terminal view too: the same run without --json prints each cell's output live.
  const shown = await runCli(['run', file, '--yes', '--evidence-dir', `${evidence}-tty`, ...args], { cwd: work, env, timeoutMs: 60_000 });
  return { summary, terminal: r.stderr + shown.stdout + shown.stderr, bundles: [summary.bundle, ...bundlesIn(`${evidence}-tty`)] };
}

describe('secrets born during the run (L2)', () => {
  it('a secret-named variable set by one cell (exported or plain) is hidden in every later output', async () => {
    const { summary, terminal, bundles } = await run(
      'born.md',
      `# Born\n\n## 1. Go\n\n${cell('make', "export SERVICE_TOKEN=$(printf 'svc-%s' born123456)\nDB_PASSWORD=plainPw98765\nmy_api_key=lowerKey5555")}\n${cell('use', 'echo "token $SERVICE_TOKEN pw $DB_PASSWORD key $my_api_key"\nprintf %s "$SERVICE_TOKEN" | base64\nprintf %s "$SERVICE_TOKEN" | xxd -p')}`,
    );
    expect(summary.steps.map((s) => s.status)).toEqual(['passed', 'passed']);
    for (const b of bundles) expect(leaks(b, terminal, ['svc-born123456', 'plainPw98765', 'lowerKey5555', Buffer.from('svc-born123456').toString('base64'), Buffer.from('svc-born123456').toString('hex')])).toEqual([]);
    expect(readFileSync(filesUnder(summary.bundle).find((f) => f.endsWith('.md') && !f.includes('logs'))!, 'utf8')).toContain('[REDACTED:SERVICE_TOKEN]');
  }, 120_000);
});

describe('secrets born and printed in the same cell (L2, L3)', () => {
  // Every value is random, made inside the cell, and also written to a file outside the bundle
  // so that the test knows what to look for.
  const make = (form: string, name: string) => `${form}; printf '%s\\n' "\${${name}}" >> "$VALS"`;
  const body = [
    make('export SERVICE_TOKEN=$(openssl rand -hex 16); echo "tok $SERVICE_TOKEN"', 'SERVICE_TOKEN'),
    make('read -r API_KEY <<<"rk-$(openssl rand -hex 8)"; echo "key $API_KEY" >&2', 'API_KEY'),
    make('declare DB_PASSWORD="dp-$(openssl rand -hex 8)"; echo "pw $DB_PASSWORD"; echo "$DB_PASSWORD" | base64', 'DB_PASSWORD'),
    make('printf -v MY_SECRET \'ms-%s\' "$(openssl rand -hex 8)"; echo "ms $MY_SECRET"; printf %s "$MY_SECRET" | xxd -p', 'MY_SECRET'),
    make('declare -a API_TOKENS=("a1-$(openssl rand -hex 8)" "a2-$(openssl rand -hex 8)"); echo "${API_TOKENS[1]}"', 'API_TOKENS[1]'),
    // Printed BEFORE it is assigned in a later line: the value flows into the secret name.
    make('V=$(openssl rand -hex 12); echo "before $V"', 'V'),
    'sleep 0.2',
    'export OTHER_TOKEN=$V',
    // In a subshell, a function and a pipeline.
    make('f() { local ROOT_PASS="rp-$(openssl rand -hex 8)"; echo "in f $ROOT_PASS"; echo "$ROOT_PASS" > "$VALS.f"; }; f', 'ROOT_PASS'),
    'cat "$VALS.f" >> "$VALS"',
    '( CHILD_SECRET="cs-$(openssl rand -hex 8)"; echo "$CHILD_SECRET" >> "$VALS"; echo "sub $CHILD_SECRET" )',
    // set -x traces the values too.
    make('set -x; X_TOKEN="xt-$(openssl rand -hex 8)"; echo "x $X_TOKEN"; set +x', 'X_TOKEN'),
  ].join('\n');
  it('a value is hidden from the moment it exists: bundle files, logs, journal and terminal', async () => {
    const vals = join(work, 'born-values.txt');
    const { summary, terminal, bundles } = await run('same.md', `# Same\n\n## 1. Go\n\n${cell('same', body)}`, ['--allow', 'write'], { VALS: vals });
    expect(summary.steps.map((s) => s.status)).toEqual(['passed']);
    const values = readFileSync(vals, 'utf8').split('\n').filter((v) => v.trim() !== '');
    expect(values.length).toBe(2 * 9);
    const forms = values.flatMap((v) => [v, Buffer.from(v).toString('hex'), Buffer.from(`${v}\n`).toString('base64').replace(/=+$/, '')]);
    for (const b of bundles) expect(leaks(b, terminal, forms)).toEqual([]);
    expect(terminal).toContain('[REDACTED:SERVICE_TOKEN]');
    expect(terminal).toContain('before [REDACTED:OTHER_TOKEN]');
  }, 120_000);

  it('a value printed before anything ties it to a secret is hidden again in the bundle, and the record says so', async () => {
    const vals = join(work, 'late-values.txt');
    const late = `openssl rand -hex 12 > "$VALS.src"; cat "$VALS.src" >> "$VALS"\nfor i in $(seq 1 3000); do echo "line $i: $(< "$VALS.src")"; done\nexport LATE_TOKEN=$(cat "$VALS.src")`;
    const { summary, bundles } = await run('late.md', `# Late\n\n## 1. Go\n\n${cell('late', late)}`, ['--allow', 'write'], { VALS: vals });
    expect(summary.steps.map((s) => s.status)).toEqual(['passed']);
    const values = readFileSync(vals, 'utf8').split('\n').filter((v) => v.trim() !== '');
    expect(values.length).toBe(2);
    for (const b of bundles) {
      expect(leaks(b, '', values)).toEqual([]);
      const record = JSON.parse(readFileSync(filesUnder(b).find((f) => f.endsWith(`${basename(b)}.json`))!, 'utf8')) as { steps: Array<{ attempts: Array<{ warnings?: string[]; stdout: { logFile?: string } }> }> };
      const attempt = record.steps[0]!.attempts[0]!;
      expect(attempt.stdout.logFile).toBeDefined();
      expect(readFileSync(join(b, attempt.stdout.logFile!), 'utf8')).toContain('line 3000: [REDACTED:LATE_TOKEN]');
      expect(attempt.warnings?.join('\n')).toMatch(/secret was learned while this attempt ran: its stdout was redacted again/);
    }
  }, 120_000);
});

describe('secrets written in the runbook (L3)', () => {
  const runbook = [
    '# Declared',
    '',
    '## 1. Early',
    '',
    cell('early', "echo later-Pw-4444 curlPass-5555 mysqlPw-6666 bearerTok-7777 oauthTok-8888 apiKey-9999 flagPw-1212\nprintf 'db:\\n  password: yamlPw-3434\\n'\necho yamlPw-3434 again"),
    '## 2. Later (not selected)',
    '',
    cell('later', 'PGPASSWORD=later-Pw-4444 psql -h db\ncurl -u admin:curlPass-5555 http://127.0.0.1:9/\nmysql -u root -pmysqlPw-6666\ncurl -H "Authorization: Bearer bearerTok-7777" --oauth2-bearer oauthTok-8888 http://127.0.0.1:9/\nexport API_KEY=apiKey-9999\nmysqldump --password=flagPw-1212'),
    '',
  ].join('\n');
  const secrets = ['later-Pw-4444', 'curlPass-5555', 'mysqlPw-6666', 'bearerTok-7777', 'oauthTok-8888', 'apiKey-9999', 'flagPw-1212', 'yamlPw-3434'];
  it('values declared anywhere in the runbook are hidden from the first cell on, in journal, logs, record, reports and terminal', async () => {
    const { summary, terminal, bundles } = await run('declared.md', runbook, ['--section', '1']);
    expect(summary.steps.map((s) => s.status)).toEqual(['passed']);
    for (const b of bundles) expect(leaks(b, terminal, secrets)).toEqual([]);
  }, 120_000);
  it('list, list --json and --dry-run mask them', async () => {
    for (const args of [['list', 'declared.md'], ['list', 'declared.md', '--json']]) {
      const r = await runCli(args, { cwd: work });
      expect(r.code).toBe(0);
      for (const s of secrets.filter((v) => v !== 'yamlPw-3434')) expect(r.stdout, `${args.join(' ')}: ${s}`).not.toContain(s);
    }
    const dry = await runCli(['run', 'declared.md', '--dry-run', '--evidence-dir', join(work, 'ev-dry')], { cwd: work });
    const bundle = bundlesIn(join(work, 'ev-dry'))[0]!;
    expect(leaks(bundle, dry.stdout + dry.stderr, secrets.filter((v) => v !== 'yamlPw-3434'))).toEqual([]);
  }, 120_000);
});

describe('secrets in pieces, encoded per character, of well-known shapes, and in names and titles (L4)', () => {
  it('a known value folded, spaced, as od/xxd hex groups, entities, escapes, quoted-printable or reversed, and shaped credentials with no name, never reach a file or the terminal', async () => {
    const value = 'Vx9-PLANTpieces+Qz7/w';
    const shaped = ['ghp_0123456789abcdefPLANTghTOKEN0123456', 'AKIAQ3EGPLANT7EXAMPL', 'PLANTnetrcPw1x', 'PLANTpgpassPw2x', 'eyJzdWIiOiJQTEFOVEp3dCJ9'];
    const body = [
      'S="$PIECES_TOKEN"',
      'printf %s "$S" | fold -w 5; echo',
      "printf %s \"$S\" | sed 's/./& /g'; echo",
      'printf %s "$S" | od -An -tx1',
      'printf %s "$S" | od -An -tu1',
      'printf %s "$S" | xxd | cut -c10-50',
      "python3 -c 'import sys,quopri;s=sys.argv[1];print(\"\".join(\"&#%d;\"%ord(c) for c in s));print(\"\".join(\"\\\\x%02x\"%ord(c) for c in s));print(quopri.encodestring(s.encode()).decode())' \"$S\"",
      'printf %s "$S" | rev; echo',
      'cat "$SHAPES"',
    ].join('\n');
    writeFileSync(join(work, 'shapes.txt'), `gh ${shaped[0]}\naws ${shaped[1]}\nmachine h login u password ${shaped[2]}\ndb:5432:app:u:${shaped[3]}\njwt eyJhbGciOiJIUzI1NiJ9.${shaped[4]}.c2ln\n`);
    const { summary, terminal, bundles } = await run(
      'pieces.md',
      `# Pieces PLANTtitle-Sec\n\n## 1. Rotate PLANTtitle-Sec now\n\n${cell('print-PLANTtitle-Sec', body)}`,
      ['--secret', 'PLANTtitle-Sec', '--allow', 'write'],
      { PIECES_TOKEN: value, SHAPES: join(work, 'shapes.txt') },
    );
    expect(summary.steps.map((s) => s.status)).toEqual(['passed']);
    const skeleton = (t: string): string => t.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    const hex = Buffer.from(value).toString('hex');
    for (const b of bundles) {
      expect(leaks(b, terminal, [...shaped, 'PLANTtitle-Sec', 'PLANTpieces'])).toEqual([]);
      for (const file of filesUnder(b)) {
        const text = skeleton(readFileSync(file, 'latin1'));
        for (const form of [value, hex, [...value].reverse().join('')]) expect(text.includes(skeleton(form).slice(1, 13)), `${form} in ${file}`).toBe(false);
      }
    }
    expect(skeleton(terminal)).not.toContain(skeleton(value).slice(1, 13));
  }, 120_000);
});

describe("runproof's own secrets never reach a cell (L5)", () => {
  it('RUNPROOF_SIGNING_KEY and RUNPROOF_*_TOKEN are not in the cell environment, in any encoding', async () => {
    const key = 'hmac-Key-0123456789abcdefXYZ';
    const { summary, terminal, bundles } = await run(
      'own.md',
      `# Own\n\n## 1. Peek\n\n${cell('peek', 'printf %s "$RUNPROOF_SIGNING_KEY" | xxd -p\nprintf %s "$RUNPROOF_WEBHOOK_TOKEN" | base64\nenv | grep -c "^RUNPROOF_SIGNING_KEY=" || true\ntest -z "${RUNPROOF_SIGNING_KEY+set}" && test -z "${RUNPROOF_WEBHOOK_TOKEN+set}"')}`,
      [],
      { RUNPROOF_SIGNING_KEY: key, RUNPROOF_WEBHOOK_TOKEN: 'whTok-abcdef123456' },
    );
    expect(summary.steps.map((s) => s.status)).toEqual(['passed']);
    for (const b of bundles) expect(leaks(b, terminal, [key, Buffer.from(key).toString('hex'), 'whTok-abcdef123456', Buffer.from('whTok-abcdef123456').toString('base64')])).toEqual([]);
  }, 120_000);
});

describe('terminal escapes from cells (L11)', () => {
  it('OSC 52, cursor movement and a fake verdict are shown visibly, never obeyed', async () => {
    writeFileSync(join(work, 'esc.md'), `# Esc\n\n## 1. Trick\n\n${cell('trick', "printf '\\033]52;c;ZXZpbA==\\007'\nprintf 'real failure\\n\\033[1A\\033[2K  -> ok\\n'\nprintf 'x\\rfake\\n'\nexit 3")}`);
    const r = await runCli(['run', 'esc.md', '--yes', '--evidence-dir', join(work, 'ev-esc')], { cwd: work });
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u009b\r]/);
    expect(r.stdout).toContain('␛]52;c;ZXZpbA==␇');
    expect(r.stdout).toContain('␛[1A␛[2K  -> ok');
    const bundle = bundlesIn(join(work, 'ev-esc'))[0]!;
    const report = readFileSync(filesUnder(bundle).find((f) => f.endsWith('.md') && !f.includes('logs'))!, 'utf8');
    expect(report).toContain('␛]52;c;ZXZpbA==␇');
    expect(report).not.toMatch(/[\u001b\u0007]/);
  }, 60_000);
});

describe('verify says what it proves (L13) and the key decides the algorithm (L14)', () => {
  it('unsigned, signed-not-checked, resealed by recover --force, and --key refusing an HMAC signature', async () => {
    writeFileSync(join(work, 'v.md'), `# V\n\n## 1. One\n\n${cell('one', 'echo hello')}`);
    const plain = await runCli(['run', 'v.md', '--yes', '--json', '--evidence-dir', join(work, 'ev-v')], { cwd: work });
    const plainBundle = (JSON.parse(plain.stdout) as { bundle: string }).bundle;
    const v1 = await runCli(['verify', plainBundle], { cwd: work, env: { RUNPROOF_SIGNING_KEY: '' } });
    expect(v1.code).toBe(0);
    expect(v1.stdout).toContain('integrity only: unsigned');
    expect(v1.stdout).not.toMatch(/verified/);

    const hmac = { RUNPROOF_SIGNING_KEY: 'hmac-verify-key-0123456789' };
    const signed = await runCli(['run', 'v.md', '--yes', '--json', '--evidence-dir', join(work, 'ev-v2')], { cwd: work, env: hmac });
    const signedBundle = (JSON.parse(signed.stdout) as { bundle: string }).bundle;
    const v2 = await runCli(['verify', signedBundle], { cwd: work, env: { RUNPROOF_SIGNING_KEY: '' } });
    expect(v2.stdout).toContain('integrity only: signature present, not checked: no key given');
    const v3 = await runCli(['verify', signedBundle], { cwd: work, env: hmac });
    expect(v3.stdout).toMatch(/signature verified/);

    // L14: an Ed25519 key given; the verifier's environment holds the HMAC key: the HMAC signature does not count.
    const kg = await runCli(['keygen', '--out', join(work, 'ops.key')], { cwd: work });
    expect(kg.code).toBe(0);
    const v4 = await runCli(['verify', signedBundle, '--key', join(work, 'ops.pub'), '--require-signature'], { cwd: work, env: hmac });
    expect(v4.code).toBe(1);
    expect(v4.stdout).toContain('FAILED');

    // L13: the journal edited, then resealed by recover --force. A plain edit breaks the journal's
    // hash chain, and verify fails on it; an editor who also recomputes the chain (it is unkeyed)
    // gets a bundle that verifies, and verify and evidence list then say who sealed it.
    const journalPath = join(plainBundle, 'journal.jsonl');
    writeFileSync(journalPath, readFileSync(journalPath, 'utf8').replace('hello', 'HELLO'));
    expect((await runCli(['recover', plainBundle, '--force'], { cwd: work, env: { RUNPROOF_SIGNING_KEY: '' } })).code).toBe(0);
    const broken = await runCli(['verify', plainBundle], { cwd: work, env: { RUNPROOF_SIGNING_KEY: '' } });
    expect(broken.code).toBe(1);
    expect(broken.stdout + broken.stderr).toMatch(/hash chain|prev/);
    const lines = readFileSync(journalPath, 'utf8').split('\n').filter((l) => l !== '');
    let prev = createHash('sha256').update(`runproof-journal:${basename(plainBundle)}`).digest('hex');
    const rechained = lines.map((line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      const text = JSON.stringify({ ...event, prev });
      prev = createHash('sha256').update(text).digest('hex');
      return text;
    });
    writeFileSync(journalPath, `${rechained.join('\n')}\n`);
    const rec = await runCli(['recover', plainBundle, '--force'], { cwd: work, env: { RUNPROOF_SIGNING_KEY: '' } });
    expect(rec.code).toBe(0);
    const v5 = await runCli(['verify', plainBundle], { cwd: work, env: { RUNPROOF_SIGNING_KEY: '' } });
    expect(v5.stdout).toContain('integrity only: unsigned');
    expect(v5.stdout).toContain('recover --force');
    const json = JSON.parse((await runCli(['verify', plainBundle, '--json'], { cwd: work, env: { RUNPROOF_SIGNING_KEY: '' } })).stdout) as { proves: string; sealedBy: string };
    expect(json).toMatchObject({ proves: 'unsigned', sealedBy: 'recover-force' });
    const list = await runCli(['evidence', 'list', join(work, 'ev-v')], { cwd: work });
    expect(list.stdout).toContain('resealed by recover --force');
  }, 120_000);
});
