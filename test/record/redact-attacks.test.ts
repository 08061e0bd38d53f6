// Attack tests of the redactor itself (SECURITY L1, L3, L4): chunk boundaries, credentials
// written in commands and config output, encoded forms of known values.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRedactor, isSecretName } from '../../src/record/index.js';

function streamAll(redactor: ReturnType<typeof createRedactor>, pieces: string[]): string {
  const s = redactor.stream();
  return pieces.map((p) => s.push(p)).join('') + s.flush();
}

// Splits text into chunks of the given sizes (cycled).
function chunk(text: string, sizes: number[]): string[] {
  const out: string[] = [];
  for (let at = 0, i = 0; at < text.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    out.push(text.slice(at, at + n));
    at += n;
  }
  return out;
}

describe('isSecretName: one rule', () => {
  it('knows credential names, and not GIT_AUTHOR_NAME', () => {
    for (const n of ['SERVICE_TOKEN', 'DB_PASS', 'PGPASS', 'MONKEY', 'GPG_PASSPHRASE', 'AWS_CREDENTIALS', 'SESSION_COOKIE', 'DB_PWD', 'RUNPROOF_SIGNING_KEY']) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of ['GIT_AUTHOR_NAME', 'PWD', 'OLDPWD', 'PASSED', 'HOME', 'CERT_AUTHORITY_URL']) expect(isSecretName(n), n).toBe(false);
  });
});

describe('streaming redaction: no secret straddles a chunk boundary (L1)', () => {
  const line = 'API_KEY=abcKey12345\n';
  it('100,000 lines of a secret-named assignment, every chunking, with long known secrets', () => {
    // A long known secret makes the literal hold-back longer than a line: the old cut then fell inside `API_K|EY=`.
    const redactor = createRedactor([{ name: 'PEM_KEY', value: 'k'.repeat(300) }, { name: 'T', value: 'tok-0123456789abcdef' }]);
    const text = line.repeat(100_000);
    for (const sizes of [[65536], [65521], [4093, 17, 4000]]) {
      const out = streamAll(redactor, chunk(text, sizes));
      expect(out.includes('abcKey12345'), `sizes ${sizes}`).toBe(false);
      expect(out.split('\n').length - 1).toBe(100_000);
    }
    // Every cut position inside a line: small chunks over a shorter output.
    const short = line.repeat(2_000);
    for (const sizes of [[5, 7, 11, 13], [19], [21], [1]]) expect(streamAll(redactor, chunk(short, sizes)).includes('abcKey12345'), `sizes ${sizes}`).toBe(false);
  });
  it('a long line without newline: names cut at PATTERN_WINDOW are still caught', () => {
    const redactor = createRedactor([{ name: 'X', value: 'y'.repeat(200) }]);
    const text = ('filler '.repeat(50) + 'API_KEY=abcKey12345 ').repeat(2000);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 6 }), (sizes) => {
        expect(streamAll(redactor, chunk(text, sizes)).includes('abcKey12345')).toBe(false);
      }),
      { numRuns: 40, ...(process.env.RUNPROOF_FUZZ_SEED ? { seed: Number(process.env.RUNPROOF_FUZZ_SEED) } : {}) },
    );
  });
});

