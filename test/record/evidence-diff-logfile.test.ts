import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { diffBundles } from '../../src/record/index.js';

// `evidence diff` (and the serve Diff page) read a truncated output's full log from the path the
// record names: a record must not make it read outside its bundle or through a symlink.

const SECRET = 'SECRET-LOG-OUTSIDE-THE-BUNDLE';
let dir: string;

async function bundle(name: string, logFile: string, inline: string): Promise<string> {
  const record = JSON.parse(await readFile(new URL('../fixtures/render/passed.record.json', import.meta.url), 'utf8'));
  const out = record.steps[0].attempts[0].stdout;
  Object.assign(out, { inline, truncated: true, logFile, size: 4096 });
  const b = join(dir, 'ev', name);
  await mkdir(join(b, 'logs'), { recursive: true });
  await writeFile(join(b, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  return b;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runproof-diff-logfile-'));
  await writeFile(join(dir, 'secret-a.log'), `${SECRET} A\n`);
  await writeFile(join(dir, 'secret-b.log'), `${SECRET} B\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a logFile with .., an absolute path or a symlink is not read: the inline copy is compared', async () => {
  const cases: Array<[string, string]> = [
    ['../../secret-a.log', '../../secret-b.log'],
    [join(dir, 'secret-a.log'), join(dir, 'secret-b.log')],
    ['logs/../../../secret-a.log', 'logs/../../../secret-b.log'],
    ['logs/link.log', 'logs/link.log'],
  ];
  for (const [i, [la, lb]] of cases.entries()) {
    const a = await bundle(`a${i}_20260101_000000`, la, 'same head\n');
    const b = await bundle(`b${i}_20260101_000000`, lb, 'same head\n');
    if (la === 'logs/link.log') {
      await symlink(join(dir, 'secret-a.log'), join(a, 'logs', 'link.log'));
      await symlink(join(dir, 'secret-b.log'), join(b, 'logs', 'link.log'));
    }
    const diff = await diffBundles(a, b);
    expect(JSON.stringify(diff), la).not.toContain(SECRET);
    expect(diff.steps, la).toEqual([]);
  }
});

test('control: a plain log inside the bundle is read in full', async () => {
  const a = await bundle('ca_20260101_000000', 'logs/out.log', 'same head\n');
  const b = await bundle('cb_20260101_000000', 'logs/out.log', 'same head\n');
  await writeFile(join(a, 'logs', 'out.log'), 'line one\nfull log A\n');
  await writeFile(join(b, 'logs', 'out.log'), 'line one\nfull log B\n');
  const diff = await diffBundles(a, b);
  expect(diff.steps[0]?.changes).toContainEqual({ field: 'stdout', detail: 'line 2', a: 'full log A', b: 'full log B' });
});
