// Secrets (issue I.4): a table of secret forms run through real cells of one real CLI run against
// a real HTTP server; every file of the bundle and the terminal output are scanned for every
// secret value and its encodings: zero leaks.
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/app/run-runbook.js';
import type { StepDecider } from '../../src/execute/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startRoxyServer, type TestServer } from '../helpers/servers.js';

/** Secrets known before the run: environment values of secret-sounding names. */
const ENV_SECRETS: Record<string, string> = {
  API_TOKEN: 'tok_live_A1b2C3d4E5f6',
  DB_PASSWORD: 'Pa55w0rd-db-Zq9x',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  GITHUB_TOKEN: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  MY_API_KEY: 'key-9f8e7d6c5b4a3210',
  PGPASSWORD: 'pgpw-Tr0ub4dor-3',
  SLACK_SECRET: 'slk-S3cr3t-xoxb-9911',
  ROXY_AUTH: 'roxy-auth-77aa-bb88',
  VAULT_TOKEN: 's.Q!w@e#r$t%y^u&i*o(p)',
  SPACED_TOKEN: 'open sesame 4242',
  APP_PASSWORD: 'pässwörd-ü-✓-55',
  X_ROXY_TOKEN: 'test-roxy-token-5f2c',
};
/** Given with --secret. */
const FLAG_SECRETS = ['manual-secret-one-777', 'second/secret+with=chars'];
/** Parameters: one declared `secret`, one with a secret-sounding name. */
const PARAM_SECRETS = { db_token: 'param-secret-xyz9', admin_password: 'adminPW-4455-q' };
/** Never given to runproof: it must learn them from the text (pattern rules). */
const LEARNED = {
  pgAssign: 'learned-pg-001x',
  urlPassword: 'url-pass-002y',
  bearer: 'bearer-003-abcdef',
  apiKeyHeader: 'apikey-004-ghijk',
  cookie: 'cookie-005-lmnop',
  jsonPassword: 'json-pass-006z',
  cliPassword: 'cli-pass-007w',
  queryToken: 'query-tok-008v',
  quotedExport: 'quoted 009 value',
  edited: 'edited-secret-010u',
};

const ALL_SECRETS = [...Object.values(ENV_SECRETS), ...FLAG_SECRETS, ...Object.values(PARAM_SECRETS), ...Object.values(LEARNED)];

