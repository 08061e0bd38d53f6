// `runproof lint` of checklist files: the schema (every problem of load.ts), then what only the
// runbook can tell: each section and cell a checklist names exists (with did-you-mean), the
// parameters its selected cells read are given, and the selection checks something. The same
// selection and parameter rules as a run (plan's selectSections/selectCells/planRun), so lint and
// run cannot disagree.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { collectRunbookFiles, lintPaths, readRunbookFile, RUNBOOK_EXTENSIONS, type FileLint } from '../app/index.js';
import { isRunproofError, RunproofError } from '../core/index.js';
import { errorToDiagnostic, parseRunbook, type Diagnostic, type Notebook } from '../parse/index.js';
import { planRun, selectCells, selectSections } from '../plan/index.js';
import { inspectChecklistText, locate, type Checklist } from './load.js';

/** Extensions of checklist files (YAML). */
export const CHECKLIST_EXTENSIONS: readonly string[] = ['.yaml', '.yml'];

/**
 * Whether YAML text is a checklist file: a mapping with a `checklists` key. A folder's other YAML
 * (CI config, Kubernetes manifests, the policy file) is not linted as a checklist.
 */
export function looksLikeChecklist(text: string): boolean {
  try {
    const doc = parseDocument(text, { prettyErrors: false });
    const contents = doc.contents as { items?: Array<{ key?: { value?: unknown } }> } | null;
    return Array.isArray(contents?.items) && contents.items.some((item) => item.key?.value === 'checklists');
  } catch {
    return false;
  }
}

function at(file: string, doc: Document, lines: LineCounter, path: PropertyKey[]): { file: string; span: { line: number; col: number } } {
  const { line, col } = locate(doc, lines, path);
  return { file, span: { line, col } };
}

// Problems of one checklist against its runbook: selectors, parameters, an empty selection.
function checklistDiagnostics(file: string, doc: Document, lines: LineCounter, index: number, c: Checklist, notebook: Notebook): Diagnostic[] {
  const out: Diagnostic[] = [];
  const base: PropertyKey[] = ['checklists', index];
  const fromError = (error: unknown, path: PropertyKey[], prefix: string): void => {
    const e = isRunproofError(error) ? error : new RunproofError('RP_INTERNAL', String(error), { hint: 'this is a bug in runproof' });
    out.push({ severity: 'error', code: e.code, message: `${prefix}${e.message}`, ...(e.hint ? { hint: e.hint } : {}), ...at(file, doc, lines, path) });
  };
  let selectorsOk = true;
  c.sections.forEach((selector, j) => {
    try {
      selectSections(notebook, [selector]);
    } catch (error) {
      selectorsOk = false;
      fromError(error, [...base, 'sections', j], `checklist ${c.name}: `);
    }
  });
  c.cells.forEach((name, j) => {
    try {
      selectCells(notebook, [name]);
    } catch (error) {
      selectorsOk = false;
      fromError(error, [...base, 'cells', j], `checklist ${c.name}: `);
    }
  });
  if (!selectorsOk) return out;
  // `env:NAME` parameters are read when the checklist runs: here they count as given.
  const values = c.params.map((p) => ({ name: p.name, value: p.value ?? `env:${p.env}`, source: p.env !== undefined ? ('environment' as const) : ('flag' as const) }));
  let plan;
  try {
    plan = planRun(notebook, { sections: c.sections, cells: c.cells, tags: c.tags, values, mode: 'unattended', allow: c.allow, onMissing: 'keep', ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}) });
  } catch (error) {
    fromError(error, base, `checklist ${c.name}: `);
    return out;
  }
  const paramsPath = doc.hasIn([...base, 'params']) ? [...base, 'params'] : base;
  for (const m of plan.missingParameters) {
    out.push({
      severity: 'error',
      code: 'RP_MISSING_PARAMETER',
      message: `checklist ${c.name}: parameter ${m.name} has no value (needed by ${m.cells.join(', ')})`,
      hint: `add it under params, e.g. params: { ${m.name}: env:${m.name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')} }, or give it a default in the runbook's front matter`,
      ...at(file, doc, lines, paramsPath),
    });
  }
  const where = c.sections.length > 0 ? [...base, 'sections'] : c.cells.length > 0 ? [...base, 'cells'] : c.tags.length > 0 ? [...base, 'tags'] : base;
  if (plan.steps.length === 0) {
    out.push({
      severity: 'error',
      code: 'RP_CHECKLIST_CHECKS_NOTHING',
      message: `checklist ${c.name}: the selection holds no runnable cell, so every run would check nothing (and fail as empty)`,
      hint: 'name sections or cells that hold shell, http or promql cells (runproof list shows them)',
      ...at(file, doc, lines, where),
    });
  } else if (plan.steps.every((s) => s.decision.action === 'block' && !plan.missingParameters.some((m) => m.cells.includes(s.name)))) {
    const levels = [...new Set(plan.steps.map((s) => s.risk.level))].join(', ');
    out.push({
      severity: 'warning',
      code: 'RP_CHECKLIST_ALL_BLOCKED',
      message: `checklist ${c.name}: every selected cell (${plan.steps.length}) is blocked by its policy (allow: ${c.allow.join(', ')}; cells are ${levels}), so nothing would be checked`,
      hint: `add allow: ${levels.includes('destructive') ? 'destructive' : 'write'} if these cells are meant to run unattended, or select read cells`,
      ...at(file, doc, lines, doc.hasIn([...base, 'allow']) ? [...base, 'allow'] : base),
    });
  }
  return out;
}

