import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunbook } from '../../src/app/run-runbook.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-checks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const RUNBOOK = `---
params:
  region:
    default: eu-west-1
---
# Checks

## 1. Region

\`\`\`bash
echo "region=<region>"
\`\`\`

\`\`\`assert
stdout contains "region=eu-west-1"
exit == 0
\`\`\`

## 2. Version

\`\`\`bash
echo '{"ok": true, "version": "1.4.2", "replicas": 3}'
\`\`\`

Expected output:

\`\`\`json
{"ok": true, ...}
\`\`\`

## 3. Wrong

\`\`\`bash
printf 'no newline at the end'
\`\`\`

\`\`\`assert
stdout == "no newline at the end"
stdout contains "missing"
\`\`\`
`;

describe('checks see the whole output of the cell they check', () => {
  it('evaluates assertions and expected output on the complete (redacted) stdout', async () => {
    const runbook = join(dir, 'checks.md');
    writeFileSync(runbook, RUNBOOK);
    const result = await runRunbook({ runbookPath: runbook, mode: 'unattended', cwd: dir, evidenceDir: join(dir, 'ev'), secrets: ['a-long-secret-value-to-hold-back'] });
    const [region, version, wrong] = result.record.steps;
    expect(region!.status).toBe('passed');
    expect(region!.assertions.map((a) => a.passed)).toEqual([true, true]);
    expect(version!.status).toBe('passed');
    expect(version!.expect?.passed).toBe(true);
    expect(wrong!.status).toBe('failed');
    expect(wrong!.assertions.map((a) => a.passed)).toEqual([true, false]);
    expect(wrong!.assertions[1]!.actual).toBe('no newline at the end');
    expect(result.status).toBe('failed');
  });
});

describe('checks read past the inline output of a big output', () => {
  it('an assertion on the middle of 213 KiB passes; the inline output is only head and tail', async () => {
    const runbook = join(dir, 'big.md');
    writeFileSync(
      runbook,
      '# Big\n\n## 1. Print\n\n```bash\nseq 1 20000\necho middle-marker-42\nseq 1 20000\n```\n\n```assert\nstdout contains "middle-marker-42"\n```\n\n## 2. Unchecked\n\n```bash\nseq 1 100000\n```\n',
    );
    const result = await runRunbook({ runbookPath: runbook, mode: 'unattended', cwd: dir, evidenceDir: join(dir, 'ev') });
    const [checked, unchecked] = result.record.steps;
    expect(checked!.status).toBe('passed');
    expect(checked!.assertions.map((a) => a.passed)).toEqual([true]);
    const inline = checked!.attempts[0]!.stdout.inline;
    expect(checked!.attempts[0]!.stdout.truncated).toBe(true);
    expect(inline).not.toContain('middle-marker-42');
    expect(unchecked!.status).toBe('passed');
    expect(unchecked!.attempts[0]!.stdout.size).toBe(588895);
  }, 30_000);
});
