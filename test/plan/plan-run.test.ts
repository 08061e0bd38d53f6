import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseRunbook } from '../../src/parse/index.js';
import { planRun } from '../../src/plan/index.js';
import { isRunproofError } from '../../src/core/index.js';

const fixture = (name: string) =>
  parseRunbook(readFileSync(new URL(`../fixtures/run/${name}`, import.meta.url), 'utf8'), { path: `test/fixtures/run/${name}` });

const SEEDLIKE = `# Ops

## 1. Service Management

### Stop Service
\`\`\`bash
systemctl --user stop roxy-core.service
\`\`\`

## 2. Health Checks

### /health
\`\`\`bash
curl -sS http://127.0.0.1:8766/health
\`\`\`

## 2A. Linked rollback

\`\`\`bash
echo linked
\`\`\`

## 10. Sandbox

\`\`\`bash
echo first ten
\`\`\`

## 10. Sandbox host enablement

\`\`\`bash
echo second ten
\`\`\`
`;

function thrown(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (error) {
    if (isRunproofError(error)) return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    throw error;
  }
  throw new Error('expected a RunproofError');
}

describe('planRun: selection', () => {
  const notebook = parseRunbook(SEEDLIKE, { path: 'ops.md' });

  it('selects a section by number, with subsections', () => {
    const plan = planRun(notebook, { sections: ['1'], mode: 'unattended' });
    expect(plan.steps.map((s) => s.source.trim())).toEqual(['systemctl --user stop roxy-core.service']);
  });

  it('selects by title with or without number, slug, and path, case-insensitively', () => {
    for (const selector of ['Health Checks', '2. health checks', 'health-checks', '2-health-checks', '2. Health Checks//health', 'health checks / /health', '/health']) {
      const plan = planRun(notebook, { sections: [selector], mode: 'unattended' });
      expect(plan.steps.map((s) => s.source.trim()), selector).toEqual(['curl -sS http://127.0.0.1:8766/health']);
    }
  });

  it('selects 2A by its number', () => {
    const plan = planRun(notebook, { sections: ['2a'], mode: 'unattended' });
    expect(plan.steps.map((s) => s.source.trim())).toEqual(['echo linked']);
  });

  it('reports an ambiguous duplicate number with both candidates', () => {
    const error = thrown(() => planRun(notebook, { sections: ['10'], mode: 'unattended' }));
    expect(error.code).toBe('RP_SECTION_AMBIGUOUS');
    expect(error.hint).toContain('10. Sandbox host enablement');
  });

  it('reports an unknown section listing the candidates', () => {
    const error = thrown(() => planRun(notebook, { sections: ['99'], mode: 'unattended' }));
    expect(error.code).toBe('RP_SECTION_NOT_FOUND');
    expect(error.hint).toContain('2A');
    expect(error.hint).toContain('Health Checks');
  });

  it('suggests the closest section title', () => {
    const error = thrown(() => planRun(notebook, { sections: ['Helth Checks'], mode: 'unattended' }));
    expect(error.hint).toContain('did you mean');
  });
});

describe('planRun: policy', () => {
  const notebook = parseRunbook(SEEDLIKE, { path: 'ops.md' });

  it('runs read cells and blocks destructive ones unattended, saying why', () => {
    const plan = planRun(notebook, { mode: 'unattended' });
    const stop = plan.steps.find((s) => s.source.includes('systemctl'))!;
    const health = plan.steps.find((s) => s.source.includes('curl'))!;
    expect(stop.risk.level).toBe('destructive');
    expect(stop.decision).toMatchObject({ action: 'block', by: 'policy' });
    expect(stop.decision.reason).toContain('--allow destructive');
    expect(health.decision).toMatchObject({ action: 'run', by: 'policy' });
  });

  it('lets --allow destructive run it, recorded as the flag', () => {
    const plan = planRun(notebook, { mode: 'unattended', allow: ['destructive'] });
    const stop = plan.steps.find((s) => s.source.includes('systemctl'))!;
    expect(stop.decision).toMatchObject({ action: 'run', by: 'flag' });
    expect(plan.policy.allow).toEqual(['read', 'write', 'destructive']);
  });
});

describe('planRun: parameters', () => {
  it('stops before anything runs when a parameter has no value, naming it and its cells', () => {
    const error = thrown(() => planRun(fixture('params.md'), { mode: 'unattended' }));
    expect(error.code).toBe('RP_MISSING_PARAMETER');
    expect(error.message).toContain('commit_sha');
    expect(error.message).toContain('show/1');
    expect(error.message).not.toContain('region');
  });

  it('uses flags over defaults and binds values as environment references', () => {
    const plan = planRun(fixture('params.md'), { mode: 'unattended', values: [{ name: 'commit_sha', value: 'abc123', source: 'flag' }] });
    const step = plan.steps[0]!;
    expect(step.display).toContain('abc123');
    expect(step.display).toContain('eu-west-1');
    expect(step.command).not.toContain('abc123');
    expect(Object.values(step.env)).toContain('abc123');
    expect(plan.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'commit_sha', value: 'abc123', source: 'flag' }),
        expect.objectContaining({ name: 'region', value: 'eu-west-1', source: 'default' }),
      ]),
    );
  });

  it('keeps placeholders in a dry run and lists what is missing', () => {
    const plan = planRun(fixture('params.md'), { mode: 'dry-run', onMissing: 'keep' });
    expect(plan.missingParameters.map((m) => m.name)).toEqual(['commit_sha']);
    expect(plan.steps[0]!.decision.action).toBe('block');
  });

  it('refuses a NUL byte in a value', () => {
    const error = thrown(() => planRun(fixture('params.md'), { mode: 'unattended', values: [{ name: 'commit_sha', value: 'a\0b', source: 'flag' }] }));
    expect(error.code).toBe('RP_BAD_PARAMETER');
  });
});

describe('durations are parsed once, by parse', () => {
  const text = '---\ntimeout: 5m\n---\n# T\n\n## S\n\n```bash {name=slow timeout=30s retry=2 interval=500ms}\necho slow\n```\n\n```bash {name=plain}\necho plain\n```\n';

  it('parse gives the numbers: a cell\'s timeout and interval, the front matter\'s timeout', () => {
    const notebook = parseRunbook(text, { path: 't.md' });
    expect(notebook.timeoutMs).toBe(300_000);
    expect(notebook.cells.map((c) => [c.name, c.timeoutMs, c.intervalMs])).toEqual([['slow', 30_000, 500], ['plain', undefined, undefined]]);
  });

  it('plan takes those numbers and never reads the attribute text again', () => {
    const notebook = parseRunbook(text, { path: 't.md' });
    const [slow, plain] = notebook.cells;
    slow!.timeoutMs = 1234;
    slow!.intervalMs = 55;
    slow!.attributes.timeout = 'not a duration';
    notebook.timeoutMs = 4321;
    const plan = planRun(notebook, { mode: 'unattended' });
    expect(plan.steps.map((s) => [s.name, s.timeoutMs, s.intervalMs])).toEqual([['slow', 1234, 55], [plain!.name, 4321, 2000]]);
    expect(planRun(notebook, { mode: 'unattended', timeoutMs: 9000 }).steps[1]!.timeoutMs).toBe(9000);
  });
});
