import type { ParseRule } from './state.js';

const COMMAND_WORDS = new Set([
  'apt', 'apt-get', 'aws', 'az', 'bash', 'brew', 'cargo', 'cat', 'cd', 'chmod', 'chown', 'cp', 'curl', 'df', 'dig', 'dnf', 'docker',
  'docker-compose', 'du', 'echo', 'export', 'find', 'gcloud', 'git', 'go', 'grep', 'head', 'helm', 'journalctl', 'jq', 'kill', 'kubectl',
  'ls', 'make', 'mkdir', 'mv', 'mysql', 'node', 'npm', 'npx', 'nslookup', 'pgrep', 'pip', 'pip3', 'pkill', 'ping', 'ps', 'psql', 'python',
  'python3', 'redis-cli', 'rm', 'rsync', 'scp', 'sh', 'ss', 'ssh', 'sudo', 'systemctl', 'tail', 'terraform', 'top', 'wget', 'yarn', 'yum',
]);

// A fence without a language is shown, never run; when it looks like a command the author
// probably meant it to run, so lint suggests adding a language.
/** Warns about language-less fences whose first line looks like a shell command. */
export const noLanguageRule: ParseRule = {
  name: 'no-language',
  run(state) {
    for (const cell of state.cells) {
      if (cell.kind !== 'doc' || cell.docReason !== 'no-language') continue;
      const first = cell.source.split('\n').find((line) => line.trim() !== '');
      if (first === undefined || !looksLikeCommand(first)) continue;
      state.warn(
        'RP_NO_LANGUAGE',
        `the fence has no language, so "${first.trim().slice(0, 40)}" is shown but never run`,
        { line: cell.span.line, col: cell.span.col },
        'add a language after the fence (```bash) to make it a runnable cell, or ```text to keep it as text',
      );
    }
  },
};

/** True when a line reads like a shell command: a `$ ` prompt, a script path or a known command. */
export function looksLikeCommand(line: string): boolean {
  const trimmed = line.trim();
  if (/^\$ \S/.test(trimmed)) return true;
  if (/^(\.{1,2}|~)?\/[\w.-]+.*\.(sh|py)\b/.test(trimmed)) return true;
  const word = /^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*([\w.-]+)/.exec(trimmed)?.[1];
  return word !== undefined && COMMAND_WORDS.has(word);
}
