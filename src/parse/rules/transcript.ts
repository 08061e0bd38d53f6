// Real runbooks paste terminal sessions: `$ cmd` lines followed by what the terminal printed.
// Only the prompt lines (and their `\` continuations) are commands; the rest is example output.

const USER_PROMPT = /^\s*\$(?: (.*)|)$/;
const ROOT_PROMPT = /^\s*#(?: (.*)|)$/;
// Prompts with a shell's or host's name, unmistakable in any block: `sh-4.4# `, `bash-5.1$ `,
// `[root@node ~]# `, `core@node:~$ `, `❯ `.
const NAMED_PROMPT = /^\s*(?:(?:sh|bash|zsh|ksh)-\d+(?:\.\d+)*[$#]|\[[\w.-]+@[\w.-]+(?: [^\]\n]*)?\][$#]|[\w.-]+@[\w.-]+:[^\s$#]*[$#]|❯)(?: (.*)|)$/;

export interface Transcript {
  /** The prompt lines without their prompt, continuation lines kept, joined by newlines. */
  command: string;
  /** The other lines: the author's example output, blank edges trimmed ('' when none). */
  exampleOutput: string;
}

/** True when any line of a shell block starts with a `$ ` prompt: it must not run as written. */
export function hasUserPrompt(source: string): boolean {
  return /^[ \t]*\$(?: |$)/m.test(source) || source.split('\n').some((line) => NAMED_PROMPT.test(line));
}

/** Splits a terminal transcript; `rootPrompt` makes `# ` a prompt too (console blocks only). */
export function splitTranscript(source: string, rootPrompt: boolean): Transcript {
  const lines = source.split('\n');
  const commands: string[] = [];
  const output: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const match = USER_PROMPT.exec(line) ?? NAMED_PROMPT.exec(line) ?? (rootPrompt ? ROOT_PROMPT.exec(line) : null);
    if (!match) {
      output.push(line);
      continue;
    }
    let command = match[1] ?? '';
    if (command.trim() === '') continue;
    commands.push(command);
    while (endsWithContinuation(command) && i + 1 < lines.length) {
      command = lines[++i]!;
      commands.push(command);
    }
  }
  return { command: commands.join('\n'), exampleOutput: trimBlankEdges(output).join('\n') };
}

// An odd number of trailing backslashes continues the command on the next line.
function endsWithContinuation(line: string): boolean {
  const trailing = /\\+$/.exec(line.trimEnd());
  return trailing !== null && trailing[0].length % 2 === 1;
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === '') start++;
  while (end > start && lines[end - 1]!.trim() === '') end--;
  return lines.slice(start, end);
}