// The forms, one cell each: [what it shows, cell text]. `sh` cells are bash; `http` cells go to the server.
const FORMS: Array<[string, string]> = [
  ['env value on stdout', 'echo "$API_TOKEN"'],
  ['env value on stderr', 'echo "$DB_PASSWORD" >&2'],
  ['glued to other text', 'echo "prefix${API_TOKEN}suffix"'],
  ['split across two output chunks', 'printf %s "${GITHUB_TOKEN:0:12}"; sleep 0.3; printf "%s\\n" "${GITHUB_TOKEN:12}"'],
  ['split across chunks on stderr', 'printf %s "${AWS_SECRET_ACCESS_KEY:0:7}" >&2; sleep 0.3; printf "%s\\n" "${AWS_SECRET_ACCESS_KEY:7}" >&2'],
  ['base64 of a secret', 'printf %s "$API_TOKEN" | base64'],
  ['base64 of a secret, offset 1', 'printf "x%s" "$MY_API_KEY" | base64'],
  ['base64 of a secret, offset 2', 'printf "xy%s" "$SLACK_SECRET" | base64 -w0; echo'],
  ['base64url of a secret', 'printf %s "$GITHUB_TOKEN" | base64 -w0 | tr "+/" "-_" | tr -d =; echo'],
  ['URL-encoded', 'jq -rn --arg v "$VAULT_TOKEN" \'$v|@uri\''],
  ['JSON-escaped', 'jq -cn --arg v "$VAULT_TOKEN" \'{v:$v}\''],
  ['shell specials', 'printf "%s\\n" "$VAULT_TOKEN"'],
  ['value with spaces', 'echo "[$SPACED_TOKEN]"'],
  ['non-ASCII value', 'echo "$APP_PASSWORD"'],
  ['CRLF line ends', 'printf "%s\\r\\n" "$API_TOKEN"'],
  ['progress-bar carriage returns', 'printf "\\r%s" "$DB_PASSWORD" "$DB_PASSWORD"; echo'],
  ['ANSI colours around it', 'printf "\\033[31m%s\\033[0m\\n" "$PGPASSWORD"'],
  ['several secrets on one line', 'echo "$API_TOKEN:$DB_PASSWORD:$MY_API_KEY"'],
  ['in a command that fails', 'echo "using $DB_PASSWORD"; exit 3'],
  ['set -x trace', 'set -x; true "$SLACK_SECRET"; set +x'],
  ['env dump', 'env | grep -E "^(ROXY_AUTH|SLACK_SECRET)="'],
  ['large output into logs/', 'for i in $(seq 1 3000); do echo "line $i $ROXY_AUTH $API_TOKEN"; done'],
  ['large output on stderr', 'for i in $(seq 1 3000); do echo "err $i $GITHUB_TOKEN" >&2; done'],
  ['--secret literal in the command text', 'echo manual-secret-one-777'],
  ['--secret with + / =', 'echo "second/secret+with=chars"'],
  ['--secret from a file read', 'printf "%s\\n" manual-secret-one-777 > s.txt; cat s.txt; rm s.txt'],
  ['secret parameter substituted', 'echo "token is {{db_token}}"'],
  ['secret-named parameter', 'echo "{{admin_password}}"'],
  ['PGPASSWORD= assignment (learned)', `PGPASSWORD=${LEARNED.pgAssign} true; echo PGPASSWORD=${LEARNED.pgAssign}`],
  ['learned value recurring alone', `echo ${LEARNED.pgAssign}`],
  ['URL with a password', `echo "postgresql://nova:${LEARNED.urlPassword}@db.internal:5432/app"`],
  ['URL password recurring alone', `echo "${LEARNED.urlPassword}"`],
  ['Authorization: Bearer header text', `echo 'curl -H "Authorization: Bearer ${LEARNED.bearer}" https://x'`],
  ['X-API-Key header text', `echo "X-API-Key: ${LEARNED.apiKeyHeader}"`],
  ['Cookie header text', `echo "Cookie: session=${LEARNED.cookie}"`],
  ['--password= flag', `echo "mysql --password=${LEARNED.cliPassword} -h db"`],
  ['?token= in a URL', `echo "https://api.example/x?token=${LEARNED.queryToken}&a=1"`],
  ['export with a quoted value', `export API_TOKEN2="${LEARNED.quotedExport}"; echo "$API_TOKEN2"`],
  ['env secret in a heredoc', 'cat <<EOT\nkey=$MY_API_KEY\nEOT'],
  ['secret in a timed-out command', 'echo "$PGPASSWORD"; sleep 5'],
  ['secret written to a file, cat back', 'echo "$ROXY_AUTH" > t.txt && cat t.txt && rm t.txt'],
  ['secret in JSON output', 'jq -cn --arg t "$API_TOKEN" \'{token:$t, ok:true}\''],
  ['secret in an error message', 'ls "/nonexistent/$DB_PASSWORD" || true'],
];

// HTTP cells: header forms, a JSON password in the request and response body, a parameter echoed back.
const HTTP_FORMS: Array<[string, string]> = [
  ['Authorization header from env', 'GET {{base}}/echo\nAuthorization: Bearer {{API_TOKEN}}'],
  ['X-ROXY-Token header', 'GET {{base}}/echo\nX-ROXY-Token: {{X_ROXY_TOKEN}}'],
  ['Cookie header', 'GET {{base}}/echo\nCookie: sid={{ROXY_AUTH}}'],
  ['JSON "password" in the body, echoed back', `POST {{base}}/echo\nContent-Type: application/json\n\n{"user": "nova", "password": "${LEARNED.jsonPassword}"}`],
  ['secret parameter in the query, echoed back by the server', 'GET {{base}}/echo?key={{db_token}}'],
  ['secret env in the body, echoed back', 'POST {{base}}/echo\nContent-Type: text/plain\n\n{{GITHUB_TOKEN}}'],
  ['basic auth header', 'GET {{base}}/echo\nAuthorization: Basic {{MY_API_KEY}}'],
];

const TIMEOUT_ATTR = '{"timeout":"1s"}';

function runbookText(): string {
  const lines = ['---', 'title: Secrets', 'evidence: secrets', 'params:', '  base:', '    description: the server', '  db_token:', '    secret: true', '  admin_password:', '    description: a password', '---', '# Secrets', ''];
  FORMS.forEach(([what, code], i) => {
    lines.push(`## ${i + 1}. ${what.replace(/[^A-Za-z0-9 ]/g, ' ')}`, '', `\`\`\`bash${code.includes('sleep 5') ? ` ${TIMEOUT_ATTR}` : ''}`, code, '```', '');
  });
  HTTP_FORMS.forEach(([what, code], i) => {
    lines.push(`## ${FORMS.length + i + 1}. ${what.replace(/[^A-Za-z0-9 ]/g, ' ')}`, '', '```http', code, '```', '');
  });
  return lines.join('\n');
}

