import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/app/index.js';
import { loadChecklistFile, runChecklist } from '../../src/checklist/index.js';
import { runCli } from '../helpers/cli.js';

// J5: a webhook the run reports to is checked before its first step, as the signing key, the
// templates and the TSA URL are: a bad one is RP_BAD_WEBHOOK, exit 2, nothing run, no bundle.
const dir = mkdtempSync(join(tmpdir(), 'rp-preflight-webhook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ran = join(dir, 'FIRST-CELL-RAN');
writeFileSync(join(dir, 'rb.md'), `# T\n\n\`\`\`bash {name=first}\ntouch ${ran}\n\`\`\`\n`);

const bundles = (evidence: string): string[] => (existsSync(evidence) ? readdirSync(evidence).filter((f) => !f.startsWith('.')) : []);

describe('the webhook URL is checked before the first step', () => {
  for (const url of ['not a url', 'ftp://hooks.example/rp', 'file:///etc/passwd', 'http://']) {
    it(`runRunbook refuses ${JSON.stringify(url)}`, async () => {
      const evidence = join(dir, `ev-${Math.random().toString(36).slice(2)}`);
      await expect(
        runRunbook({ runbookPath: join(dir, 'rb.md'), mode: 'unattended', allow: ['write'], cwd: dir, evidenceDir: evidence, env: { PATH: process.env.PATH ?? '' }, webhookUrl: url, beforeSeal: async () => undefined }),
      ).rejects.toMatchObject({ code: 'RP_BAD_WEBHOOK' });
      expect(existsSync(ran)).toBe(false);
      expect(bundles(evidence)).toEqual([]);
    });
  }

  it('a checklist built in code with a bad webhook ends in error RP_BAD_WEBHOOK before its first step', async () => {
    writeFileSync(join(dir, 'ok.checklist.yaml'), `checklists:\n  - name: daily\n    runbook: rb.md\n    allow: write\n    evidenceDir: ev-checklist\n    webhook: https://hooks.example/rp\n`);
    const file = await loadChecklistFile(join(dir, 'ok.checklist.yaml'));
    const checklist = { ...file.checklists[0]!, webhook: { ...file.checklists[0]!.webhook!, url: 'gopher://hooks.example/rp' } };
    const result = await runChecklist(checklist, { env: { PATH: process.env.PATH ?? '' } });
    expect(result.status).toBe('error');
    expect(result.error?.code).toBe('RP_BAD_WEBHOOK');
    expect(existsSync(ran)).toBe(false);
    expect(bundles(join(dir, 'ev-checklist'))).toEqual([]);
  });

  it('a checklist file with a bad webhook URL is refused at load, with the same rule (exit 2, nothing run)', async () => {
    writeFileSync(join(dir, 'bad.checklist.yaml'), `checklists:\n  - name: daily\n    runbook: rb.md\n    allow: write\n    webhook: ftp://hooks.example/rp\n`);
    const result = await runCli(['checklist', 'run', 'bad.checklist.yaml'], { cwd: dir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('webhook URL must be http or https, not ftp:');
    expect(existsSync(ran)).toBe(false);
  });
});
