import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRegex } from '../../src/core/safe-regex.js';
import { runCli } from '../helpers/cli.js';

// A user regex with catastrophic backtracking against 1 MB of output must not hang the run:
// the assertion fails with a message naming the time budget, and the run goes on and ends.

const dir = mkdtempSync(join(tmpdir(), 'rp-hostile-regex-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNBOOK = `# Regex budget

\`\`\`bash {name=big}
head -c 1048576 /dev/zero | tr '\\0' a; printf '!'
\`\`\`

\`\`\`assert
stdout matches /(a+)+$/
stdout matches /^a+!$/
exit == 0
\`\`\`

\`\`\`bash {name=after}
echo after
\`\`\`
`;

interface RecordedAssertion {
  text: string;
  passed: boolean;
  message?: string;
}

describe('assertion regexes under a time budget', () => {
  it('`stdout matches /(a+)+$/` on 1 MB of a + "!" fails with a clear message; the other checks and the next cell still run', async () => {
    const runbook = join(dir, 'regex.md');
    writeFileSync(runbook, RUNBOOK);
    const result = await runCli(['run', runbook, '--yes', '--json', '--evidence-dir', join(dir, 'ev')], { timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { status: string; record: string; steps: { name: string; status: string }[] };
    expect(summary.status).toBe('failed');
    expect(summary.steps.map((s) => [s.name, s.status])).toEqual([
      ['big', 'failed'],
      ['after', 'passed'],
    ]);
    const record = JSON.parse(readFileSync(summary.record, 'utf8')) as { steps: { name: string; assertions: RecordedAssertion[] }[] };
    const assertions = record.steps[0]!.assertions;
    expect(assertions.map((a) => [a.text, a.passed])).toEqual([
      ['stdout matches /(a+)+$/', false],
      ['stdout matches /^a+!$/', true],
      ['exit == 0', true],
    ]);
    expect(assertions[0]!.message).toMatch(/regex \/\(a\+\)\+\$\/: regex exceeded its time budget of \d+ ms/);
  });

  it('runRegex: a timed-out pattern reports timedOut, and the next call gets a fresh worker', () => {
    const input = `${'a'.repeat(1 << 20)}!`;
    const slow = runRegex({ op: 'test', pattern: '(a+)+$', flags: '', input }, 200);
    expect(slow).toEqual({ ok: false, error: 'regex exceeded its time budget of 200 ms', timedOut: true });
    expect(runRegex({ op: 'group', pattern: '(a{3})!', flags: '', input }, 5_000)).toEqual({ ok: true, value: 'aaa' });
    expect(runRegex({ op: 'replace', pattern: '(a|a)+$', flags: '', input: `${'a'.repeat(40)}!`, replacement: '' }, 200)).toMatchObject({ ok: false, timedOut: true });
  });
});
