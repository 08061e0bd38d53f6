import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

// Size abuse: a 100 MB runbook through the built CLI in a child process with a capped heap (and
// its peak memory measured by /usr/bin/time where there is one); 100,000 cells in-process are in
// parser-scale-cells.test.ts, so the two long cases run in parallel files.
// The time-per-cell ratio of 10k vs 100k cells is measured by bench/parse-scale.mjs, not here.

const dir = mkdtempSync(join(tmpdir(), 'rp-hostile-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAX_HEAP_MB = 1024;
const MAX_RSS_KB = 1.5 * 1024 * 1024;

interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  peakKb: number | undefined;
}

// `/usr/bin/time -f %M` prints the child's peak RSS (KB) as the last stderr line.
function runMeasured(args: string[]): Promise<Measured> {
  const node = [`--max-old-space-size=${MAX_HEAP_MB}`, CLI, ...args];
  const timed = existsSync('/usr/bin/time');
  const [command, argv] = timed ? ['/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, ...node]] : [process.execPath, node];
  return new Promise((resolve) => {
    execFile(command, argv, { env: { ...process.env, NO_COLOR: '1' }, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      const peak = /peak-rss-kb (\d+)/.exec(String(stderr));
      resolve({ code, stdout: String(stdout), stderr: String(stderr), peakKb: peak ? Number(peak[1]) : undefined });
    });
  });
}

describe('runbooks of hostile size', () => {
  it('a 100 MB runbook: lint reads it to the last line within a 1 GB heap (peak RSS under 1.5 GB)', async () => {
    const file = join(dir, 'huge.md');
    const prose = `${'Operators read this paragraph before running anything; it explains the context of the step. '.repeat(40)}\n\n`;
    const chunk = `${prose}\`\`\`bash\necho step\n\`\`\`\n\n`;
    const repeats = Math.ceil((100 * 1024 * 1024) / chunk.length);
    // The last block is an unclosed fence: its warning proves the whole file was read.
    const text = `# Huge\n\n${chunk.repeat(repeats)}\`\`\`bash\necho never closed\n`;
    writeFileSync(file, text);
    expect(statSync(file).size).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    const lastFenceLine = text.split('\n').length - 2;
    const result = await runMeasured(['lint', file]);
    expect(result.code, result.stderr.slice(0, 2_000)).toBe(0);
    expect(result.stdout.trim()).toBe(`${file}:${lastFenceLine}:1 warning RP_UNCLOSED_FENCE the \`\`\` fence opened here is never closed; it is shown, never run (hint: close it with a \`\`\` line)`);
    expect(result.stderr).toContain('1 file: 0 errors, 1 warning');
    if (result.peakKb !== undefined) expect(result.peakKb).toBeLessThan(MAX_RSS_KB);
    rmSync(file);
  }, 300_000);
});
