import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// J5 and K6 through the built CLI: what a run needs is checked before its first step (exit 2, nothing run, no bundle).
const dir = mkdtempSync(join(tmpdir(), 'runproof-preflight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ran = join(dir, 'FIRST-CELL-RAN');

writeFileSync(
  join(dir, 'rb.md'),
  `---\nparams:\n  env:\n    choices: [staging, production]\n    default: staging\n---\n# T\n\n\`\`\`bash {name=first}\ntouch ${ran}\n\`\`\`\n\n\`\`\`bash {name=second}\necho <env>\n\`\`\`\n`,
);
writeFileSync(
  join(dir, 'http.md'),
  `# T\n\n\`\`\`bash {name=first}\ntouch ${ran}\n\`\`\`\n\n\`\`\`http\nPOST http://127.0.0.1:9/restart\nX-Demo-Token: {{DEMO_TOKEN}}\n\`\`\`\n`,
);

async function expectRefused(args: string[], code: RegExp): Promise<string> {
  const evidence = join(dir, `ev-${Math.random().toString(36).slice(2)}`);
  const result = await runCli(['run', ...args, '--yes', '--allow', 'destructive', '--evidence-dir', evidence], { cwd: dir, env: { DEMO_TOKEN: undefined } });
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(code);
  expect(existsSync(ran)).toBe(false);
  // No bundle was started: at most the empty evidence folder exists.
  expect(existsSync(evidence) ? readdirSync(evidence).filter((f) => !f.startsWith('.')) : []).toEqual([]);
  return result.stderr;
}

describe('checked before the first step', () => {
  it('a signing key path that does not exist', async () => {
    await expectRefused(['rb.md', '--signing-key', join(dir, 'nope.key')], /\bRP_BAD_KEY /);
  });
  it('a signing key file that is not a key', async () => {
    writeFileSync(join(dir, 'bad.key'), 'not a key\n');
    await expectRefused(['rb.md', '--signing-key', join(dir, 'bad.key')], /\bRP_BAD_KEY /);
  });
  it('a template folder that does not exist or holds no templates', async () => {
    await expectRefused(['rb.md', '--template-dir', join(dir, 'no-templates')], /\bRP_BAD_TEMPLATE /);
    mkdirSync(join(dir, 'empty-templates'), { recursive: true });
    await expectRefused(['rb.md', '--template-dir', join(dir, 'empty-templates')], /\bRP_BAD_TEMPLATE /);
  });
  it('a {{NAME}} an HTTP cell reads that nothing provides', async () => {
    const stderr = await expectRefused(['http.md'], /\bRP_MISSING_PARAMETER /);
    expect(stderr).toContain('DEMO_TOKEN');
  });
  it('a --set value outside the choices, with did-you-mean', async () => {
    const stderr = await expectRefused(['rb.md', '--set', 'env=prodution'], /\bRP_BAD_PARAMETER /);
    expect(stderr).toContain('did you mean production?');
  });
  it('a parameter in program text, naming the cell and line', async () => {
    writeFileSync(join(dir, 'awk.md'), `# T\n\n\`\`\`bash {name=first}\ntouch ${ran}\n\`\`\`\n\n\`\`\`bash {name=scan}\nawk '/<pat>/ {print}' /etc/hostname\n\`\`\`\n`);
    const stderr = await expectRefused(['awk.md', '--set', 'pat=x'], /\bRP_UNSAFE_PARAMETER_CONTEXT /);
    expect(stderr).toContain('cell scan (awk.md:8)');
  });
});

describe('unattended: only the parameters of cells the policy will run are required', () => {
  const policyRunbook = (): void =>
    writeFileSync(
      join(dir, 'policy.md'),
      `# T\n\n\`\`\`bash {name=look}\necho looked\n\`\`\`\n\n\`\`\`bash {name=make}\nmkdir -p ${dir}/made-<leaf>\n\`\`\`\n\n\`\`\`http {name=restart}\nPOST http://127.0.0.1:9/restart\nX-Demo-Token: {{DEMO_TOKEN}}\n\`\`\`\n`,
    );
  it('read only (the write cell and the POST are blocked): their parameters are not needed, the run goes on', async () => {
    policyRunbook();
    const result = await runCli(['run', 'policy.md', '--yes', '--evidence-dir', join(dir, 'ev-policy')], { cwd: dir, env: { DEMO_TOKEN: undefined } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('looked');
    expect(result.stdout).toMatch(/1 passed, 0 failed, 2 blocked/);
  });
  it('--allow write: both are needed, named before the first step (exit 2, nothing run)', async () => {
    policyRunbook();
    const evidence = join(dir, 'ev-policy-write');
    const result = await runCli(['run', 'policy.md', '--yes', '--allow', 'write', '--evidence-dir', evidence], { cwd: dir, env: { DEMO_TOKEN: undefined } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^RP_MISSING_PARAMETER .*leaf \(needed by make\).*DEMO_TOKEN \(needed by restart\)/);
    expect(result.stdout).not.toContain('looked');
    expect(existsSync(evidence) ? readdirSync(evidence).filter((f) => !f.startsWith('.')) : []).toEqual([]);
  });
});

describe('lint checks parameter defaults', () => {
  it('a default outside its choices or pattern is an error', async () => {
    writeFileSync(join(dir, 'lint-choices.md'), '---\nparams:\n  env:\n    choices: [a, b]\n    default: c\n---\n# T\n\n```bash\necho <env>\n```\n');
    writeFileSync(join(dir, 'lint-pattern.md'), '---\nparams:\n  sha:\n    pattern: "[0-9a-f]+"\n    default: xyz\n---\n# T\n\n```bash\necho <sha>\n```\n');
    for (const file of ['lint-choices.md', 'lint-pattern.md']) {
      const result = await runCli(['lint', file], { cwd: dir });
      expect(result.code, `${file}: ${result.stdout}${result.stderr}`).not.toBe(0);
      expect(`${result.stdout}${result.stderr}`).toContain('RP_BAD_PARAMETER');
    }
  });
});
