import { isSecretName, secretKeyword } from '../core/index.js';

// Redaction (SPEC §4): secret values and credential patterns never reach a file of a bundle.
// Known values are replaced wherever they appear; pattern rules (headers, URL passwords,
// `*PASSWORD=` assignments) apply to any text and teach the redactor the values they find.

/** A secret value and the name it is shown under: `[REDACTED:NAME]`. */
export interface SecretInput {
  name: string;
  value: string;
}

/** Incremental redaction of a text stream: secrets split across pushes are still caught. */
export interface RedactionStream {
  /** Feeds text; returns the redacted text that is now safe to emit (some may be held back). */
  push(text: string): string;
  /** Returns the redacted rest; the stream is then empty and may be reused. */
  flush(): string;
  /** The redactor's {@link Redactor.generation}: text emitted before it changed may hold a value learned since. */
  readonly generation: number;
  /** The text held back (pushed, not yet emitted); it never begins inside a surrogate pair. */
  readonly held: string;
  /**
   * Whether the last push or flush hid anything. When false, what it returned is exactly the held
   * text before it plus what was pushed, less the held text after it: a caller holding the bytes
   * of that text may emit them as they are instead of encoding the result again.
   */
  readonly changed: boolean;
}

/** Redacts text, whole or streamed, and any JSON-like value. */
export interface Redactor {
  /** Every secret and credential pattern in `text` replaced by `[REDACTED:NAME]`. */
  redact(text: string): string;
  /** A copy of `value` with every string (and sensitive header value) redacted. */
  redactValue<T>(value: T): T;
  /** A new streaming redactor sharing this redactor's secrets. */
  stream(): RedactionStream;
  /** Length of the longest known secret value (what a stream holds back, plus one). */
  readonly maxSecretLength: number;
  /** Grows each time a value is learned or added: text redacted before may hold it in clear. */
  readonly generation: number;
  /** Adds a secret value (ignored with a warning when shorter than 4 characters). */
  add(name: string, value: string): void;
  /**
   * Learns every credential the pattern rules find in `text` (a runbook's source before its first
   * cell runs): from then on those values are hidden everywhere, in any form.
   */
  learn(text: string): void;
  /** Secrets that were ignored, by name (never by value). */
  readonly warnings: readonly string[];
}

const MIN_SECRET_LENGTH = 4;
// Rules have no left context (no lookbehind, no \b): text glued to a credential, or a stream
// resuming mid-word, must not hide it. A rule may over-match, never under-match.
// Pattern rules see this much of an unfinished line before they must decide: longer than any
// header name, URL scheme and user, or variable name the rules match.
const PATTERN_WINDOW = 1024;
const MAX_LEARNED = 256;
// Values that are never secrets even under a secret-sounding name (AUTH_ENABLED=true):
// redacting them would blank every `true` in the evidence.
const TRIVIAL_VALUES = new Set(['true', 'false', 'yes', 'no', 'null', 'none', 'on', 'off', 'enabled', 'disabled', 'undefined', 'basic', 'bearer', 'digest', 'required', 'optional', 'default']);

// One rule decides what a secret-sounding name is, for every stage (core/secret-name.ts).
export { isSecretName } from '../core/index.js';

/**
 * The secrets of a run: environment values and parameters whose names are secret-sounding,
 * parameters declared `secret`, and `--secret` values (named `secret`).
 * @example collectSecrets({ env: process.env, params: [], extra: ['hunter22'] })
 */
export function collectSecrets(input: {
  env: Record<string, string | undefined>;
  params: ReadonlyArray<{ name: string; value: string; secret: boolean }>;
  extra: readonly string[];
}): SecretInput[] {
  const out: SecretInput[] = [];
  for (const param of input.params) {
    if (param.secret || isSecretName(param.name)) out.push({ name: param.name, value: param.value });
  }
  for (const value of input.extra) out.push({ name: 'secret', value });
  for (const [name, value] of Object.entries(input.env)) {
    if (value !== undefined && value !== '' && isSecretName(name)) out.push({ name, value });
  }
  return out;
}

// A name ending in a header name is the header rule's (`tok-xAuthorization: Bearer x` included).
const SENSITIVE_HEADER_END = /(?:proxy-authorization|authorization|set-cookie|cookie|x-(?:[a-z0-9]+-)*token|x-api-key)$/i;
const SENSITIVE_HEADER = /^(?:proxy-authorization|authorization|set-cookie|cookie|x-(?:[a-z0-9]+-)*token|x-api-key)$/i;

/** Whether an HTTP header's value must be redacted: Authorization, Cookie, X-*-Token, X-API-Key. */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name.trim());
}

interface Range {
  start: number;
  end: number;
  label: string;
  /** Where the whole match begins, its left context included (a variable or header name). */
  from?: number;
}

// A value that only names a variable (`$TOKEN`, `${API_KEY}`, `$(cat file)`) is not a secret:
// the command text keeps it so the reader sees where the credential came from.
// An existing `[REDACTED:X]` marker is kept as it is, so redacting twice changes nothing (the
// record's inline output must stay equal to what its log and hash were made from).
function isReference(value: string): boolean {
  return value.startsWith('$') || /^\{\{.*\}\}$/.test(value) || /^\[REDACTED:[^\]]*\]$/.test(value);
}

const AUTH_SCHEME = /^(?:Bearer|Basic|Digest|Token|Negotiate|NTLM|ApiKey|AWS4-HMAC-SHA256)[ \t]+/i;

// The part of a header value to hide: the credential after an auth scheme word, trimmed.
function headerValueRange(value: string): { from: number; to: number } | null {
  let from = 0;
  const scheme = AUTH_SCHEME.exec(value);
  if (scheme) from = scheme[0].length;
  let to = value.length;
  while (to > from && /\s/.test(value[to - 1]!)) to--;
  if (to <= from) return null;
  if (isReference(value.slice(from, to))) return null;
  return { from, to };
}

/** A credential found by a pattern rule; `complete` when more text could not extend it. */
interface Found extends Range {
  complete: boolean;
  /** Where the label was read from the text (a variable or header name). */
  labelAt?: [number, number];
  /** Whether to hide this value everywhere from now on (see `LEARN_NAME`). */
  learn: boolean;
}

// Values of names this specific are credentials wherever they recur; `sort_key=name` or
// `--auth=basic` are hidden where they stand but not learned, or every `name` would go.
const LEARN_NAME = /TOKEN|SECRET|PASSWORD|PASSWD/i;

// Each rule scans the whole text for its anchor (`:`, `://`, `=`), found with indexOf or a
// regex starting at a literal, so the cost stays linear: a regex starting with a
// character class would re-read up to its bound at every position of hex-heavy output.
type PatternRule = (text: string, found: (f: Found) => void) => void;

// Header values: `Authorization: Bearer x`, `-H "X-API-Key: x"`, `"Cookie": "x"`, curl -v `> Cookie: x`.
const HEADER_RE =
  /(proxy-authorization|authorization|set-cookie|cookie|x-(?:[a-z0-9]+-)*token|x-api-key)["']?[ \t]*:[ \t]*["']?([^\r\n"']{1,4096})/dgi;

