import { RunproofError, parseDuration } from '../core/index.js';
import type { Cell, Notebook, RiskLevel } from '../parse/index.js';
import { bindParameters } from './bind-params.js';
import { missingParametersError, resolveParameters, type GivenValue, type ResolvedParameters } from './parameters.js';
import { decideStep, policyFromAllow } from './policy.js';
import { hasTag, selectCells, selectSections } from './select.js';
import type { Mode, Plan, PlanStep, PlannedCheck } from './types.js';

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export interface PlanOptions {
  sections?: string[];
  cells?: string[];
  tags?: string[];
  /** Values from `--set`, the env file or the operator's prompt. */
  values?: GivenValue[];
  mode: Mode;
  /** `--allow write|destructive`. */
  allow?: RiskLevel[];
  /** `--timeout`, in ms: beats the front matter, not a cell's own `timeout`. */
  timeoutMs?: number;
  /**
   * What to do when a parameter has no value: `throw` RP_MISSING_PARAMETER (unattended runs), or
   * `keep` the placeholder and list it in `missingParameters` (dry runs, and interactive runs that ask).
   */
  onMissing?: 'throw' | 'keep';
}

export interface PlanResult extends Plan {
  missingParameters: ResolvedParameters['missing'];
}

const RUNNABLE_KINDS = new Set(['shell', 'http', 'promql']);

function cellDuration(text: string | undefined, what: string, fallback: number): number {
  return text === undefined ? fallback : parseDuration(text, what);
}

// Which cells the selection names, in document order, and which of them Runme's excludeFromRunAll leaves out.
function selectedCells(notebook: Notebook, options: PlanOptions): { cells: Cell[]; sectionIds: string[] } {
  const sections = options.sections ?? [];
  const named = options.cells ?? [];
  const tags = options.tags ?? [];
  const runnable = notebook.cells.filter((c) => RUNNABLE_KINDS.has(c.kind) && c.runnable);
  let sectionIds: string[] = [];
  let chosen: Set<string>;
  if (sections.length === 0 && named.length === 0) {
    chosen = new Set(runnable.map((c) => c.id));
    sectionIds = notebook.sections.map((s) => s.id);
  } else {
    chosen = new Set();
    if (sections.length > 0) {
      const picked = selectSections(notebook, sections);
      sectionIds = picked.map((s) => s.id);
      const ids = new Set(sectionIds);
      for (const cell of runnable) if (ids.has(cell.sectionId)) chosen.add(cell.id);
    }
    for (const cell of selectCells(notebook, named)) chosen.add(cell.id);
  }
  let cells = runnable.filter((c) => chosen.has(c.id));
  if (tags.length > 0) cells = cells.filter((c) => hasTag(c, tags));
  return { cells, sectionIds };
}

function checksFor(notebook: Notebook, cell: Cell): PlannedCheck[] {
  return notebook.cells
    .filter((c) => (c.kind === 'assert' || c.kind === 'expect') && c.checks === cell.id)
    .map((c) =>
      c.kind === 'assert'
        ? { cellId: c.id, name: c.name, line: c.span.line, kind: 'assert' as const, assertions: c.assertions ?? [] }
        : {
            cellId: c.id,
            name: c.name,
            line: c.span.line,
            kind: 'expect' as const,
            expectText: c.source,
            expectFormat: c.expectFormat ?? 'json',
          },
    );
}

/**
 * Turns a parsed notebook, a selection, parameter values and a policy into a Plan: pure, no I/O.
 * Throws RunproofError for an unknown or ambiguous section, a missing parameter, a bad duration.
 * @example planRun(notebook, { sections: ['2'], mode: 'unattended', values: [{ name: 'commit_sha', value: 'abc', source: 'flag' }] })
 */
