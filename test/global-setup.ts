import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// End-to-end tests run the built CLI (dist/): build it once before any test file starts,
// so no test file builds on its own while others read dist/.
export default function setup(): void {
  if (process.env.RUNPROOF_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
