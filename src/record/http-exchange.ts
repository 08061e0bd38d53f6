import { z } from 'zod';

// The evidence contract of an http cell's attempt (`Attempt.http`): produced by execute/http.ts,
// validated when a record is read back, rendered by render/http-view.ts.

/**
 * Why an HTTP exchange produced no (final) response. Network failures are results, not throws:
 * `ECONNREFUSED` nothing listens on the port, `ENOTFOUND` the name does not resolve (`EAI_AGAIN`
 * a resolver failure), `ECONNRESET` the peer closed the connection mid-exchange, `TIMEOUT` no
 * complete response within the step's timeout, `TLS` the certificate or handshake was refused,
 * `ABORTED` the run was interrupted, `BAD_URL` / `BAD_REQUEST` the request could not be sent as
 * written, `REDIRECT_LOOP` / `TOO_MANY_REDIRECTS` redirects were refused, `NETWORK` anything else.
 */
export const HttpErrorCodeSchema = z.enum([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'TIMEOUT',
  'TLS',
  'ABORTED',
  'BAD_URL',
  'BAD_REQUEST',
  'REDIRECT_LOOP',
  'TOO_MANY_REDIRECTS',
  'NETWORK',
]);
export type HttpErrorCode = z.infer<typeof HttpErrorCodeSchema>;

export const HttpErrorSchema = z.object({
  code: HttpErrorCodeSchema,
  /** One line an operator understands, naming the URL. */
  message: z.string(),
  /** The underlying Node/undici/OpenSSL code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  cause: z.string().optional(),
});
export type HttpError = z.infer<typeof HttpErrorSchema>;

export const HttpSentRequestSchema = z.object({
  method: z.string(),
  url: z.string(),
  /** Headers as sent, in order, including the `User-Agent` runproof adds when none is given. */
  headers: z.array(z.tuple([z.string(), z.string()])),
  body: z.string().optional(),
});
export type HttpSentRequest = z.infer<typeof HttpSentRequestSchema>;

export const HttpResponseSchema = z.object({
  status: z.number().int(),
  statusText: z.string().optional(),
  httpVersion: z.string().optional(),
  /** Lower-cased names; repeated headers become arrays (`set-cookie`). */
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  /** The kept body as UTF-8 text (lossy, with U+FFFD, when the bytes are not UTF-8). */
  body: z.string(),
  /** The kept body's bytes in base64, only when they are not valid UTF-8. */
  bodyBase64: z.string().optional(),
  /** Bytes received, all of them, including the part dropped past `maxBodyBytes`. */
  bodySize: z.number().int().min(0),
  /** SHA-256 (hex) of all bytes received. */
  bodySha256: z.string(),
  /** True when the body was longer than `maxBodyBytes` and only its head is kept. */
  truncated: z.boolean(),
  /** The body parsed as JSON, when it is JSON (by content type or by shape) and complete. */
  json: z.unknown().optional(),
});
export type HttpResponse = z.infer<typeof HttpResponseSchema>;

/**
 * Milliseconds. `dnsMs`, `connectMs` and `tlsMs` are the durations of those phases and appear
 * only when this request opened a new connection (`dnsMs` only when a name was resolved, not for
 * an IP literal); `firstByteMs` is from the start of the request to the first response byte and
 * `totalMs` to the end of the body, redirects included, like curl's `time_starttransfer` and
 * `time_total`.
 */
export const HttpTimingsSchema = z.object({
  dnsMs: z.number().optional(),
  connectMs: z.number().optional(),
  tlsMs: z.number().optional(),
  firstByteMs: z.number().optional(),
  totalMs: z.number(),
});
export type HttpTimings = z.infer<typeof HttpTimingsSchema>;

export const HttpCertificateSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  /** SHA-256 fingerprint, `AB:CD:…`. */
  fingerprint256: z.string().optional(),
});
export type HttpCertificate = z.infer<typeof HttpCertificateSchema>;

export const HttpTlsSchema = z.object({
  /** The run allowed unverified certificates (`--insecure`). */
  insecure: z.boolean(),
  /** The certificate chain verified against the trusted CAs. */
  authorized: z.boolean(),
  /** Why it did not verify, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  authorizationError: z.string().optional(),
  protocol: z.string().optional(),
  certificate: HttpCertificateSchema.optional(),
});
export type HttpTls = z.infer<typeof HttpTlsSchema>;

/** One redirect that was followed: the response that said "go elsewhere", and where. */
export const HttpRedirectSchema = z.object({
  method: z.string(),
  url: z.string(),
  status: z.number().int(),
  location: z.string(),
});
export type HttpRedirect = z.infer<typeof HttpRedirectSchema>;

/** One HTTP cell's request and what came back, or why nothing did. Success and failure share it. */
export const HttpExchangeSchema = z.object({
  request: HttpSentRequestSchema,
  response: HttpResponseSchema.optional(),
  timings: HttpTimingsSchema,
  remoteAddress: z.string().optional(),
  remotePort: z.number().int().optional(),
  /** The request went over a kept-alive connection opened by an earlier request of the run. */
  reusedConnection: z.boolean().optional(),
  tls: HttpTlsSchema.optional(),
  /** Redirects followed, in order; the response is the last hop's. */
  redirects: z.array(HttpRedirectSchema).optional(),
  /** An equivalent curl command line, shell-quoted for bash, that reproduces the request. */
  curl: z.string(),
  error: HttpErrorSchema.optional(),
});
export type HttpExchange = z.infer<typeof HttpExchangeSchema>;
