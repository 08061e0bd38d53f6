// `runproof evidence serve`: a read-only HTTP view of an evidence folder. Only GET and HEAD;
// every path named by a request is decoded once, checked segment by segment and opened without
// following symlinks; a strict CSP on every page; a token when bound beyond loopback; the Host
// header checked on loopback (DNS rebinding).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { lstat, realpath, stat } from 'node:fs/promises';
import { isRunproofError, RunproofError } from '../core/index.js';
import { checkCheckpoint, createCheckpoint, diffBundles, listSealedBundles, loadBundleRecord, readCheckpointFile, readManifest, type Checkpoint, type SealedBundle } from '../record/index.js';
import { EvidenceStore, type RunSummary, type VerifyState, type VerifyView } from './evidence-store.js';
import { buildSample, isValidSeed, newSeed, SAMPLE_MAX, streamSampleZip, type SampleManifest } from './sample.js';
import { decodeSegments, isSafeSegment, openInside, UnsafePathError } from './safe-path.js';
import { loadServeTemplates, type ServeTemplates } from './templates.js';

/** How to start the server. */
export interface ServeOptions {
  /** The evidence folder. */
  dir: string;
  /** Address to bind (default 127.0.0.1). Anything but loopback requires the token. */
  host?: string;
  /** TCP port (0 = a free one). */
  port?: number;
  /** Ed25519 public keys whose signatures count as verified. */
  keyFiles?: string[];
  /** HMAC key (RUNPROOF_SIGNING_KEY). */
  hmacKey?: string;
  /** A checkpoint file the chains page checks each chain against. */
  checkpointFile?: string;
  /** The token (default: random when not loopback). Mainly for tests. */
  token?: string;
  /** Minimum milliseconds between two listings of the folder (default 1000). */
  refreshMs?: number;
}

/** A running server. */
export interface EvidenceServer {
  /** `http://HOST:PORT/` (with `?token=` when a token is required). */
  url: string;
  /** The base URL without the token. */
  origin: string;
  token: string | null;
  store: EvidenceStore;
  close(): Promise<void>;
}

export const PAGE_SIZE = 50;
const TOKEN_COOKIE = 'runproof_serve_token';
const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
// The bundle's own report: its inline styles only, no script, no network, an opaque origin.
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'; sandbox";
const FILE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

const STATUSES = ['passed', 'failed', 'aborted', 'blocked', 'empty', 'dry-run', 'skipped', 'missed', 'unfinished', 'unreadable'];
const VERIFY_LABEL: Record<VerifyState, string> = { verified: 'verified', unsigned: 'unsigned', unchecked: 'signature not checked', broken: 'broken', unsealed: 'unsealed' };

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function statusTone(status: string): string {
  if (status === 'passed') return 'ok';
  if (status === 'failed' || status === 'aborted' || status === 'unreadable') return 'bad';
  if (status === 'blocked' || status === 'empty' || status === 'unfinished' || status === 'missed') return 'warn';
  return 'muted';
}

const dateOk = (v: string | null): string | null => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null);
const started = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
const runHref = (name: string, step?: string): string => `/run/${encodeURIComponent(name)}${step ? `?step=${encodeURIComponent(step)}` : ''}`;
const query = (params: Record<string, string | number | null | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
};

function sameToken(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return rest.join('=');
  }
  return null;
}

/**
 * Starts the read-only evidence server and resolves once it listens.
 * @example const server = await startEvidenceServer({ dir: 'evidence' }); console.log(server.url)
 */
