import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { RunproofError } from '../../core/index.js';
import { buildChangePlan, operatorIdentity } from '../../app/index.js';
import { parseEnvFile, parseSetFlag, type GivenValue } from '../../plan/index.js';
import { atOrAbove, serializePlan, writeAtomic } from '../../record/index.js';
import type { CommandRegistrar } from '../program.js';

interface PlanFlags {
  section: string[];
  cell: string[];
  tag: string[];
  set: string[];
  envFile?: string;
  out: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `runproof plan RUNBOOK --out change.plan.json`: the exact plan of a change, for `runproof approve`. */
export const registerPlan: CommandRegistrar = (program: Command) => {
  program
    .command('plan')
    .description('write the exact plan of a change (commands, risks, hosts, parameters, digests) for a reviewer to approve')
    .argument('<runbook>', 'Markdown runbook')
    .option('-s, --section <section>', 'section by number, title, slug or path; repeatable', collect, [])
    .option('-c, --cell <name>', 'cell by name; repeatable', collect, [])
    .option('--tag <tag>', 'cells carrying this tag; repeatable', collect, [])
    .option('--set <name=value>', 'a parameter or variable value; repeatable (secrets are kept as references)', collect, [])
    .option('--env-file <file>', 'NAME=value lines: parameter and variable values')
    .option('--out <file>', 'where the plan goes', 'change.plan.json')
    .option('--json', 'print the plan on stdout too')
    .addHelpText('after', '\nExample:\n  runproof plan ops/rotate.md --section 2 --set region=eu --out change.plan.json\n  runproof approve change.plan.json --key reviewer.key --ticket CHG-1234\n')
    .action(async (runbook: string, flags: PlanFlags) => {
      const values: GivenValue[] = [];
      if (flags.envFile) {
        let text: string;
        try {
          text = await readFile(flags.envFile, 'utf8');
        } catch (cause) {
          throw new RunproofError('RP_BAD_ENV_FILE', `cannot read env file ${flags.envFile}: ${(cause as Error).message}`, { hint: 'check the path given to --env-file', cause });
        }
        values.push(...parseEnvFile(text, flags.envFile));
      }
      values.push(...flags.set.map(parseSetFlag));
      const plan = await buildChangePlan({
        runbookPath: runbook,
        sections: flags.section,
        cells: flags.cell,
        tags: flags.tag,
        values,
        createdBy: operatorIdentity(process.env).user,
      });
      await writeAtomic(flags.out, serializePlan(plan));
      if (flags.json) {
        process.stdout.write(serializePlan(plan));
        return;
      }
      const gated = plan.steps.filter((s) => atOrAbove(s.risk, 'write'));
      process.stdout.write(
        `plan ${flags.out}: ${plan.steps.length} step(s), ${gated.filter((s) => s.risk === 'destructive').length} destructive, ${gated.filter((s) => s.risk === 'write').length} write\n` +
          `runbook ${plan.runbook.path} sha256 ${plan.runbook.sha256}\nplan digest sha256 ${plan.digest}\n` +
          plan.steps.map((s) => `  ${s.risk.padEnd(11)} ${s.name}: ${s.command.split('\n')[0]}${s.command.includes('\n') ? ' …' : ''}\n`).join(''),
      );
    });
};
