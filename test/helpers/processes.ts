import { execFileSync } from 'node:child_process';

/** The pids (one a line) of processes whose command line matches `pattern` (`pgrep -f`), or ''. */
export function pgrep(pattern: string): string {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}
