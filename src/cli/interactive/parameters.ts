import { readRunbookFile } from '../../app/index.js';
import { parseRunbook } from '../../parse/index.js';
import { isSecretName, planRun, type PlanOptions } from '../../plan/index.js';
import type { MissingParameter } from './session.js';

// An interactive run asks for missing parameters before its first cell: this plans once with
// placeholders kept (as a dry run does) only to learn which values are missing, with the front
// matter's description, default and secret flag. Bad input still throws here, before any prompt.
/** The parameters the selected cells need that have no value yet. */
export async function findMissingParameters(runbookPath: string, options: Omit<PlanOptions, 'onMissing' | 'mode'>): Promise<MissingParameter[]> {
  const notebook = parseRunbook(await readRunbookFile(runbookPath), { path: runbookPath });
  const plan = planRun(notebook, { ...options, mode: 'interactive', onMissing: 'keep' });
  return plan.missingParameters.map((m) => {
    const spec = notebook.params.find((p) => p.name === m.name);
    return {
      ...m,
      ...(m.description === undefined && spec?.description !== undefined ? { description: spec.description } : {}),
      ...(spec?.default !== undefined ? { default: spec.default } : {}),
      ...(spec?.choices !== undefined ? { choices: spec.choices } : {}),
      ...(spec?.pattern !== undefined ? { pattern: spec.pattern } : {}),
      secret: spec?.secret === true || isSecretName(m.name),
    };
  });
}
