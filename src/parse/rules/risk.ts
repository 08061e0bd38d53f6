import type { RiskLevel } from '../types.js';
import { guarded } from './guard.js';
import { cellShellFacts, unwrap } from './shell-analysis.js';
import type { ParseRule } from './state.js';

const ORDER: Record<RiskLevel, number> = { read: 0, write: 1, destructive: 2 };

/** Classifies every runnable cell; a `risk` attribute overrides, and lowering it is a warning. */
export const riskRule: ParseRule = {
  name: 'risk',
  run(state) {
    for (const cell of state.cells) {
      if (!cell.runnable) continue;
      const finding = guarded(state, cell.span.line, 'classifyRisk', () => unwrap(cellShellFacts(cell).risk), {
        level: 'destructive' as RiskLevel,
        reason: 'destructive: the classifier failed on this cell, so it is treated as destructive',
      });
      const override = cell.attributes.risk;
      cell.risk = {
        level: override ?? finding.level,
        classified: finding.level,
        reason: finding.reason,
        overridden: override !== undefined,
      };
      if (override !== undefined && ORDER[override] < ORDER[finding.level]) {
        state.warn(
          'RP_RISK_LOWERED',
          `cell "${cell.name}" is marked risk=${override} but the classifier says ${finding.level} (${finding.reason})`,
          { line: cell.span.line, col: cell.span.col },
          `remove risk=${override} unless you are sure; policy and prompts follow the attribute`,
        );
      }
    }
  },
};