export async function startEvidenceServer(options: ServeOptions): Promise<EvidenceServer> {
  const host = options.host ?? '127.0.0.1';
  let root: string;
  try {
    root = await realpath(options.dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a folder');
  } catch (cause) {
    throw new RunproofError('RP_BAD_BUNDLE', `cannot serve ${options.dir}: not a readable folder`, { hint: 'pass the evidence folder (default: evidence)', cause });
  }
  const loopback = isLoopbackHost(host);
  const token = options.token ?? (loopback ? null : randomBytes(24).toString('base64url'));
  const checkpoint = options.checkpointFile ? await readCheckpointFile(options.checkpointFile) : null;
  const verifyOptions = { ...(options.keyFiles?.length ? { keyFiles: options.keyFiles } : {}), ...(options.hmacKey ? { hmacKey: options.hmacKey } : {}) };
  const store = new EvidenceStore(root, { verify: verifyOptions, ...(options.refreshMs !== undefined ? { refreshMs: options.refreshMs } : {}) });
  const templates = await loadServeTemplates();
  await store.refresh(true);
  const context: Context = { root, store, templates, checkpoint, checkpointFile: options.checkpointFile ?? null, verifyOptions };

  let port = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res, { ...context, token, loopback, port: () => port }).catch((error: unknown) => {
      if (!res.headersSent) sendPage(res, context.templates, 500, 'Server error', 'The server could not build this page.', req.method === 'HEAD');
      else res.destroy(error as Error);
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(new RunproofError('RP_BAD_FLAG', `cannot listen on ${host}:${options.port ?? 0}: ${cause.code ?? cause.message}`, { hint: 'choose another --port, or a --host address of this machine', cause })),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${shownHost}:${port}/`;
  return {
    url: token ? `${origin}?token=${token}` : origin,
    origin,
    token,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Context {
  root: string;
  store: EvidenceStore;
  templates: ServeTemplates;
  checkpoint: Awaited<ReturnType<typeof readCheckpointFile>> | null;
  checkpointFile: string | null;
  verifyOptions: { keyFiles?: string[]; hmacKey?: string };
}

interface RequestContext extends Context {
  token: string | null;
  loopback: boolean;
  port(): number;
}

function securityHeaders(res: ServerResponse, csp: string, frame: 'DENY' | 'SAMEORIGIN' = 'DENY'): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', frame);
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

function sendHtml(res: ServerResponse, status: number, html: string, head: boolean): void {
  securityHeaders(res, PAGE_CSP);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(head ? undefined : html);
}

function sendPage(res: ServerResponse, templates: ServeTemplates, status: number, heading: string, message: string, head: boolean, folder = ''): void {
  sendHtml(res, status, templates.render('message', { title: heading, heading, message, folder, nav: '' }), head);
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
  const head = req.method === 'HEAD';
  const fail = (status: number, heading: string, message: string): void => sendPage(res, ctx.templates, status, heading, message, head, ctx.root);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return fail(405, 'Method not allowed', 'This server is read-only: only GET and HEAD.');
  }
  const rawUrl = req.url ?? '/';
  if (!rawUrl.startsWith('/')) return fail(400, 'Bad request', 'The request target must be a path.');
  // DNS rebinding: on loopback only the names of this socket are accepted as Host.
  if (ctx.loopback) {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const port = ctx.port();
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    const local = req.socket.localAddress ?? '';
    if (local) allowed.push(`${local.includes(':') ? `[${local}]` : local}:${port}`);
    if (!allowed.includes(hostHeader)) return fail(421, 'Wrong host', 'This server answers only to its loopback address.');
  }
  const qIndex = rawUrl.indexOf('?');
  const rawPath = qIndex === -1 ? rawUrl : rawUrl.slice(0, qIndex);
  const params = new URLSearchParams(qIndex === -1 ? '' : rawUrl.slice(qIndex + 1));
  if (ctx.token) {
    const given = params.get('token');
    if (given !== null) {
      if (!sameToken(given, ctx.token)) return fail(401, 'Token required', 'Open the URL printed when the server started.');
      params.delete('token');
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${ctx.token}; HttpOnly; SameSite=Strict; Path=/`);
      // Back to the same page, never to another host (`//host` or `/\host` would be one).
      const back = decodeSegments(rawPath.slice(1)) !== null && !rawPath.includes('\\') ? rawPath : '/';
      res.setHeader('Location', `${back}${params.size > 0 ? `?${params.toString()}` : ''}`);
      securityHeaders(res, PAGE_CSP);
      res.statusCode = 303;
      res.end();
      return;
    }
    const cookie = cookieValue(req.headers.cookie, TOKEN_COOKIE);
    if (cookie === null || !sameToken(cookie, ctx.token)) return fail(401, 'Token required', 'Open the URL printed when the server started (it carries ?token=).');
  }
  const segments = rawPath === '/' ? [] : decodeSegments(rawPath.slice(1));
  if (segments === null) return fail(400, 'Bad path', 'The path is not allowed.');
  try {
    await route(segments, params, res, ctx, head);
  } catch (error) {
    if (error instanceof HttpError) return fail(error.status, error.status === 404 ? 'Not found' : 'Bad request', error.message);
    if (error instanceof UnsafePathError) return fail(404, 'Not found', 'No such file in this bundle.');
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ELOOP' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return fail(404, 'Not found', 'No such file in this bundle.');
    }
    if (isRunproofError(error)) return fail(400, 'Cannot show this', `${error.code} ${error.message}`);
    throw error;
  }
}

