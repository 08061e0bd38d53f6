import { classifyRisk } from '../risk.js';
import { analyzeShell } from '../shell-lex.js';
import type { ParseRule } from './state.js';

// A column header as tools print it (`NAME   READY   STATUS`, `CONTAINER ID   IMAGE`): two or more
// upper-case column names separated by two or more spaces, no shell syntax.
const TABLE_HEADER = /^[A-Z][A-Z0-9_%()./-]*(?: [A-Z0-9_%()./-]+)*(?: {2,}|\t+)[A-Z][A-Z0-9_%()./-]*(?:(?: {1,}|\t+)[A-Z0-9_%()./-]+)*\s*$/;

/**
 * Runbooks paste a command's output after it without a `$ ` prompt (`kubectl get pods` then its
 * table). When a shell cell's lines from a column header on are such output, and the lines before
 * it are complete, read-only commands, only those lines run; the rest becomes example output.
 * Conservative: nothing changes unless the header is unmistakable and what still runs is `read`.
 */
export const pastedOutputRule: ParseRule = {
  name: 'pasted-output',
  run(state) {
    for (const cell of state.cells) {
      if (cell.kind !== 'shell' || cell.exampleOutput !== undefined) continue;
      const lines = cell.command.split('\n');
      const header = lines.findIndex((line, i) => i > 0 && TABLE_HEADER.test(line.trim()) && !/[=$|;&<>`'"\\]/.test(line));
      if (header < 0) continue;
      const command = lines.slice(0, header).join('\n');
      if (command.trim() === '' || /\\\s*$/.test(lines[header - 1]!)) continue;
      if (classifyRisk('shell', cell.command).level === 'read') continue;
      const analysis = analyzeShell(command);
      if (!analysis.complete) continue;
      if (classifyRisk('shell', command, undefined, analysis).level !== 'read') continue;
      cell.command = command.replace(/\s+$/, '');
      cell.exampleOutput = lines.slice(header).join('\n').replace(/\s+$/, '');
    }
  },
};