describe('credentials written in commands and output (L3)', () => {
  const cases: Array<[string, string]> = [
    ['PGPASSWORD=pg-Secret1 psql -h db', 'pg-Secret1'],
    ['curl -u admin:curlPass99 https://x', 'curlPass99'],
    ['curl --user "admin:quoted Pass1" https://x', 'quoted Pass1'],
    ['curl --user=admin:eqPass777 https://x', 'eqPass777'],
    ['mysql -u root -pMyS3cret db', 'MyS3cret'],
    ['mysqldump --password=dumpPw42 db', 'dumpPw42'],
    ['mysql --password dumpPw43 db', 'dumpPw43'],
    ['curl --oauth2-bearer oauthTok55 https://x', 'oauthTok55'],
    ['curl -H "Authorization: Bearer hdrTok66" https://x', 'hdrTok66'],
    ['GET http://x/\nAuthorization: Bearer httpTok77\n', 'httpTok77'],
    ['export API_KEY=apiKey88x', 'apiKey88x'],
    ['password: yamlPw99\n', 'yamlPw99'],
    ['  db_password: "yaml quoted pw"\n', 'yaml quoted pw'],
    ['[db]\npassword = iniPw100\n', 'iniPw100'],
    ['- api_token: listTok101\n', 'listTok101'],
    // Stored without an `=` (the step-start of such a cell is journaled before the cell runs).
    ['read -r DB_PASSWORD <<< "hereStr102"', 'hereStr102'],
    ["IFS=: read -r user API_TOKEN <<< 'admin:hereTok103'", 'admin:hereTok103'],
    ["printf -v API_TOKEN 'printfTok104'", 'printfTok104'],
    ['printf -v DB_PASSWORD \'%s\' "printfPw105"', 'printfPw105'],
  ];
  it('each form is hidden where it stands', () => {
    for (const [text, value] of cases) expect(createRedactor().redact(text), text).not.toContain(value);
  });
  it('learn() of the runbook makes each value a secret everywhere, before any output', () => {
    const redactor = createRedactor();
    redactor.learn(cases.map(([t]) => t).join('\n'));
    for (const [, value] of cases) {
      const out = streamAll(redactor, chunk(`echo ${value} | base64: ${Buffer.from(value).toString('base64')}\n`, [3]));
      expect(out, value).not.toContain(value);
      expect(out, value).not.toContain(Buffer.from(value).toString('base64'));
    }
  });
  it('leaves ordinary text alone', () => {
    const r = createRedactor();
    r.learn('curl --auth-type basic http://x\nsort -u file\nssh -p 2222 host\ndocker run -u 1000:1000 img\nvault write --token-ttl 3600\nread -r name <<< "plainName"\nprintf -v count \'%d\' 42\nread -r API_TOKEN <<< "$FROM_ENV"\n');
    expect(r.redact('basic file 2222 sort 1000 3600 plainName 42')).toBe('basic file 2222 sort 1000 3600 plainName 42');
  });
});

describe('encoded forms of known secrets (L4)', () => {
  const value = 'pa(ss)wörd-Secret';
  const bytes = Buffer.from(value, 'utf8');
  const forms = [
    value,
    value.toUpperCase(),
    value.toLowerCase(),
    JSON.stringify(value).slice(1, -1),
    'pa(ss)w\\u00f6rd-Secret',
    'pa(ss)w\\u00F6rd-Secret',
    encodeURIComponent(value),
    'pa%28ss%29w%C3%B6rd-Secret',
    'pa%28ss%29w%c3%b6rd-Secret',
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('base64').toLowerCase(),
    bytes.toString('base64').toUpperCase(),
    // the value inside an encoded blob, at each of the three alignments
    Buffer.concat([Buffer.from('x'), bytes, Buffer.from('y')]).toString('base64'),
    Buffer.concat([Buffer.from('xy'), bytes, Buffer.from('z')]).toString('base64'),
    Buffer.concat([Buffer.from('xyz'), bytes]).toString('base64url'),
  ];
  it('hides every form, whole and streamed', () => {
    const redactor = createRedactor([{ name: 'DB_PASSWORD', value }]);
    const core = (f: string): string => (f.length > 16 ? f.slice(4, -4) : f);
    for (const form of forms) {
      const text = `before ${form} after\n`;
      expect(redactor.redact(text), form).not.toContain(core(form));
      expect(streamAll(redactor, chunk(text, [2, 5])), form).not.toContain(core(form));
    }
  });
  it('hides hex as xxd -p wraps it (30 bytes a line) and base64 wrapped at 76', () => {
    const key = 'k3y-' + 'abcdefghij'.repeat(12);
    const r = createRedactor([{ name: 'RUNPROOF_SIGNING_KEY', value: key }]);
    const hex = Buffer.from(key).toString('hex').match(/.{1,60}/g)!.join('\n');
    const b64 = Buffer.from(key).toString('base64').match(/.{1,76}/g)!.join('\n');
    const out = r.redact(`${hex}\n${b64}\n`);
    expect(out).not.toMatch(/6162636465666768696a6162/);
    expect(out).not.toContain(Buffer.from('abcdefghij'.repeat(6).slice(3, 60)).toString('base64').slice(4, 40));
  });
});