async function route(segments: string[], params: URLSearchParams, res: ServerResponse, ctx: RequestContext, head: boolean): Promise<void> {
  const [first, ...rest] = segments;
  if (first === undefined) return void sendHtml(res, 200, await runsPage(ctx, params), head);
  if (first === 'static' && rest.length === 1 && rest[0] === 'serve.css') {
    securityHeaders(res, PAGE_CSP);
    res.setHeader('Content-Type', 'text/css; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(ctx.templates.css));
    res.end(head ? undefined : ctx.templates.css);
    return;
  }
  if (first === 'run' && rest.length === 1) return void sendHtml(res, 200, await runPage(ctx, rest[0]!, params), head);
  if (first === 'report' && rest.length === 1) return sendBundleFile(res, ctx, rest[0]!, [`${rest[0]!}.html`], 'report', head);
  if (first === 'file' && rest.length >= 2) return sendBundleFile(res, ctx, rest[0]!, rest.slice(1), 'file', head);
  if (first === 'chains' && rest.length === 0) return void sendHtml(res, 200, await chainsPage(ctx), head);
  if (first === 'steps' && rest.length === 0) return void sendHtml(res, 200, await stepsPage(ctx, params), head);
  if (first === 'diff' && rest.length === 0) return void sendHtml(res, 200, await diffPage(ctx, params), head);
  if (first === 'sample' && rest.length === 0) return void sendHtml(res, 200, await samplePage(ctx, params), head);
  if (first === 'sample.zip' && rest.length === 0) return sendSampleZip(res, ctx, params, head);
  throw new HttpError(404, 'No such page.');
}

// A bundle must be one the index knows (a real folder directly inside the evidence folder).
async function knownRun(ctx: Context, name: string | null): Promise<RunSummary> {
  await ctx.store.refresh();
  const run = name !== null && isSafeSegment(name) ? ctx.store.get(name) : undefined;
  if (!run) throw new HttpError(404, 'No such bundle in this evidence folder.');
  return run;
}

async function sendBundleFile(res: ServerResponse, ctx: Context, bundle: string, rel: string[], kind: 'report' | 'file', head: boolean): Promise<void> {
  await knownRun(ctx, bundle);
  const { handle, size } = await openInside(ctx.root, [bundle, ...rel]);
  try {
    if (kind === 'report') {
      securityHeaders(res, REPORT_CSP, 'SAMEORIGIN');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
    } else {
      securityHeaders(res, FILE_CSP);
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    }
    res.setHeader('Content-Length', size);
    if (head) {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = handle.createReadStream({ start: 0, end: Math.max(0, size - 1), autoClose: false });
      if (size === 0) {
        stream.destroy();
        res.end();
        resolve();
        return;
      }
      stream.on('error', reject);
      res.on('close', resolve);
      stream.pipe(res);
    });
  } finally {
    await handle.close();
  }
}

function verifyCell(v: VerifyView): { state: VerifyState; label: string; detail: string } {
  return { state: v.state, label: VERIFY_LABEL[v.state], detail: v.detail };
}

function runbookChoices(ctx: Context, selected: string | null): Array<{ value: string; label: string; selected: boolean }> {
  const seen = new Map<string, string>();
  for (const r of ctx.store.all()) if (!seen.has(r.chainKey)) seen.set(r.chainKey, r.title ? `${r.title} (${r.runbookPath})` : r.runbookPath);
  return [...seen.entries()].sort(([, a], [, b]) => (a < b ? -1 : 1)).map(([value, label]) => ({ value, label, selected: value === selected }));
}

/** The filters of the Runs page, from the query string. */
export interface RunFilters {
  runbook: string;
  section: string;
  status: string;
  operator: string;
  host: string;
  from: string;
  to: string;
  q: string;
}

