import { classifyRisk, isPastedOutputLine } from '../risk.js';
import { analyzeShell } from '../shell-lex.js';
import { cellShellFacts, forgetCellShellFacts, unwrap } from './shell-analysis.js';
import type { ParseRule } from './state.js';

// A column header as tools print it (`NAME   READY   STATUS`, `CONTAINER ID   IMAGE`): two or more
// upper-case column names separated by two or more spaces, no shell syntax.
const TABLE_HEADER = /^[A-Z][A-Z0-9_%()./-]*(?: [A-Z0-9_%()./-]+)*(?: {2,}|\t+)[A-Z][A-Z0-9_%()./-]*(?:(?: {1,}|\t+)[A-Z0-9_%()./-]+)*\s*$/;

// How the first line of pasted output starts: a capital (`PONG`, `Waiting for…`), a digit
// (`10.0.0.1`), table rules (`+---`, `| a |`, `---`), JSON or a quoted value, a URL, `word:`
// (`run: nginx:`, `Server:`), `[+]ping ok`, `(1 row)`, an `ls -l` mode, or columns aligned by runs
// of spaces. A command line rarely starts so; and every later line must pass isPastedOutputLine.
const OUTPUT_START = /^(?:[A-Z0-9+|"]|\{["}]|\{$|\[[^\s[]|-{3,}|\(\d+ rows?\)|[a-z][a-z0-9+.-]*:\/\/|[^\s:]+:(?:\s|$)|[dlcbps-][rwxsStT-]{9}[.+@]?\s|total \d)/;
const COLUMNS = /^\s*\S+(?: {2,}\S+){2,}\s*$/;
const RULE_LINE = /^\s*[-+=| ]{3,}\s*$/;

// Longer cells are classified as written: the split would lex their growing command text again and again.
const MAX_LINES = 400;

function startsOutput(lines: string[], i: number): boolean {
  const line = lines[i]!;
  const trimmed = line.trim();
  if (trimmed === '') return false;
  if (TABLE_HEADER.test(trimmed) && !/[=$|;&<>`'"\\]/.test(line)) return true;
  if (OUTPUT_START.test(trimmed) || COLUMNS.test(line)) return true;
  // A header line above a rule line (psql: ` pg_is_in_recovery` then `-------`).
  return i + 1 < lines.length && /-{3,}/.test(lines[i + 1]!) && RULE_LINE.test(lines[i + 1]!);
}

/**
 * Runbooks paste a command's output after it without a `$ ` prompt (`kubectl get pods` then its
 * table, `redis-cli ping` then `PONG`), sometimes several command/output pairs in one block. A run
 * of lines is output when its first line looks like output (OUTPUT_START, a column header) right
 * after complete command text, and each of its lines can only be output (isPastedOutputLine: no
 * known command, path or keyword, no redirection); the first line that could be a command ends it.
 * When the remaining command lines are complete and read-only, only they run and the rest becomes
 * example output. Otherwise nothing changes: `kubectl delete pod x` after a pasted table keeps the
 * cell destructive, as bash would run it.
 */
export const pastedOutputRule: ParseRule = {
  name: 'pasted-output',
  run(state) {
    for (const cell of state.cells) {
      if (cell.kind !== 'shell' || cell.exampleOutput !== undefined) continue;
      const lines = cell.command.split('\n');
      if (lines.length < 2 || lines.length > MAX_LINES) continue;
      // Without a team policy, the risk rule's own finding (lexed once per cell text, shared with
      // params and variables) is the built-in one; with a policy, classifying here must not mark
      // the policy's rules as used for a text that may change, so the built-in one is computed.
      const risk = state.policy === undefined ? unwrap(cellShellFacts(state, cell).risk) : classifyRisk('shell', cell.command);
      if (risk.level === 'read') continue;
      const commands: string[] = [];
      const output: string[] = [];
      let inOutput = false;
      // Command lines before `complete` were seen to be complete shell text: only the rest is lexed again.
      let complete = 0;
      let hasCommand = false;
      const commandsComplete = (): boolean => {
        const analysis = analyzeShell(commands.slice(complete).join('\n'));
        if (!analysis.complete) return false;
        hasCommand ||= analysis.commands.length > 0;
        complete = commands.length;
        return hasCommand;
      };
      for (let k = 0; k < lines.length; k++) {
        const line = lines[k]!;
        if (inOutput && isPastedOutputLine(line)) {
          output.push(line);
          continue;
        }
        inOutput = false;
        if (k > 0 && !/\\\s*$/.test(lines[k - 1]!) && startsOutput(lines, k) && isPastedOutputLine(line) && commandsComplete()) {
          inOutput = true;
          output.push(line);
          continue;
        }
        commands.push(line);
      }
      if (output.length === 0) continue;
      const command = commands.join('\n');
      const analysis = analyzeShell(command);
      if (!analysis.complete || analysis.commands.length === 0 || classifyRisk('shell', command, undefined, analysis, state.policy).level !== 'read') continue;
      cell.command = command.replace(/\s+$/, '');
      forgetCellShellFacts(cell);
      cell.exampleOutput = output.join('\n').replace(/\s+$/, '');
    }
  },
};