// The encodings a leak may take: raw, URL-encoded, JSON-escaped, and base64 of the whole value.
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const b64 = bytes.toString('base64');
  // Inside a larger encoded text the value can start at any of 3 byte alignments: the middle
  // groups of each are what would show.
  const aligned = [0, 1, 2].map((shift) => bytes.subarray(shift, shift + Math.floor((bytes.length - shift) / 3) * 3 - 3).toString('base64')).filter((x) => x.length >= 8);
  return [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), b64, b64.replace(/=+$/, ''), ...aligned])];
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true }).map(String).filter((f) => statSync(join(root, f)).isFile());
}

function leaksIn(text: string, where: string): string[] {
  const found: string[] = [];
  for (const secret of ALL_SECRETS) {
    for (const form of encodings(secret)) if (text.includes(form)) found.push(`${where}: ${JSON.stringify(form)} (secret ${JSON.stringify(secret)})`);
  }
  return found;
}

let dir: string;
let server: TestServer;
let cli: CliResult;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rp-hostile-secrets-'));
  server = await startRoxyServer({ ready: true });
  writeFileSync(join(dir, 'secrets.md'), runbookText());
  cli = await runCli(
    ['run', 'secrets.md', '--yes', '--evidence-dir', 'ev', '--set', `base=${server.url}`, '--set', `db_token=${PARAM_SECRETS.db_token}`, '--set', `admin_password=${PARAM_SECRETS.admin_password}`, ...FLAG_SECRETS.flatMap((s) => ['--secret', s])],
    { cwd: dir, env: { ...ENV_SECRETS }, timeoutMs: 120_000 },
  );
  const name = readdirSync(join(dir, 'ev')).find((f) => !f.startsWith('.'))!;
  bundle = join(dir, 'ev', name);
}, 180_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('secret forms through real cells', () => {
  it(`covers at least 50 forms (${FORMS.length + HTTP_FORMS.length}) and the run really ran them`, () => {
    expect(FORMS.length + HTTP_FORMS.length).toBeGreaterThanOrEqual(50);
    expect(cli.stderr).not.toMatch(/RP_[A-Z_]+ /);
    const record = JSON.parse(readFileSync(join(bundle, 'secrets_' + bundle.split('secrets_')[1] + '.json'), 'utf8')) as { steps: Array<{ status: string }> };
    expect(record.steps).toHaveLength(FORMS.length + HTTP_FORMS.length);
    // The failing form fails, the sleeping one times out, every other one ran.
    expect(record.steps.filter((s) => s.status === 'failed' || s.status === 'timed-out')).toHaveLength(2);
    // The redacted output is really there: redaction replaced, not dropped.
    expect(cli.stdout).toContain('[REDACTED:');
    expect(readFileSync(join(bundle, readdirSync(bundle).find((f) => f.endsWith('.md'))!), 'utf8')).toContain('[REDACTED:');
  });

  it('no file of the bundle holds any secret in any encoding', () => {
    const files = filesUnder(bundle);
    expect(files).toContain('journal.jsonl');
    expect(files.some((f) => f.startsWith('logs/'))).toBe(true);
    const leaks = files.flatMap((f) => leaksIn(readFileSync(join(bundle, f)).toString('utf8'), f));
    // The attestation payload is base64 of a JSON statement: decode it and scan that too.
    const envelope = JSON.parse(readFileSync(join(bundle, 'attestation.json'), 'utf8')) as { payload: string };
    leaks.push(...leaksIn(Buffer.from(envelope.payload, 'base64').toString('utf8'), 'attestation payload'));
    expect(leaks).toEqual([]);
  });

  it('the terminal output holds no secret', () => {
    expect([...leaksIn(cli.stdout, 'stdout'), ...leaksIn(cli.stderr, 'stderr')]).toEqual([]);
  });
});

describe('a secret typed into an edited command', () => {
  it('is redacted in the decision, the command and the output', async () => {
    writeFileSync(join(dir, 'edit.md'), '# Edit\n\n## 1. Edit me\n\n```bash\necho placeholder\n```\n');
    const decider: StepDecider = {
      beforeStep: async () => ({ action: 'edit', by: 'operator', reason: 'operator edit', command: `PGPASSWORD=${LEARNED.edited} echo "PGPASSWORD=${LEARNED.edited}"` }),
    };
    const result = await runRunbook({ runbookPath: join(dir, 'edit.md'), mode: 'interactive', decider, evidenceDir: join(dir, 'ev-edit'), cwd: dir, env: { PATH: process.env.PATH ?? '' } });
    expect(result.record.steps[0]!.status).toBe('passed');
    const leaks = filesUnder(result.bundleDir).flatMap((f) => leaksIn(readFileSync(join(result.bundleDir, f), 'utf8'), f));
    expect(leaks).toEqual([]);
    expect(JSON.stringify(result.record)).toContain('[REDACTED:PGPASSWORD]');
  });
});
