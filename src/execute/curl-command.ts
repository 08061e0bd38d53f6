import type { HttpRequestSpec } from '../parse/index.js';

export interface CurlCommandOptions {
  /** `-k`: the run accepted unverified certificates. */
  insecure?: boolean;
  /** `--cacert FILE`: the run trusted this CA file instead of the system's. */
  caFile?: string;
  /** `-L --max-redirs N`: the request followed redirects (N, default 5). */
  followRedirects?: boolean | number;
}

// Characters bash never treats specially in a word (no globbing, expansion, history or quoting).
const SAFE_WORD = /^[A-Za-z0-9_\/.:=@%+,-]+$/;

/**
 * Quotes one argument for bash so that it reaches the program as exactly this string: bare when
 * it is made of safe characters, else in single quotes (`'` written as `'\''`), which bash never
 * expands, not even `!`.
 *
 * @example
 * shellQuote("it's $HOME") // → 'it'\''s $HOME'
 */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * An equivalent curl command line for an HTTP cell's request, for an operator to paste into bash.
 * It holds what the request holds and nothing more (no netrc, no config file): the same method,
 * URL, headers in order and body. `--data-raw` keeps a body starting with `@` literal; when the
 * request has a body but no `Content-Type`, `-H 'Content-Type:'` stops curl from adding its form
 * default, as runproof sends none; `-g` keeps curl from globbing `[]{}` in the URL.
 *
 * @example
 * curlCommand({ method: 'POST', url: 'http://127.0.0.1:8766/bench/cancel', headers: [['X-ROXY-Token', 't']] })
 * // → "curl -sS -X POST -H 'X-ROXY-Token: t' http://127.0.0.1:8766/bench/cancel"
 */
export function curlCommand(spec: HttpRequestSpec, options: CurlCommandOptions = {}): string {
  const args: string[] = ['curl', '-sS'];
  if (options.insecure) args.push('-k');
  if (options.caFile !== undefined) args.push('--cacert', options.caFile);
  if (options.followRedirects !== undefined && options.followRedirects !== false) {
    const max = options.followRedirects === true ? 5 : options.followRedirects;
    if (max > 0) args.push('-L', '--max-redirs', String(max));
  }
  if (/[[\]{}]/.test(spec.url)) args.push('-g');
  const method = spec.method.toUpperCase();
  const hasBody = spec.body !== undefined;
  if (method === 'HEAD') args.push('--head');
  else if (!(method === 'GET' && !hasBody) && !(method === 'POST' && hasBody)) args.push('-X', method);
  for (const [name, value] of spec.headers) {
    // curl drops a header given as `Name:`; `Name;` is its way to send an empty one.
    args.push('-H', value === '' ? `${name};` : `${name}: ${value}`);
  }
  if (hasBody) {
    if (!spec.headers.some(([name]) => name.toLowerCase() === 'content-type')) args.push('-H', 'Content-Type:');
    args.push('--data-raw', spec.body!);
  }
  args.push(spec.url);
  return args.map(shellQuote).join(' ');
}
