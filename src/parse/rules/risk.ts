import { policyRuleNames } from '../policy.js';
import type { RiskLevel } from '../types.js';
import { guarded } from './guard.js';
import { cellShellFacts, unwrap } from './shell-analysis.js';
import type { ParseRule } from './state.js';

const ORDER: Record<RiskLevel, number> = { read: 0, write: 1, destructive: 2 };

/**
 * Classifies every runnable cell; a `risk` attribute overrides, and lowering it is a warning.
 * Notebook-level: once a cell redefines commands for the session (alias, hash -p, a function,
 * enable, trap, PATH=/BASH_ENV=...), no later shell cell can be proven read-only.
 */
export const riskRule: ParseRule = {
  name: 'risk',
  run(state) {
    let redefinedBy: { name: string; line: number; what: string } | undefined;
    for (const cell of state.cells) {
      if (!cell.runnable) continue;
      let finding = guarded(state, cell.span.line, 'classifyRisk', () => unwrap(cellShellFacts(state, cell).risk), {
        level: 'destructive' as RiskLevel,
        reason: 'destructive: the classifier failed on this cell, so it is treated as destructive',
      });
      if (cell.kind === 'shell' && redefinedBy !== undefined && finding.level === 'read') {
        finding = {
          level: 'write',
          reason: `write: cell "${redefinedBy.name}" (line ${redefinedBy.line}) ${redefinedBy.what}, so what this cell runs cannot be proven read-only`,
          decidedBy: 'risk.ts#redefined-by-earlier-cell',
        };
      }
      if (cell.kind === 'shell' && finding.redefines !== undefined && redefinedBy === undefined) {
        redefinedBy = { name: cell.name, line: cell.span.line, what: finding.redefines };
      }
      const override = cell.attributes.risk;
      cell.risk = {
        level: override ?? finding.level,
        classified: finding.level,
        reason: finding.reason,
        overridden: override !== undefined,
      };
      if (finding.decidedBy !== undefined) cell.risk.decidedBy = finding.decidedBy;
      if (finding.endless !== undefined) {
        cell.endless = true;
        cell.endlessReason = finding.endless;
        if (cell.attributes.timeout === undefined) {
          state.warn(
            'RP_ENDLESS_COMMAND',
            `cell "${cell.name}" runs until interrupted (${finding.endless})`,
            { line: cell.span.line, col: cell.span.col },
            'add a timeout attribute (reaching it is then the expected end), or bound the command (tail -n, logs without -f, ping -c)',
          );
        }
      }
      if (override !== undefined && ORDER[override] < ORDER[finding.level]) {
        state.warn(
          'RP_RISK_LOWERED',
          `cell "${cell.name}" is marked risk=${override} but the classifier says ${finding.level} (${finding.reason})`,
          { line: cell.span.line, col: cell.span.col },
          `remove risk=${override} unless you are sure; policy and prompts follow the attribute`,
        );
      }
    }
    if (state.policy !== undefined) {
      for (const rule of policyRuleNames(state.policy.policy)) {
        if (state.policy.used?.has(rule)) continue;
        state.warn('RP_POLICY_RULE_UNUSED', `${rule} of the team policy matches no command in this runbook`, { line: 1, col: 1 }, 'remove the rule or fix its pattern (globs match one command: words joined by single spaces, * any text)');
      }
    }
  },
};
