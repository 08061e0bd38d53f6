// `runproof evidence diff BUNDLE`: the hosts of one fleet run compared with each other. For each
// step that ran on several hosts, each field (status, exit code, each assertion, the expected
// output, stdout and stderr after masking) is compared across the hosts: the value most hosts
// share is the majority, and every host with another value differs. With no value shared by more
// than half of the hosts there is no majority, and every host differs.
import { basename, resolve } from 'node:path';
import { RunproofError } from '../core/index.js';
import { fullOutput, lastAttempt, loadBundleRecord, maskVolatile, MASKING_RULES } from './evidence-index.js';
import type { Step } from './types.js';

/** One field of one step on which some hosts differ from the others. */
export interface HostFieldDifference {
  field: 'status' | 'exitCode' | 'assertion' | 'expect' | 'stdout' | 'stderr';
  /** For assertions: the assertion text. */
  detail?: string;
  /** The value most hosts share, and those hosts; null when no value is shared by more than half. */
  majority: { value: unknown; hosts: string[] } | null;
  /** Hosts with another value (for output: the first line that differs from the majority's). */
  differing: Array<{ host: string; value: unknown; line?: number }>;
}

/** What `evidence diff BUNDLE` reports. */
export interface HostDiff {
  bundle: string;
  runbook: string;
  status: string;
  hosts: string[];
  maskingRules: Array<{ name: string; description: string }>;
  steps: Array<{ name: string; differences: HostFieldDifference[] }>;
  /** Each host that differs in at least one step, with those steps' names, in host order. */
  differingHosts: Array<{ host: string; steps: string[] }>;
}

// The value held by more than half of the hosts, or null.
function majorityOf(values: Map<string, string>): string | null {
  const count = new Map<string, number>();
  for (const v of values.values()) count.set(v, (count.get(v) ?? 0) + 1);
  for (const [value, n] of count) if (n * 2 > values.size) return value;
  return null;
}

function firstDifferentLine(text: string, than: string): { line: number; text: string } {
  const a = text.split('\n');
  const b = than.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return { line: i + 1, text: a[i] ?? '(no line)' };
  return { line: 1, text };
}

/**
 * Compares the hosts of one fleet run with each other, step by step (see the top of this file).
 * Output is masked with `MASKING_RULES` and the host's own name becomes `<HOST>`.
 * @throws RunproofError RP_BAD_BUNDLE when the bundle is not a run on hosts
 * @example const diff = await diffHosts('evidence/disk_checks_20260122_101500')
 */
export async function diffHosts(bundle: string): Promise<HostDiff> {
  const { record } = await loadBundleRecord(bundle);
  const dir = resolve(bundle);
  if (!record.hosts || record.hosts.length === 0) {
    throw new RunproofError('RP_BAD_BUNDLE', `${basename(dir)} is not a run on hosts: there are no hosts to compare`, {
      hint: 'evidence diff BUNDLE compares the hosts of one fleet run; evidence diff A B compares two runs',
    });
  }
  const hosts = record.hosts.map((h) => h.name);
  // Steps by name, then by host, in the plan's order.
  const byName = new Map<string, Map<string, Step>>();
  for (const step of record.steps) {
    if (!step.host) continue;
    const name = step.name || step.id.slice(0, step.id.lastIndexOf('@'));
    if (!byName.has(name)) byName.set(name, new Map());
    byName.get(name)!.set(step.host, step);
  }
  const steps: HostDiff['steps'] = [];
  const mask = (text: string, host: string): string => maskVolatile(text).split(host).join('<HOST>');
  for (const [name, ran] of byName) {
    if (ran.size < 2) continue;
    // In the run's host order, whatever order the hosts ran in.
    const on = new Map(hosts.filter((h) => ran.has(h)).map((h) => [h, ran.get(h)!] as const));
    const differences: HostFieldDifference[] = [];
    const compare = (field: HostFieldDifference['field'], values: Map<string, string>, detail?: string, output = false): void => {
      const majority = majorityOf(values);
      if (majority !== null && [...values.values()].every((v) => v === majority)) return;
      const parse = (v: string): unknown => (output ? v : JSON.parse(v));
      const differing = [...values].filter(([, v]) => v !== majority).map(([host, v]) => {
        if (!output || majority === null) return { host, value: parse(v) };
        const first = firstDifferentLine(v, majority);
        return { host, value: first.text, line: first.line };
      });
      differences.push({
        field,
        ...(detail !== undefined ? { detail } : {}),
        majority: majority === null ? null : { value: parse(majority), hosts: [...values].filter(([, v]) => v === majority).map(([h]) => h) },
        differing,
      });
    };
    const each = (fn: (step: Step, host: string) => unknown): Map<string, string> => new Map([...on].map(([host, step]) => [host, JSON.stringify(fn(step, host) ?? null)]));
    compare('status', each((s) => s.status));
    compare('exitCode', each((s) => lastAttempt(s)?.exitCode ?? null));
    const texts = new Set([...on.values()].flatMap((s) => s.assertions.map((a) => a.text)));
    for (const text of texts) compare('assertion', each((s) => { const a = s.assertions.find((x) => x.text === text); return a ? (a.passed ? 'passed' : 'failed') : 'absent'; }), text);
    compare('expect', each((s) => s.expect?.passed ?? null));
    for (const stream of ['stdout', 'stderr'] as const) {
      const values = new Map<string, string>();
      for (const [host, step] of on) {
        const text = await fullOutput(dir, step, stream);
        values.set(host, text === null ? '' : mask(text, host));
      }
      compare(stream, values, undefined, true);
    }
    if (differences.length > 0) steps.push({ name, differences });
  }
  const differingHosts = hosts
    .map((host) => ({ host, steps: steps.filter((s) => s.differences.some((d) => d.differing.some((x) => x.host === host))).map((s) => s.name) }))
    .filter((h) => h.steps.length > 0);
  return {
    bundle: basename(dir),
    runbook: record.runbook.path,
    status: record.status,
    hosts,
    maskingRules: [...MASKING_RULES.map((r) => ({ name: r.name, description: r.description })), { name: 'host', description: "the host's own name → <HOST>" }],
    steps,
    differingHosts,
  };
}