// Every header name HEADER_RE knows holds one of these words (same case rule, no `u` flag): a
// text without ':' or without any of them cannot match, and is not scanned position by position.
const HEADER_WORD = /authorization|cookie|token|x-api-key/i;

const scanHeaders: PatternRule = (text, found) => {
  HEADER_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = HEADER_RE.exec(text)) !== null) {
    const [vs, ve] = m.indices![2]!;
    const r = headerValueRange(m[2]!);
    if (r) found({ start: vs + r.from, end: vs + r.to, from: m.index, label: m[1]!, complete: ve < text.length, labelAt: m.indices![1]!, learn: true });
    // A kept value (a variable reference) may be followed by another header.
    else HEADER_RE.lastIndex = vs;
  }
};

const URL_USERINFO_RE = /[^\s:@/?#'"]{0,256}:([^\s@/'"]{1,256})@/dy;

// URL passwords: `postgresql://nova:novapass@host` hides the password only.
const scanUrlPasswords: PatternRule = (text, found) => {
  for (let at = text.indexOf('://'); at !== -1; at = text.indexOf('://', at + 3)) {
    if (at === 0 || !/[A-Za-z0-9+.-]/.test(text[at - 1]!)) continue;
    URL_USERINFO_RE.lastIndex = at + 3;
    const m = URL_USERINFO_RE.exec(text);
    if (m && !isReference(m[1]!)) {
      const [s, e] = m.indices![1]!;
      found({ start: s, end: e, from: at + 3, label: 'url-password', complete: true, learn: true });
      continue;
    }
    // A token given as the whole userinfo (`https://ghp_x@github.com/`, `https://TOKEN@host`): a
    // name that long and without a password is a credential, not a user.
    URL_TOKEN_USER_RE.lastIndex = at + 3;
    const t = URL_TOKEN_USER_RE.exec(text);
    if (t && !isReference(t[1]!) && /\d/.test(t[1]!)) {
      const [s, e] = t.indices![1]!;
      found({ start: s, end: e, from: at + 3, label: 'url-token', complete: true, learn: true });
    }
  }
};
const URL_TOKEN_USER_RE = /([^\s:@/?#'"]{16,256})@/dy;

// Credentials of well-known shapes, wherever they stand (no name needed): private key blocks,
// JWTs, AWS access key ids, GitHub, GitLab, Slack, Stripe, npm, Google, SendGrid and `sk-` API
// tokens. Each regex starts with a literal prefix, so the scan stays linear.
const TOKEN_SHAPES: Array<[string, RegExp]> = [
  ['jwt', /eyJ[A-Za-z0-9_-]{4,8192}\.eyJ[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,8192}/g],
  ['aws-access-key-id', /(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}/g],
  ['github-token', /(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})/g],
  ['gitlab-token', /gl(?:pat|dt|rt|ptt|ft|imt|agent|oas|cbt|soat)-[A-Za-z0-9_-]{20,255}/g],
  ['slack-token', /xox[abposre]-[A-Za-z0-9-]{10,255}/g],
  ['slack-webhook', /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{10,255}/g],
  ['stripe-key', /(?:(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,255}|whsec_[A-Za-z0-9]{20,255})/g],
  ['npm-token', /npm_[A-Za-z0-9]{36,255}/g],
  ['google-api-key', /AIza[0-9A-Za-z_-]{35}/g],
  ['sendgrid-key', /SG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}/g],
  ['api-key', /sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,255}/g],
];
const scanTokenShapes: PatternRule = (text, found) => {
  for (const [label, re] of TOKEN_SHAPES) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const end = m.index + m[0].length;
      // `sk-` also begins words (`disk-pressure-eviction-threshold`): a key has a digit and starts a word.
      if (label === 'api-key' && (/[A-Za-z0-9]/.test(text[m.index - 1] ?? '') || !/\d/.test(m[0]))) continue;
      found({ start: m.index, end, label, complete: end < text.length, learn: true });
    }
  }
};

// A private key block: everything between `-----BEGIN … PRIVATE KEY-----` and its END line (the
// only rule that spans lines). Until the END line arrives the block runs to the end of the text,
// so a stream holds it back; a block longer than PEM_LIMIT is hidden up to there.
const PEM_LIMIT = 65536;
const PEM_BEGIN_RE = /-----BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?)-----/g;
const scanPrivateKeys: PatternRule = (text, found) => {
  PEM_BEGIN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PEM_BEGIN_RE.exec(text)) !== null) {
    const start = m.index + m[0].length;
    const endMark = text.indexOf('-----END ', start);
    const limit = Math.min(text.length, start + PEM_LIMIT);
    const end = endMark !== -1 && endMark <= limit ? endMark : limit;
    found({ start, end, from: m.index, label: 'private-key', complete: endMark !== -1 && endMark <= limit, learn: false });
    PEM_BEGIN_RE.lastIndex = Math.max(start, end);
  }
};

