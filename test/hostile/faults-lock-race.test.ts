// Faults (issue I.5): two runs racing for one lock (20 tries in one process, twice two CLI
// processes): exactly one runs, the other is refused with RP_LOCKED (exit 4 from the CLI). A file
// of its own beside faults-signals.test.ts, so the long cases run in parallel.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/app/run-runbook.js';
import { isRunproofError } from '../../src/core/index.js';
import { startCli as start } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-hostile-race-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The cell holds the lock until the test releases it, so the two runs surely overlap; if both got
// in (the bug), both wait, the cell gives up after 60 s and both pass.
const HOLD = '# Race\n\n## 1. Hold\n\n```bash {"timeout":"90s"}\nfor i in $(seq 1 1200); do [ -e release ] && break; sleep 0.05; done; echo held\n```\n';

describe('two runs racing for one lock', () => {
  it('20 tries of two runs in one process: exactly one runs each time, the other gets RP_LOCKED', { timeout: 180_000 }, async () => {
    const results: string[] = [];
    for (let n = 0; n < 20; n++) {
      const cwd = join(dir, `race-lib-${n}`);
      mkdirSync(cwd);
      writeFileSync(join(cwd, 'rb.md'), HOLD);
      const go = () => runRunbook({ runbookPath: join(cwd, 'rb.md'), mode: 'unattended', evidenceDir: join(cwd, 'ev'), cwd, env: { PATH: process.env.PATH ?? '' } }).then(
        (r) => `ran:${r.status}`,
        (e: unknown) => (isRunproofError(e) ? e.code : String(e)),
      );
      const a = go();
      const b = go();
      const first = await Promise.race([a, b]);
      writeFileSync(join(cwd, 'release'), '');
      const both = [await a, await b].sort();
      results.push(both.join('/'));
      expect(first).toBe('RP_LOCKED');
    }
    expect(results).toEqual(Array(20).fill('RP_LOCKED/ran:passed'));
  });

  it('two CLI processes (twice, at once): one runs, the other exits 4 naming the holder', { timeout: 240_000 }, async () => {
    const tryOnce = async (n: number): Promise<string> => {
      const cwd = join(dir, `race-cli-${n}`);
      mkdirSync(cwd);
      writeFileSync(join(cwd, 'rb.md'), HOLD);
      const a = start(['run', 'rb.md', '--yes', '--evidence-dir', 'ev'], cwd);
      const b = start(['run', 'rb.md', '--yes', '--evidence-dir', 'ev'], cwd);
      const first = await Promise.race([a.exited.then((e) => ({ e, other: b })), b.exited.then((e) => ({ e, other: a }))]);
      writeFileSync(join(cwd, 'release'), '');
      const second = await first.other.exited;
      expect(first.e.stderr).toMatch(/^RP_LOCKED another run of this runbook and selection is in progress: held by pid \d+ on host /);
      expect(readdirSync(join(cwd, 'ev')).filter((f) => !f.startsWith('.'))).toHaveLength(1);
      return `${first.e.code}/${second.code}`;
    };
    expect(await Promise.all([tryOnce(0), tryOnce(1)])).toEqual(['4/0', '4/0']);
  });
});
