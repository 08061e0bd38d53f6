import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe('HTTP cells on screen', () => {
  it('show the request with values filled in and secrets masked, and the status they got', async () => {
    const token = 'tok-Screen-5a9b7c3d';
    writeFileSync(join(dir, 'ready.md'), `# R\n\n\`\`\`http {name=ready}\nGET {{BASE}}/ready\nX-Demo-Token: {{DEMO_TOKEN}}\n\`\`\`\n`);
    const result = await runCli(['run', 'ready.md', '--yes', '--set', `BASE=${server.url}`, '--set', `DEMO_TOKEN=${token}`, '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`  > GET ${server.url}/ready\n  > X-Demo-Token: [REDACTED:DEMO_TOKEN]\n`);
    expect(result.stdout).toMatch(/^ {2}<- HTTP 503 Service Unavailable \(\d+ ms\)$/m);
    // The status comes after the body it answered with, before the verdict.
    expect(result.stdout.indexOf('"ready": false')).toBeLessThan(result.stdout.indexOf('<- HTTP 503'));
    expect(result.stdout.indexOf('<- HTTP 503')).toBeLessThan(result.stdout.indexOf('-> ok'));
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it('say when nothing came back', async () => {
    writeFileSync(join(dir, 'dead.md'), '# D\n\n```http {name=dead}\nGET http://127.0.0.1:9/health\n```\n');
    const result = await runCli(['run', 'dead.md', '--yes', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}<- no response: .*127\.0\.0\.1:9/m);
  });
});

describe('--dry-run', () => {
  it('prints each command with its values shell-quoted, its risk and reason, and what an unattended and an interactive run would do', async () => {
    writeFileSync(
      join(dir, 'plan.md'),
      `---\nparams:\n  note:\n    default: "it's done; $(id)"\n  api_token:\n    secret: true\n---\n# P\n\n\`\`\`bash {name=say}\necho <note> "<note>"\n\`\`\`\n\n\`\`\`bash {name=wipe}\nrm -rf ./cache\n\`\`\`\n\n\`\`\`http {name=call}\nPOST http://127.0.0.1:9/restart\nAuthorization: Bearer {{api_token}}\n\`\`\`\n`,
    );
    const result = await runCli(['run', 'plan.md', '--dry-run', '--evidence-dir', join(dir, 'ev')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`  $ echo 'it'\\''s done; $(id)' "it's done; \\$(id)"\n  risk: read · `);
    expect(out).toContain('  unattended: runs: read-only: allowed unattended\n  interactive: asks run it? (y/n)\n');
    expect(out).toContain('  $ rm -rf ./cache\n  risk: destructive · ');
    expect(out).toMatch(/unattended: blocked: blocked by policy: destructive cell[^\n]*\n {2}interactive: asks to type the cell name wipe\n/);
    expect(out).toContain('  > POST http://127.0.0.1:9/restart\n  > Authorization: Bearer {{api_token}}\n');
    expect(out).toContain('  interactive: asks api_token (no value given) when this cell comes, then asks run it? (y/n)\n');
    expect(existsSync(join(dir, 'cache'))).toBe(false);
  });
});
