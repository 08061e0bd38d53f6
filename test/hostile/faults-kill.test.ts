// Faults (issue I.5): SIGKILL at random moments. 50 real CLI runs, each killed after a seeded
// random delay; `recover` must rebuild every bundle with every step whose step-end reached the
// journal, and the recovered bundle must verify. Replay a failure with RUNPROOF_FAULT_SEED=<seed>.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishBundle } from '../../src/app/run-runbook.js';
import { isRunproofError } from '../../src/core/index.js';
import { isSealed, readJournal, recoverBundle, verifyBundle } from '../../src/record/index.js';
import { CLI } from '../helpers/cli.js';

const SEED = Number(process.env.RUNPROOF_FAULT_SEED ?? 20261123);
const RUNS = 50;
const PARALLEL = 5;
const STEPS = 6;

// mulberry32: a small seeded generator, so a failing delay can be replayed.
function random(seed: number): () => number {
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
  dir = mkdtempSync(join(tmpdir(), 'rp-hostile-kill-'));
  const cells = Array.from({ length: STEPS }, (_, i) => `\`\`\`bash\nsleep 0.05; echo "step ${i + 1}"\n\`\`\`\n`).join('\n');
  writeFileSync(join(dir, 'steps.md'), `# Steps\n\n## 1. Run\n\n${cells}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  run: number;
  delayMs: number;
  phase: 'no bundle' | 'killed before run-start' | 'recovered' | 'already sealed';
  finishedBefore: string[];
  passedAfter: string[];
  verified: boolean;
}

// One run: start the CLI, SIGKILL it after `delayMs` (or let it finish), then recover its bundle.
async function killAndRecover(run: number, delayMs: number): Promise<Outcome> {
  const ev = join(dir, `ev-${run}`);
  mkdirSync(ev);
  // Each run its own lock folder: the five parallel runs of one runbook and selection would otherwise
  // hold one run lock (L10), and four of every five would be refused before making a bundle.
  const child = spawn(process.execPath, [CLI, 'run', 'steps.md', '--yes', '--evidence-dir', ev], { cwd: dir, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1', RUNPROOF_LOCK_DIR: join(ev, '.locks') } });
  let done = false;
  const exited = new Promise<void>((resolve) => child.on('exit', () => ((done = true), resolve())));
  // The machine may be loaded and Node slow to start: the delay counts from the moment the bundle
  // folder appears, so it lands among the cells and the sealing rather than in start-up.
  while (!done && !readdirSync(ev).some((f) => !f.startsWith('.'))) await new Promise((r) => setTimeout(r, 5));
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  await exited;
  clearTimeout(timer);
  const base: Omit<Outcome, 'phase'> = { run, delayMs, finishedBefore: [], passedAfter: [], verified: false };
  const name = readdirSync(ev).find((f) => !f.startsWith('.') && !f.endsWith('.tmp'));
  if (!name) return { ...base, phase: 'no bundle' };
  const bundle = join(ev, name);
  const journalPath = join(bundle, 'journal.jsonl');
  const before = existsSync(journalPath) ? await readJournal(journalPath) : { events: [] };
  const finishedBefore = before.events.filter((e) => e.type === 'step-end').map((e) => (e as { stepId: string }).stepId);
  if (await isSealed(bundle)) {
    return { ...base, phase: 'already sealed', finishedBefore, passedAfter: finishedBefore, verified: (await verifyBundle(bundle)).ok };
  }
  try {
    const result = await recoverBundle(bundle, { finish: (b, record) => finishBundle(b, record, { evidenceDir: ev, env: {} }) });
    const passedAfter = result.record.steps.filter((s) => s.status === 'passed').map((s) => s.id);
    return { ...base, phase: 'recovered', finishedBefore, passedAfter, verified: (await verifyBundle(bundle)).ok };
  } catch (error) {
    if (isRunproofError(error) && error.code === 'RP_BAD_BUNDLE' && /no run-start event/.test(error.message)) return { ...base, phase: 'killed before run-start', finishedBefore };
    throw error;
  }
}

describe(`SIGKILL at ${RUNS} seeded random moments (seed ${SEED})`, () => {
  it('recover rebuilds every bundle with every finished step, and the result verifies', { timeout: 240_000 }, async () => {
    const next = random(SEED);
    // From the bundle's creation: 0 ms (before run-start) to past the end of sealing.
    const delays = Array.from({ length: RUNS }, () => Math.round(next() * 1500));
    const outcomes: Outcome[] = [];
    for (let i = 0; i < RUNS; i += PARALLEL) {
      outcomes.push(...(await Promise.all(delays.slice(i, i + PARALLEL).map((d, j) => killAndRecover(i + j, d)))));
    }
    const lost = outcomes.filter((o) => o.finishedBefore.some((id) => !o.passedAfter.includes(id)));
    expect(lost, `seed ${SEED}: finished steps lost`).toEqual([]);
    const unverified = outcomes.filter((o) => (o.phase === 'recovered' || o.phase === 'already sealed') && !o.verified);
    expect(unverified, `seed ${SEED}: bundles that do not verify after recover`).toEqual([]);
    // The delays really hit the middle of runs: some bundles were recovered with some but not all steps.
    const midRun = outcomes.filter((o) => o.phase === 'recovered' && o.passedAfter.length > 0 && o.passedAfter.length < STEPS);
    expect(midRun.length, JSON.stringify(outcomes.map((o) => [o.delayMs, o.phase, o.passedAfter.length]))).toBeGreaterThanOrEqual(5);
  });
});
