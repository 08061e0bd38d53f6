// What `runproof evidence list | show | diff` and `runproof verify` print on the terminal. The
// record stage returns data (BundleSummary, RunRecord, EvidenceDiff, VerifyResult); the words and
// the layout are the CLI's.
import { formatDuration } from '../core/index.js';
import type { BundleSummary, EvidenceDiff, HostDiff, RunRecord, VerifyResult } from '../record/index.js';

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** The table `evidence list` prints. */
export function formatEvidenceList(runs: BundleSummary[]): string {
  if (runs.length === 0) return 'no runs in this evidence folder\n';
  const rows = runs.map((r) => [
    r.name,
    cut(r.runbook.title || r.runbook.path, 28),
    cut(r.sections.join(', ') || '(all)', 20),
    r.status + (r.sealed ? (r.sealedBy === 'recover-force' ? ' (resealed by recover --force)' : '') : ' (unsealed)'),
    formatDuration(r.durationMs, { compact: true }),
    `${r.counts.passed}/${r.counts.failed}/${r.counts.blocked}`,
  ]);
  const header = ['BUNDLE', 'RUNBOOK', 'SECTION', 'STATUS', 'DURATION', 'PASS/FAIL/BLOCK'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** The summary and each step of one run, as `evidence show` prints them. */
export function formatBundleShow(record: RunRecord, info: { dir: string; sealed: boolean; fromJournal: boolean; seq: number | null }): string {
  const out: string[] = [];
  out.push(`${record.runbook.title} (${record.runbook.path})`);
  out.push(`bundle   ${info.dir}${info.sealed ? `  sealed, chain seq ${info.seq}` : '  NOT SEALED'}${info.fromJournal ? '  (rebuilt from the journal: run `runproof recover`)' : ''}`);
  out.push(`status   ${record.status.toUpperCase()}   ${record.counts.passed} passed, ${record.counts.failed} failed, ${record.counts.blocked} blocked, ${record.counts.skipped} skipped, ${record.counts.notRun} not run`);
  out.push(`started  ${record.startedAt}   duration ${formatDuration(record.durationMs, { compact: true })}   mode ${record.mode}   by ${record.operator.user}@${record.operator.host}`);
  if (record.selection.sections.length + record.selection.cells.length + record.selection.tags.length > 0) {
    out.push(`selected ${[...record.selection.sections.map((s) => `section ${s}`), ...record.selection.cells.map((c) => `cell ${c}`), ...record.selection.tags.map((t) => `tag ${t}`)].join(', ')}`);
  }
  if (record.resumedFrom) out.push(`resumes  ${record.resumedFrom}`);
  out.push('');
  for (const step of record.steps) {
    const attempt = step.attempts.at(-1);
    // An HTTP cell's result is its status code (a 503 is not "exit 0").
    const httpStatus = (attempt?.http as { response?: { status?: unknown } } | undefined)?.response?.status;
    const exit = attempt
      ? attempt.timedOut ? ' timed out' : typeof httpStatus === 'number' ? ` HTTP ${httpStatus}` : attempt.signal ? ` signal ${attempt.signal}` : attempt.exitCode !== null ? ` exit ${attempt.exitCode}` : ''
      : '';
    const tries = step.attempts.length > 1 ? ` (${step.attempts.length} attempts)` : '';
    const duration = attempt ? ` ${formatDuration(attempt.durationMs, { compact: true })}` : '';
    out.push(`${step.status.toUpperCase().padEnd(11)} ${step.name}${step.host ? ` @${step.host}` : ''} [${step.kind}, ${step.risk.level}]${exit}${duration}${tries}`);
    if (step.note) out.push(`            ${step.note}`);
    for (const a of step.assertions) out.push(`            ${a.passed ? 'ok  ' : 'FAIL'} ${a.text}${a.passed ? '' : `${a.message ? `: ${a.message}` : ''}`}`);
    if (step.expect && !step.expect.passed) for (const d of step.expect.diffs) out.push(`            FAIL expected output ${d.path}: expected ${JSON.stringify(d.expected)}, actual ${JSON.stringify(d.actual)}`);
  }
  if (record.warnings.length > 0) {
    out.push('', 'warnings:');
    for (const w of record.warnings) out.push(`  ${w}`);
  }
  return `${out.join('\n')}\n`;
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 200 ? `${v.slice(0, 199)}…` : v) : JSON.stringify(v));

/** The text `evidence diff` prints: changed steps, then the masking rules used. */
export function formatEvidenceDiff(diff: EvidenceDiff): string {
  const out: string[] = [`A ${diff.a.bundle} (${diff.a.status})`, `B ${diff.b.bundle} (${diff.b.status})`];
  for (const w of diff.warnings) out.push(`warning: ${w}`);
  out.push('');
  if (diff.steps.length === 0) out.push('no step changed (after masking)');
  for (const step of diff.steps) {
    out.push(step.name);
    for (const c of step.changes) out.push(`  ${c.field}${c.detail ? ` ${c.detail}` : ''}: ${show(c.a)} → ${show(c.b)}`);
  }
  out.push('', 'output compared after masking:');
  for (const rule of diff.maskingRules) out.push(`  ${rule.name}: ${rule.description}`);
  return `${out.join('\n')}\n`;
}

/** The lines `verify` prints for a result: one per problem (file, expected, actual), then notes. */
export function formatVerifyResult(result: VerifyResult): string {
  const lines: string[] = [];
  if (result.ok) {
    // Says plainly what was proven: matching hashes alone prove nothing about who sealed them.
    const proves =
      result.proves === 'signed'
        ? `signature verified (${result.signature.verified.join(', ')})`
        : result.proves === 'signature-unchecked'
          ? 'integrity only: signature present, not checked: no key given'
          : 'integrity only: unsigned (anyone who can write the folder could have resealed it)';
    lines.push(`OK ${result.bundle}: ${proves}; ${result.files} files, ${result.bytes} bytes hashed as listed (${result.source})`);
    if (result.sealedBy === 'recover-force') lines.push('WARNING sealed by recover --force: rebuilt from its journal and resealed after the run');
  } else {
    lines.push(`FAILED ${result.bundle}: ${result.problems.length} problem(s)`);
    for (const p of result.problems) lines.push(`${p.file}: expected ${p.expected}; actual ${p.actual}`);
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}


/** The text `evidence diff BUNDLE` prints: per step, the hosts that differ from the majority. */
export function formatHostDiff(diff: HostDiff): string {
  const out: string[] = [`${diff.bundle} (${diff.status}): ${diff.hosts.length} hosts: ${diff.hosts.join(', ')}`, ''];
  if (diff.steps.length === 0) out.push('no host differs from the others (after masking)');
  for (const step of diff.steps) {
    out.push(step.name);
    for (const d of step.differences) {
      const field = `${d.field}${d.detail ? ` ${d.detail}` : ''}`;
      const majority = d.majority ? `most hosts (${d.majority.hosts.join(', ')}): ${d.field === 'stdout' || d.field === 'stderr' ? 'the same output' : show(d.majority.value)}` : 'no majority';
      out.push(`  ${field}: ${majority}`);
      for (const x of d.differing) out.push(`    ${x.host}: ${x.line !== undefined ? `line ${x.line}: ` : ''}${show(x.value)}`);
    }
  }
  if (diff.differingHosts.length > 0) {
    out.push('', 'hosts that differ:');
    for (const h of diff.differingHosts) out.push(`  ${h.host}: ${h.steps.join(', ')}`);
  }
  out.push('', 'output compared after masking:');
  for (const rule of diff.maskingRules) out.push(`  ${rule.name}: ${rule.description}`);
  return `${out.join('\n')}\n`;
}