// Config lines that hold a password by position, not by a `name=` or `name:`: `.netrc`
// (`machine h login u password P`, or `password P` on a line of its own), `.pgpass`
// (`host:port:db:user:password`), SQL (`IDENTIFIED BY 'x'`, `WITH PASSWORD 'x'`) and XML elements
// of secret-sounding names (`<password>x</password>`).
const NETRC_RE = /(?:password|passwd)[ \t]+([^\s]{1,4096})[ \t]*(?:\r?\n|\r|$)/gi;
const NETRC_LINE_HEAD = /^[ \t]*(?:(?:machine|default)(?:[ \t]|$)[^\r\n]*)?$/i;
const PGPASS_PORT_RE = /:(?:\d{1,5}|\*):/g;
const PGPASS_LINE_RE = /^[ \t]*[^\s:#][^\s:]{0,255}:(?:\d{1,5}|\*):[^\s:]{1,255}:[^\s:]{1,255}:(\S{1,4096})[ \t]*$/;
const SQL_PASSWORD_RE = /(?:identified[ \t]+(?:with[ \t]+[A-Za-z_]+[ \t]+)?by|password)[ \t]+(?:'([^'\r\n]{1,4096})'|"([^"\r\n]{1,4096})")/dgi;
const XML_ELEMENT_RE = /<([A-Za-z_][A-Za-z0-9_.:-]{0,63})>([^<\r\n]{1,4096})<\/\1>/dg;
const scanConfigLines: PatternRule = (text, found) => {
  // `.pgpass`: anchored on the `:port:` field, then the whole line is read.
  PGPASS_PORT_RE.lastIndex = 0;
  let lastLine = -1;
  for (let p = PGPASS_PORT_RE.exec(text); p !== null; p = PGPASS_PORT_RE.exec(text)) {
    const lineStart = Math.max(text.lastIndexOf('\n', p.index), text.lastIndexOf('\r', p.index)) + 1;
    if (lineStart === lastLine || p.index - lineStart > 300) continue;
    lastLine = lineStart;
    let lineEnd = lineStart;
    while (lineEnd < text.length && lineEnd - lineStart < 5000 && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
    const m = PGPASS_LINE_RE.exec(text.slice(lineStart, lineEnd));
    if (!m || isReference(m[1]!) || isTrivialValue(m[1]!)) continue;
    const start = lineStart + m[0].lastIndexOf(m[1]!);
    found({ start, end: start + m[1]!.length, from: lineStart, label: 'password', complete: lineEnd < text.length, learn: true });
  }
  for (const re of [NETRC_RE]) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const value = m[1]!;
      if (isReference(value) || isTrivialValue(value)) continue;
      // `.netrc`: `password` begins its line, or the line begins with `machine` or `default`.
      if (re === NETRC_RE) {
        const lineStart = Math.max(text.lastIndexOf('\n', m.index - 1), text.lastIndexOf('\r', m.index - 1)) + 1;
        if (m.index - lineStart > 1024 || !NETRC_LINE_HEAD.test(text.slice(lineStart, m.index))) continue;
      }
      const start = m.index + m[0].lastIndexOf(value);
      const end = start + value.length;
      // A line is whole only once its end arrived.
      found({ start, end, from: m.index, label: 'password', complete: m.index + m[0].length < text.length, learn: true });
    }
  }
  SQL_PASSWORD_RE.lastIndex = 0;
  let q: RegExpExecArray | null;
  while ((q = SQL_PASSWORD_RE.exec(text)) !== null) {
    const group = q[1] !== undefined ? 1 : 2;
    if (isReference(q[group]!) || isTrivialValue(q[group]!)) continue;
    const [s, e] = q.indices![group]!;
    found({ start: s, end: e, from: q.index, label: 'password', complete: true, learn: true });
  }
  XML_ELEMENT_RE.lastIndex = 0;
  let x: RegExpExecArray | null;
  while ((x = XML_ELEMENT_RE.exec(text)) !== null) {
    const name = x[1]!.replace(/^.*:/, '');
    if (!isSecretName(name) || isReference(x[2]!) || isTrivialValue(x[2]!)) continue;
    const [s, e] = x.indices![2]!;
    found({ start: s, end: e, from: x.index, label: name, complete: true, learn: LEARN_NAME.test(name) });
  }
};

const ASSIGNMENT_VALUE_RE = /"([^"\r\n]{1,4096})"?|'([^'\r\n]{1,4096})'?|([^\s"'`;&|()<>]{1,4096})/dy;
// The same without match indices (`d`): building them was most of the time of output holding a
// secret-named assignment on every line. A quoted value starts one past the match, a bare one at it.
const ASSIGNMENT_VALUE_PLAIN_RE = /"([^"\r\n]{1,4096})"?|'([^'\r\n]{1,4096})'?|([^\s"'`;&|()<>]{1,4096})/y;
// [A-Za-z0-9_] and [A-Za-z0-9_.-] by character code: these run once per character of every
// name before an `=` or `:`, and a one-character regex test per character was most of the time
// of output made of `key=value` pairs.
function isNameCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isMemberNameCode(c: number): boolean {
  return isNameCode(c) || c === 46 || c === 45;
}

// [ \t"'-]: what may stand between a line start and a member name.
function isLineLeadCode(c: number): boolean {
  return c === 32 || c === 9 || c === 34 || c === 39 || c === 45;
}
// Signed-URL signatures (`?sig=` of an Azure SAS, `Signature=`, `X-Amz-Signature=`): bearer credentials.
const SIGNATURE_NAME = /^(?:sig|signature|X_Amz_Signature|Signature)$/i;

// Assignments of secret-sounding names: `PGPASSWORD=x`, `export API_TOKEN="x"`, `--password=x`, `?token=x`.
const scanAssignments: PatternRule = (text, found) => {
  for (let eq = text.indexOf('='); eq !== -1; eq = text.indexOf('=', eq + 1)) {
    // INI and config files put blanks around the sign: `password = x`.
    let nameEnd = eq;
    while (nameEnd > 0 && eq - nameEnd < 8 && (text[nameEnd - 1] === ' ' || text[nameEnd - 1] === '\t')) nameEnd--;
    let start = nameEnd;
    while (start > 0 && nameEnd - start < 128 && isNameCode(text.charCodeAt(start - 1))) start--;
    if (start === nameEnd) continue;
    const before = eq > 0 ? text.charCodeAt(eq - 1) : 0;
    if (text.charCodeAt(eq + 1) === 61 || before === 33 || before === 60 || before === 62 || before === 61) continue; // `==`, `!=`, `<=`: a comparison
    const name = text.slice(start, nameEnd);
    if (!isSecretName(name) && !SIGNATURE_NAME.test(name)) continue;
    let valueAt = eq + 1;
    if (nameEnd < eq) while (valueAt < text.length && valueAt - eq < 8 && (text[valueAt] === ' ' || text[valueAt] === '\t')) valueAt++;
    ASSIGNMENT_VALUE_PLAIN_RE.lastIndex = valueAt;
    const m = ASSIGNMENT_VALUE_PLAIN_RE.exec(text);
    if (!m) continue;
    const value = m[1] ?? m[2] ?? m[3]!;
    if (isReference(value)) continue;
    const s = m[3] !== undefined ? m.index : m.index + 1;
    const e = s + value.length;
    found({ start: s, end: e, from: start, label: name, complete: ASSIGNMENT_VALUE_PLAIN_RE.lastIndex < text.length, labelAt: [start, nameEnd], learn: LEARN_NAME.test(name) || SIGNATURE_NAME.test(name) });
    eq = e - 1;
  }
};

// Values stored into secret-named variables without an `=`: `read -r DB_PASSWORD <<< "x"` and
// `printf -v API_TOKEN 'x'` (or `printf -v API_TOKEN '%s' "x"`). Written in the runbook, they are
// known before the first cell runs, like `PGPASSWORD=x`. Anchored on `<<<` and `printf`.
const READ_NAMES_RE = /\bread((?:[ \t]+[^\s<;&|()]+){1,12})[ \t]*$/d;
const PRINTF_V_RE = /printf[ \t]+-v[ \t]+([A-Za-z_][A-Za-z0-9_]{0,127})[ \t]+/dy;

