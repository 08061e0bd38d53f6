// J8: a signal always leaves a sealed bundle. SIGTERM and SIGINT at seeded random moments of a
// real CLI run (start-up, running cells, writing the record, sealing), sometimes delivered twice
// in a row as GNU `timeout` does (to the child, then to its process group): every bundle that
// exists verifies. 50 runs (RP_SIGNAL_RUNS), two at a time, each bounded (30 s, then SIGKILL).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/record/index.js';
import { CLI } from '../helpers/cli.js';

const SEED = 0x5eed_0008;
const RUNS = Number(process.env.RP_SIGNAL_RUNS ?? 50);

// mulberry32: a small seeded PRNG, so a failure can be replayed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-signals-random-'));
  writeFileSync(join(dir, 'rb.md'), '# Sig\n\n## 1. Go\n\n```bash\necho first\n```\n\n```bash\nsleep 0.4; echo second\n```\n\n```bash\necho third\n```\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Trial {
  n: number;
  signal: NodeJS.Signals;
  delayMs: number;
  twice: boolean;
}

function runTrial(trial: Trial): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ev: string }> {
  const cwd = join(dir, `t${trial.n}`);
  mkdirSync(cwd);
  const ev = join(cwd, 'ev');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'run', join(dir, 'rb.md'), '--yes', '--evidence-dir', ev], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', RUNPROOF_LOCK_DIR: join(cwd, 'locks') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const hard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    // The moment counts from when the run has made its evidence folder (start-up speed varies).
    const poll = setInterval(() => {
      if (!existsSync(ev)) return;
      clearInterval(poll);
      setTimeout(() => {
        child.kill(trial.signal);
        if (trial.twice) setTimeout(() => child.kill(trial.signal), 5);
      }, trial.delayMs);
    }, 5);
    child.on('close', (code, signal) => {
      clearTimeout(hard);
      clearInterval(poll);
      resolve({ code, signal, stderr, ev });
    });
  });
}

describe('signals at random moments', () => {
  it(`${RUNS} runs (seed ${SEED}): every bundle left behind is sealed and verifies`, { timeout: 900_000 }, async () => {
    const random = prng(SEED);
    const trials: Trial[] = Array.from({ length: RUNS }, (_, n) => ({
      n,
      signal: random() < 0.5 ? 'SIGTERM' : 'SIGINT',
      // From the evidence folder's creation: the run takes about a second, then record and seal.
      delayMs: Math.floor(random() * 1800),
      twice: random() < 0.5,
    }));
    const problems: string[] = [];
    let bundles = 0;
    const queue = [...trials];
    const worker = async (): Promise<void> => {
      for (let trial = queue.shift(); trial; trial = queue.shift()) {
        const result = await runTrial(trial);
        if (process.env.RP_SIGNAL_DEBUG) console.log(trial, result, existsSync(result.ev) && readdirSync(result.ev));
        const names = existsSync(result.ev) ? readdirSync(result.ev).filter((f) => !f.startsWith('.')) : [];
        const where = `trial ${trial.n} (${trial.signal}${trial.twice ? ' twice' : ''} at ${trial.delayMs} ms, exit ${result.code ?? result.signal})`;
        if (names.length === 0) {
          // Only a signal before runproof installed its handlers (start-up) may leave no bundle.
          if (result.signal === null && result.code !== 0) problems.push(`${where}: no bundle; stderr ${result.stderr.slice(0, 200)}`);
          continue;
        }
        bundles += 1;
        const verified = await verifyBundle(join(result.ev, names[0]!));
        if (!verified.ok) problems.push(`${where}: ${verified.problems.map((p) => `${p.file}: ${p.actual}`).join('; ')}`);
        // A signal that lands while Node itself is shutting down, after the bundle was sealed (it
        // verifies), ends the process by that signal: nothing is lost. Any other end is a problem.
        const diedAfterSealing = result.signal !== null && verified.ok;
        if (result.code !== 0 && result.code !== 3 && !diedAfterSealing) problems.push(`${where}: exit ${result.code ?? result.signal}; stderr ${result.stderr.slice(0, 300)}`);
      }
    };
    await Promise.all([worker(), worker()]);
    expect(problems).toEqual([]);
    // The moments must mostly fall inside runs, or the test proves nothing.
    expect(bundles).toBeGreaterThanOrEqual(RUNS / 2);
  });
});
