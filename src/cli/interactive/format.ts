// The screens of an interactive run, as pure functions of plain data: the header before a cell,
// the menus, the failure panel with the assertion diff. Kept free of I/O so that tests read them.
import { findPlaceholders } from '../../parse/index.js';
import { isSecretName } from '../../core/index.js';
import { paramEnvName, paramReference, quoteForPlace, type ParameterValue, type PlanStep } from '../../plan/index.js';
import type { StepFailure } from '../../execute/index.js';
import type { Glyphs, Paint } from './screen.js';

/** What formatting needs besides the step. */
export interface FormatContext {
  paint: Paint;
  glyphs: Glyphs;
  /** The run's parameter values (secret ones are never shown). */
  parameters: readonly ParameterValue[];
  /** Values given for names that are not parameters (`--set DEMO_TOKEN=…`): an HTTP cell's `{{NAME}}`; secret-named ones are masked. */
  variables?: Readonly<Record<string, string>>;
  /** Terminal width for rules (default 80). */
  width?: number;
  /**
   * Masks secrets in plain text (the run's redactor). Applied to text before it is painted, since
   * escape sequences glued to a value would hide it from the redaction patterns.
   */
  redact?: (text: string) => string;
}

const same = (text: string): string => text;

const masked = (name: string): string => `[REDACTED:${name}]`;

// A plain word is safe to write literally anywhere in a shell command (no quoting, no expansion).
const PLAIN_WORD = /^[A-Za-z0-9_.,:/@%+=-]+$/;

/** The risk reason without its leading `level:` (the level is shown beside it). */
export function riskReason(step: PlanStep): string {
  return step.risk.reason.replace(new RegExp(`^${step.risk.level}:\\s*`), '');
}

function paintRisk(step: PlanStep, paint: Paint): string {
  const level = step.risk.level;
  if (level === 'destructive') return paint.bold(paint.red('DESTRUCTIVE'));
  if (level === 'write') return paint.yellow('write');
  return paint.green('read');
}

/**
 * A value as it would be typed at its place in a shell command: a plain word as is, anything else
 * quoted for the place (`'it'\''s done'` outside quotes, `\$` escaped inside double quotes), so
 * that what the operator reads is the one word the cell receives.
 */
export function shellQuotedValue(value: string, quote: Parameters<typeof quoteForPlace>[0] = 'none'): string {
  if (quote === 'none' && PLAIN_WORD.test(value)) return value;
  return quoteForPlace(quote, value);
}

// `{{NAME}}` in an HTTP cell's text.
const HTTP_PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/**
 * A cell's source with parameter values filled in and highlighted, secret values masked
 * (`[REDACTED:name]`): shell cells with each value shell-quoted for its place, HTTP cells with
 * their `{{NAME}}`s filled from the parameters and given variables (names without a value stay
 * as written); other cells show their display text.
 */
export function sourceForScreen(step: PlanStep, ctx: Pick<FormatContext, 'paint' | 'parameters' | 'redact' | 'variables'>): string {
  const redact = ctx.redact ?? same;
  if (step.kind === 'http') {
    const known = new Map<string, { value: string; secret: boolean }>();
    for (const [name, value] of Object.entries(ctx.variables ?? {})) known.set(name, { value, secret: isSecretName(name) });
    for (const p of ctx.parameters) known.set(p.name, p);
    let out = '';
    let at = 0;
    for (const m of step.display.matchAll(HTTP_PLACEHOLDER)) {
      const value = known.get(m[1]!);
      if (!value) continue;
      out += redact(step.display.slice(at, m.index)) + ctx.paint.param(value.secret ? masked(m[1]!) : redact(value.value));
      at = m.index + m[0].length;
    }
    return out + redact(step.display.slice(at));
  }
  if (step.kind !== 'shell' || step.params.length === 0) return redact(step.display);
  const values = new Map(ctx.parameters.map((p) => [p.name, p]));
  let out = '';
  let at = 0;
  for (const o of findPlaceholders(step.source)) {
    const value = values.get(o.name);
    if (!value || o.start < at) continue;
    out += redact(step.source.slice(at, o.start)) + ctx.paint.param(value.secret ? masked(o.name) : redact(shellQuotedValue(value.value, o.quote)));
    at = o.end;
  }
  return out + redact(step.source.slice(at));
}

