import { relative } from 'node:path';
import type { RunProgress } from '../execute/index.js';
import { showTerminalOutput, STEP_STATUS_WORD } from '../render/index.js';
import { nothingRanNote, type Counts } from '../record/index.js';
import { collapseRetries } from './retry-view.js';
import type { PlanResult, PlanStep } from '../plan/index.js';
import type { HttpExchange } from '../execute/index.js';
import { createPaint } from './interactive/screen.js';
import { riskReason, sourceForScreen } from './interactive/format.js';

export interface RunPrinterOptions {
  json: boolean;
  out: NodeJS.WritableStream;
}

const useColor = (out: NodeJS.WritableStream): boolean =>
  !('NO_COLOR' in process.env) && (out as NodeJS.WriteStream).isTTY === true;

// Terminal view of an unattended or dry run: one header line per step, its output live, one verdict line.
export function createRunPrinter(options: RunPrinterOptions): {
  progress: RunProgress;
  summary(result: { status: string; counts: Counts; bundleDir: string; recordPath: string; durationMs: number; reportPaths?: { html: string }; record: { status: string; counts: Counts; steps: ReadonlyArray<{ status: string; risk: { level: string } }>; sandbox?: { mode: string; available?: boolean; reason?: string }; hosts?: ReadonlyArray<{ name: string; status: string; message?: string }> } }): void;
  /**
   * The run's plan and redactor: step notes (a failing line's text) are masked as the record masks
   * them; HTTP requests and dry-run commands are shown with the plan's values, secrets masked.
   */
  usePlan(plan: PlanResult, redactor: { redact(text: string): string }): void;
  /** An HTTP cell's attempt ended: `<- HTTP 503 Service Unavailable (12 ms)`, or why nothing came back. */
  httpResult(step: PlanStep | undefined, exchange: HttpExchange): void;
  /** Ends a line of live output cut short, so that an error printed next starts on its own line. */
  endLine(): void;
} {
  const { out } = options;
  const color = useColor(out);
  const paint = (code: string, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  let lastEndedWithNewline = true;
  // Hosts of a fleet run run at once: their steps print one line each when they end, and their
  // output stays in the bundle (interleaved live output of many hosts would be unreadable).
  const started = new Map<string, string>();
  let mask = (text: string): string => text;
  let plan: PlanResult | undefined;
  const shown = (step: PlanStep): string =>
    sourceForScreen(step, { paint: createPaint(color), parameters: plan?.parameters ?? [], variables: plan?.env ?? {}, redact: mask });
  const indented = (text: string, mark: string): string => `${text.replace(/\n$/, '').split('\n').map((l) => `  ${paint('2', mark)} ${l}`).join('\n')}\n`;
  const endLine = (): void => {
    if (!lastEndedWithNewline) out.write('\n');
    lastEndedWithNewline = true;
  };
  const progress: RunProgress = {
      stepStart(step, index, total) {
        if (step.host) {
          started.set(step.id, `[${index + 1}/${total}]`);
          return;
        }
        // Names and titles come from the runbook: a secret written there is masked as in the record.
        const where = mask(step.sectionPath.join(' / '));
        out.write(`${paint('1', `[${index + 1}/${total}] ${mask(step.name)}`)} ${paint('2', `(${step.kind}, ${step.risk.level}${where ? `, ${where}` : ''})`)}\n`);
        if (plan?.mode === 'dry-run') {
          // What would run, how risky and why, and what each kind of run would do with it.
          out.write(indented(shown(step), step.kind === 'shell' ? '$' : '>'));
          out.write(`  risk: ${step.risk.level} · ${mask(riskReason(step))}\n`);
          out.write(`  unattended: ${step.decision.action === 'run' ? 'runs' : step.decision.action === 'block' ? 'blocked' : 'skipped'}: ${mask(step.decision.reason)}\n`);
          out.write(`  interactive: ${interactiveWould(step, plan)}\n`);
        } else if (step.kind === 'http') {
          // The request as it is sent: parameters filled in, secrets masked.
          out.write(indented(shown(step), '>'));
        }
      },
      output(step, _stream, text) {
        if (step.host) return;
        // A cell's escape sequences are shown, never obeyed (SECURITY L11); kept colours are reset after.
        const shown = showTerminalOutput(text, { color });
        out.write(shown.hasColor ? `${shown.text}\u001b[0m` : shown.text);
        lastEndedWithNewline = shown.text.endsWith('\n');
      },
      stepEnd(step, status, rawDetail) {
        const detail = rawDetail ? mask(rawDetail) : rawDetail;
        if (!lastEndedWithNewline) out.write('\n');
        lastEndedWithNewline = true;
        const mark = STEP_STATUS_WORD[status];
        const painted = status === 'passed' ? paint('32', mark) : status === 'failed' || status === 'timed-out' || status === 'interrupted' ? paint('31', mark) : paint('33', mark);
        if (step.host) {
          out.write(`${paint('1', step.host)} ${started.get(step.id) ?? ''} ${mask(step.name)} -> ${painted}${detail ? `: ${detail}` : ''}\n`);
          return;
        }
        out.write(`  -> ${painted}${detail ? `: ${detail}` : ''}\n`);
      },
  };
  return {
    usePlan(given, redactor) {
      plan = given;
      mask = (text) => redactor.redact(text);
    },
    httpResult(step, exchange) {
      if (step?.host) return;
      endLine();
      const ms = exchange.timings.totalMs !== undefined ? ` (${Math.round(exchange.timings.totalMs)} ms)` : '';
      if (exchange.response) {
        const status = exchange.response.status;
        const text = `<- HTTP ${status}${exchange.response.statusText ? ` ${exchange.response.statusText}` : ''}${ms}`;
        out.write(`  ${status >= 400 ? paint('31', text) : paint('2', text)}\n`);
      } else if (exchange.error) {
        out.write(`  ${paint('31', `<- no response: ${mask(exchange.error.message)}`)}\n`);
      }
    },
    // A cell with retries: one `attempt k/N` line each, and the last attempt's output (J11).
    progress: collapseRetries(progress, (step, line) => {
      if (step.host) return;
      endLine();
      out.write(`${paint('2', `  ${line}`)}\n`);
    }),
    endLine,
    summary(result) {
      const c = result.counts;
      const label = result.status === 'empty' ? 'NOTHING CHECKED' : result.status.toUpperCase();
      const nothing = nothingRanNote(result.record);
      out.write(
        `\n${label}: ${c.passed} passed, ${c.failed} failed, ${c.blocked} blocked, ${c.skipped} skipped, ${c.notRun} not run (${(result.durationMs / 1000).toFixed(1)} s)\n`,
      );
      if (nothing) out.write(`${paint('1;31', nothing)}\n`);
      for (const host of result.record.hosts ?? []) {
        const word = host.status === 'passed' ? paint('32', host.status) : host.status === 'not-started' ? paint('33', host.status) : paint('31', host.status);
        out.write(`host ${host.name}: ${word}${host.message ? ` (${mask(host.message)})` : ''}\n`);
      }
      const sandbox = result.record.sandbox;
      if (sandbox?.available === false) out.write(`sandbox: none (${sandbox.reason ?? 'bwrap failed'}): read cells ran without it\n`);
      out.write(`evidence: ${relative(process.cwd(), result.recordPath) || result.recordPath}\n`);
      // As `demo` does: where to look, and how an auditor checks it.
      if (result.reportPaths) out.write(`report:   ${relative(process.cwd(), result.reportPaths.html) || result.reportPaths.html}\n`);
      const bundle = relative(process.cwd(), result.bundleDir) || result.bundleDir;
      out.write(`verify:   runproof verify ${/^[A-Za-z0-9_./-]+$/.test(bundle) ? bundle : `'${bundle.replaceAll("'", "'\\''")}'`}\n`);
    },
  };
}

/** What an interactive run would do at this step: ask y/n, ask the typed name, ask a value first. */
export function interactiveWould(step: PlanStep, plan: PlanResult): string {
  const asks = plan.missingParameters.filter((m) => m.cells.includes(step.name)).map((m) => m.name);
  const first = asks.length > 0 ? `asks ${asks.join(', ')} (no value given) when this cell comes, then ` : '';
  if (step.decision.action === 'skip') return `skipped: ${step.decision.reason}`;
  const skip = step.decision.action === 'block' && /marks this cell skip/.test(step.decision.reason);
  if (skip) return 'skipped';
  if (step.risk.level === 'destructive') return `${first}asks to type the cell name ${step.name}`;
  if (step.risk.level === 'read' && step.confirm === 'never') return `${first}runs without asking (confirm=never)`;
  return `${first}asks run it? (y/n)`;
}
