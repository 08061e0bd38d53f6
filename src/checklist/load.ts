// Reads a checklist file: YAML (the `yaml` package keeps every node's offset) → zod → the checks
// zod cannot express → resolved checklists. Every problem is reported, each with its YAML path
// and line, so that one edit-run cycle fixes them all.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { didYouMean, isRunproofError, parseDuration, RunproofError, spanAt } from '../core/index.js';
import { resolveTargets } from '../fleet/index.js';
import type { RiskLevel } from '../parse/index.js';
import { validateEvidenceName } from '../record/index.js';
import { parseWebhookUrl } from '../report/index.js';
import { cronProblem, isTimeZone, type CronSchedule } from './cron.js';
import { ChecklistFileSchema, type ChecklistFileInput, type ChecklistInput, type ParamValue } from './schema.js';

/** One thing wrong in a checklist file. */
export interface ChecklistProblem {
  /** YAML path, e.g. `checklists[0].schedule`. */
  path: string;
  message: string;
  line: number;
  col: number;
  /** What to do about it (did you mean ...). */
  hint?: string;
}

/** A checklist file that could not be read: every problem, each with its line. */
export class ChecklistFileError extends RunproofError {
  readonly problems: ChecklistProblem[];
  constructor(file: string, problems: ChecklistProblem[]) {
    const first = problems[0]!;
    super('RP_BAD_CHECKLIST', `${first.path ? `${first.path}: ` : ''}${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`, {
      file,
      span: spanAt(first.line, first.col),
      hint: 'see the JSON Schema in schema/checklist.schema.json',
    });
    this.problems = problems;
  }

  /** One `file:line:col RP_BAD_CHECKLIST path: message` line per problem. */
  formatProblems(): string[] {
    return this.problems.map((p) => `${this.file}:${p.line}:${p.col} RP_BAD_CHECKLIST ${p.path ? `${p.path}: ` : ''}${p.message}${p.hint ? ` (hint: ${p.hint})` : ''}`);
  }
}

/** A parameter of a checklist: literal or read from the environment when it runs. */
export interface ChecklistParam {
  name: string;
  value?: string;
  env?: string;
  secret: boolean;
}

/** Webhook settings, defaults applied. */
export interface WebhookConfig {
  url: string;
  on: 'failure' | 'always';
  /** `{ env }` reads the key when the webhook is sent. */
  secret?: { value?: string; env?: string };
  timeoutMs: number;
  retries: number;
}

/** Where a checklist runs when it names hosts: what `runproof run --host/--hosts ...` takes. */
export interface ChecklistFleet {
  hosts: string[];
  /** Absolute path of the hosts file or inventory. */
  inventory?: string;
  group?: string;
  /** Absolute path of the ssh_config. */
  sshConfig?: string;
  parallel?: number;
  maxFail?: string;
  canary?: number;
}

/** A checklist with defaults applied and every path absolute. */
export interface Checklist {
  name: string;
  description?: string;
  /** The runbook as written in the file. */
  runbook: string;
  runbookPath: string;
  sections: string[];
  cells: string[];
  tags: string[];
  schedule?: CronSchedule;
  params: ChecklistParam[];
  allow: RiskLevel[];
  timeoutMs?: number;
  maxDurationMs?: number;
  evidenceDir: string;
  evidenceName: string;
  archive?: 'tgz' | 'zip';
  junit?: string;
  textfile?: string;
  webhook?: WebhookConfig;
  retries: number;
  retryDelayMs: number;
  cwd: string;
  /** Set when the checklist runs on hosts over OpenSSH. */
  fleet?: ChecklistFleet;
  /** The folder of the checklist file (relative paths in it are read from here). */
  fileDir: string;
  /** The line of the checklist in its file. */
  line: number;
}

/** A loaded checklist file. */
export interface ChecklistFile {
  /** Absolute path of the file. */
  path: string;
  checklists: Checklist[];
}

const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_DELAY_MS = 30_000;

function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out;
}