/**
 * The text the operator edits: the source with plain-word values written in, and every secret or
 * non-plain value left as its bound variable reference (`"${RP_PARAM_token}"`), so that neither a
 * secret reaches the editor's file nor a value's text turns into shell code when it is edited.
 */
export function editableText(step: PlanStep, parameters: readonly ParameterValue[]): string {
  if (step.kind !== 'shell' || step.params.length === 0) return step.display;
  const values = new Map(parameters.map((p) => [p.name, p]));
  let out = '';
  let at = 0;
  for (const o of findPlaceholders(step.source)) {
    const value = values.get(o.name);
    if (!value || o.start < at) continue;
    const envName = paramEnvName(o.name);
    const literal = !value.secret && PLAIN_WORD.test(value.value) && step.env[envName] === value.value;
    out += step.source.slice(at, o.start) + (literal ? value.value : paramReference(o.quote, envName));
    at = o.end;
  }
  return out + step.source.slice(at);
}

/** The source as an indented block with a bar in front of each line. */
export function formatSourceBlock(text: string, ctx: Pick<FormatContext, 'paint' | 'glyphs'>): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.map((l) => `  ${ctx.paint.dim(ctx.glyphs.bar)} ${l}`).join('\n');
}

/**
 * What the operator sees before a cell: position, section path, cell name and kind, risk with its
 * reason, the parameters it uses, and its source with the values filled in.
 */
export function formatStepHeader(step: PlanStep, index: number, total: number, ctx: FormatContext): string {
  const { paint, glyphs } = ctx;
  const redact = ctx.redact ?? same;
  const width = Math.max(40, Math.min(ctx.width ?? 80, 100));
  const where = step.sectionPath.join(` ${glyphs.arrow} `) || '(top of the runbook)';
  const title = ` [${index + 1}/${total}] ${where} `;
  const rule = `${glyphs.rule.repeat(2)}${title}${glyphs.rule.repeat(Math.max(2, width - title.length - 2))}`;
  const lines = [paint.bold(rule)];
  lines.push(`  ${paint.dim('cell')}    ${paint.bold(step.name)}  ${paint.dim(`(${step.kind}, line ${step.line})`)}`);
  let risk = `  ${paint.dim('risk')}    ${paintRisk(step, paint)} ${glyphs.dot} ${redact(riskReason(step))}`;
  if (step.risk.overridden) risk += paint.dim(` (the runbook sets risk=${step.risk.level}; the classifier found ${step.risk.classified})`);
  lines.push(risk);
  const used = ctx.parameters.filter((p) => step.params.includes(p.name));
  if (used.length > 0) {
    const shown = used.map((p) => `${p.name}=${paint.param(p.secret ? masked(p.name) : redact(shellQuotedValue(p.value)))}${paint.dim(` (${p.source})`)}`);
    lines.push(`  ${paint.dim('params')}  ${shown.join(`  `)}`);
  }
  lines.push(formatSourceBlock(sourceForScreen(step, ctx), ctx));
  return `${lines.join('\n')}\n`;
}

/** The one-key menu before a cell. */
export function stepMenu(paint: Paint, glyphs: Glyphs): string {
  const k = (key: string, what: string): string => `${paint.bold(key)} ${what}`;
  return `  run it?  ${[k('y', 'run'), k('n/s', 'skip'), k('e', 'edit'), k('a', 'run all'), k('q', 'quit'), k('?', 'help')].join(` ${glyphs.dot} `)}  ${glyphs.arrow} `;
}