/** Applies the Runs page filters (each a case-insensitive substring, status exact, dates inclusive). */
export function filterRuns(runs: readonly RunSummary[], f: RunFilters): RunSummary[] {
  const section = f.section.toLowerCase();
  const operator = f.operator.toLowerCase();
  const host = f.host.toLowerCase();
  const q = f.q.toLowerCase();
  return runs.filter(
    (r) =>
      (!f.runbook || r.chainKey === f.runbook || r.runbookPath === f.runbook) &&
      (!section || r.sections.some((s) => s.toLowerCase().includes(section))) &&
      (!f.status || r.status === f.status) &&
      (!operator || r.user.toLowerCase().includes(operator)) &&
      (!host || r.host.toLowerCase().includes(host)) &&
      (!f.from || r.startedAt.slice(0, 10) >= f.from) &&
      (!f.to || r.startedAt.slice(0, 10) <= f.to) &&
      (!q || r.text.includes(q)),
  );
}

async function runsPage(ctx: Context, params: URLSearchParams): Promise<string> {
  await ctx.store.refresh();
  const get = (k: string): string => (params.get(k) ?? '').slice(0, 200).trim();
  const filters: RunFilters = {
    runbook: get('runbook'),
    section: get('section'),
    status: get('status'),
    operator: get('operator'),
    host: get('host'),
    from: dateOk(get('from')) ?? '',
    to: dateOk(get('to')) ?? '',
    q: get('q'),
  };
  const all = ctx.store.all();
  const matched = filterRuns(all, filters);
  const pages = Math.max(1, Math.ceil(matched.length / PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, Number.parseInt(get('page'), 10) || 1));
  const slice = matched.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const verify = await ctx.store.verifyMany(slice.map((r) => r.name));
  const base = { ...filters };
  return ctx.templates.render('runs', {
    title: 'Runs',
    nav: 'runs',
    folder: ctx.root,
    total: matched.length,
    population: all.length,
    filters,
    runbooks: runbookChoices(ctx, filters.runbook),
    statuses: STATUSES.map((s) => ({ value: s, selected: s === filters.status })),
    rows: slice.map((r, i) => ({
      name: r.name,
      href: runHref(r.name),
      started: started(r.startedAt),
      title: r.title || r.runbookPath,
      sections: r.sections.join(', ') || '(all)',
      status: r.status,
      statusTone: statusTone(r.status),
      counts: r.counts,
      operator: `${r.user}@${r.host}`,
      seq: r.seq,
      verify: verifyCell(verify[i]!),
    })),
    page,
    pages,
    prevHref: page > 1 ? `/${query({ ...base, page: page - 1 })}` : null,
    nextHref: page < pages ? `/${query({ ...base, page: page + 1 })}` : null,
  });
}

async function runPage(ctx: Context, name: string, params: URLSearchParams): Promise<string> {
  const run = await knownRun(ctx, name);
  const verify = await ctx.store.verify(run.name);
  const chain = run.sealed ? ctx.store.chainOf(run.chainKey).filter((r) => r.sealed) : [];
  const prev = run.previous ? ctx.store.get(run.previous.bundle) ?? null : null;
  const next = run.sealed ? chain.find((r) => r.previous?.bundle === run.name) ?? null : null;
  let steps: Array<{ name: string; href: string }> = [];
  try {
    const loaded = await loadBundleRecord(join(ctx.root, run.name));
    steps = loaded.record.steps.map((s) => ({ name: s.name || s.id, href: `/steps${query({ runbook: run.chainKey, step: s.name || s.id })}` }));
  } catch {
    steps = [];
  }
  const hasReport = (await lstat(join(ctx.root, run.name, `${run.name}.html`)).catch(() => null))?.isFile() === true;
  const stepId = params.get('step');
  const reportHref = hasReport ? `/report/${encodeURIComponent(run.name)}${stepId && /^[A-Za-z0-9_.-]{1,200}$/.test(stepId) ? `#step-${stepId}` : ''}` : null;
  return ctx.templates.render('run', {
    title: run.title || run.name,
    nav: 'runs',
    folder: ctx.root,
    run,
    started: started(run.startedAt),
    verify: verifyCell(verify),
    problems: verify.result?.problems ?? [],
    notes: verify.result?.notes ?? [],
    prevHref: prev ? runHref(prev.name) : null,
    prevName: prev?.name ?? run.previous?.bundle ?? null,
    nextHref: next ? runHref(next.name) : null,
    nextName: next?.name ?? null,
    chainLength: chain.reduce((m, r) => Math.max(m, r.seq ?? 0), 0),
    chainHref: `/chains#${encodeURIComponent(run.chainKey)}`,
    diffHref: prev ? `/diff${query({ runbook: run.chainKey, a: prev.name, b: run.name })}` : null,
    steps,
    reportHref,
  });
}