export function planRun(notebook: Notebook, options: PlanOptions): PlanResult {
  const policy = policyFromAllow(options.allow);
  const { cells, sectionIds } = selectedCells(notebook, options);
  const sectionsById = new Map(notebook.sections.map((s) => [s.id, s]));
  const explicitlyNamed = new Set((options.cells ?? []).map((n) => n.toLowerCase()));

  const neededBy = new Map<string, string[]>();
  for (const cell of cells) {
    for (const use of cell.params) {
      const list = neededBy.get(use.name) ?? [];
      if (!list.includes(cell.name)) list.push(cell.name);
      neededBy.set(use.name, list);
    }
  }
  const resolved = resolveParameters(notebook, options.values ?? [], neededBy);
  if (resolved.missing.length > 0 && (options.onMissing ?? 'throw') === 'throw') {
    throw missingParametersError(resolved.missing);
  }
  const values = Object.fromEntries(resolved.parameters.map((p) => [p.name, p.value]));
  const frontTimeout = notebook.frontMatter.timeout;
  const runTimeout = options.timeoutMs ?? (frontTimeout ? parseDuration(frontTimeout, 'front matter timeout') : DEFAULT_TIMEOUT_MS);
  const warnings: string[] = [];

  const steps: PlanStep[] = cells.map((cell) => {
    const section = sectionsById.get(cell.sectionId);
    const risk = cell.risk ?? { level: 'write' as const, classified: 'write' as const, reason: 'write: not classified', overridden: false };
    const usable = cell.params.filter((u) => values[u.name] !== undefined);
    const bound = bindParameters(cell.command, usable, values);
    const where = `${notebook.path}:${cell.span.line}`;
    let decision = decideStep(cell, risk.level, options.mode, policy);
    const excluded = cell.attributes.excludeFromRunAll === true && !explicitlyNamed.has(cell.name.toLowerCase());
    if (excluded) decision = { action: 'skip', by: 'policy', reason: 'excludeFromRunAll: runs only when named with --cell' };
    const unresolved = cell.params.filter((u) => values[u.name] === undefined).map((u) => u.name);
    if (unresolved.length > 0) {
      decision = { action: 'block', by: 'policy', reason: `parameter without a value: ${unresolved.join(', ')}` };
    }
    let timeoutMs: number;
    let intervalMs: number;
    try {
      timeoutMs = cellDuration(cell.attributes.timeout, `timeout of ${cell.name}`, runTimeout);
      intervalMs = cellDuration(cell.attributes.interval, `interval of ${cell.name}`, 2000);
    } catch (error) {
      throw new RunproofError('RP_BAD_DURATION', `${where}: ${(error as Error).message}`, {
        hint: 'write a number with a unit: 500ms, 30s, 10m, 1h',
        cause: error,
      });
    }
    const step: PlanStep = {
      id: cell.id,
      name: cell.name,
      kind: cell.kind,
      language: cell.language,
      sectionId: cell.sectionId,
      sectionPath: section ? [...section.path, section.title].filter((t) => t.length > 0) : [],
      line: cell.span.line,
      risk,
      source: cell.command,
      display: bound.display,
      command: bound.command,
      env: bound.env,
      params: cell.params.map((p) => p.name),
      decision,
      timeoutMs,
      retry: cell.attributes.retry ?? 0,
      intervalMs,
      allowFailure: cell.attributes.allowFailure ?? false,
      expectExit: cell.attributes.expectExit ?? 0,
      background: cell.attributes.background ?? false,
      interactive: cell.attributes.interactive ?? false,
      checks: checksFor(notebook, cell),
    };
    const shell = cell.attributes.shell ?? cell.attributes.interpreter ?? notebook.frontMatter.shell;
    if (shell !== undefined) step.shell = shell;
    const cwd = cell.attributes.cwd ?? notebook.frontMatter.cwd;
    if (cwd !== undefined) step.cwd = cwd;
    const capture = cell.attributes.capture ?? (cell.attributes.name && /^[A-Z][A-Z0-9_]*$/.test(cell.attributes.name) ? cell.attributes.name : undefined);
    if (capture !== undefined) step.capture = capture;
    if (cell.attributes.confirm !== undefined) step.confirm = cell.attributes.confirm;
    if (cell.http) step.http = cell.http;
    if (cell.attributes.errexit === false) step.errexit = false;
    if (cell.command === cell.source) step.commandLine = cell.contentLine;
    return step;
  });
  if (steps.length === 0) warnings.push('the selection holds no runnable cell');

  return {
    runbook: { path: notebook.path, title: notebook.title },
    selection: { sections: options.sections ?? [], cells: options.cells ?? [], tags: options.tags ?? [] },
    sectionIds,
    mode: options.mode,
    policy,
    parameters: resolved.parameters,
    env: resolved.env,
    steps,
    warnings,
    missingParameters: resolved.missing,
  };
}
