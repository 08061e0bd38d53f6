// The one rule that decides whether a variable, parameter, capture or member name marks its
// value as a secret (SPEC §4). Record, plan, execute and the CLI all ask this function.

// Keywords matched anywhere in the name, case-insensitive. The rule errs on redacting: `KEY` in
// `MONKEY` counts (a false positive blanks a value; a false negative leaks one). `PASS` counts
// as a word ending (`DB_PASS`, `PGPASS`), not as the start of `PASSED` or `BYPASS_CACHE`...
// except that `BYPASS` ends in PASS too: accepted, it errs on redacting.
// `PAT` as a word of its own (`GITHUB_PAT`, `GH_PAT`): a personal access token, not `PATH` or `PATTERN`.
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PASS(?![A-Za-z])|KEY|AUTH|CREDENTIAL|COOKIE|_PWD(?![A-Za-z])|(?:^|_)PAT(?![A-Za-z])/i;
// Words that contain a keyword and are not credentials: `GIT_AUTHOR_NAME`, `AUTHORITY`.
const NOT_SECRET_WORDS = /AUTHOR(?:ITY|ITIES|IZED)?/gi;

/**
 * Whether a name marks its value as secret: it contains TOKEN, SECRET, PASSWORD, PASSWD,
 * PASSPHRASE, KEY, AUTH, CREDENTIAL or COOKIE, ends a word in PASS or _PWD, or has PAT as a
 * word (`GITHUB_PAT`), in any case.
 * `AUTHOR` alone does not count (`GIT_AUTHOR_NAME` is not a credential).
 * @example isSecretName('PGPASSWORD') // true
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(NOT_SECRET_WORDS, ''));
}

/** The keyword that made a name secret (`PASSWORD`), upper-cased, or undefined. */
export function secretKeyword(name: string): string | undefined {
  const m = SECRET_NAME.exec(name.replace(NOT_SECRET_WORDS, ''));
  return m ? m[0].toUpperCase() : undefined;
}

/**
 * Environment variables that are runproof's own secrets: never passed to a cell, never
 * templated into a request. `RUNPROOF_SIGNING_KEY` (the HMAC key) and any `RUNPROOF_*` name
 * the secret rule matches (`RUNPROOF_TSA_PASSWORD`, `RUNPROOF_WEBHOOK_TOKEN`...).
 */
export function isRunproofSecretName(name: string): boolean {
  return /^RUNPROOF_/i.test(name) && isSecretName(name);
}

/** A copy of `env` without runproof's own secrets (see `isRunproofSecretName`). */
export function withoutRunproofSecrets<T extends Record<string, string | undefined>>(env: T): T {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) if (!isRunproofSecretName(name)) out[name] = value;
  return out as T;
}
