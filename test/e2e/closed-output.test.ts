// An operator quits `less` early or pipes a run into `head`: runproof's stdout (or stderr) closes
// mid-run. The run must go on to its end and seal its bundle; before, the first write after the
// close ended the process with an unhandled EPIPE, mid-cell, leaving an unsealed bundle.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-closed-out-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const RUNBOOK = `# Many lines

## Checks

\`\`\`bash {"name":"a"}
seq 1 200000
\`\`\`

\`\`\`bash {"name":"b"}
echo second >&2; echo second
\`\`\`
`;

// Starts a run whose `stream` is a pipe the test closes after the first chunk, like `| head -1`.
function runAndCloseEarly(stream: 'stdout' | 'stderr', args: string[]): Promise<{ code: number | null; other: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let other = '';
    const closing = child[stream];
    const open = stream === 'stdout' ? child.stderr : child.stdout;
    closing.once('data', () => closing.destroy());
    open.on('data', (d: Buffer) => (other += d.toString()));
    child.on('close', (code) => resolve({ code, other }));
  });
}

describe('a closed stdout or stderr does not end the run', () => {
  it('stdout closed after the first line: every cell runs, the bundle is sealed and verifies, exit 0', async () => {
    writeFileSync(join(dir, 'many.md'), RUNBOOK);
    const result = await runAndCloseEarly('stdout', ['run', 'many.md', '--yes', '--evidence-dir', 'ev']);
    expect(result.other).not.toContain('EPIPE');
    expect(result.code).toBe(0);
    const [bundle] = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.'));
    expect(readdirSync(join(dir, 'ev', bundle!))).toEqual(expect.arrayContaining(['manifest.json', 'attestation.json']));
    const verify = await runCli(['verify', join('ev', bundle!)], { cwd: dir });
    expect(verify.code).toBe(0);
  });

  it('stderr closed before runproof writes to it: an error still ends with its own exit code 2, not a crash', async () => {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'run', 'missing.md', '--yes', '--evidence-dir', 'ev'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr.destroy();
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(result.stdout).not.toContain('EPIPE');
    expect(result.code).toBe(2);
  });
});
