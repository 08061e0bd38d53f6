import { RunproofError, isRunproofError } from '../core/index.js';
import { classifyRisk, expandFileVariables, findPlaceholders, httpTemplateNames, isRunnableKind, httpTemplateSlots, substituteTemplateVars, type Cell, type Notebook, type RiskLevel, type TeamPolicy } from '../parse/index.js';
import { bindParameters, unsafeContextError } from './bind-params.js';
import { missingParametersError, resolveParameters, type GivenValue, type ResolvedParameters } from './parameters.js';
import { decideStep, policyFromAllow } from './policy.js';
import { hasTag, selectCells, selectSections } from './select.js';
import type { Mode, Plan, PlanStep, PlannedCheck } from './types.js';

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
/** Time between the tries of a cell with `retry` and no `interval`. */
export const DEFAULT_INTERVAL_MS = 2000;

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
  /**
   * Names set in the run's environment (default: none). An HTTP cell's `{{NAME}}` may come from
   * there; a name neither given, set nor captured by an earlier step is a missing parameter.
   */
  envNames?: ReadonlySet<string>;
  /**
   * The team policy the notebook was parsed with: a step whose parameter values change its risk is
   * judged again with the same rules (see {@link judgeWithValues}).
   */
  teamPolicy?: TeamPolicy;
}

export interface PlanResult extends Plan {
  missingParameters: ResolvedParameters['missing'];
}


