import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startRoxyServer, type TestServer } from '../helpers/servers.js';

// J11, the operator's screen of an unattended run (the built CLI, no terminal).
const dir = mkdtempSync(join(tmpdir(), 'rp-run-screen-'));
let server: TestServer;
beforeAll(async () => {
  server = await startRoxyServer({ ready: false });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each attempt prints its number and 20 more lines, then fails (or passes from attempt `passAt`).
function retryRunbook(name: string, passAt: number): void {
  writeFileSync(
    join(dir, name),
    `# Wait\n\n\`\`\`bash {name=wait-ready retry=20 interval=10ms}\nn=$(( $(cat ${name}.count 2>/dev/null || echo 0) + 1 )); echo $n > ${name}.count\necho "try $n"\nfor i in $(seq 20); do echo "filler line $i"; done\n[ $n -ge ${passAt} ]\n\`\`\`\n`,
  );
}

describe('retries on screen', () => {
  it('a 20-retry cell that always fails prints attempt k/21 and the last attempt\'s output only', async () => {
    retryRunbook('never.md', 99);
    const result = await runCli(['run', 'never.md', '--yes', '--allow', 'write', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stdout.split('\n');
    // 21 attempt lines, one attempt's 21 output lines, the header, verdict and summary: a few dozen, not ~460.
    expect(lines.length).toBeLessThan(60);
    for (let k = 1; k <= 21; k++) expect(result.stdout).toContain(`attempt ${k}/21`);
    expect(result.stdout).toContain('try 21\n');
    expect(result.stdout).not.toMatch(/^try (1|2|20)$/m);
    expect(result.stdout.match(/filler line 1$/gm)).toHaveLength(1);
    expect(result.stdout).toMatch(/-> FAILED: exit code 1/);
  }, 120_000);

  it('a cell that passes on its third attempt shows that attempt\'s output', async () => {
    retryRunbook('third.md', 3);
    const result = await runCli(['run', 'third.md', '--yes', '--allow', 'write', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('attempt 3/21');
    expect(result.stdout).not.toContain('attempt 4/21');
    expect(result.stdout).toMatch(/^try 3$/m);
    expect(result.stdout).not.toMatch(/^try [12]$/m);
  }, 120_000);

  it('a cell without retries streams its output as before, with no attempt line', async () => {
    writeFileSync(join(dir, 'plain.md'), '# P\n\n```bash {name=plain}\necho plain output\n```\n');
    const result = await runCli(['run', 'plain.md', '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('plain output');
    expect(result.stdout).not.toContain('attempt');
  });
});

describe('without a terminal and without --yes', () => {
  it('one line says the run is unattended and under which policy', async () => {
    writeFileSync(join(dir, 'plain2.md'), '# P\n\n```bash {name=plain}\necho plain output\n```\n');
    const result = await runCli(['run', 'plain2.md', '--allow', 'write', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const notes = result.stderr.split('\n').filter((l) => l.includes('unattended'));
    expect(notes).toEqual(['runproof: no terminal and no --yes: running unattended; policy runs read, write cells, the rest are blocked (--allow write|destructive to run more)']);
    const withYes = await runCli(['run', 'plain2.md', '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(withYes.stderr).not.toContain('unattended');
  });
});