/**
 * Every problem of a checklist file's text: schema, runbooks, sections, cells, parameters.
 * Never throws for bad input: each problem is a diagnostic with its line in the checklist file.
 * @example await lintChecklistText('checklists:\n  - name: x\n    runbook: nope.md\n', 'ops/c.yaml')
 */
export async function lintChecklistText(text: string, path: string): Promise<Diagnostic[]> {
  let inspected;
  try {
    inspected = await inspectChecklistText(text, path);
  } catch (error) {
    return [errorToDiagnostic(isRunproofError(error) ? error : new RunproofError('RP_INTERNAL', String(error), { hint: 'this is a bug in runproof' }), path)];
  }
  const out: Diagnostic[] = inspected.problems.map((p) => ({
    severity: 'error' as const,
    code: 'RP_BAD_CHECKLIST',
    message: `${p.path ? `${p.path}: ` : ''}${p.message}`,
    hint: p.hint ?? 'see the JSON Schema in schema/checklist.schema.json',
    file: path,
    span: { line: p.line, col: p.col },
  }));
  if (!inspected.file) return out;
  const loaded = inspected.file;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const notebooks = new Map<string, Notebook | Diagnostic>();
  for (const [index, c] of loaded.checklists.entries()) {
    if (inspected.missingRunbooks.has(index)) continue;
    let notebook = notebooks.get(c.runbookPath);
    if (notebook === undefined) {
      try {
        notebook = parseRunbook(await readRunbookFile(c.runbookPath), { path: c.runbookPath });
      } catch (error) {
        const e = isRunproofError(error) ? error : new RunproofError('RP_INTERNAL', String(error), { hint: 'this is a bug in runproof' });
        notebook = { severity: 'error', code: e.code, message: `runbook ${c.runbook}: ${e.message}`, ...(e.hint ? { hint: e.hint } : {}), ...at(path, doc, lines, ['checklists', index, 'runbook']) };
      }
      notebooks.set(c.runbookPath, notebook);
    }
    if ('severity' in notebook) {
      out.push({ ...notebook, ...at(path, doc, lines, ['checklists', index, 'runbook']) });
      continue;
    }
    out.push(...checklistDiagnostics(path, doc, lines, index, c, notebook));
  }
  return out.sort((a, b) => (a.span?.line ?? 0) - (b.span?.line ?? 0) || (a.span?.col ?? 0) - (b.span?.col ?? 0));
}

/**
 * Lints runbooks and checklist files under `paths`. A YAML file named on the command line is a
 * checklist file; in a folder, a YAML file is one when it has a top-level `checklists` key.
 * @example const results = await lintRunbooksAndChecklists(['ops/'])
 */
export async function lintRunbooksAndChecklists(paths: readonly string[], options: { policyFile?: string } = {}): Promise<FileLint[]> {
  const explicit = new Set(paths);
  const { files, errors } = await collectRunbookFiles(paths, [...RUNBOOK_EXTENSIONS, ...CHECKLIST_EXTENSIONS]);
  const results: FileLint[] = errors.map((error) => ({ path: error.file ?? '', diagnostics: [errorToDiagnostic(error)] }));
  for (const path of files) {
    if (!CHECKLIST_EXTENSIONS.includes(extname(path).toLowerCase())) {
      results.push(...(await lintPaths([path], options)));
      continue;
    }
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      results.push({ path, diagnostics: [errorToDiagnostic(new RunproofError('RP_READ_FAILED', `cannot read ${path}: ${(error as Error).message}`, { file: path, hint: 'check the file permissions', cause: error }), path)] });
      continue;
    }
    if (!explicit.has(path) && !looksLikeChecklist(text)) continue;
    results.push({ path, diagnostics: await lintChecklistText(text, path) });
  }
  return results;
}