interface ChainLinkView {
  seq: number;
  bundle: string | null;
  href: string | null;
  started: string;
  kind: 'origin' | 'ok' | 'gap' | 'pruned' | 'missing' | 'rewritten' | 'fork' | 'broken';
  label: string;
  tone: string;
  detail: string;
}

/** Each chain's links by seq: gaps, broken and rewritten links, forks (two bundles, one seq). */
export function analyzeChain(runs: readonly RunSummary[]): { links: ChainLinkView[]; verdict: string; tone: string; headSeq: number } {
  const sealed = runs.filter((r) => r.sealed && r.seq !== null).sort((a, b) => a.seq! - b.seq! || (a.name < b.name ? -1 : 1));
  const bySeq = new Map<number, RunSummary[]>();
  for (const r of sealed) bySeq.set(r.seq!, [...(bySeq.get(r.seq!) ?? []), r]);
  const byName = new Map(sealed.map((r) => [r.name, r] as const));
  const headSeq = sealed.reduce((m, r) => Math.max(m, r.seq!), 0);
  const links: ChainLinkView[] = [];
  let gaps = 0;
  let bad = 0;
  for (let seq = 1; seq <= headSeq; seq++) {
    const here = bySeq.get(seq);
    if (!here) {
      gaps++;
      links.push({ seq, bundle: null, href: null, started: '', kind: 'gap', label: 'gap: no bundle with this number', tone: 'warn', detail: '' });
      continue;
    }
    for (const r of here) {
      let kind: ChainLinkView['kind'] = 'ok';
      let detail = '';
      if (here.length > 1) {
        kind = 'fork';
        detail = `${here.length} bundles claim seq ${seq}: history was rewritten`;
      } else if (r.origin || r.previous === null) {
        kind = r.origin && seq === 1 ? 'origin' : 'broken';
        if (kind === 'broken') detail = 'claims to start a chain but is not seq 1';
      } else {
        const prev = byName.get(r.previous.bundle);
        if (!prev) {
          // As verify judges it: a hole with older bundles still present is a break; a missing
          // start of the chain (older history moved away) only leaves the link unchecked.
          const older = sealed.some((o) => o.seq! < r.previous!.seq);
          kind = older ? 'missing' : 'pruned';
          detail = `previous ${r.previous.bundle} (seq ${r.previous.seq}) is not in this folder${older ? ': chain broken' : ': link not checked'}`;
        } else if (prev.manifestSha256 !== r.previous.manifestSha256) {
          kind = 'rewritten';
          detail = `previous ${prev.name} has manifest sha256 ${prev.manifestSha256?.slice(0, 12)}…, this bundle names ${r.previous.manifestSha256.slice(0, 12)}…: history was rewritten`;
        } else if (prev.seq !== r.previous.seq || r.previous.seq !== seq - 1) {
          kind = 'broken';
          detail = `previous link names seq ${r.previous.seq}; ${prev.name} has seq ${prev.seq}`;
        }
      }
      if (kind === 'pruned') gaps++;
      else if (kind !== 'ok' && kind !== 'origin') bad++;
      const tone = kind === 'ok' || kind === 'origin' ? 'ok' : kind === 'pruned' ? 'warn' : 'bad';
      links.push({ seq, bundle: r.name, href: runHref(r.name), started: started(r.startedAt), kind, label: kind === 'ok' ? 'linked' : kind, tone, detail });
    }
  }
  const verdict = bad > 0 ? 'broken' : gaps > 0 ? 'gaps' : 'intact';
  return { links, verdict, tone: bad > 0 ? 'bad' : gaps > 0 ? 'warn' : 'ok', headSeq };
}

// A summary with its chain fields taken from a manifest read now (or unsealed when none is valid).
function withManifest(run: RunSummary, sealed: SealedBundle | undefined): RunSummary {
  if (!sealed) return { ...run, sealed: false, seq: null, origin: false, previous: null, manifestSha256: null };
  const { chain } = sealed.manifest;
  return { ...run, sealed: true, seq: chain.seq, origin: chain.origin, previous: chain.previous, manifestSha256: sealed.manifestSha256 };
}