const scanStores: PatternRule = (text, found) => {
  for (let at = text.indexOf('<<<'); at !== -1; at = text.indexOf('<<<', at + 3)) {
    const head = READ_NAMES_RE.exec(text.slice(lineStartWithin(text, at, 512, false), at));
    if (!head) continue;
    const names = head[1]!.trim().split(/[ \t]+/).filter((w) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(w));
    const name = names.find((n) => isSecretName(n));
    if (name === undefined) continue;
    let valueAt = at + 3;
    while (text[valueAt] === ' ' || text[valueAt] === '\t') valueAt++;
    storedValue(text, valueAt, name, at, found);
  }
  for (let at = text.indexOf('printf'); at !== -1; at = text.indexOf('printf', at + 6)) {
    PRINTF_V_RE.lastIndex = at;
    const m = PRINTF_V_RE.exec(text);
    if (!m || !isSecretName(m[1]!)) continue;
    ASSIGNMENT_VALUE_RE.lastIndex = PRINTF_V_RE.lastIndex;
    const format = ASSIGNMENT_VALUE_RE.exec(text);
    if (!format) continue;
    const formatText = format[1] ?? format[2] ?? format[3] ?? '';
    // A format with directives stores its arguments: the first one is the value.
    let valueAt = ASSIGNMENT_VALUE_RE.lastIndex;
    if (formatText.includes('%')) {
      if (text[valueAt] === '"' || text[valueAt] === "'") valueAt++;
      while (text[valueAt] === ' ' || text[valueAt] === '\t') valueAt++;
      storedValue(text, valueAt, m[1]!, at, found);
    } else {
      storedValue(text, format.index, m[1]!, at, found);
    }
  }
};

function storedValue(text: string, valueAt: number, name: string, from: number, found: (f: Found) => void): void {
  ASSIGNMENT_VALUE_RE.lastIndex = valueAt;
  const m = ASSIGNMENT_VALUE_RE.exec(text);
  if (!m) return;
  const group = m[1] !== undefined ? 1 : m[2] !== undefined ? 2 : 3;
  if (isReference(m[group]!) || m[group]!.startsWith('%')) return;
  const [s, e] = m.indices![group]!;
  found({ start: s, end: e, from, label: name, complete: ASSIGNMENT_VALUE_RE.lastIndex < text.length, learn: LEARN_NAME.test(name) });
}

// JSON members of secret-sounding names: `"password": "x"` in an HTTP body, and `\"password\": \"x\"`
// when that body is itself a JSON string (an echoing server). Anchored on a literal quote.
const JSON_MEMBER_RE = /\\?"([A-Za-z0-9_.-]{1,128})\\?"[ \t]*:[ \t]*\\?"([^"\\\r\n]{1,4096})/dg;

const scanJsonMembers: PatternRule = (text, found) => {
  JSON_MEMBER_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = JSON_MEMBER_RE.exec(text)) !== null) {
    const name = m[1]!;
    // A status word under a secret-sounding name (`"auth_token": "ok"`) is not a credential:
    // hiding it would blank what checks and auditors must read.
    if (!isSecretName(name) || isReference(m[2]!) || isTrivialValue(m[2]!)) {
      // The value may itself start the next member (`"a": "\"password\"..."`): rescan from it.
      JSON_MEMBER_RE.lastIndex = m.indices![2]![0];
      continue;
    }
    const [s, e] = m.indices![2]!;
    found({ start: s, end: e, from: m.index, label: name, complete: e < text.length, labelAt: m.indices![1]!, learn: LEARN_NAME.test(name) });
  }
};

