import type { Cell, RiskLevel } from '../parse/index.js';
import type { Mode, PlannedDecision, Policy } from './types.js';

const ORDER: Record<RiskLevel, number> = { read: 0, write: 1, destructive: 2 };

/** The policy from `--allow` flags: read always; `destructive` implies `write`. */
export function policyFromAllow(allow: RiskLevel[] = []): Policy {
  const highest = allow.reduce<RiskLevel>((acc, level) => (ORDER[level] > ORDER[acc] ? level : acc), 'read');
  return { allow: (['read', 'write', 'destructive'] as RiskLevel[]).filter((l) => ORDER[l] <= ORDER[highest]) };
}

// Decides, before anything runs, what happens to a step: who decides and why, in words an auditor reads.
export function decideStep(cell: Cell, level: RiskLevel, mode: Mode, policy: Policy): PlannedDecision {
  const skip = cell.attributes.skip;
  if (skip === true || (typeof skip === 'string' && skip !== 'false' && skip !== '')) {
    return { action: 'skip', by: 'policy', reason: `the runbook marks this cell skip${typeof skip === 'string' && skip !== 'true' ? `: ${skip}` : ''}` };
  }
  if (mode === 'interactive') {
    if (level === 'destructive') return { action: 'ask', by: 'operator', reason: 'destructive: the operator must type the cell name' };
    if (cell.attributes.confirm === 'never' && level === 'read') return { action: 'run', by: 'policy', reason: 'read-only cell marked confirm=never' };
    return { action: 'ask', by: 'operator', reason: `${level} cell: asks the operator` };
  }
  if (cell.attributes.interactive === true) {
    return { action: 'block', by: 'policy', reason: 'the cell is marked interactive and needs an operator at a terminal' };
  }
  if (cell.attributes.confirm === 'always') {
    return { action: 'block', by: 'policy', reason: 'the cell is marked confirm=always and needs an operator to confirm it' };
  }
  // A follow mode never ends on its own: unattended, only a cell's own timeout may end it.
  if (cell.endless === true && cell.attributes.timeout === undefined) {
    return {
      action: 'block',
      by: 'policy',
      reason: `endless: ${cell.endlessReason ?? 'the command runs until interrupted'}, and nobody is there to press Ctrl-C; add timeout= (e.g. timeout=30s) to run it for that long`,
    };
  }
  if (level === 'read') return { action: 'run', by: 'policy', reason: 'read-only: allowed unattended' };
  if (policy.allow.includes(level)) return { action: 'run', by: 'flag', reason: `${level} allowed by --allow ${level === 'write' && policy.allow.includes('destructive') ? 'destructive' : level}` };
  return {
    action: 'block',
    by: 'policy',
    reason: `blocked by policy: ${level} cell in an unattended run (only read cells run; pass --allow ${level} to run it)`,
  };
}
