import { classifyRisk, type HttpRequestSpec } from '../../parse/index.js';
import type { PlanStep } from '../../plan/index.js';

/** The step with `text` as what runs, its risk classified again from the edited text. */
export function reclassified(step: PlanStep, text: string, http?: HttpRequestSpec): PlanStep {
  const finding = classifyRisk(step.kind, text, http);
  const risk = { level: finding.level, classified: finding.level, reason: finding.reason, overridden: false };
  return { ...step, source: text, display: text, command: text, ...(http ? { http } : {}), risk };
}
