import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ChecklistFileError, checklistJsonSchemaText, CHECKLIST_SCHEMA_FILE, loadChecklistFile, parseChecklistText, selectChecklists } from '../../src/checklist/index.js';
import { isRunproofError } from '../../src/core/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/checklist/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

async function problemsOf(text: string): Promise<ChecklistFileError> {
  try {
    await parseChecklistText(text, join(fixtures, 'inline.yaml'));
  } catch (error) {
    expect(error).toBeInstanceOf(ChecklistFileError);
    return error as ChecklistFileError;
  }
  throw new Error('expected the checklist to be rejected');
}

describe('loadChecklistFile', () => {
  it('applies defaults, resolves paths against the file and reads env: references as such', async () => {
    const file = await loadChecklistFile(join(fixtures, 'good.yaml'));
    expect(file.path).toBe(join(fixtures, 'good.yaml'));
    const [health, weekly] = file.checklists;
    expect(health!.runbookPath).toBe(join(fixtures, 'roxy.md'));
    expect(health!.evidenceDir).toBe(join(fixtures, 'ev'));
    expect(health!.textfile).toBe(join(fixtures, 'out/runproof.prom'));
    expect(health!.junit).toBe(join(fixtures, 'out/health.xml'));
    expect(health!.schedule).toEqual({ cron: '*/5 * * * *', timezone: 'Europe/Berlin' });
    expect(health!.timeoutMs).toBe(30_000);
    expect(health!.allow).toEqual(['read']);
    expect(health!.params).toEqual([
      { name: 'region', value: 'eu-1', secret: false },
      { name: 'api_token', env: 'ROXY_API_TOKEN', secret: false },
      { name: 'plain', env: 'PLAIN_VALUE', secret: true },
    ]);
    expect(health!.webhook).toEqual({ url: 'http://127.0.0.1:9/hook', on: 'always', secret: { env: 'HOOK_KEY' }, timeoutMs: 2000, retries: 2 });
    expect(health!.retries).toBe(1);
    expect(health!.retryDelayMs).toBe(500);
    expect(health!.cwd).toBe(fixtures.replace(/\/$/, ''));
    expect(weekly!.schedule).toEqual({ cron: '0 7 * * mon', timezone: 'UTC' });
    expect(weekly!.allow).toEqual(['destructive']);
    expect(weekly!.evidenceDir).toBe('/var/tmp/rp-weekly');
    expect(weekly!.evidenceName).toBe('weekly');
  });

  it('reports every problem of a bad file with its YAML path and line', async () => {
    let error: unknown;
    try {
      await loadChecklistFile(join(fixtures, 'bad.yaml'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChecklistFileError);
    const problems = (error as ChecklistFileError).problems;
    const byPath = new Map(problems.map((p) => [p.path, p]));
    // zod's pass: unknown key, missing name, a bad enum value.
    expect(byPath.get('checklists[0].colour')).toMatchObject({ line: 7, message: 'unknown key "colour"' });
    expect(byPath.get('checklists[2].name')?.message).toMatch(/missing required key/);
    expect(byPath.get('checklists[2].name')?.line).toBe(13);
    expect(byPath.get('checklists[2].webhook.on')?.line).toBe(16);
    expect((error as ChecklistFileError).code).toBe('RP_BAD_CHECKLIST');
    const lines = (error as ChecklistFileError).formatProblems();
    expect(lines.every((l) => /bad\.yaml:\d+:\d+ RP_BAD_CHECKLIST \S/.test(l))).toBe(true);
  });

  it('after the schema passes, checks cron, time zone, durations, duplicates and runbooks, each at its line', async () => {
    const text = [
      'defaults:',
      '  timeout: 10 minutes',
      'checklists:',
      '  - name: daily',
      '    runbook: roxy.md',
      '    schedule: "61 * * * *"',
      '  - name: Daily',
      '    runbook: missing.md',
      '    schedule:',
      '      cron: "0 6 * * *"',
      '      timezone: Mars/Olympus',
      '    webhook: ftp://example.invalid/hook',
      '',
    ].join('\n');
    const error = await problemsOf(text);
    const got = error.problems.map((p) => [p.path, p.line]);
    expect(got).toEqual([
      ['defaults.timeout', 2],
      ['checklists[0].schedule', 6],
      ['checklists[1].name', 7],
      ['checklists[1].runbook', 8],
      ['checklists[1].schedule.timezone', 11],
      ['checklists[1].webhook', 12],
    ]);
    expect(error.problems[1]!.message).toMatch(/61/);
    expect(error.problems[2]!.message).toMatch(/duplicate checklist name/);
    expect(error.problems[4]!.message).toBe('unknown time zone "Mars/Olympus"');
  });

  it('reports a YAML syntax error at its line', async () => {
    const error = await problemsOf('checklists:\n  - name: a\n    runbook: [unclosed\n');
    expect(error.problems[0]!.message).toMatch(/^YAML: /);
    expect(error.problems[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('rejects an empty file and a file without checklists', async () => {
    expect((await problemsOf('')).problems[0]!.path).toBe('checklists');
    expect((await problemsOf('checklists: []\n')).problems[0]!.message).toMatch(/>=1|at least|too small/i);
  });

  it('selects checklists by name case-insensitively and suggests the closest for a typo', async () => {
    const file = await loadChecklistFile(join(fixtures, 'good.yaml'));
    expect(selectChecklists(file, ['HEALTH']).map((c) => c.name)).toEqual(['health']);
    expect(selectChecklists(file, []).length).toBe(2);
    try {
      selectChecklists(file, ['helth']);
      throw new Error('not thrown');
    } catch (error) {
      expect(isRunproofError(error) && error.code).toBe('RP_BAD_CHECKLIST');
      expect((error as Error & { hint: string }).hint).toMatch(/did you mean health/);
    }
  });

  it('has an up-to-date published JSON Schema', () => {
    const committed = readFileSync(join(root, CHECKLIST_SCHEMA_FILE), 'utf8');
    expect(committed, 'regenerate with: npm run build && node -e "import(\'./dist/checklist/json-schema.js\').then(m=>require(\'fs\').writeFileSync(m.CHECKLIST_SCHEMA_FILE,m.checklistJsonSchemaText()))"').toBe(checklistJsonSchemaText());
    const schema = JSON.parse(committed) as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['checklists']);
  });
});
