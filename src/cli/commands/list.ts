import type { Command } from 'commander';
import { formatDiagnostic } from '../../core/index.js';
import { parseRunbook, type Cell, type Notebook, type Section } from '../../parse/index.js';
import type { CommandRegistrar } from '../program.js';
import { loadTeamPolicy, readRunbookFile } from '../read-runbook.js';
// The redactor alone, not record/index.js: that loads the bundle writer, journal, seal, verify and
// the timestamp (asn1) code, none of which `list` uses (start-up is module loading, like main.ts's
// core/version.js).
import { collectSecrets, createRedactor } from '../../record/redact.js';

const WIDTH = 80;

/** `runproof list RUNBOOK [--json]`: the section tree and its cells, or the Notebook as JSON. */
export const registerList: CommandRegistrar = (program: Command) => {
  program
    .command('list')
    .description('show a runbook as a notebook: sections, cells (name, kind, risk, parameters, line) and warnings')
    .argument('<runbook>', 'Markdown runbook (.md, .markdown, .txt)')
    .option('--json', 'print the Notebook as JSON (valid against its schema)')
    .option('--explain', 'under each cell, the rule that decided its risk (a tools/ data entry, a risk.ts rule or a policy rule) and why')
    .option('--policy <file>', 'team policy file (default: runproof.policy.yaml beside the runbook)')
    .addHelpText('after', '\nExample:\n  runproof list notebooks/incident-ready-503.md\n  runproof list --explain notebooks/incident-ready-503.md\n')
    .action(async (runbook: string, options: { json?: boolean; explain?: boolean; policy?: string }) => {
      const text = await readRunbookFile(runbook);
      const team = await loadTeamPolicy(runbook, options.policy);
      const notebook = parseRunbook(text, { path: runbook, ...(team ? { policy: team.policy, policyPath: team.path } : {}) });
      // Credentials written in the runbook (`PGPASSWORD=x`, `curl -u user:pass`) are masked here as
      // in a run's evidence: the same redactor, taught the whole runbook (SECURITY L3).
      const redactor = createRedactor(collectSecrets({ env: process.env, params: [], extra: [] }));
      redactor.learn(text);
      process.stdout.write(options.json ? `${JSON.stringify(redactor.redactValue(notebook), null, 2)}
` : redactor.redact(formatNotebookList(notebook, { explain: options.explain === true, ...(team ? { policyPath: team.path } : {}) })));
    });
};

/** The `list` view of a notebook, wrapped to 80 columns. */
export function formatNotebookList(notebook: Notebook, options: { explain?: boolean; policyPath?: string } = {}): string {
  const out: string[] = [];
  const runnable = notebook.cells.filter((c) => c.runnable).length;
  out.push(truncate(notebook.title, WIDTH));
  out.push(truncate(notebook.path, WIDTH));
  if (options.explain) out.push(`policy: ${options.policyPath ?? 'none (built-in tool knowledge only)'}`);
  out.push(`${notebook.sections.length - 1} sections · ${notebook.cells.length} cells (${runnable} runnable) · ${notebook.warnings.length} warnings`);
  const byId = new Map(notebook.cells.map((c) => [c.id, c] as const));
  for (const section of notebook.sections) {
    if (section.level === 0 && section.cellIds.length === 0) continue;
    if (section.level <= 2) out.push('');
    out.push(sectionLine(section));
    const pad = ' '.repeat(section.level === 0 ? 2 : 2 * section.level);
    for (const id of section.cellIds) {
      const cell = byId.get(id);
      if (cell) {
        out.push(...cellLines(cell, pad, byId));
        if (options.explain) out.push(...explainLines(cell, `${pad}    `));
      }
    }
  }
  if (notebook.warnings.length > 0) {
    out.push('', `Warnings (${notebook.warnings.length}):`);
    for (const warning of notebook.warnings) out.push(formatDiagnostic(warning));
  }
  return `${out.join('\n')}\n`;
}

function sectionLine(section: Section): string {
  const indent = ' '.repeat(section.level === 0 ? 0 : 2 * (section.level - 1));
  const title = section.level === 0 ? '(before the first heading)' : section.title || '(untitled)';
  const where = `line ${section.line}`;
  const room = WIDTH - indent.length - where.length - 1;
  const shown = truncate(title, room);
  return `${indent}${shown}${' '.repeat(Math.max(1, room - shown.length + 1))}${where}`;
}

function cellLines(cell: Cell, pad: string, byId: Map<string, Cell>): string[] {
  const parts = [`- ${cell.name}`, kindText(cell)];
  if (cell.risk) parts.push(riskText(cell));
  parts.push(`line ${cell.span.line}`);
  if (cell.params.length > 0) parts.push(`params: ${cell.params.map((p) => p.name).join(', ')}`);
  if (cell.variables.length > 0) parts.push(`unset: ${cell.variables.map((v) => `$${v}`).join(' ')}`);
  if (cell.checks) {
    const target = byId.get(cell.checks);
    parts.push(`checks ${target ? target.name : cell.checks}`);
  }
  if (cell.exampleOutput !== undefined) parts.push('example output shown');
  return wrap(parts, pad, `${pad}    `, ' · ');
}

// `list --explain`: which rule decided the cell's risk, and why, wrapped under the cell line.
function explainLines(cell: Cell, pad: string): string[] {
  if (!cell.risk) return [];
  const lines = [`decided by: ${cell.risk.decidedBy ?? 'risk.ts'}`, `why: ${cell.risk.reason}`];
  if (cell.risk.overridden) lines.push(`risk attribute sets ${cell.risk.level} (classifier: ${cell.risk.classified})`);
  if (cell.endless) lines.push(`endless: ${cell.endlessReason ?? 'runs until interrupted'}`);
  // Not truncated: an auditor reads the whole rule and reason.
  return lines.map((l) => `${pad}${l}`);
}

function kindText(cell: Cell): string {
  if (cell.kind === 'doc') return `doc (${cell.docReason === 'language' ? cell.language : (cell.docReason ?? 'doc')})`;
  if (cell.kind === 'expect') return `expect ${cell.expectFormat ?? ''}`.trim();
  if (cell.kind === 'assert') return `assert (${cell.assertions?.length ?? 0})`;
  return cell.kind;
}

function riskText(cell: Cell): string {
  const risk = cell.risk!;
  return risk.overridden && risk.level !== risk.classified ? `${risk.level} (set; classified ${risk.classified})` : risk.level;
}

// Joins parts on one line while they fit; the rest continues on indented lines.
function wrap(parts: string[], first: string, rest: string, separator: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const part of parts) {
    const candidate = empty ? `${line}${part}` : `${line}${separator}${part}`;
    if (!empty && candidate.length > WIDTH) {
      lines.push(line);
      line = `${rest}${part}`;
    } else {
      line = candidate;
    }
    empty = false;
  }
  lines.push(line.length > WIDTH ? truncate(line, WIDTH) : line);
  return lines;
}

function truncate(text: string, width: number): string {
  if (width <= 1) return text.slice(0, Math.max(0, width));
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