async function chainsPage(ctx: Context): Promise<string> {
  await ctx.store.refresh();
  const keys = [...new Set(ctx.store.all().map((r) => r.chainKey))].sort();
  let current: Checkpoint | null = null;
  try {
    current = (await createCheckpoint(ctx.root)).checkpoint;
  } catch {
    current = null; // no sealed bundle
  }
  // Chains are judged on the manifests as they are now, not on the index's copy.
  const fresh = new Map((await listSealedBundles(ctx.root)).map((b) => [b.name, b] as const));
  const chains = [];
  for (const key of keys) {
    const runs = ctx.store.chainOf(key).map((r) => withManifest(r, fresh.get(r.name)));
    const analysis = analyzeChain(runs);
    const head = runs.filter((r) => r.sealed && r.seq === analysis.headSeq)[0];
    let checked: { ok: boolean; problems: Array<{ expected: string; actual: string }>; notes: string[] } | null = null;
    if (ctx.checkpoint && head) {
      const manifest = await readManifest(join(ctx.root, head.name));
      if (manifest) {
        const found = await checkCheckpoint(ctx.checkpoint, {
          evidenceDir: ctx.root,
          keys: {},
          requireSignature: false,
          start: { name: head.name, manifest: manifest.manifest, manifestSha256: manifest.sha256 },
        });
        checked = { ok: found.problems.length === 0, ...found };
      }
    }
    chains.push({
      key,
      runbook: runs[0]?.title ? `${runs[0].title} (${runs[0].runbookPath})` : runs[0]?.runbookPath ?? key,
      length: runs.filter((r) => r.sealed).length,
      ...analysis,
      checkpoint: current?.chains.find((c) => c.key === key) ?? null,
      checked,
      unsealed: runs.filter((r) => !r.sealed).map((r) => ({ name: r.name, href: runHref(r.name) })),
    });
  }
  return ctx.templates.render('chains', { title: 'Chains', nav: 'chains', folder: ctx.root, chains, checkpointFile: ctx.checkpointFile });
}

const STATUS_LETTER: Record<string, string> = { passed: 'P', failed: 'F', blocked: 'B', skipped: 'S', 'not-run': 'N', 'timed-out': 'T', interrupted: 'I', planned: '·', absent: '·' };

async function stepsPage(ctx: Context, params: URLSearchParams): Promise<string> {
  await ctx.store.refresh();
  const newest = ctx.store.all()[0];
  const runbook = params.get('runbook') || newest?.chainKey || '';
  const n = Math.min(200, Math.max(1, Number.parseInt(params.get('n') ?? '', 10) || 20));
  const focus = params.get('step');
  const runs = ctx.store.chainOf(runbook).slice().reverse().slice(0, n);
  runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.name < b.name ? 1 : -1));
  const records = await Promise.all(
    runs.map((r) =>
      loadBundleRecord(join(ctx.root, r.name))
        .then((l) => l.record)
        .catch(() => null),
    ),
  );
  const order: string[] = [];
  const byRun = records.map((record) => {
    const map = new Map<string, { id: string; status: string }>();
    for (const s of record?.steps ?? []) {
      const name = s.name || s.id;
      if (!order.includes(name)) order.push(name);
      map.set(name, { id: s.id, status: s.status });
    }
    return map;
  });
  const grid = order.map((name) => ({
    name,
    focused: name === focus,
    href: `/steps${query({ runbook, step: name, n })}`,
    cells: runs.map((r, i) => {
      const s = byRun[i]!.get(name);
      const status = s?.status ?? 'absent';
      return { bundle: r.name, status, letter: STATUS_LETTER[status] ?? '?', href: runHref(r.name, s?.id) };
    }),
  }));
  return ctx.templates.render('steps', { title: 'Step history', nav: 'steps', folder: ctx.root, runbooks: runbookChoices(ctx, runbook), n, grid, runCount: runs.length });
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'null');