/** The one-key menu after a failure or a Ctrl-C. */
export function failureMenu(paint: Paint, glyphs: Glyphs): string {
  const k = (key: string, what: string): string => `${paint.bold(key)} ${what}`;
  return `  what now?  ${[k('r', 'retry'), k('s', 'skip'), k('c', 'continue'), k('q', 'quit'), k('?', 'help')].join(` ${glyphs.dot} `)}  ${glyphs.arrow} `;
}

/** Help for the menu before a cell (`?`). */
export function stepHelp(): string {
  return [
    '  y    run this cell',
    '  n s  skip it (recorded as skipped by the operator)',
    '  e    edit the command first ($VISUAL or $EDITOR, else an inline editor); the record keeps both',
    '  a    run this cell and the rest without asking (destructive cells still ask)',
    '  q    quit: the remaining cells are recorded as not run (exit code 3)',
    '  While a cell runs, Ctrl-C kills it and asks what to do; Ctrl-C twice quits.',
    '',
  ].join('\n');
}

/** Help for the menu after a failure (`?`). */
export function failureHelp(): string {
  return [
    '  r  run the cell again (a new attempt; earlier attempts stay in the record)',
    '  s  skip it: recorded as skipped by the operator, the run goes on',
    '  c  continue: it stays failed, the run goes on',
    '  q  quit: the remaining cells are recorded as not run (exit code 3)',
    '',
  ].join('\n');
}

/** The line asking a destructive cell's confirmation word. */
export function confirmPrompt(step: PlanStep, paint: Paint, glyphs: Glyphs): string {
  return `  ${paint.red(glyphs.warn)} destructive: type the cell name ${paint.bold(step.name)} to run it (Enter alone skips it): `;
}

// A value of an assertion or a diff, short enough for one line.
function shown(value: unknown): string {
  const text = value === undefined ? '(missing)' : typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

const STATUS_WORD: Record<string, string> = { failed: 'FAILED', 'timed-out': 'TIMED OUT', interrupted: 'INTERRUPTED' };

/** The failure panel: what went wrong, each failed assertion with expected and actual, each differing path. */
export function formatFailure(step: PlanStep, summary: string, failure: StepFailure, ctx: Pick<FormatContext, 'paint' | 'glyphs' | 'redact'>): string {
  const { paint, glyphs } = ctx;
  const r = ctx.redact ?? same;
  const lines = [`  ${paint.red(`${glyphs.cross} ${STATUS_WORD[failure.status] ?? failure.status.toUpperCase()}`)} ${paint.bold(step.name)} (attempt ${failure.attempt}): ${r(summary)}`];
  const failed = failure.assertions.filter((a) => !a.passed);
  for (const a of failed) {
    lines.push(`    ${paint.dim('assert')}    ${r(a.text)}  ${paint.dim(`(line ${a.line})`)}`);
    if (a.expected !== undefined) lines.push(`      ${paint.dim('expected')}  ${paint.green(r(shown(a.expected)))}`);
    lines.push(`      ${paint.dim('actual')}    ${paint.red(r(shown(a.actual)))}`);
    // A message that only restates expected and actual is left out.
    if (a.message && (a.expected === undefined || a.actual === undefined)) lines.push(`      ${paint.dim(r(a.message))}`);
  }
  if (failure.expect && !failure.expect.passed) {
    lines.push(`    ${paint.dim('expected output differs:')}`);
    for (const d of failure.expect.diffs.slice(0, 20)) {
      lines.push(`      ${paint.bold(r(d.path))}`);
      if (d.expected !== undefined) lines.push(`        ${paint.dim('expected')}  ${paint.green(r(shown(d.expected)))}`);
      lines.push(`        ${paint.dim('actual')}    ${paint.red(r(shown(d.actual)))}`);
      if (d.message && (d.expected === undefined || d.actual === undefined)) lines.push(`        ${paint.dim(r(d.message))}`);
    }
    if (failure.expect.diffs.length > 20) lines.push(`      ${paint.dim(`(and ${failure.expect.diffs.length - 20} more paths in the record)`)}`);
  }
  return `${lines.join('\n')}\n`;
}
