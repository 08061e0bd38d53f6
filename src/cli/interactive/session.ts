// The operator at a terminal: the decider (one-key menus, the destructive confirmation, edits,
// the choice after a failure), live progress with a spinner, Ctrl-C per cell, prompts for missing
// parameters, and the transcript of all of it for the bundle.
import type { Decision, Redactor, StepStatus } from '../../record/index.js';
import type { ParameterValue, PlanResult, PlanStep } from '../../plan/index.js';
import type { AskMissing, MissingAnswer } from '../../app/index.js';
import type { RunProgress, StepDecider } from '../../execute/index.js';
import type { HttpExchange, StepFailure } from '../../execute/index.js';
import { editText } from './editor.js';
import { collapseRetries } from '../retry-view.js';
import {
  confirmPrompt,
  editableText,
  failureHelp,
  failureMenu,
  formatFailure,
  formatSourceBlock,
  formatStepHeader,
  riskReason,
  sourceForScreen,
  stepHelp,
  stepMenu,
} from './format.js';
import { isCtrlC, Keyboard, printable, type KeyInput, type KeyPress } from './keys.js';
import { colorEnabled, Screen, unicodeEnabled } from './screen.js';
import { showTerminalOutput, STEP_STATUS_WORD } from '../../render/index.js';

type Choice = Omit<Decision, 'at'>;

export interface InteractiveSessionOptions {
  input: KeyInput;
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  /** Ends the whole run (the run's AbortController): a second Ctrl-C, or Ctrl-C between cells. */
  quitRun: () => void;
}

/** An interactive run's terminal side; `close()` always, to give the terminal back. */
export interface InteractiveSession {
  readonly decider: StepDecider;
  readonly progress: RunProgress;
  readonly screen: Screen;
  /** Called with the plan before the first cell: parameter values and the secrets to mask. */
  setPlan(plan: PlanResult, redactor: Redactor): void;
  /**
   * The run's `askMissing` hook: asks, before the step that first needs them, each parameter that
   * has no value (secret ones without echo). Enter with nothing skips the step; Ctrl-C quits the run.
   */
  readonly askMissing: AskMissing;
  /** An HTTP cell's attempt ended: the status it got (`<- HTTP 503`), or why nothing came back. */
  httpResult(exchange: HttpExchange): void;
  /**
   * SIGINT arrived (the terminal is in cooked mode while an interactive cell reads it): interrupts
   * the running cell and returns true, or returns false when there is none (the run should stop).
   */
  interruptCell(): boolean;
  /** The transcript so far, as the operator saw it (the bundle writer redacts it again). */
  transcript(): string;
  close(): void;
}

/** Tries at typing a destructive cell's name before it is skipped. */
const CONFIRM_TRIES = 3;
// The file extension of the editor's temporary file, so that the editor highlights the step's language.
const EDIT_EXTENSIONS: Record<PlanStep['kind'], string> = { shell: 'sh', http: 'http', promql: 'promql', script: 'txt' };

const keyName = (key: KeyPress): string => (isCtrlC(key) ? 'Ctrl-C' : (printable(key) ?? key.name ?? '?'));