async function diffPage(ctx: Context, params: URLSearchParams): Promise<string> {
  await ctx.store.refresh();
  const aName = params.get('a');
  const bName = params.get('b');
  const fromA = aName ? ctx.store.get(aName) : undefined;
  const runbook = params.get('runbook') || fromA?.chainKey || ctx.store.all()[0]?.chainKey || '';
  const chain = ctx.store.chainOf(runbook).slice().reverse();
  const a = aName ? await knownRun(ctx, aName) : chain[1] ?? chain[0];
  const b = bName ? await knownRun(ctx, bName) : chain[0];
  let diff = null;
  let changes: Array<{ step: string; field: string; detail: string; a: string; b: string }> = [];
  if (a && b) {
    diff = await diffBundles(join(ctx.root, a.name), join(ctx.root, b.name));
    changes = diff.steps.flatMap((s) => s.changes.map((c) => ({ step: s.name, field: c.field, detail: c.detail ?? '', a: show(c.a), b: show(c.b) })));
  }
  return ctx.templates.render('diff', {
    title: 'Diff',
    nav: 'diff',
    folder: ctx.root,
    runbooks: runbookChoices(ctx, runbook),
    choices: chain.map((r) => ({ name: r.name, label: `${started(r.startedAt)} ${r.name} (${r.status})`, selectedA: r.name === a?.name, selectedB: r.name === b?.name })),
    diff,
    changes,
    aHref: a ? runHref(a.name) : null,
    bHref: b ? runHref(b.name) : null,
  });
}

function sampleRequest(params: URLSearchParams): { from: string | null; to: string | null; n: number; seed: string; given: boolean } {
  const seed = params.get('seed') ?? '';
  if (seed && !isValidSeed(seed)) throw new HttpError(400, 'A seed is 1 to 64 letters, digits, - or _.');
  const nText = params.get('n') ?? '';
  const n = nText ? Number.parseInt(nText, 10) : 10;
  if (!Number.isInteger(n) || n < 1 || n > SAMPLE_MAX) throw new HttpError(400, `N is a whole number from 1 to ${SAMPLE_MAX}.`);
  return { from: dateOk(params.get('from')), to: dateOk(params.get('to')), n, seed: seed || newSeed(), given: seed !== '' };
}

// The index's runs with chain fields from the manifests as they are now (chain heads of a sample).
async function freshRuns(ctx: Context): Promise<RunSummary[]> {
  const fresh = new Map((await listSealedBundles(ctx.root)).map((b) => [b.name, b] as const));
  return ctx.store.all().map((r) => withManifest(r, fresh.get(r.name)));
}

async function samplePage(ctx: Context, params: URLSearchParams): Promise<string> {
  await ctx.store.refresh();
  const drawn = params.has('n') || params.has('seed') || params.has('from') || params.has('to');
  const request = sampleRequest(params);
  let sample: SampleManifest | null = null;
  let rows: unknown[] = [];
  if (drawn) {
    sample = buildSample(await freshRuns(ctx), request);
    const verify = await ctx.store.verifyMany(sample.chosen);
    rows = sample.chosen.map((name, i) => {
      const r = ctx.store.get(name)!;
      return { index: i + 1, name, href: runHref(name), title: r.title || r.runbookPath, status: r.status, statusTone: statusTone(r.status), verify: verifyCell(verify[i]!) };
    });
  }
  const form = { from: request.from ?? '', to: request.to ?? '', n: request.n, seed: drawn ? request.seed : '' };
  const fixed = query({ from: request.from, to: request.to, n: request.n, seed: request.seed });
  return ctx.templates.render('sample', {
    title: 'Audit sample',
    nav: 'sample',
    folder: ctx.root,
    max: SAMPLE_MAX,
    form,
    sample,
    rows,
    periodText: `${request.from ?? 'the beginning'} to ${request.to ?? 'now'}`,
    redrawHref: `/sample${fixed}`,
    zipHref: `/sample.zip${fixed}`,
  });
}

async function sendSampleZip(res: ServerResponse, ctx: Context, params: URLSearchParams, head: boolean): Promise<void> {
  await ctx.store.refresh();
  const request = sampleRequest(params);
  if (!request.given) throw new HttpError(400, 'The zip needs the seed of the drawn sample (?seed=).');
  const sample = buildSample(await freshRuns(ctx), request);
  const views = await ctx.store.verifyMany(sample.chosen);
  const verify = new Map(sample.chosen.map((name, i) => [name, views[i]!] as const));
  securityHeaders(res, FILE_CSP);
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', `attachment; filename="runproof-sample-${request.seed}.zip"`);
  if (head) {
    res.end();
    return;
  }
  await streamSampleZip(res, ctx.root, sample, verify);
}
