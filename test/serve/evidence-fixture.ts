// A real evidence folder for the serve tests: bundles written by the built CLI from the small
// runbooks in test/fixtures/serve/ (one with XSS payloads in its title and output).
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'serve');

export interface EvidenceFixture {
  /** The temporary working folder (runbooks are copied here). */
  work: string;
  /** The evidence folder. */
  evidence: string;
  /** Bundle names, oldest first: daily (passed), daily Flaky (failed), daily (passed), other (passed). */
  bundles: string[];
  /** Runs daily.md once more and returns the new bundle's name. */
  runDaily(options?: { fail?: boolean }): Promise<string>;
  cleanup(): Promise<void>;
}

export async function buildEvidenceFixture(prefix: string): Promise<EvidenceFixture> {
  const work = await mkdtemp(join(tmpdir(), `runproof-${prefix}-`));
  const evidence = join(work, 'ev');
  for (const f of ['daily.md', 'other.md']) await copyFile(join(fixtures, f), join(work, f));
  const names = async (): Promise<Set<string>> => new Set((await readdir(evidence).catch(() => [])).filter((n) => !n.startsWith('.')));
  const run = async (args: string[]): Promise<string> => {
    const before = await names();
    const result = await runCli(['run', ...args, '--yes', '--evidence-dir', evidence], { cwd: work });
    if (result.code !== 0 && result.code !== 1) throw new Error(`runproof run ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    const added = [...(await names())].filter((n) => !before.has(n));
    if (added.length !== 1) throw new Error(`expected one new bundle, found ${added.join(', ') || 'none'}`);
    return added[0]!;
  };
  const runDaily = async (options: { fail?: boolean } = {}): Promise<string> => {
    if (options.fail) {
      await writeFile(join(work, 'flaky-fails'), 'x');
      try {
        return await run(['daily.md', '--section', 'Flaky']);
      } finally {
        await rm(join(work, 'flaky-fails'), { force: true });
      }
    }
    return run(['daily.md']);
  };
  const bundles = [await runDaily(), await runDaily({ fail: true }), await runDaily(), await run(['other.md'])];
  return { work, evidence, bundles, runDaily, cleanup: () => rm(work, { recursive: true, force: true }) };
}
