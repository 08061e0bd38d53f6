// Interactive runs ask for a parameter when the first cell that needs it comes (the ROXY rollback's
// `commit_sha` once its own `git log` cell has shown the candidates), in any cell kind. The app owns
// the mechanism; the CLI only supplies the prompt (app and execute never touch the terminal).
import { isRunproofError, isSecretName } from '../core/index.js';
import { expandFileVariables, httpTemplateNames, type Notebook } from '../parse/index.js';
import { planRun, type GivenValue, type PlanOptions, type PlanResult, type PlanStep } from '../plan/index.js';
import type { Decision, JournalEventInput, Redactor } from '../record/index.js';

/** A parameter a step needs that has no value yet, with what the front matter says about it. */
export interface MissingParameter {
  name: string;
  /** Every selected cell that reads it (the step asking is one of them). */
  cells: string[];
  description?: string;
  /** Secret values are read without echo and recorded as `[REDACTED:NAME]`. */
  secret: boolean;
  /** Front matter `choices`. */
  choices?: string[];
  /** Front matter `pattern`. */
  pattern?: string;
}

/** What the operator answered: values for every parameter asked, or not to run the step. */
export type MissingAnswer = { values: Array<{ name: string; value: string }> } | { skip: true } | { quit: true };

/**
 * The operator's side of asking (`RunRunbookOptions.askMissing`): called before the step that first
 * needs `missing`; `problem` says why the previous answer was refused (it is asked again).
 */
export type AskMissing = (request: { step: PlanStep; missing: MissingParameter[]; problem?: string }) => Promise<MissingAnswer>;

/** What the hook needs from the run being prepared. */
export interface MissingAskerContext {
  notebook: Notebook;
  /** The plan as made (with `onMissing: 'keep'`): its `parameters` and `env` are updated in place as values are given. */
  plan: PlanResult;
  /** The options the plan was made with: the step is planned again with them and the values given. */
  planOptions: PlanOptions;
  /** The run's redactor: a secret value is masked from the moment it is given. */
  redactor: Redactor;
  /** Appends to the run's journal (the `parameter` event). */
  append(event: JournalEventInput): Promise<void>;
  ask: AskMissing;
}

/**
 * The `prepareStep` hook of an interactive run: before a step, asks for the parameters it needs
 * that have no value, then plans the step again with them, so the value is bound with the same
 * quoting and safety checks as `--set` (plan/bind-params.ts) and the risk is judged again with it
 * (plan's judgeWithValues). A value the plan refuses is asked again with the reason. The value is
 * journaled (`parameter`, source `prompt`, secret values redacted) before the step starts.
 */
export function createMissingAsker(context: MissingAskerContext): (step: PlanStep) => Promise<{ step: PlanStep } | { decision: Omit<Decision, 'at'> & { action: 'skip' | 'quit' } }> {
  const { notebook, plan, planOptions } = context;
  const given: GivenValue[] = [...(planOptions.values ?? [])];
  const stillMissing = new Map(plan.missingParameters.map((m) => [m.name, m]));
  const specs = new Map(notebook.params.map((p) => [p.name, p]));
  // Names given during the run, and the plan made with them: a later step reading one of them is
  // taken from it (bound with the value), not from the first plan (blocked for want of it).
  const givenNow = new Set<string>();
  let latest: PlanResult | undefined;
  const reads = (step: PlanStep, name: string): boolean =>
    step.params.includes(name) || (step.http !== undefined && httpTemplateNames(expandFileVariables(step.http)).includes(name));

  // The names this step reads that nothing provides yet: shell `<name>` placeholders and HTTP `{{NAME}}`s.
  const neededBy = (step: PlanStep): string[] => {
    const names = new Set(step.params);
    if (step.http) {
      const known = new Set([...plan.parameters.map((p) => p.name), ...Object.keys(plan.env), ...(planOptions.envNames ?? [])]);
      for (const name of httpTemplateNames(expandFileVariables(step.http, known))) names.add(name);
    }
    return [...names].filter((name) => stillMissing.has(name));
  };

  return async (step) => {
    // A step that will not run (left out of run-all) needs nothing.
    const names = step.decision.action === 'skip' ? [] : neededBy(step);
    if (names.length === 0) {
      const fresh = latest && [...givenNow].some((name) => reads(step, name)) ? latest.steps.find((s) => s.id === step.id) : undefined;
      return { step: fresh ? withApproval(fresh, step) : step };
    }
    const missing: MissingParameter[] = names.map((name) => {
      const spec = specs.get(name);
      const m = stillMissing.get(name)!;
      return {
        name,
        cells: m.cells,
        ...(spec?.description !== undefined ? { description: spec.description } : m.description !== undefined ? { description: m.description } : {}),
        secret: spec?.secret === true || isSecretName(name),
        ...(spec?.choices !== undefined ? { choices: spec.choices } : {}),
        ...(spec?.pattern !== undefined ? { pattern: spec.pattern } : {}),
      };
    });
    let problem: string | undefined;
    for (;;) {
      const answer = await context.ask({ step, missing, ...(problem !== undefined ? { problem } : {}) });
      if ('skip' in answer) {
        return { decision: { action: 'skip', by: 'operator', reason: `the operator gave no value for ${names.join(', ')}: skipped` } };
      }
      if ('quit' in answer) {
        return { decision: { action: 'quit', by: 'operator', reason: `the operator quit when asked for ${names.join(', ')}` } };
      }
      const offered: GivenValue[] = answer.values.filter((v) => names.includes(v.name)).map((v) => ({ name: v.name, value: v.value, source: 'prompt' as const }));
      let replanned: PlanResult;
      try {
        replanned = planRun(notebook, { ...planOptions, values: [...given, ...offered], onMissing: 'keep' });
      } catch (error) {
        if (!isRunproofError(error)) throw error;
        problem = `${error.code} ${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`;
        continue;
      }
      const next = replanned.steps.find((s) => s.id === step.id);
      const unanswered = names.filter((n) => replanned.missingParameters.some((m) => m.name === n && m.cells.includes(step.name)));
      if (!next || unanswered.length > 0) {
        problem = `no value for ${unanswered.join(', ') || names.join(', ')}`;
        continue;
      }
      given.push(...offered);
      latest = replanned;
      for (const value of offered) {
        stillMissing.delete(value.name);
        givenNow.add(value.name);
        const secret = missing.find((m) => m.name === value.name)?.secret === true;
        // Masked before anything shows or records it.
        if (secret) context.redactor.add(value.name, value.value);
        await context.append({ type: 'parameter', stepId: step.id, parameter: { name: value.name, value: secret ? `[REDACTED:${value.name}]` : value.value, source: 'prompt', secret } });
      }
      // The run's view of the values (HTTP templates, the screen) is the plan's: updated in place.
      plan.parameters.splice(0, plan.parameters.length, ...replanned.parameters);
      Object.assign(plan.env, replanned.env);
      const at = plan.steps.findIndex((s) => s.id === step.id);
      const bound = withApproval(next, step);
      if (at !== -1) plan.steps[at] = bound;
      return { step: bound };
    }
  };
}

// A step planned again keeps what the run added to it after planning (its approval).
function withApproval(next: PlanStep, step: PlanStep): PlanStep {
  return step.approval ? { ...next, approval: step.approval } : next;
}