// The line of the deepest node that exists along `path` (a missing key points at its parent).
export function locate(doc: Document, lines: LineCounter, path: ReadonlyArray<PropertyKey>, key?: string): { line: number; col: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    if (!isNode(node) || !node.range) continue;
    let offset = node.range[0];
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((item) => isNode(item.key) && (item.key as { value?: unknown }).value === key);
      if (pair && isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
    }
    const pos = lines.linePos(offset);
    return { line: pos.line, col: pos.col };
  }
  return { line: 1, col: 1 };
}

function durationProblem(value: string | number | undefined, what: string): string | null {
  if (value === undefined || typeof value === 'number') return null;
  try {
    parseDuration(value, what);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function toMs(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? Math.round(value * 1000) : parseDuration(value);
}

function scheduleOf(input: Pick<ChecklistInput, 'schedule' | 'timezone'>): CronSchedule | undefined {
  if (input.schedule === undefined) return undefined;
  if (typeof input.schedule === 'string') return { cron: input.schedule, ...(input.timezone ? { timezone: input.timezone } : {}) };
  const timezone = input.schedule.timezone ?? input.timezone;
  return { cron: input.schedule.cron, ...(timezone ? { timezone } : {}) };
}

function paramOf(name: string, value: ParamValue): ChecklistParam {
  if (typeof value === 'object') {
    const out: ChecklistParam = { name, secret: value.secret === true };
    if (value.value !== undefined) out.value = String(value.value);
    if (value.env !== undefined) out.env = value.env;
    return out;
  }
  const text = String(value);
  const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  return env ? { name, env: env[1]!, secret: false } : { name, value: text, secret: false };
}

function secretRef(text: string): { value?: string; env?: string } {
  const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  return env ? { env: env[1]! } : { value: text };
}

// The checks after zod: each returns problems at a path inside the file.
function semanticProblems(input: ChecklistFileInput): Array<{ path: PropertyKey[]; message: string; key?: string }> {
  const problems: Array<{ path: PropertyKey[]; message: string; key?: string }> = [];
  const checkShared = (base: PropertyKey[], c: Partial<ChecklistInput>): void => {
    const schedule = scheduleOf(c);
    const zone = typeof c.schedule === 'object' ? c.schedule.timezone : undefined;
    if (zone !== undefined && !isTimeZone(zone)) problems.push({ path: [...base, 'schedule', 'timezone'], message: `unknown time zone "${zone}"` });
    if (c.timezone !== undefined && !isTimeZone(c.timezone)) problems.push({ path: [...base, 'timezone'], message: `unknown time zone "${c.timezone}"` });
    if (schedule && (schedule.timezone === undefined || isTimeZone(schedule.timezone))) {
      const problem = cronProblem(schedule.cron, schedule.timezone);
      if (problem) problems.push({ path: typeof c.schedule === 'object' ? [...base, 'schedule', 'cron'] : [...base, 'schedule'], message: problem });
    }
    for (const key of ['timeout', 'maxDuration', 'retryDelay'] as const) {
      const problem = durationProblem(c[key], key);
      if (problem) problems.push({ path: [...base, key], message: problem });
    }
    if (c.webhook !== undefined) {
      const url = typeof c.webhook === 'string' ? c.webhook : c.webhook.url;
      const urlPath = typeof c.webhook === 'string' ? [...base, 'webhook'] : [...base, 'webhook', 'url'];
      try {
        parseWebhookUrl(url);
      } catch (error) {
        problems.push({ path: urlPath, message: (error as Error).message });
      }
      if (typeof c.webhook === 'object') {
        const problem = durationProblem(c.webhook.timeout, 'webhook timeout');
        if (problem) problems.push({ path: [...base, 'webhook', 'timeout'], message: problem });
      }
    }
    for (const [name, value] of Object.entries(c.params ?? {})) {
      if (typeof value === 'object' && (value.value === undefined) === (value.env === undefined)) {
        problems.push({ path: [...base, 'params', name], message: 'give exactly one of value and env' });
      }
    }
  };
  if (input.defaults) checkShared(['defaults'], input.defaults);
  const seen = new Map<string, number>();
  input.checklists.forEach((c, index) => {
    checkShared(['checklists', index], c);
    const hosted = (c.hosts ?? input.defaults?.hosts) !== undefined || (c.inventory ?? input.defaults?.inventory) !== undefined;
    if ((c.group ?? input.defaults?.group) !== undefined && (c.inventory ?? input.defaults?.inventory) === undefined) {
      problems.push({ path: c.group !== undefined ? ['checklists', index, 'group'] : ['defaults', 'group'], message: 'group needs an inventory (the file that defines the group)' });
    }
    for (const key of ['sshConfig', 'parallel', 'maxFail', 'canary'] as const) {
      if (c[key] !== undefined && !hosted) problems.push({ path: ['checklists', index, key], message: `${key} applies to checklists that run on hosts: add hosts or inventory` });
    }
    const earlier = seen.get(c.name.toLowerCase());
    if (earlier !== undefined) problems.push({ path: ['checklists', index, 'name'], message: `duplicate checklist name "${c.name}" (also checklists[${earlier}])` });
    else seen.set(c.name.toLowerCase(), index);
    try {
      validateEvidenceName(c.evidenceName ?? c.name);
    } catch (error) {
      problems.push({ path: ['checklists', index, c.evidenceName ? 'evidenceName' : 'name'], message: (error as Error).message });
    }
  });
  return problems;
}

function resolveChecklist(file: string, input: ChecklistInput, defaults: ChecklistFileInput['defaults'], line: number): Checklist {
  const dir = dirname(file);
  const merged: ChecklistInput = { ...(defaults ?? {}), ...input };
  // A checklist's own `schedule` string keeps the defaults' time zone unless it gives one.
  const schedule = scheduleOf(merged);
  const allow = merged.allow === undefined ? ['read' as const] : Array.isArray(merged.allow) ? merged.allow : [merged.allow];
  const params = new Map<string, ChecklistParam>();
  for (const [name, value] of Object.entries({ ...(defaults?.params ?? {}), ...(input.params ?? {}) })) params.set(name, paramOf(name, value));
  const webhook = merged.webhook === undefined ? undefined : typeof merged.webhook === 'string' ? { url: merged.webhook } : merged.webhook;
  const out: Checklist = {
    name: input.name,
    runbook: input.runbook,
    runbookPath: resolve(dir, input.runbook),
    sections: input.sections ?? [],
    cells: input.cells ?? [],
    tags: input.tags ?? [],
    params: [...params.values()],
    allow: [...new Set(allow)],
    evidenceDir: resolve(dir, merged.evidenceDir ?? 'evidence'),
    evidenceName: input.evidenceName ?? input.name,
    retries: merged.retries ?? 0,
    retryDelayMs: toMs(merged.retryDelay) ?? DEFAULT_RETRY_DELAY_MS,
    cwd: resolve(dir, merged.cwd ?? '.'),
    fileDir: dir,
    line,
  };
  if (input.description !== undefined) out.description = input.description;
  if (schedule) out.schedule = schedule;
  const timeoutMs = toMs(merged.timeout);
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  const maxDurationMs = toMs(merged.maxDuration);
  if (maxDurationMs !== undefined) out.maxDurationMs = maxDurationMs;
  if (merged.archive) out.archive = merged.archive;
  if (merged.junit) out.junit = resolve(dir, merged.junit);
  if (merged.hosts !== undefined || merged.inventory !== undefined) {
    out.fleet = {
      hosts: merged.hosts ?? [],
      ...(merged.inventory !== undefined ? { inventory: resolve(dir, merged.inventory) } : {}),
      ...(merged.group !== undefined ? { group: merged.group } : {}),
      ...(merged.sshConfig !== undefined ? { sshConfig: resolve(dir, merged.sshConfig) } : {}),
      ...(merged.parallel !== undefined ? { parallel: merged.parallel } : {}),
      ...(merged.maxFail !== undefined ? { maxFail: String(merged.maxFail) } : {}),
      ...(merged.canary !== undefined ? { canary: merged.canary } : {}),
    };
  }
  if (merged.textfile) out.textfile = resolve(dir, merged.textfile);
  if (webhook) {
    out.webhook = {
      url: webhook.url,
      on: 'on' in webhook && webhook.on ? webhook.on : 'failure',
      timeoutMs: ('timeout' in webhook ? toMs(webhook.timeout) : undefined) ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
      retries: ('retries' in webhook ? webhook.retries : undefined) ?? 1,
    };
    if ('secret' in webhook && webhook.secret) out.webhook.secret = secretRef(webhook.secret);
  }
  return out;
}

/**
 * Parses and validates checklist text. `path` names the file in messages and anchors relative paths.
 * @throws ChecklistFileError (RP_BAD_CHECKLIST) listing every problem with its YAML path and line.
 */
export async function parseChecklistText(text: string, path: string): Promise<ChecklistFile> {
  const { file, problems } = await inspectChecklistText(text, path);
  if (problems.length > 0 || !file) throw new ChecklistFileError(path, problems);
  return file;
}

/**
 * Every problem of checklist text, and the checklists when only runbook files are missing (lint
 * goes on checking the others). Never throws.
 */
export async function inspectChecklistText(text: string, path: string): Promise<{ file?: ChecklistFile; problems: ChecklistProblem[]; missingRunbooks: Set<number> }> {
  const missingRunbooks = new Set<number>();
  try {
    return await inspect(text, path, missingRunbooks);
  } catch (error) {
    if (error instanceof ChecklistFileError) return { problems: error.problems, missingRunbooks };
    throw error;
  }
}

async function inspect(text: string, path: string, missingRunbooks: Set<number>): Promise<{ file?: ChecklistFile; problems: ChecklistProblem[]; missingRunbooks: Set<number> }> {
  const file = resolve(path);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ChecklistProblem[] = [];
  for (const error of doc.errors) {
    const pos = lines.linePos(error.pos[0]);
    problems.push({ path: '', message: `YAML: ${error.message.split('\n')[0]}`, line: pos.line, col: pos.col });
  }
  if (problems.length > 0) throw new ChecklistFileError(path, problems);
  let data: unknown;
  try {
    // yaml resolves aliases here: a billion-laughs bomb or an alias before its anchor throws.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ChecklistFileError(path, [{ path: '', message: `YAML: ${(error as Error).message.split('\n')[0]}`, line: 1, col: 1 }]);
  }
  const parsed = ChecklistFileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...problemsOfIssue(doc, lines, issue));
    throw new ChecklistFileError(path, dedupe(problems));
  }
  for (const p of semanticProblems(parsed.data)) {
    problems.push({ path: pathText(p.path), message: p.message, ...locate(doc, lines, p.path, p.key) });
  }
  // Runbooks must exist now, so that a reload with a typo keeps the old file.
  await Promise.all(
    parsed.data.checklists.map(async (c, index) => {
      const runbookPath = resolve(dirname(file), c.runbook);
      try {
        const info = await stat(runbookPath);
        if (!info.isFile()) throw new Error('not a file');
      } catch {
        const at = ['checklists', index, 'runbook'];
        missingRunbooks.add(index);
        const hint = await runbookHint(dirname(runbookPath), c.runbook);
        problems.push({ path: pathText(at), message: `runbook ${c.runbook} not found (looked at ${runbookPath})`, ...locate(doc, lines, at), ...(hint ? { hint } : {}) });
      }
    }),
  );
  // The hosts must be readable now: the inventory, its group, the ssh_config (a typo would
  // otherwise surface only when the schedule fires).
  for (const [index, c] of parsed.data.checklists.entries()) {
    const d = parsed.data.defaults ?? {};
    const own = (key: 'inventory' | 'group' | 'sshConfig' | 'hosts'): PropertyKey[] => (c[key] !== undefined ? ['checklists', index, key] : ['defaults', key]);
    const inventory = c.inventory ?? d.inventory;
    const hosts = c.hosts ?? d.hosts;
    const group = c.group ?? d.group;
    if (inventory !== undefined || hosts !== undefined) {
      try {
        resolveTargets({ hosts: hosts ?? [], ...(inventory !== undefined ? { hostsFile: resolve(dirname(file), inventory) } : {}), ...(group !== undefined && inventory !== undefined ? { group } : {}) });
      } catch (error) {
        if (!isRunproofError(error)) throw error;
        const at = /no group/.test(error.message) ? own('group') : inventory !== undefined && !/--host/.test(error.message) ? own('inventory') : own('hosts');
        problems.push({ path: pathText(at), message: error.message, ...locate(doc, lines, at), ...(error.hint ? { hint: error.hint } : {}) });
      }
    }
    const sshConfig = c.sshConfig ?? d.sshConfig;
    if (sshConfig !== undefined) {
      const at = own('sshConfig');
      const where = resolve(dirname(file), sshConfig);
      const info = await stat(where).catch(() => null);
      if (!info?.isFile()) problems.push({ path: pathText(at), message: `sshConfig ${sshConfig} is not a readable file (looked at ${where})`, ...locate(doc, lines, at) });
    }
  }
  if (problems.length > missingRunbooks.size) throw new ChecklistFileError(path, dedupe(problems).sort((a, b) => a.line - b.line || a.col - b.col));
  const checklists = parsed.data.checklists.map((c, index) => resolveChecklist(file, c, parsed.data.defaults, locate(doc, lines, ['checklists', index]).line));
  return { file: { path: file, checklists }, problems: problems.sort((a, b) => a.line - b.line || a.col - b.col), missingRunbooks };
}