// Which cells the selection names, in document order, and which of them Runme's excludeFromRunAll leaves out.
function selectedCells(notebook: Notebook, options: PlanOptions): { cells: Cell[]; sectionIds: string[] } {
  const sections = options.sections ?? [];
  const named = options.cells ?? [];
  const tags = options.tags ?? [];
  const runnable = notebook.cells.filter((c) => isRunnableKind(c.kind) && c.runnable);
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

const RISK_ORDER: Record<RiskLevel, number> = { read: 0, write: 1, destructive: 2 };

/**
 * A step's risk once its parameter values are known. The parse judged the text with placeholders
 * (`systemctl <verb> nginx` is `write`: an unknown form); the values decide what runs (`stop` makes
 * it destructive). The command with the values quoted for their places parses into exactly the words
 * that run, so it is classified again and the higher verdict stands. Never lowered: the parse knows
 * notebook-wide facts (a cell that redefined commands) that one command does not.
 */
export function judgeWithValues(risk: NonNullable<Cell['risk']>, structural: string, teamPolicy?: TeamPolicy): NonNullable<Cell['risk']> {
  const judged = classifyRisk('shell', structural, undefined, undefined, teamPolicy !== undefined ? { policy: teamPolicy } : undefined);
  if (RISK_ORDER[judged.level] <= RISK_ORDER[risk.classified]) return risk;
  const level = RISK_ORDER[judged.level] > RISK_ORDER[risk.level] ? judged.level : risk.level;
  const out: NonNullable<Cell['risk']> = { ...risk, level, classified: judged.level, reason: `${judged.reason} (with the parameter values given)` };
  if (judged.decidedBy !== undefined) out.decidedBy = judged.decidedBy;
  return out;
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

  // Unattended, only cells the policy will run need their parameters; interactively, every selected cell.
  const willRun = (cell: Cell): boolean => {
    if (options.mode !== 'unattended') return true;
    const level = cell.risk?.level ?? 'write';
    return decideStep(cell, level, options.mode, policy).action === 'run';
  };
  // Program text holding a placeholder is refused whatever the value: checked before anything else.
  for (const cell of cells) {
    if (cell.kind !== 'shell') continue;
    for (const o of findPlaceholders(cell.command)) {
      if (o.restriction === 'code') throw atCell(notebook, cell, o.start, unsafeContextError(o));
    }
  }
  const neededBy = new Map<string, string[]>();
  const need = (name: string, cell: Cell): void => {
    const list = neededBy.get(name) ?? [];
    if (!list.includes(cell.name)) list.push(cell.name);
    neededBy.set(name, list);
  };
  for (const cell of cells) {
    if (!willRun(cell)) continue;
    for (const use of cell.params) need(use.name, cell);
  }
  const resolved = resolveParameters(notebook, options.values ?? [], neededBy);
  // HTTP cells read `{{NAME}}` from parameters, variables given with --set/--env-file, the run's
  // environment, or a value an earlier step captured: anything else is missing before the run.
  const given = new Set([...resolved.parameters.map((p) => p.name), ...Object.keys(resolved.env), ...(options.envNames ?? [])]);
  const captured = new Set<string>();
  const httpMissing = new Map<string, string[]>();
  for (const cell of cells) {
    if (cell.kind === 'http' && cell.http && willRun(cell)) {
      for (const name of httpTemplateNames(expandFileVariables(cell.http, given))) {
        if (given.has(name) || captured.has(name)) continue;
        const list = httpMissing.get(name) ?? [];
        if (!list.includes(cell.name)) list.push(cell.name);
        httpMissing.set(name, list);
      }
    }
    const capture = cell.attributes.capture ?? (cell.attributes.name && /^[A-Z][A-Z0-9_]*$/.test(cell.attributes.name) ? cell.attributes.name : undefined);
    if (capture !== undefined) captured.add(capture);
  }
  // HTTP: a placeholder where no value can be data is refused; a known value that cannot be encoded where it sits too.
  const known = { ...resolved.env, ...Object.fromEntries(resolved.parameters.map((p) => [p.name, p.value])) };
  for (const cell of cells) {
    if (cell.kind !== 'http' || !cell.http) continue;
    const slot = httpTemplateSlots(cell.http).find((s) => s.context === 'header-name');
    if (slot) {
      throw atCell(notebook, cell, 0, new RunproofError('RP_UNSAFE_PARAMETER_CONTEXT', `{{${slot.name}}} sits in a header name, where no value is data`, { hint: 'write the header name in the runbook; put the value after the colon' }));
    }
    const { refused } = substituteTemplateVars(cell.http, known);
    if (refused.length > 0) {
      throw atCell(notebook, cell, 0, new RunproofError('RP_UNSAFE_PARAMETER_CONTEXT', `unsafe value for the request: ${refused.join('; ')}`, { hint: 'give a value of the shape that place takes, or move the placeholder to a path segment, query value or JSON string' }));
    }
  }
  for (const [name, cellNames] of httpMissing) {
    const known = resolved.missing.find((m) => m.name === name);
    if (!known) resolved.missing.push({ name, cells: cellNames });
    else for (const cell of cellNames) if (!known.cells.includes(cell)) known.cells.push(cell);
  }
  if (resolved.missing.length > 0 && (options.onMissing ?? 'throw') === 'throw') {
    throw missingParametersError(resolved.missing);
  }
  const values = Object.fromEntries(resolved.parameters.map((p) => [p.name, p.value]));
  // A parameter with a pattern says which values it takes: one starting with `-` is then meant.
  const optionLike = new Set(notebook.params.filter((p) => p.pattern !== undefined).map((p) => p.name));
  // Durations arrive as numbers: parse read and checked them (`timeout`, `interval`, front matter).
  const runTimeout = options.timeoutMs ?? notebook.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const warnings: string[] = [];

  const steps: PlanStep[] = cells.map((cell) => {
    const section = sectionsById.get(cell.sectionId);
    const parsedRisk = cell.risk ?? { level: 'write' as const, classified: 'write' as const, reason: 'write: not classified', overridden: false };
    const usable = cell.params.filter((u) => values[u.name] !== undefined);
    let bound: ReturnType<typeof bindParameters>;
    try {
      bound = bindParameters(cell.command, usable, values, { optionLike });
    } catch (error) {
      if (!isRunproofError(error)) throw error;
      const at = findPlaceholders(cell.command).find((o) => error.message.includes(`(${o.token})`));
      throw atCell(notebook, cell, at?.start ?? 0, error);
    }
    const risk = cell.kind === 'shell' && usable.length > 0 ? judgeWithValues(parsedRisk, bound.structural, options.teamPolicy) : parsedRisk;
    let decision = decideStep(cell, risk.level, options.mode, policy);
    const excluded = cell.attributes.excludeFromRunAll === true && !explicitlyNamed.has(cell.name.toLowerCase());
    if (excluded) decision = { action: 'skip', by: 'policy', reason: 'excludeFromRunAll: runs only when named with --cell' };
    const unresolved = cell.params.filter((u) => values[u.name] === undefined).map((u) => u.name);
    // A cell left out (excludeFromRunAll) stays skipped: it runs nothing, so it needs no value.
    if (unresolved.length > 0 && decision.action !== 'skip') {
      decision = { action: 'block', by: 'policy', reason: `parameter without a value: ${unresolved.join(', ')}` };
    }
    const kind = cell.kind;
    // selectedCells keeps runnable cells only: another kind here is a bug.
    if (!isRunnableKind(kind)) throw new Error(`cell ${cell.id} of kind ${kind} is not runnable`);
    const step: PlanStep = {
      id: cell.id,
      name: cell.name,
      kind,
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
      timeoutMs: cell.timeoutMs ?? runTimeout,
      retry: cell.attributes.retry ?? 0,
      intervalMs: cell.intervalMs ?? DEFAULT_INTERVAL_MS,
      allowFailure: cell.attributes.allowFailure ?? false,
      expectExit: cell.attributes.expectExit ?? 0,
      background: cell.attributes.background ?? false,
      interactive: cell.attributes.interactive ?? false,
      checks: checksFor(notebook, cell),
    };
    if (cell.interpreter !== undefined) step.interpreter = cell.interpreter;
    if (cell.endless === true) step.endless = cell.endlessReason ?? 'the command runs until interrupted';
    const shell = cell.attributes.shell ?? (cell.kind === 'shell' ? cell.attributes.interpreter : undefined) ?? notebook.frontMatter.shell;
    if (shell !== undefined && cell.kind === 'shell') step.shell = shell;
    const cwd = cell.attributes.cwd ?? notebook.frontMatter.cwd;
    if (cwd !== undefined) step.cwd = cwd;
    const capture = cell.attributes.capture ?? (cell.attributes.name && /^[A-Z][A-Z0-9_]*$/.test(cell.attributes.name) ? cell.attributes.name : undefined);
    if (capture !== undefined) step.capture = capture;
    if (cell.attributes.confirm !== undefined) step.confirm = cell.attributes.confirm;
    if (cell.http) step.http = cell.http;
    if (cell.attributes.errexit === false) step.errexit = false;
    // The front matter's host is where shell cells run; a request is pinned only by its own attribute.
    const pin = cell.attributes.host ?? (cell.kind === 'shell' ? notebook.frontMatter.host : undefined);
    if (pin !== undefined) step.pin = pin;
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

// The same error, naming the cell and the runbook line of the placeholder.
function atCell(notebook: Notebook, cell: Cell, offset: number, error: RunproofError): RunproofError {
  const line = cell.span.line + 1 + (cell.command.slice(0, offset).match(/\n/g)?.length ?? 0);
  return new RunproofError(error.code, `cell ${cell.name} (${notebook.path}:${line}): ${error.message}`, {
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    file: notebook.path,
    span: { line, col: 1 },
    cause: error,
  });
}