/** Starts raw-mode key reading on `input` and returns the session. */
export function createInteractiveSession(options: InteractiveSessionOptions): InteractiveSession {
  const { env, output } = options;
  const screen = new Screen({ out: output, color: colorEnabled(output, env), unicode: unicodeEnabled(env) });
  const { paint, glyphs } = screen;
  const keyboard = new Keyboard(options.input);
  keyboard.start();
  const restore = (): void => keyboard.stop();
  process.once('exit', restore);

  let parameters: readonly ParameterValue[] = [];
  let variables: Readonly<Record<string, string>> = {};
  let redact: (text: string) => string = (text) => text;
  // The attempt running now, and whether its Ctrl-C was already given (a second one quits).
  let running: { step: PlanStep; controller: AbortController } | undefined;
  let interruptPending = false;

  keyboard.onIdle((key) => {
    if (!isCtrlC(key)) return;
    if (running && !running.controller.signal.aborted && !interruptPending) {
      interruptPending = true;
      screen.line(paint.yellow(`^C  interrupting ${running.step.name}: killing its process group (Ctrl-C again quits the run)`));
      running.controller.abort(new Error('Ctrl-C'));
      return;
    }
    screen.line(paint.yellow('^C  quitting: the remaining cells are recorded as not run'));
    options.quitRun();
  });

  const ctx = () => ({ paint, glyphs, parameters, variables, width: output.columns ?? 80, redact });
  const say = (text: string): void => screen.write(text);

  // One key out of `allowed`; Ctrl-C comes back as 'Ctrl-C'. The key is echoed after the menu.
  async function readChoice(menu: string, allowed: string, help: string): Promise<string> {
    keyboard.open();
    try {
      return await nextChoice(menu, allowed, help);
    } finally {
      keyboard.close();
    }
  }

  async function nextChoice(menu: string, allowed: string, help: string): Promise<string> {
    for (;;) {
      say(menu);
      const key = await keyboard.next();
      if (isCtrlC(key)) {
        screen.write('^C\n');
        return 'Ctrl-C';
      }
      const ch = printable(key)?.toLowerCase();
      if (ch === '?') {
        screen.write('?\n');
        screen.write(help);
        continue;
      }
      if (ch !== undefined && ch.length === 1 && allowed.includes(ch)) {
        screen.write(`${ch}\n`);
        return ch;
      }
      screen.write(`${keyName(key)}\n`);
      screen.line(paint.dim(`  "${keyName(key)}" is not a choice here; ? shows help`));
    }
  }

  // A line of text; `secret` reads without echo. Null when Ctrl-C.
  async function readLine(prompt: string, secret: boolean): Promise<string | null> {
    keyboard.open();
    try {
      return await nextLine(prompt, secret);
    } finally {
      keyboard.close();
    }
  }

  async function nextLine(prompt: string, secret: boolean): Promise<string | null> {
    say(prompt);
    let text = '';
    for (;;) {
      const key = await keyboard.next();
      if (isCtrlC(key)) {
        screen.echo('^C\n');
        screen.record('^C\n');
        return null;
      }
      if (key.name === 'return' || key.name === 'enter') {
        screen.echo('\n');
        screen.record(`${secret ? (text ? '(hidden)' : '') : redact(text)}\n`);
        return text;
      }
      if (key.name === 'backspace') {
        if (text.length > 0) {
          const chars = [...text];
          chars.pop();
          text = chars.join('');
          if (!secret) screen.echo('\b \b');
        }
        continue;
      }
      if (key.ctrl && key.name === 'u') {
        if (!secret) screen.echo('\b \b'.repeat([...text].length));
        text = '';
        continue;
      }
      const ch = printable(key);
      if (ch !== undefined) {
        text += ch;
        if (!secret) screen.echo(ch);
      }
    }
  }

  // The destructive confirmation: the cell name typed exactly. A typo may be retyped (three tries
  // in all); Enter alone, or a third wrong name, skips the cell.
  async function confirmDestructive(step: PlanStep, action: 'run' | 'run-all'): Promise<Choice> {
    const wrong: string[] = [];
    for (let tries = CONFIRM_TRIES; ; ) {
      const typed = await readLine(confirmPrompt(step, paint, glyphs), false);
      if (typed === null) return { action: 'quit', by: 'operator', reason: 'the operator pressed Ctrl-C at the destructive confirmation', input: 'Ctrl-C' };
      if (typed.trim() === step.name) {
        return {
          action,
          by: 'operator',
          reason: `destructive: the operator typed the cell name${wrong.length > 0 ? ` (after ${wrong.length} wrong ${wrong.length === 1 ? 'try' : 'tries'})` : ''}${action === 'run-all' ? ' (and chose to run the rest without asking)' : ''}`,
          input: typed,
        };
      }
      tries -= 1;
      if (typed.trim() !== '') wrong.push(typed);
      if (typed.trim() === '' || tries === 0) {
        const what = wrong.length === 0 ? 'typed nothing' : `typed ${wrong.map((w) => `"${w}"`).join(', ')}, not the cell name`;
        screen.line(paint.yellow(`  ${typed.trim() === '' ? 'nothing typed' : `"${redact(typed)}" is not ${step.name}`}: skipped`));
        return { action: 'skip', by: 'operator', reason: `destructive: the operator ${what}: skipped`, input: wrong.at(-1) ?? typed };
      }
      screen.line(paint.yellow(`  "${redact(typed)}" is not ${step.name}: type it again (${tries} ${tries === 1 ? 'try' : 'tries'} left; Enter alone skips)`));
    }
  }

  const decider: StepDecider = {
    async beforeStep(step, context) {
      if (context?.notice) {
        screen.line(paint.yellow(`  ${glyphs.warn} ${redact(context.notice)}`));
        screen.line(`  ${paint.dim('risk')}    ${step.risk.level === 'destructive' ? paint.bold(paint.red('DESTRUCTIVE')) : step.risk.level} ${glyphs.dot} ${redact(riskReason(step))}`);
        say(`${formatSourceBlock(sourceForScreen(step, ctx()), ctx())}\n`);
      }
      // A run on hosts asks once for all of them: the answer goes for every host listed.
      if (context?.hosts) screen.line(`  ${paint.bold(`on ${context.hosts.length} host${context.hosts.length === 1 ? '' : 's'}:`)} ${context.hosts.join(', ')}`);
      const destructive = step.risk.level === 'destructive';
      if (destructive) screen.line(paint.red(`  ${glyphs.warn} this cell is DESTRUCTIVE: you will be asked to type its name`));
      for (;;) {
        const key = await readChoice(stepMenu(paint, glyphs), 'ynseaq', stepHelp());
        switch (key) {
          case 'y':
            return destructive ? confirmDestructive(step, 'run') : { action: 'run', by: 'operator', reason: 'the operator chose to run it', input: 'y' };
          case 'a':
            return destructive
              ? confirmDestructive(step, 'run-all')
              : { action: 'run-all', by: 'operator', reason: 'the operator chose to run this and the rest without asking (destructive cells still ask)', input: 'a' };
          case 'n':
          case 's':
            return { action: 'skip', by: 'operator', reason: 'the operator skipped it', input: key };
          case 'q':
            return { action: 'quit', by: 'operator', reason: 'the operator quit', input: 'q' };
          case 'Ctrl-C':
            return { action: 'quit', by: 'operator', reason: 'the operator pressed Ctrl-C at the prompt', input: 'Ctrl-C' };
          case 'e': {
            const edit = await editText(editableText(step, parameters), {
              keyboard,
              screen,
              input: options.input,
              output,
              env,
              extension: EDIT_EXTENSIONS[step.kind],
            });
            if ('cancelled' in edit) {
              screen.line(paint.yellow(`  ${edit.cancelled}`));
              continue;
            }
            screen.line(`  ${paint.bold('edited')} ${paint.dim(`${edit.how}:`)}`);
            say(`${formatSourceBlock(redact(edit.text), ctx())}\n`);
            return { action: 'edit', by: 'operator', reason: `the operator edited the command ${edit.how} before running it`, input: edit.text, command: edit.text };
          }
        }
      }
    },

    async afterFailure(step, summary, failure: StepFailure) {
      interruptPending = false;
      screen.stopSpinner();
      progress.flush(step);
      say(formatFailure(step, summary, failure, ctx()));
      const key = await readChoice(failureMenu(paint, glyphs), 'rscq', failureHelp());
      switch (key) {
        case 'r':
          return { action: 'retry', by: 'operator', reason: 'the operator chose to retry', input: 'r' };
        case 's':
          return { action: 'skip', by: 'operator', reason: 'the operator skipped the failed cell', input: 's' };
        case 'c':
          return { action: 'continue', by: 'operator', reason: 'the operator continued past the failure', input: 'c' };
        case 'Ctrl-C':
          return { action: 'quit', by: 'operator', reason: 'the operator pressed Ctrl-C after the failure', input: 'Ctrl-C' };
        default:
          return { action: 'quit', by: 'operator', reason: 'the operator quit after the failure', input: 'q' };
      }
    },

    cellSignal(step) {
      const controller = new AbortController();
      running = { step, controller };
      interruptPending = false;
      return controller.signal;
    },
  };

  const askMissing: AskMissing = async ({ step, missing, problem }): Promise<MissingAnswer> => {
    screen.line();
    if (problem !== undefined) screen.line(paint.yellow(`  ${glyphs.warn} ${redact(problem)}`));
    else {
      const what = missing.length === 1 ? 'a parameter that has' : `${missing.length} parameters that have`;
      screen.line(`${paint.bold(`Cell ${step.name} needs ${what} no value yet:`)}${paint.dim(' (Enter alone skips the cell, Ctrl-C quits the run)')}`);
    }
    const values: Array<{ name: string; value: string }> = [];
    for (const m of missing) {
      const others = m.cells.filter((c) => c !== step.name);
      screen.line(`  ${paint.bold(m.name)}${m.description ? ` ${glyphs.dot} ${m.description}` : ''}${others.length > 0 ? paint.dim(`  (also read by ${others.join(', ')})`) : ''}`);
      const offer = m.choices ? paint.dim(` (${m.choices.join(' | ')})`) : '';
      const hint = offer + (m.secret ? paint.dim(' (secret: not shown as you type)') : '');
      const typed = await readLine(`  ${m.name}${hint}: `, m.secret);
      if (typed === null) return { quit: true };
      if (typed === '') {
        screen.line(paint.yellow(`  no value for ${m.name}: ${step.name} is skipped`));
        return { skip: true };
      }
      values.push({ name: m.name, value: typed });
    }
    return { values };
  };

  const screenProgress: RunProgress = {
    stepStart(step, index, total) {
      screen.line();
      say(formatStepHeader(step, index, total, ctx()));
      if (step.endless !== undefined) {
        screen.line(paint.yellow(`  runs until you press Ctrl-C (${step.endless}); Ctrl-C then stops it, recorded as stopped by you, not failed`));
      }
      if (step.decision.action !== 'ask') {
        const who = step.decision.action === 'run' ? 'runs without asking' : step.decision.action === 'block' ? 'blocked' : 'skipped';
        screen.line(paint.dim(`  ${who}: ${step.decision.reason}`));
      }
    },
    attemptStart(step, n) {
      // A cell marked interactive reads the terminal itself: no spinner, keys and Ctrl-C are its own
      // (Ctrl-C then reaches runproof as SIGINT; see interruptCell).
      if (step.interactive) {
        screen.line(paint.dim('  this cell is interactive: it reads your terminal until it ends'));
        keyboard.release();
        return;
      }
      screen.startSpinner(`running ${step.name}${n > 1 ? ` (attempt ${n})` : ''}`);
    },
    output(_step, _stream, text) {
      // A cell's escape sequences are shown, never obeyed (SECURITY L11); kept colours are reset after.
      const shown = showTerminalOutput(text, { color: colorEnabled(output, env) });
      screen.write(shown.hasColor ? `${shown.text}\u001b[0m` : shown.text);
    },
    attemptEnd() {
      screen.stopSpinner();
      keyboard.reacquire();
      running = undefined;
    },
    stepEnd(_step, status, detail) {
      const word = STEP_STATUS_WORD[status];
      const painted = status === 'passed' ? paint.green(word) : status === 'failed' || status === 'timed-out' || status === 'interrupted' ? paint.red(word) : paint.yellow(word);
      screen.line(`  ${glyphs.arrow} ${painted}${detail ? `: ${redact(detail)}` : ''}`);
    },
  };

  // A cell with retries: one `attempt k/N` line each, and the last attempt's output (J11).
  const progress = collapseRetries(screenProgress, (_step, line) => screen.line(paint.dim(`  ${line}`)));

  return {
    decider,
    progress,
    screen,
    setPlan(plan, redactor) {
      parameters = plan.parameters;
      variables = plan.env;
      redact = (text) => redactor.redact(text);
    },
    askMissing,
    httpResult(exchange) {
      const ms = ` (${Math.round(exchange.timings.totalMs)} ms)`;
      if (exchange.response) {
        const { status, statusText } = exchange.response;
        const text = `  <- HTTP ${status}${statusText ? ` ${statusText}` : ''}${ms}`;
        screen.line(status >= 400 ? paint.red(text) : paint.dim(text));
      } else if (exchange.error) screen.line(paint.red(`  <- no response: ${redact(exchange.error.message)}`));
    },
    interruptCell() {
      if (!running || running.controller.signal.aborted || interruptPending) return false;
      interruptPending = true;
      screen.line(paint.yellow(`^C  interrupting ${running.step.name}: killing it (Ctrl-C again quits the run)`));
      running.controller.abort(new Error('SIGINT'));
      return true;
    },
    transcript: () => screen.transcript(),
    close() {
      screen.stopSpinner();
      restore();
      process.off('exit', restore);
    },
  };
}