// YAML and `key: value` config lines: `password: x`, `  api_token: "x"`, `- secret: x`. The name
// must begin its line (after blanks, a list dash or a quote) so prose such as `note: the key` is
// left alone; `Authorization: Bearer x` is the header rule's.
// Also `password:x` with no blank (one word: a value that is not YAML is still a value).
const COLON_MEMBER_RE = /[ \t]*:(?:[ \t]+(?:"([^"\r\n]{1,4096})"?|'([^'\r\n]{1,4096})'?|([^\s#][^\r\n]{0,4095}))|([^\s#"'/:][^\s]{3,4095}))/dy;
const scanColonMembers: PatternRule = (text, found) => {
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    let nameEnd = colon;
    while (nameEnd > 0 && colon - nameEnd < 8 && (text[nameEnd - 1] === ' ' || text[nameEnd - 1] === '\t')) nameEnd--;
    let start = nameEnd;
    while (start > 0 && nameEnd - start < 128 && isMemberNameCode(text.charCodeAt(start - 1))) start--;
    if (start === nameEnd) continue;
    let lineAt = start;
    while (lineAt > 0 && start - lineAt < 64 && isLineLeadCode(text.charCodeAt(lineAt - 1))) lineAt--;
    // A line start, also as the escape `\n` in a command (`printf 'db:\n  password: x\n'`) or a string.
    const escapedLine = lineAt > 1 && text[lineAt - 2] === '\\' && (text[lineAt - 1] === 'n' || text[lineAt - 1] === 'r');
    if (lineAt > 0 && text[lineAt - 1] !== '\n' && text[lineAt - 1] !== '\r' && !escapedLine) continue;
    const name = text.slice(start, nameEnd).replace(/["']$/, '');
    if (!isSecretName(name) || SENSITIVE_HEADER_END.test(name)) continue;
    COLON_MEMBER_RE.lastIndex = nameEnd + (text[nameEnd] === '"' || text[nameEnd] === "'" ? 1 : 0);
    const m = COLON_MEMBER_RE.exec(text);
    if (!m) continue;
    const group = m[1] !== undefined ? 1 : m[2] !== undefined ? 2 : m[3] !== undefined ? 3 : 4;
    let [s, e] = m.indices![group]!;
    // An escaped line end ends the value too (`password: x\n` inside a printf format).
    const escapedEnd = /\\[nr]/.exec(text.slice(s, e));
    if (escapedEnd) e = s + escapedEnd.index;
    while (e > s && /[\s,]/.test(text[e - 1]!)) e--;
    const value = text.slice(s, e);
    if (e <= s || isReference(value) || isTrivialValue(value)) continue;
    found({ start: s, end: e, from: lineAt, label: name, complete: e < text.length, labelAt: [start, nameEnd], learn: LEARN_NAME.test(name) });
    colon = e - 1;
  }
};

// Credentials given as command-line options: `curl -u user:pass`, `--user=user:pass`,
// `mysql -pX` / `--password X`, `--oauth2-bearer T`, `--token T` and any long option whose name is
// secret-sounding followed by its value. Anchored on the literal `-`.
const LONG_OPTION_RE = /--([A-Za-z0-9][A-Za-z0-9-]{0,63})(?:=|[ \t]+)(?:"([^"\r\n]{1,4096})"?|'([^'\r\n]{1,4096})'?|([^\s"'`;&|()<>-][^\s"'`;&|()<>]{0,4095}))/dy;
const USER_OPTION_RE = /(?:-u[ \t]*|--user[ \t=]+|--proxy-user[ \t=]+)(?:"([^":\r\n]{0,256}):([^"\r\n]{1,4096})"?|'([^':\r\n]{0,256}):([^'\r\n]{1,4096})'?|([^\s:"']{0,256}):([^\s"'`;&|()<>]{1,4096}))/dy;
const MYSQL_PASSWORD_RE = /-p([^\s"'`;&|()<>-][^\s"'`;&|()<>]{0,4095}|"[^"\r\n]{1,4096}"|'[^'\r\n]{1,4096}')/dy;
const scanOptions: PatternRule = (text, found) => {
  for (let dash = text.indexOf('-'); dash !== -1; dash = text.indexOf('-', dash + 1)) {
    if (dash > 0 && !/[\s"'=]/.test(text[dash - 1]!)) continue;
    if (text[dash + 1] === '-') {
      LONG_OPTION_RE.lastIndex = dash;
      const m = LONG_OPTION_RE.exec(text);
      // `--key-file path`, `--token-type x`: the option names a file or a kind, not the credential.
      if (m && isSecretName(m[1]!) && !/^(?:user|proxy-user)$|(?:file|path|dir|name|id|type|length|size|format)$/i.test(m[1]!)) {
        const group = m[2] !== undefined ? 2 : m[3] !== undefined ? 3 : 4;
        const value = m[group]!;
        if (!isReference(value) && !isTrivialValue(value)) {
          const [s, e] = m.indices![group]!;
          found({ start: s, end: e, from: dash, label: m[1]!, complete: LONG_OPTION_RE.lastIndex < text.length, learn: /TOKEN|SECRET|PASSWORD|PASSWD|BEARER/i.test(m[1]!) });
          dash = e - 1;
          continue;
        }
      }
    }
    USER_OPTION_RE.lastIndex = dash;
    const u = USER_OPTION_RE.exec(text);
    if (u) {
      const group = u[2] !== undefined ? 2 : u[4] !== undefined ? 4 : 6;
      const value = u[group]!;
      if (!isReference(value)) {
        const [s, e] = u.indices![group]!;
        found({ start: s, end: e, from: dash, label: 'user-password', complete: USER_OPTION_RE.lastIndex < text.length, learn: true });
        dash = e - 1;
      }
      continue;
    }
    // `-pX` glued is mysql's password option (and its kin): only on a line that names one.
    if (text[dash + 1] === 'p' && isMysqlLine(text, dash)) {
      MYSQL_PASSWORD_RE.lastIndex = dash;
      const p = MYSQL_PASSWORD_RE.exec(text);
      if (p) {
        let [s, e] = p.indices![1]!;
        if (text[s] === '"' || text[s] === "'") (s++, e--);
        const value = text.slice(s, e);
        if (!isReference(value)) found({ start: s, end: e, from: dash, label: 'mysql-password', complete: MYSQL_PASSWORD_RE.lastIndex < text.length, learn: true });
      }
    }
  }
};

function isMysqlLine(text: string, at: number): boolean {
  return /\b(?:mysql\w*|mariadb\w*)\b/.test(text.slice(lineStartWithin(text, at, 1023, true), at));
}

// max(start of the line holding text[at], at - limit): a look back of at most `limit`
// characters, not to the last line end (a long line with many anchors would be read again per anchor).
function lineStartWithin(text: string, at: number, limit: number, carriageReturn: boolean): number {
  const floor = Math.max(0, at - limit);
  for (let i = at; i >= floor; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || (carriageReturn && c === 13)) return i + 1;
  }
  return floor;
}

function isTrivialValue(value: string): boolean {
  const trimmed = value.trim();
  return trimmed.length < MIN_SECRET_LENGTH || TRIVIAL_VALUES.has(trimmed.toLowerCase());
}

// `mayMatch` is a necessary condition, checked by one native search, for the rules that scan
// with a regex at every position: output that fails it cannot hold their match and is not scanned.
// The others already search their anchor (`=`, `://`, `-`, `<<<`, `printf`) with indexOf.
const RULES: Array<{ scan: PatternRule; mayMatch?: (text: string) => boolean }> = [
  { scan: scanHeaders, mayMatch: (text) => text.indexOf(':') !== -1 && HEADER_WORD.test(text) },
  { scan: scanUrlPasswords },
  { scan: scanAssignments },
  { scan: scanStores },
  // A JSON member holds a quote and a colon.
  { scan: scanJsonMembers, mayMatch: (text) => text.indexOf('"') !== -1 && text.indexOf(':') !== -1 },
  { scan: scanColonMembers },
  { scan: scanOptions },
  { scan: scanTokenShapes },
  { scan: scanPrivateKeys },
  { scan: scanConfigLines },
];

// Base64 forms of a value (`echo -n $TOKEN | base64`, a token inside an encoded blob): the whole
// value encoded, and for each of the three alignments the part of any encoding that depends on
// the value's bytes only (whole 3-byte groups), in standard and URL-safe alphabets.
function base64Variants(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  const add = (b64: string): void => {
    out.push(b64, b64.replace(/\+/g, '-').replace(/\//g, '_'));
  };
  const whole = bytes.toString('base64');
  add(whole);
  add(whole.replace(/=+$/, ''));
  for (let shift = 0; shift < 3; shift++) {
    const groups = Math.floor((bytes.length - shift) / 3) * 3;
    if (groups >= 6) add(bytes.subarray(shift, shift + groups).toString('base64'));
  }
  // `base64` wraps its lines at 76 characters (57 bytes): each whole line of a long value.
  if (bytes.length > 57) for (let at = 0; at + 57 <= bytes.length; at += 57) add(bytes.subarray(at, at + 57).toString('base64'));
  return out;
}

// Other encodings a command may print a value in: hex (`xxd -p`, `od`, whole and per 30-byte
// line as `xxd -p` wraps), every reserved character percent-encoded (`pa%28ss%29w%C3%B6rd`, also
// with `+` for spaces), and JSON with non-ASCII characters as `\u00f6` escapes. Letter case is
// handled by the matcher, which ignores it.
function otherEncodings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [bytes.toString('hex')];
  if (bytes.length > 30) for (let at = 0; at + 30 <= bytes.length; at += 30) out.push(bytes.subarray(at, at + 30).toString('hex'));
  try {
    const uri = encodeURIComponent(value);
    out.push(uri, uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
    out.push(uri.replace(/%20/g, '+'), encodeURIComponent(value).replace(/[!'()*~._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
    out.push(encodeURI(value));
  } catch {
    // lone surrogates cannot be URL-encoded: the raw value is still matched
  }
  const json = JSON.stringify(value).slice(1, -1);
  out.push(json, json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  out.push(json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/'));
  return out;
}

// Encodings matched by their skeletons only (never as literals: as long as six characters per
// character of the value, they would make every stream hold back that much).
function skeletonEncodings(value: string): string[] {
  // Per character or byte, as escapes, entities and number lists print them: `\u0070\u0061…`,
  // `&#112;&#97;…`, `&#x70;`/`\x70` (one skeleton), `\160\141` and `od -to1`, `112 97` (`od -tu1`),
  // quoted-printable (`=3D`, soft breaks are line ends), and the value reversed (`rev`). Matched
  // by their skeletons (see `skeletonOf`), so any separators between the parts still match.
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  const chars = [...value];
  out.push(value.split('').map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''));
  out.push(chars.map((c) => `&#${c.codePointAt(0)!};`).join(''), [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''));
  out.push([...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join(''), [...bytes].map((b) => String(b)).join(' '));
  out.push([...bytes].map((b) => (b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join(''));
  out.push(chars.reverse().join(''));
  return out;
}

// Hashes, commits and times that runproof itself computes: a 4-character secret such as
// `2026` must not turn a timestamp or digest into text the schema rejects on read-back.
const STRUCTURAL_KEYS = new Set(['sha256', 'commit', 'at', 'startedAt', 'endedAt', 'since']);
const DIGEST = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;
function isStructural(key: string, value: unknown): boolean {
  return typeof value === 'string' && STRUCTURAL_KEYS.has(key) && (DIGEST.test(value) || ISO_TIME.test(value));
}

// The keyword that made a name secret (`PASSWORD`), or `header`: a label that reveals nothing.
function genericLabel(name: string): string {
  return secretKeyword(name) ?? 'header';
}

class RedactorImpl implements Redactor {
  // Known values and their labels; `ordered` is longest first so the longest match wins.
  private readonly literals = new Map<string, string>();
  private ordered: string[] = [];
  private learned = 0;
  private readonly warned = new Set<string>();
  readonly warnings: string[] = [];
  maxSecretLength = 0;
  generation = 0;
  // Skeletons of the known values and their encodings (see `skeletonOf`): every GRAM-character
  // piece of a long one, short ones whole; indexed by their first MIN_SKELETON characters (a
  // 16-bit filter of that prefix's hash first, so the scan costs a few operations a character).
  private readonly skeletonPatterns = new Map<string, Array<{ pattern: string; label: string }>>();
  private readonly skeletonFilter = new Uint8Array(FILTER_SIZE);
  private skeletonCount = 0;

  constructor(
    secrets: readonly SecretInput[],
    private readonly exhaustive = false,
  ) {
    for (const s of secrets) this.add(s.name, s.value);
  }

  add(name: string, value: string): void {
    this.addLiteral(name, value, true);
  }

  // Adds a value and its encoded variants; returns the variants that were new.
  private addLiteral(name: string, value: string, warn: boolean): string[] {
    const variants = new Set<string>([value]);
    const trimmed = value.trim();
    variants.add(trimmed);
    for (const v of otherEncodings(trimmed)) variants.add(v);
    for (const b64 of base64Variants(trimmed)) variants.add(b64);
    if (trimmed.length < MIN_SECRET_LENGTH || TRIVIAL_VALUES.has(trimmed.toLowerCase())) {
      if (warn && trimmed.length > 0 && !this.warned.has(name)) {
        this.warned.add(name);
        this.warnings.push(
          `secret ${name} is not redacted: its value is shorter than ${MIN_SECRET_LENGTH} characters or a common word, and hiding it would blank ordinary text`,
        );
      }
      return [];
    }
    const added: string[] = [];
    for (const variant of [...variants, ...skeletonEncodings(trimmed)]) this.addSkeleton(name, skeletonOf(lowerSameLength(variant)).skeleton);
    for (const variant of variants) {
      // Literals are matched ignoring letter case (hex and base64 in upper or lower case, a value
      // passed through `tr a-z A-Z`): they are kept in lower case and matched in lowered text.
      const v = lowerSameLength(variant);
      if (v.length < MIN_SECRET_LENGTH || this.literals.has(v)) continue;
      this.literals.set(v, name);
      this.maxSecretLength = Math.max(this.maxSecretLength, v.length);
      added.push(v);
    }
    if (added.length > 0) {
      this.ordered = [...this.literals.keys()].sort((a, b) => b.length - a.length);
      this.generation++;
    }
    return added;
  }

  private addSkeleton(name: string, skeleton: string): void {
    if (skeleton.length < MIN_SKELETON) return;
    if (skeleton.length < GRAM) this.addSkeletonPattern(skeleton, name);
    else for (let at = 0; at + GRAM <= skeleton.length; at++) this.addSkeletonPattern(skeleton.slice(at, at + GRAM), name);
  }

  private addSkeletonPattern(pattern: string, label: string): void {
    const prefix = pattern.slice(0, MIN_SKELETON);
    let list = this.skeletonPatterns.get(prefix);
    if (list === undefined) this.skeletonPatterns.set(prefix, (list = []));
    if (list.some((p) => p.pattern === pattern)) return;
    list.push({ pattern, label });
    this.skeletonFilter[filterIndex(prefixHash(prefix))] = 1;
    this.skeletonCount++;
    this.generation++;
  }

  // Ranges where a known value's skeleton shows in `lower`'s skeleton: a value split across lines
  // (`fold`, halves printed apart), spaced out, in `od`/`xxd` hex groups, as entities or escapes.
  // One rolling hash of the last MIN_SKELETON skeleton characters; a hit is confirmed by reading
  // the skeleton on from there.
  private skeletonRanges(lower: string): Range[] {
    if (this.skeletonCount === 0) return [];
    const out: Range[] = [];
    const ring = new Int32Array(MIN_SKELETON);
    let seen = 0;
    let h = 0;
    for (let i = 0; i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      if (!isSkeletonChar(c)) continue;
      const slot = seen & RING_MASK;
      if (seen >= MIN_SKELETON) h = (h - Math.imul(lower.charCodeAt(ring[slot]!), PREFIX_TOP)) | 0;
      h = (Math.imul(h, GRAM_BASE) + c) | 0;
      ring[slot] = i;
      seen++;
      if (seen < MIN_SKELETON || this.skeletonFilter[filterIndex(h)] === 0) continue;
      let prefix = '';
      for (let k = 0; k < MIN_SKELETON; k++) prefix += lower[ring[(seen + k) & RING_MASK]!];
      const candidates = this.skeletonPatterns.get(prefix);
      if (candidates === undefined) continue;
      const start = ring[seen & RING_MASK]!;
      for (const { pattern, label } of candidates) {
        let at = i + 1;
        let matched = MIN_SKELETON;
        let last = i;
        while (matched < pattern.length && at < lower.length) {
          const d = lower.charCodeAt(at);
          if (isSkeletonChar(d)) {
            if (d !== pattern.charCodeAt(matched)) break;
            matched++;
            last = at;
          }
          at++;
        }
        if (matched === pattern.length) out.push({ start, end: last + 1, label });
      }
    }
    return out;
  }

  // Where a stream must hold back so that a value's skeleton cut at the end is matched whole
  // with what follows: the last GRAM-1 skeleton characters (at most SKELETON_HOLD characters).
  skeletonHold(text: string): number {
    if (this.skeletonCount === 0) return text.length;
    let count = 0;
    let at = text.length;
    while (at > 0 && text.length - at < SKELETON_HOLD && count < GRAM - 1) {
      if (isSkeletonChar(text.charCodeAt(at - 1) | 32)) count++;
      at--;
    }
    return at;
  }

  // Finds every range to hide in `text`. With `final` false the text may continue: matches
  // touching its end are incomplete and are not learned.
  findRanges(text: string, final: boolean, learnAll = false): Range[] {
    const finds: Found[] = [];
    const push = (f: Found): void => void finds.push(f);
    for (const rule of RULES) if (this.exhaustive || rule.mayMatch === undefined || rule.mayMatch(text)) rule.scan(text, push);
    // Lowered once: the known literals, the ones learned below and the skeletons all match on it.
    let lowered: string | undefined;
    const lower = (): string => (lowered ??= lowerSameLength(text));
    const ranges = this.literals.size > 0 ? this.literalRanges(lower(), this.ordered) : [];
    // A name read from the text may be glued to a known secret (`tok-SECRETPGPASSWORD=x`):
    // such a label would leak part of it, so it becomes the bare keyword.
    // One sorted index, not a scan of every literal range per find: output where each line holds
    // a secret-named assignment and a known value had finds × ranges comparisons per chunk.
    const overlapsLiteral = overlapQuery(ranges);
    for (const f of finds) {
      if (f.labelAt && overlapsLiteral(f.labelAt[0], f.labelAt[1])) f.label = genericLabel(f.label);
    }
    const learnedNow: string[] = [];
    for (const f of finds) {
      ranges.push({ start: f.start, end: f.end, label: f.label, ...(f.from !== undefined ? { from: f.from } : {}) });
      // A short number (`docker run -u 1000:1000`, `--token-ttl 3600`) is hidden where it stands but
      // not learned: blanking every `1000` of the evidence would hide more than it protects.
      const shortNumber = f.end - f.start < 8 && /^\d+$/.test(text.slice(f.start, f.end));
      if ((f.learn || learnAll) && !shortNumber && (final || f.complete) && this.learned < MAX_LEARNED) {
        const added = this.addLiteral(f.label, text.slice(f.start, f.end), false);
        if (added.length > 0) this.learned++;
        learnedNow.push(...added);
      }
    }
    if (learnedNow.length > 0) ranges.push(...this.literalRanges(lower(), learnedNow));
    ranges.push(...this.skeletonRanges(this.literals.size > 0 ? lower() : text));
    return mergeRanges(ranges);
  }

  private literalRanges(text: string, values: readonly string[]): Range[] {
    const out: Range[] = [];
    for (const value of values) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
        out.push({ start: at, end: at + value.length, label: this.literals.get(value)! });
      }
    }
    return out;
  }

  learn(text: string): void {
    // Bounded like any learning: a runbook's credentials, not every word of a huge file.
    if (text.length > 0) this.findRanges(text, true, true);
  }

  redact(text: string): string {
    if (text.length === 0) return text;
    return applyRanges(text, this.findRanges(text, true), text.length);
  }

  redactValue<T>(value: T): T {
    return this.deep(value) as T;
  }

  private deep(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) {
      // A header as a [name, value] pair.
      if (value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && isSensitiveHeader(value[0])) {
        return [value[0], this.redactHeader(value[0], value[1])];
      }
      return value.map((v) => this.deep(v));
    }
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      // A header as { name, value }.
      const pairHeader = typeof obj['name'] === 'string' && typeof obj['value'] === 'string' && isSensitiveHeader(obj['name']);
      for (const [k, v] of Object.entries(obj)) {
        if (isStructural(k, v)) out[k] = v;
        else if (pairHeader && k === 'value') out[k] = this.redactHeader(obj['name'] as string, v as string);
        else if (typeof v === 'string' && isSensitiveHeader(k)) out[this.redact(k)] = this.redactHeader(k, v);
        // A parsed JSON body's `password` member: its value has no text around it to match on.
        else if (typeof v === 'string' && LEARN_NAME.test(k) && v.trim().length >= MIN_SECRET_LENGTH && !TRIVIAL_VALUES.has(v.trim().toLowerCase()) && !isReference(v.trim())) out[this.redact(k)] = this.redactMember(k, v);
        else out[this.redact(k)] = this.deep(v);
      }
      return out;
    }
    return value;
  }

  // Hides (and learns) the whole value of a secret-named member of a parsed JSON object.
  private redactMember(name: string, value: string): string {
    if (this.learned < MAX_LEARNED && this.addLiteral(name, value, false).length > 0) this.learned++;
    return `[REDACTED:${name}]`;
  }

  // Hides a header value given apart from its name (keeping an auth scheme word).
  private redactHeader(name: string, value: string): string {
    const r = headerValueRange(value);
    if (!r) return this.redact(value);
    const secret = value.slice(r.from, r.to);
    if (this.learned < MAX_LEARNED && this.addLiteral(name, secret, false).length > 0) this.learned++;
    return `${this.redact(value.slice(0, r.from))}[REDACTED:${name}]${value.slice(r.to)}`;
  }

  stream(): RedactionStream {
    let held = '';
    let changed = false;
    const redactor = this;
    return {
      get generation(): number {
        return redactor.generation;
      },
      get held(): string {
        return held;
      },
      get changed(): boolean {
        return changed;
      },
      push: (text: string): string => {
        held += text;
        changed = false;
        if (held.length === 0) return '';
        const ranges = this.findRanges(held, false);
        const cut = safeCut(held, ranges, this.maxSecretLength, this.skeletonHold(held));
        // Ranges are sorted: only one starting before the cut changes what is emitted now.
        changed = ranges.length > 0 && ranges[0]!.start < cut;
        const out = changed ? applyRanges(held, ranges, cut) : held.slice(0, cut);
        held = held.slice(cut);
        return out;
      },
      flush: (): string => {
        const out = this.redact(held);
        changed = out !== held;
        held = '';
        return out;
      },
    };
  }
}

// Where a stream may cut so that no secret straddles the cut (SECURITY L1). The text after the
// cut is scanned again with what follows, so the cut must never fall inside a match nor inside
// its left context (`API_K|EY=value` would leave `EY=value`, a name no rule knows):
// - pattern rules never cross a line end (\n or \r) and read at most PATTERN_WINDOW characters
//   of left context, so a cut at the start of the unfinished line, or PATTERN_WINDOW before the
//   end, is safe for matches whose anchor has not arrived yet;
// - a literal of up to maxSecretLength characters may begin in the last maxSecretLength-1
//   characters; moving the cut back for it must land on a line start or PATTERN_WINDOW from the end;
// - a match found across the cut (its left context included) moves the cut to where it begins.
function safeCut(text: string, ranges: Range[], maxSecretLength: number, skeletonLimit: number): number {
  const len = text.length;
  const floor = len - PATTERN_WINDOW;
  // max(start of the line holding `at`, floor): only the last PATTERN_WINDOW characters are
  // read, not the whole held text back to its last line end (one long line had that per chunk).
  const lineStartAbove = (at: number): number => lineStartWithin(text, at - 1, at - 1 - floor, true);
  const patternSafe = (at: number): number => (len - at >= PATTERN_WINDOW || at === 0 ? at : lineStartAbove(at));
  let cut = lineStartAbove(len);
  const literalLimit = Math.min(len - Math.max(0, maxSecretLength - 1), skeletonLimit);
  if (literalLimit < cut) cut = patternSafe(Math.max(0, literalLimit));
  if (cut <= 0) return 0;
  // Ranges are sorted by start; a range's left context (`from`) may begin before earlier ranges.
  let moved = true;
  while (moved && cut > 0) {
    moved = false;
    for (let i = ranges.length - 1; i >= 0; i--) {
      const r = ranges[i]!;
      const from = Math.min(r.from ?? r.start, r.start);
      if (from >= cut) continue;
      if (r.end > cut || r.end === len || r.start >= cut) {
        cut = patternSafe(from);
        moved = true;
      }
    }
    // Never between the halves of a surrogate pair: each half alone would be written as U+FFFD.
    if (cut > 0 && cut < len && isLowSurrogate(text.charCodeAt(cut)) && isHighSurrogate(text.charCodeAt(cut - 1))) {
      cut--;
      moved = true;
    }
  }
  return Math.max(0, cut);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

// Skeleton matching (SECURITY L4): a value is also found by its letters and digits alone, in
// order, whatever stands between them, so a value printed in pieces or spaced out is still hidden.
// Long values are matched by any GRAM consecutive skeleton characters (a 12-character piece of a
// secret is a leak too; shorter pieces of low-entropy values recur in ordinary text). Skeletons of
// MIN_SKELETON..GRAM-1 characters are matched only whole; shorter ones only as literals (a
// skeleton that short would hide ordinary words).
const GRAM = 12;
const MIN_SKELETON = 8; // a power of two: the ring of the last MIN_SKELETON positions
const RING_MASK = MIN_SKELETON - 1;
const FILTER_SIZE = 1 << 20;
// The filter slot of a prefix hash (its bits mixed so that nearby hashes spread out).
function filterIndex(h: number): number {
  return (h ^ (h >>> 13) ^ (h >>> 26)) & (FILTER_SIZE - 1);
}
const SKELETON_HOLD = 4096;
const GRAM_BASE = 0x01000193;
const PREFIX_TOP = (() => {
  let p = 1;
  for (let i = 1; i < MIN_SKELETON; i++) p = Math.imul(p, GRAM_BASE);
  return p;
})();

// ASCII digits and lower-case letters, and every non-ASCII letter-like code unit (ö, ß, CJK), but
// not U+FFFD: it stands for bytes that were not UTF-8 (half of binary output), never for a letter.
function isSkeletonChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 0xc0 && c !== 0xfffd);
}

// The skeleton of lower-cased text, and the index in the text of each of its characters.
function skeletonOf(lower: string): { skeleton: string; at: Int32Array } {
  const at = new Int32Array(lower.length);
  let skeleton = '';
  let n = 0;
  let runStart = -1;
  for (let i = 0; i <= lower.length; i++) {
    const keep = i < lower.length && isSkeletonChar(lower.charCodeAt(i));
    if (keep) {
      if (runStart === -1) runStart = i;
      at[n++] = i;
    } else if (runStart !== -1) {
      skeleton += lower.slice(runStart, i);
      runStart = -1;
    }
  }
  return { skeleton, at: at.subarray(0, n) };
}

function prefixHash(prefix: string): number {
  let h = 0;
  for (let i = 0; i < prefix.length; i++) h = (Math.imul(h, GRAM_BASE) + prefix.charCodeAt(i)) | 0;
  return h;
}

// Lower-cases text keeping every index: ranges found in the lowered text apply to the original.
// ASCII text goes through toLowerCase (V8's fast path). Other text is lowered one UTF-16 code unit
// at a time through a table, because toLowerCase of text with non-ASCII letters ran at about 20 MB/s
// on binary output (its lower case may also change length, as U+0130 İ does, or depend on context,
// as a final Σ does). Every value and every text is lowered by this one function, so a secret's
// case variants still match, and letters outside the BMP are compared as they stand.
function lowerSameLength(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  const table = (lowerTable ??= buildLowerTable());
  const bytes = Buffer.from(text, 'utf16le');
  const units = bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2) : new Uint16Array(bytes);
  for (let i = 0; i < units.length; i++) units[i] = table[units[i]!]!;
  return Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le');
}

const NON_ASCII = /[^\u0000-\u007f]/;
let lowerTable: Uint16Array | undefined;

// The lower case of every code unit whose lower case is one code unit (İ lowers to a plain i).
function buildLowerTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    const lower = c >= 0xd800 && c <= 0xdfff ? '' : String.fromCharCode(c).toLowerCase();
    table[c] = lower.length === 1 ? lower.charCodeAt(0) : c === 0x130 ? 0x69 : c;
  }
  return table;
}

// Whether any of `ranges` overlaps [from, to): ranges sorted by start with the running maximum of
// their ends, so a query is one binary search (the ranges with start < to) and one look-up.
function overlapQuery(ranges: readonly Range[]): (from: number, to: number) => boolean {
  if (ranges.length === 0) return () => false;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const starts = sorted.map((r) => r.start);
  const maxEnd: number[] = [];
  let max = -1;
  for (const r of sorted) maxEnd.push((max = Math.max(max, r.end)));
  return (from, to) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < to) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && maxEnd[lo - 1]! > from;
  };
}

// Sorted, disjoint ranges: overlapping ones merge under the first one's label. Takes ranges that
// findRanges just made (nobody else holds them), so they are merged in place, not copied: with a
// range on every line of a big output the copies were most of the time and garbage.
function mergeRanges(ranges: Range[]): Range[] {
  if (ranges.length <= 1) return ranges;
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  let last = ranges[0]!;
  let kept = 1;
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r.start < last.end) {
      last.end = Math.max(last.end, r.end);
      if (r.from !== undefined) last.from = Math.min(last.from ?? last.start, r.from);
    } else {
      ranges[kept++] = r;
      last = r;
    }
  }
  ranges.length = kept;
  return ranges;
}

// The redacted text of text[0, upTo); every range ending after upTo must start at or after it.
function applyRanges(text: string, ranges: Range[], upTo: number): string {
  let out = '';
  let pos = 0;
  for (const r of ranges) {
    if (r.start >= upTo) break;
    out += text.slice(pos, r.start) + `[REDACTED:${r.label}]`;
    pos = r.end;
  }
  return out + text.slice(pos, upTo);
}

/**
 * A redactor for the given secrets. Values shorter than 4 characters (or common words such as
 * `true`) are ignored and listed in `warnings`.
 * @example createRedactor([{ name: 'API_TOKEN', value: 's3cr3t-v4lue' }]).redact('t=s3cr3t-v4lue') // 't=[REDACTED:API_TOKEN]'
 */
export function createRedactor(secrets: readonly SecretInput[] = []): Redactor {
  return new RedactorImpl(secrets);
}

/**
 * The same redactor with every pattern rule run on every text, its `mayMatch` pre-check skipped:
 * the oracle the property tests compare the fast paths with. Not for use outside tests.
 */
export function createExhaustiveRedactor(secrets: readonly SecretInput[] = []): Redactor {
  return new RedactorImpl(secrets, true);
}
