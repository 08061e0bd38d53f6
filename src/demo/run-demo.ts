import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunproofError } from '../core/index.js';
import { runRunbook, type RunRunbookResult } from '../app/index.js';
import type { RunProgress } from '../execute/index.js';
import type { PlanStep } from '../plan/index.js';
import type { RunRecord, RunStatus, StepStatus } from '../record/index.js';
import { DEMO_FAILING_POOL, startDemoService, type DemoService } from './service.js';
import { STEP_STATUS_WORD } from '../render/index.js';

/** The runbook `runproof demo` runs: the project's own daily checks of the demo service. */
export const DEMO_RUNBOOK = fileURLToPath(new URL('../../notebooks/demo-daily-checks.md', import.meta.url));
/** The template variable of the demo runbook that holds the service URL. */
export const DEMO_BASE_PARAM = 'base';
/** The environment variable holding the service token for the runbook's authenticated request. */
export const DEMO_TOKEN_ENV = 'DEMO_TOKEN';

export interface RunDemoOptions {
  /** Make pool `beta` unreachable, to see what a failing check looks like. */
  fail?: boolean;
  /** Where the bundle goes (default `evidence`, relative to `cwd`). */
  evidenceDir?: string;
  /** Where the short live summary is written; nothing is written without it. */
  out?: NodeJS.WritableStream;
  /** How long the service's benchmark runs, in milliseconds (default 2000). */
  benchMs?: number;
  /** Directory paths are shown relative to and `evidence` resolves against (default the current one). */
  cwd?: string;
  /** Aborting stops the running step; the bundle is still written, with status aborted. */
  signal?: AbortSignal;
  /** The runbook to run instead of the bundled one (tests). */
  runbookPath?: string;
  /** The service token (default: a random one per run); it is redacted from the bundle either way. */
  token?: string;
  /** Environment of the run (default process.env); the service token is added to it. */
  env?: Record<string, string>;
}

export interface DemoRun {
  status: RunStatus;
  /** The URL the service listened on (it is stopped when runDemo returns). */
  serviceUrl: string;
  bundleDir: string;
  recordPath: string;
  reportPaths: { markdown: string; html: string };
  /** Everything `runRunbook` returned. */
  run: RunRunbookResult;
}

/**
 * `runproof demo`: starts the embedded demo service on a free 127.0.0.1 port, runs
 * notebooks/demo-daily-checks.md unattended against it (write steps allowed: the benchmark is a
 * POST), writes the evidence bundle, prints a short summary to `out`, and stops the service.
 * A failing check is a `failed` status, not an exception; bad setup throws RunproofError.
 * @example
 * const demo = await runDemo({ fail: true, out: process.stdout });
 * demo.status // 'failed'; demo.reportPaths.html is the report to open
 */
export async function runDemo(options: RunDemoOptions = {}): Promise<DemoRun> {
  const runbookPath = options.runbookPath ?? DEMO_RUNBOOK;
  if (!existsSync(runbookPath)) {
    throw new RunproofError('RP_DEMO_FAILED', `the demo runbook ${runbookPath} is missing`, {
      hint: 'run the demo from a clone of the runproof repository (notebooks/ ships with it)',
    });
  }
  const cwd = options.cwd ?? process.cwd();
  const out = options.out;
  const shown = (path: string, from = cwd): string => {
    const rel = relative(from, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  };
  const service = await startDemoService({
    fail: options.fail === true,
    ...(options.benchMs !== undefined ? { benchMs: options.benchMs } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  try {
    out?.write(`runproof demo: demo service on ${service.url}${options.fail ? ` (pool ${DEMO_FAILING_POOL} made unreachable with --fail)` : ''}\n`);
    out?.write(`running ${shown(runbookPath)} unattended\n\n`);
    const run = await runRunbook({
      // As the record shows it: relative to where runproof runs when the runbook is below it.
      runbookPath: shown(resolve(runbookPath), process.cwd()),
      mode: 'unattended',
      allow: ['write'],
      values: [{ name: DEMO_BASE_PARAM, value: service.url, source: 'flag' }],
      secrets: [service.token],
      env: { ...((options.env ?? process.env) as Record<string, string>), [DEMO_TOKEN_ENV]: service.token },
      evidenceDir: resolve(cwd, options.evidenceDir ?? 'evidence'),
      cwd,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(out ? { progress: compactProgress(out) } : {}),
    });
    if (out) {
      const c = run.counts;
      out.write(`\n${run.status.toUpperCase()}: ${c.passed} passed, ${c.failed} failed, ${c.blocked} blocked, ${c.skipped} skipped (${(run.durationMs / 1000).toFixed(1)} s)\n`);
      const why = failureLines(run.record, shown(runbookPath));
      if (why.length > 0) out.write(`\n${why.join('\n')}\n\n`);
      out.write(`HTML report: ${shown(run.reportPaths.html)}\n`);
      out.write(`JSON record: ${shown(run.recordPath)}\n`);
      out.write(`verify it:   runproof verify ${shown(run.bundleDir)}\n`);
    }
    return { status: run.status, serviceUrl: service.url, bundleDir: run.bundleDir, recordPath: run.recordPath, reportPaths: run.reportPaths, run };
  } finally {
    await stopService(service, out);
  }
}

async function stopService(service: DemoService, out: NodeJS.WritableStream | undefined): Promise<void> {
  await service.close();
  out?.write('demo service stopped\n');
}

// One line per step (its verdict and the request), not the response bodies: the report has those.
function compactProgress(out: NodeJS.WritableStream): RunProgress {
  let total = 0;
  let index = 0;
  return {
    stepStart(_step, i, n) {
      total = n;
      index = i;
    },
    // Why a step failed is printed after the summary, from the record (with the actual values).
    stepEnd(step, status) {
      const width = String(total).length;
      const where = `[${String(index + 1).padStart(width)}/${total}]`;
      out.write(`  ${STEP_STATUS_WORD[status].padEnd(7)} ${where} ${describe(step)}\n`);
    },
  };
}

const FAILED: ReadonlySet<StepStatus> = new Set(['failed', 'timed-out', 'interrupted']);
const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

// For each failed step: its title and runbook line, then every failed assertion with the value it
// got, every differing path of the expected output, or the step's own note (a refused connection).
function failureLines(record: RunRecord, runbook: string): string[] {
  const lines: string[] = [];
  for (const step of record.steps.filter((s) => FAILED.has(s.status))) {
    lines.push(`${step.sectionPath[step.sectionPath.length - 1] ?? step.name} (${runbook}:${step.line})`);
    const failed = step.assertions.filter((a) => !a.passed);
    for (const a of failed) lines.push(`  line ${a.line}  ${a.text}: got ${show(a.actual)}`);
    for (const d of step.expect?.passed === false ? step.expect.diffs : []) lines.push(`  expected output  ${d.path}: ${d.message ?? `expected ${show(d.expected)}, got ${show(d.actual)}`}`);
    if (failed.length === 0 && step.expect?.passed !== false) lines.push(`  ${step.note ?? step.status}`);
  }
  return lines;
}

function describe(step: PlanStep): string {
  const title = step.sectionPath[step.sectionPath.length - 1] ?? step.name;
  if (step.http) {
    const path = step.http.url.replace(/^\{\{\s*base\s*\}\}/, '');
    return `${title}  (${step.http.method} ${path})`;
  }
  return title;
}
