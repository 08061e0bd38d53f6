// Values given with `--env-file` or `--set` that are not parameters are data for the cells that
// read them (SECURITY L8): a cell gets one in its environment only when its text names it (`$X`,
// `${X:-…}`, `printenv X`, `X=$X ./deploy.sh`), so a value meant for one cell does not reach
// every program every other cell starts. A cell that needs a value for a script it calls names
// it (`DEPLOY_TOKEN=$DEPLOY_TOKEN ./deploy.sh`, or `export DEPLOY_TOKEN` in an earlier cell).

/**
 * The entries of `values` whose names appear as a word in `command`.
 * @example valuesReadBy('echo "$A"', { A: '1', B: '2' }) // { A: '1' }
 */
export function valuesReadBy(command: string, values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const escaped = name.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`);
    if (new RegExp(`(?:^|[^A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`).test(command)) out[name] = value;
  }
  return out;
}
