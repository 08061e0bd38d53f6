// JUnit XML for CI systems: one testsuite per checklist, one testcase per step; failed checks
// become <failure> with their messages, steps that did not run (blocked by policy, skipped,
// not reached) become <skipped>, a run that could not start is one <error> testcase.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { writeAtomic, type RunRecord, type Step } from '../record/index.js';
import { nothingCheckedReason, runOutcome } from './outcome.js';
import type { EvidenceSink } from './sink.js';

/** One checklist's result for the JUnit file. */
export interface JUnitSuiteInput {
  checklist: string;
  record?: RunRecord;
  bundleDir?: string;
  /** The run could not start (bad input, lock held): its message. */
  error?: { code: string; message: string };
  /** When the run was attempted (for a run with no record). */
  at?: Date;
}

// XML 1.0 forbids most control characters even as references: drop them.
function clean(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

function attr(text: string | number): string {
  return clean(String(text)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function textNode(text: string): string {
  return clean(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function stepTime(step: Step): number {
  return step.attempts.reduce((sum, a) => sum + a.durationMs, 0);
}

// Every reason a step failed, one per line: checks, expected-output diffs, exit code, note.
function failureMessages(step: Step): string[] {
  const out: string[] = [];
  for (const a of step.assertions) {
    if (a.passed) continue;
    const got = a.actual === undefined ? '' : ` (actual: ${JSON.stringify(a.actual)})`;
    out.push(`${a.text}${a.message ? `: ${a.message}` : ''}${got}`);
  }
  if (step.expect && !step.expect.passed) {
    for (const d of step.expect.diffs) {
      out.push(`expected output ${d.path}: ${d.message ?? `expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`}`);
    }
  }
  const last = step.attempts[step.attempts.length - 1];
  if (last?.timedOut) out.push(`timed out after ${last.durationMs} ms`);
  else if (last?.error) out.push(last.error);
  else if (out.length === 0 && last && last.exitCode !== 0) out.push(last.signal ? `killed by ${last.signal}` : `exit code ${last.exitCode}`);
  if (step.note && out.length === 0) out.push(step.note);
  return out.length > 0 ? out : [`step ${step.status}`];
}

function skipMessage(step: Step): string {
  const decision = [...step.decisions].reverse().find((d) => d.action === 'block' || d.action === 'skip');
  if (step.status === 'blocked') return decision?.reason.startsWith('blocked by policy') ? decision.reason : `blocked by policy${decision ? `: ${decision.reason}` : ''}`;
  if (step.status === 'skipped') return `skipped${decision ? `: ${decision.reason}` : step.note ? `: ${step.note}` : ''}`;
  return step.note ?? `not run (${step.status})`;
}

function testcase(suite: string, step: Step, runbook: string): string {
  const classname = [suite, ...step.sectionPath].join('.');
  // A fleet run's step names its host: `disk@web-3` (its id already ends with `@host`).
  const name = step.host ? `${step.name || step.id.slice(0, step.id.lastIndexOf('@'))}@${step.host}` : step.name || step.id;
  const head = `    <testcase name="${attr(name)}" classname="${attr(classname)}" time="${seconds(stepTime(step))}" file="${attr(runbook)}" line="${step.line}"`;
  switch (step.status) {
    case 'passed':
      return `${head}/>`;
    case 'failed':
    case 'timed-out': {
      const messages = failureMessages(step);
      const type = step.status === 'timed-out' ? 'timeout' : step.assertions.some((a) => !a.passed) || step.expect?.passed === false ? 'assertion' : 'exit';
      const last = step.attempts[step.attempts.length - 1];
      const out = last ? `\n      <system-out>${textNode(last.stdout.inline)}</system-out>\n      <system-err>${textNode(last.stderr.inline)}</system-err>` : '';
      return `${head}>\n      <failure message="${attr(messages[0]!)}" type="${type}">${textNode(messages.join('\n'))}</failure>${out}\n    </testcase>`;
    }
    case 'interrupted':
      return `${head}>\n      <error message="${attr(failureMessages(step)[0]!)}" type="interrupted"/>\n    </testcase>`;
    default:
      return `${head}>\n      <skipped message="${attr(skipMessage(step))}"/>\n    </testcase>`;
  }
}

function suiteXml(input: JUnitSuiteInput): { xml: string; tests: number; failures: number; errors: number; skipped: number; ms: number } {
  const host = hostname();
  if (!input.record) {
    const at = (input.at ?? new Date()).toISOString();
    const message = input.error ? `${input.error.code} ${input.error.message}` : 'the run did not start';
    const xml = [
      `  <testsuite name="${attr(input.checklist)}" tests="1" failures="0" errors="1" skipped="0" time="0.000" timestamp="${at}" hostname="${attr(host)}">`,
      `    <testcase name="(run)" classname="${attr(input.checklist)}" time="0.000">`,
      `      <error message="${attr(message)}" type="${attr(input.error?.code ?? 'error')}"/>`,
      '    </testcase>',
      '  </testsuite>',
    ].join('\n');
    return { xml, tests: 1, failures: 0, errors: 1, skipped: 0, ms: 0 };
  }
  const r = input.record;
  const steps = r.steps.filter((s) => s.kind !== 'doc');
  const failures = steps.filter((s) => s.status === 'failed' || s.status === 'timed-out').length;
  const errors = steps.filter((s) => s.status === 'interrupted').length;
  const skipped = steps.filter((s) => !['passed', 'failed', 'timed-out', 'interrupted'].includes(s.status)).length;
  // A run that checked nothing (empty selection, every check blocked) is one failed testcase, so
  // that CI never shows it as green: a suite of only <skipped> testcases passes in every reader.
  const nothing = nothingCheckedReason(r.status, r);
  const outcome = runOutcome(r.status, r);
  const runCase = nothing
    ? [`    <testcase name="(run) nothing checked" classname="${attr(input.checklist)}" time="${seconds(r.durationMs)}" file="${attr(r.runbook.path)}">`, `      <failure message="${attr(nothing)}" type="${outcome === 'empty' ? 'empty' : 'blocked'}">${textNode(nothing)}</failure>`, '    </testcase>']
    : [];
  const extra = runCase.length > 0 ? 1 : 0;
  const props = [
    ['runbook', r.runbook.path],
    ['status', outcome],
    ['bundle', input.bundleDir ?? r.bundleName],
    ...(r.trigger ? [['trigger', r.trigger.kind], ...(r.trigger.scheduledAt ? [['scheduledAt', r.trigger.scheduledAt]] : [])] : []),
  ];
  const xml = [
    `  <testsuite name="${attr(input.checklist)}" tests="${steps.length + extra}" failures="${failures + extra}" errors="${errors}" skipped="${skipped}" time="${seconds(r.durationMs)}" timestamp="${r.startedAt}" hostname="${attr(r.operator.host)}">`,
    '    <properties>',
    ...props.map(([name, value]) => `      <property name="${attr(name!)}" value="${attr(value!)}"/>`),
    '    </properties>',
    ...runCase,
    ...steps.map((s) => testcase(input.checklist, s, r.runbook.path)),
    '  </testsuite>',
  ].join('\n');
  return { xml, tests: steps.length + extra, failures: failures + extra, errors, skipped, ms: r.durationMs };
}

/**
 * Renders a JUnit XML document with one testsuite per checklist result.
 * @example renderJUnit([{ checklist: 'daily', record, bundleDir }])
 */
export function renderJUnit(suites: readonly JUnitSuiteInput[]): string {
  const parts = suites.map(suiteXml);
  const sum = (k: 'tests' | 'failures' | 'errors' | 'skipped' | 'ms'): number => parts.reduce((n, p) => n + p[k], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="runproof" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" skipped="${sum('skipped')}" time="${seconds(sum('ms'))}">`,
    ...parts.map((p) => p.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * The JUnit files of a process: each path keeps the latest result of every checklist written to it,
 * so checklists sharing a path share one file.
 */
export class JUnitFiles {
  private readonly files = new Map<string, Map<string, JUnitSuiteInput>>();
  private queue: Promise<unknown> = Promise.resolve();

  /** Records a checklist's result and rewrites the file at `path` atomically. */
  write(path: string, suite: JUnitSuiteInput): Promise<void> {
    let suites = this.files.get(path);
    if (!suites) this.files.set(path, (suites = new Map()));
    suites.set(suite.checklist, suite);
    const text = renderJUnit([...suites.values()]);
    const task = async (): Promise<void> => {
      await mkdir(dirname(path), { recursive: true });
      await writeAtomic(path, text);
    };
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * The JUnit sink: the run's testsuite in the file at `path` (shared with other checklists writing there).
 * @example await junitSink('out/junit.xml', files).write({ name: 'daily', status: 'passed', record, at: new Date() })
 */
export function junitSink(path: string, files: JUnitFiles): EvidenceSink {
  return {
    name: 'junit',
    target: path,
    write: (run) =>
      files.write(path, {
        checklist: run.name,
        ...(run.record ? { record: run.record } : {}),
        ...(run.bundleDir ? { bundleDir: run.bundleDir } : {}),
        ...(run.error ? { error: run.error } : {}),
        at: run.at,
      }),
  };
}