// "did you mean" over the Markdown files beside where the runbook was looked for.
async function runbookHint(dir: string, written: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(md|markdown|txt)$/i.test(n));
  } catch {
    return undefined;
  }
  const base = written.split(/[\\/]/).pop() ?? written;
  const close = didYouMean(base, names);
  if (!close) return names.length > 0 ? `runbooks there: ${names.slice(0, 10).join(', ')}` : undefined;
  const prefix = written.slice(0, written.length - base.length);
  return `did you mean ${prefix}${close}?`;
}

function problemsOfIssue(doc: Document, lines: LineCounter, issue: z.core.$ZodIssue): ChecklistProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: pathText([...issue.path, key]), message: `unknown key "${key}"`, ...locate(doc, lines, issue.path, key) }));
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest, or the union's own message.
    const branches = issue.errors.filter((b) => b.length > 0);
    const deepest = branches.flat().sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest && deepest.path.length > 0) {
      return problemsOfIssue(doc, lines, { ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue);
    }
  }
  const present = doc.hasIn(issue.path as unknown[]);
  const message = issue.code === 'invalid_type' && !present ? `missing required key (${issue.message})` : issue.message;
  return [{ path: pathText(issue.path), message, ...locate(doc, lines, issue.path) }];
}

function dedupe(problems: ChecklistProblem[]): ChecklistProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Reads and validates a checklist file.
 * @throws RunproofError RP_FILE_NOT_FOUND when it cannot be read; ChecklistFileError (RP_BAD_CHECKLIST) when it is invalid.
 * @example const file = await loadChecklistFile('ops/checklists.yaml')
 */
export async function loadChecklistFile(path: string): Promise<ChecklistFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RunproofError('RP_FILE_NOT_FOUND', `cannot read checklist file ${path}: ${(error as Error).message}`, {
      hint: 'check the path of the checklist file',
      cause: error,
    });
  }
  return parseChecklistText(text, path);
}

/**
 * The checklists called `names` (case-insensitive), all when none is given.
 * @throws RunproofError RP_BAD_CHECKLIST naming the closest checklist.
 */
export function selectChecklists(file: ChecklistFile, names: readonly string[]): Checklist[] {
  if (names.length === 0) return file.checklists;
  return names.map((name) => {
    const found = file.checklists.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!found) {
      const all = file.checklists.map((c) => c.name);
      const close = didYouMean(name, all);
      throw new RunproofError('RP_BAD_CHECKLIST', `no checklist named "${name}" in ${file.path}`, {
        hint: `${close ? `did you mean ${close}? ` : ''}checklists: ${all.join(', ')}`,
      });
    }
    return found;
  });
}
