// Size abuse, in-process: 100,000 cells (beside parser-scale.test.ts's 100 MB runbook through the
// CLI, in a file of its own so the two long cases run in parallel).
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/parse/index.js';

describe('runbooks of hostile size', () => {
  it('100,000 cells parse in-process into 100,000 named cells in order', () => {
    const parts = ['# Many\n\n'];
    for (let i = 0; i < 10_000; i++) {
      parts.push(`## Step ${i}\n\n`);
      for (let k = 0; k < 10; k++) parts.push(k === 9 ? '```assert\nexit == 0\n```\n\n' : `\`\`\`bash\necho ${i}-${k}\n\`\`\`\n\n`);
    }
    const notebook = parseRunbook(parts.join(''), { path: 'many.md' });
    expect(notebook.cells).toHaveLength(100_000);
    expect(notebook.sections).toHaveLength(10_002);
    expect(notebook.cells.at(-2)!.name).toBe('step-9999/9');
    expect(notebook.cells.at(-2)!.command).toBe('echo 9999-8');
    expect(notebook.cells.at(-1)!.checks).toBe(notebook.cells.at(-2)!.id);
    expect(new Set(notebook.cells.map((c) => c.name)).size).toBe(100_000);
  }, 240_000);
});
