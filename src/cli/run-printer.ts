import { relative } from 'node:path';
import type { RunProgress } from '../execute/index.js';
import { showTerminalOutput, STEP_STATUS_WORD } from '../render/index.js';
import { nothingRanNote, type Counts } from '../record/index.js';
import { collapseRetries } from './retry-view.js';

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
  /** The run's redactor: step notes (a failing line's text) are masked as the record masks them. */
  useRedactor(redactor: { redact(text: string): string }): void;
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
        const where = step.sectionPath.join(' / ');
        out.write(`${paint('1', `[${index + 1}/${total}] ${step.name}`)} ${paint('2', `(${step.kind}, ${step.risk.level}${where ? `, ${where}` : ''})`)}\n`);
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
          out.write(`${paint('1', step.host)} ${started.get(step.id) ?? ''} ${step.name} -> ${painted}${detail ? `: ${detail}` : ''}\n`);
          return;
        }
        out.write(`  -> ${painted}${detail ? `: ${detail}` : ''}\n`);
      },
  };
  return {
    useRedactor(redactor) {
      mask = (text) => redactor.redact(text);
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
        out.write(`host ${host.name}: ${word}${host.message ? ` (${host.message})` : ''}\n`);
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
