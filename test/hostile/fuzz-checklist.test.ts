import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ChecklistFileError, parseChecklistText } from '../../src/checklist/index.js';
import { isRunproofError } from '../../src/core/index.js';

// Fuzzing the checklist loader: YAML made of the schema's own keys with good and bad values, raw
// YAML fragments, and arbitrary text. It resolves to checklists or rejects with RP_BAD_CHECKLIST
// listing problems with lines; nothing else escapes. RUNPROOF_FUZZ_SEED=<n> replays a failure.

const seed = process.env.RUNPROOF_FUZZ_SEED;
const settings = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, ...(seed ? { seed: Number(seed) } : {}) });

const dir = mkdtempSync(join(tmpdir(), 'rp-hostile-checklist-'));
writeFileSync(join(dir, 'ok.md'), '# Ok\n\n```bash\necho ok\n```\n');
const FILE = join(dir, 'checklists.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scalar = fc.oneof(
  fc.constantFrom('ok.md', 'missing.md', '../ok.md', '/etc/passwd', '', '*/5 * * * *', '0 7 * * mon', '61 * * * *', '@hourly', 'Europe/Berlin', 'Mars/Base', '30s', '-1s', '1h30m', 'forever', 'env:HOME', 'env:', 'env:1X', 'read', 'write', 'destructive', 'tgz', 'rar', 'http://127.0.0.1:9/h', 'x'.repeat(200)),
  fc.string({ maxLength: 10 }),
  fc.integer({ min: -5, max: 100 }),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 3 }, scalar, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), tie('value'), { maxKeys: 3 })),
})).value;
const KEYS = ['name', 'description', 'runbook', 'sections', 'cells', 'tags', 'evidenceName', 'schedule', 'timezone', 'params', 'allow', 'timeout', 'maxDuration', 'evidenceDir', 'archive', 'junit', 'textfile', 'webhook', 'retries', 'retryDelay', 'cwd', 'cron', 'url', 'on', 'secret', 'env', 'unknownKey'];
const checklist = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 }).map((entries) => ({ name: 'health', runbook: 'ok.md', ...entries }));
const document = fc.record(
  {
    version: fc.oneof(fc.constant(1), scalar),
    defaults: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 4 }),
    checklists: fc.oneof(fc.array(checklist, { maxLength: 3 }), scalar),
    extra: value,
  },
  { requiredKeys: [] },
);
const yamlText = fc.oneof(
  // A known-good file, so that every run also exercises the loading path.
  fc.constant('version: 1\nchecklists:\n  - name: health\n    runbook: ok.md\n    schedule: "0 6 * * *"\n'),
  document.map((doc) => stringify(doc)),
  fc.array(fc.constantFrom('version: 1', 'checklists:', '  - name: a', '    runbook: ok.md', '    schedule: "* * * * *"', 'defaults: {timeout: 1s}', '!!binary x', '%YAML 1.2', '---', '...', '? [a]', 'a: b: c', '\t- x', '- *d', '<<: *d', '&a [*a]', '"unterminated', "'x", '{', '[', 'key: !!js/function "x"'), { maxLength: 8 }).map((lines) => lines.join('\n')),
  fc.string({ maxLength: 40 }),
);

async function outcome(text: string): Promise<'loaded' | 'rejected'> {
  try {
    const file = await parseChecklistText(text, FILE);
    expect(file.checklists.every((c) => typeof c.name === 'string')).toBe(true);
    return 'loaded';
  } catch (error) {
    if (!isRunproofError(error)) throw error;
    expect(error.code).toBe('RP_BAD_CHECKLIST');
    if (error instanceof ChecklistFileError) {
      expect(error.problems.length).toBeGreaterThan(0);
      for (const problem of error.problems) expect(problem.line).toBeGreaterThanOrEqual(1);
    }
    return 'rejected';
  }
}

describe('checklist files on arbitrary YAML (5,000 cases)', () => {
  it('load or RP_BAD_CHECKLIST with lines; nothing else escapes', async () => {
    const seen = { loaded: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(yamlText, async (text) => {
        seen[await outcome(text)]++;
      }),
      settings(5_000),
    );
    expect(seen.loaded).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });

  it('a 10,000-deep nesting is RP_BAD_CHECKLIST, not a stack overflow', async () => {
    expect(await outcome(`version: 1\nchecklists: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)).toBe('rejected');
    expect(await outcome(`version: 1\nchecklists:\n${Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}x\n`)).toBe('rejected');
  });

  // yaml resolves aliases in toJS(): a bomb or an alias before its anchor must be RP_BAD_CHECKLIST.
  it('a YAML alias bomb and an alias before its anchor are RP_BAD_CHECKLIST, not RP_INTERNAL', async () => {
    expect(await outcome('version: 1\nchecklists:\n- *d\n')).toBe('rejected');
    const bomb = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]', 'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]', 'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]', 'checklists: []'].join('\n');
    expect(await outcome(bomb)).toBe('rejected');
  });
});