describe('a known value in pieces, spaced out, escaped per character (L4: skeleton matching)', () => {
  const value = 'Zq7-vault+Tok/9xW=pl';
  const bytes = Buffer.from(value, 'utf8');
  const hex = bytes.toString('hex');
  const qp = [...bytes].map((b) => (b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase()}`)).join('');
  const forms: Array<[string, string]> = [
    ['fold -w 6', value.match(/.{1,6}/g)!.join('\n')],
    ['halves on two lines', `${value.slice(0, 10)}\n${value.slice(10)}`],
    ['spaced out', [...value].join(' ')],
    ['od -An -tx1', hex.match(/../g)!.join(' ')],
    ['xxd groups', hex.match(/.{1,4}/g)!.join(' ')],
    ['xxd -u', hex.toUpperCase().match(/.{1,4}/g)!.join(' ')],
    ['od -tu1', [...bytes].join('  ')],
    ['od -to1 / printf %q octal', [...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')],
    ['&#NN; entities', [...value].map((c) => `&#${c.charCodeAt(0)};`).join('')],
    ['&#xHH; entities', [...value].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('')],
    ['\\xHH escapes', [...bytes].map((b) => `\\x${b.toString(16)}`).join('')],
    ['\\u escapes of every character', [...value].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['quoted-printable, soft break', `${qp.slice(0, 9)}=\n${qp.slice(9)}`],
    ['rev', [...value].reverse().join('')],
    ['a piece of 12 letters and digits alone', value.slice(2, 17)],
  ];
  const core = (f: string): string => f.replace(/[^A-Za-z0-9]/g, '').slice(2, -2);
  const skeletonOfText = (t: string): string => t.replace(/[^A-Za-z0-9]/g, '');
  it.each(forms)('%s: hidden whole and streamed in small chunks', (_name, form) => {
    const redactor = createRedactor([{ name: 'VAULT_TOKEN', value }]);
    const text = `before: ${form} :after\n`;
    for (const out of [redactor.redact(text), streamAll(redactor, chunk(text, [1, 3, 7])), streamAll(redactor, chunk(text, [2]))]) {
      expect(skeletonOfText(out), out).not.toContain(core(form));
      expect(out).toContain('before');
      expect(out).toContain('after');
    }
  });
  it('leaves ordinary text and short pieces of a low-entropy value alone', () => {
    const redactor = createRedactor([{ name: 'API_TOKEN', value: 'tok-0123456789' }]);
    const text = `${'0123456789abcdef'.repeat(4)} 2026-12-05T10:00:00Z exit 0\n`;
    expect(redactor.redact(text)).toBe(text);
  });
});

describe('credentials of well-known shapes and config lines, with no name to go by', () => {
  const pem = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 'QyNTUxOQAAACBpemKeyBodyLine2abcdefghijklmnopqrstuvwxyz0123456789ABCDE', '-----END OPENSSH PRIVATE KEY-----'].join('\n');
  const cases: Array<[string, string, string]> = [
    ['private key block', `${pem}\n`, 'pemKeyBodyLine2'.slice(3)],
    ['RSA private key block', '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEArsaBodyQ9x\n-----END RSA PRIVATE KEY-----\n', 'MIIEpAIBAAKCAQEArsaBodyQ9x'],
    ['JWT', 'id_token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqd3RQbGFudCJ9.c2lnbmF0dXJlX2p3dA\n', 'eyJzdWIiOiJqd3RQbGFudCJ9'],
    ['AWS access key id', 'aws_access_key_id AKIAQ3EGPLANT7EXAMPL\n', 'AKIAQ3EGPLANT7EXAMPL'],
    ['GitHub token', 'remote: ghp_0123456789abcdefPLANTghTOKEN0123456 ok\n', 'ghp_0123456789abcdefPLANTghTOKEN0123456'],
    ['GitHub fine-grained token', 'github_pat_11ABCDEFG0123456789_PLANTfineGrained\n', 'PLANTfineGrained'],
    ['GitLab token', 'glpat-PLANTgitlab24abcdefgh\n', 'PLANTgitlab24abcdefgh'],
    ['Slack token', 'xoxb-1234567890-PLANTslackTok-abcdefgh\n', 'PLANTslackTok'],
    ['Slack webhook', 'https://hooks.slack.com/services/T0000/B0000/PLANTslackHook99\n', 'PLANTslackHook99'],
    ['Stripe key', 'sk_live_PLANTstripe4eC39HqLyjWDarjtT1zdp7dc\n', 'PLANTstripe4eC39'],
    ['npm token', '//registry.npmjs.org/:_authToken=npm_PLANTnpmToken23abcdefghijklmnopqrstuv\n', 'PLANTnpmToken23'],
    ['sk- API key', 'OPENAI key sk-proj-PLANTopenai0123456789abcd\n', 'PLANTopenai0123456789abcd'],
    ['.netrc on one line', 'machine example.com login alice password PLANTnetrcPw1\n', 'PLANTnetrcPw1'],
    ['.netrc, password on its own line', 'machine example.com\n  login alice\n  password PLANTnetrcPw2\n', 'PLANTnetrcPw2'],
    ['.pgpass line', 'db.example.com:5432:appdb:appuser:PLANTpgpassPw2\n', 'PLANTpgpassPw2'],
    ['SQL IDENTIFIED BY', "CREATE USER app IDENTIFIED BY 'PLANTmysqlIdent13';\n", 'PLANTmysqlIdent13'],
    ['SQL WITH PASSWORD', "ALTER ROLE app WITH PASSWORD 'PLANTpgRolePw';\n", 'PLANTpgRolePw'],
    ['XML element', '<db><password>PLANTxmlPw20</password></db>\n', 'PLANTxmlPw20'],
    ['colon with no blank', 'DB_SECRET:PLANTcolonNoSpace8\n', 'PLANTcolonNoSpace8'],
    ['token-only URL userinfo', 'https://PLANTtokOnlyUser15x9@github.com/x.git\n', 'PLANTtokOnlyUser15x9'],
    ['SAS signature', 'https://acct.blob.core.windows.net/c?sv=2022&sig=PLANTsas18abc%3D&se=2025\n', 'PLANTsas18abc'],
    ['a _PAT variable', 'export GITHUB_PAT=PLANTpat22\n', 'PLANTpat22'],
  ];
  it.each(cases)('%s: hidden where it stands, whole and streamed', (_name, text, secret) => {
    for (const out of [createRedactor().redact(text), streamAll(createRedactor(), chunk(text, [1, 2, 5])), streamAll(createRedactor(), chunk(text, [7]))]) {
      expect(out).not.toContain(secret);
    }
  });
  it('a block whose END line is still to come is held back by the stream, then hidden', () => {
    const redactor = createRedactor();
    const s = redactor.stream();
    const first = s.push('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAplantBody\n');
    const rest = s.push('lineTwoOfTheKeyPLANT\n-----END PRIVATE KEY-----\nafter\n') + s.flush();
    expect(first + rest).not.toMatch(/plantBody|lineTwoOfTheKeyPLANT/);
    expect(first + rest).toContain('after');
  });
  it('leaves ordinary text alone', () => {
    const text = [
      'disk-pressure-eviction-threshold-for-nodes reached',
      'task_identifierabcdefghijklmnop',
      'the password reset page is at /reset',
      'PATH=/usr/bin PATTERN=x',
      '10:30:00 started',
      'see https://github.com/org/repo and git@github.com:org/repo.git',
      '<name>value here</name>',
    ].join('\n');
    expect(createRedactor().redact(text)).toBe(text);
  });
});
