// `npm run bench -- http`: 200 GET requests to a local server as HTTP cells in one run, against
// 200 `curl -s` invocations in a shell loop, in the same bench run; whole processes timed (Node
// start included), median of 3 alternating rounds (1 with --quick). Goal: at most 0.5.
//
// The runproof side is the built CLI (`runproof run --yes`) on a runbook of 200 `http` cells, each
// checked by an `assert` cell, writing and sealing its bundle. Needs `npm run build` first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, ratioRow, skippedRow } from './table.mjs';

const REQUESTS = 200;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');

export default async function benchHttp({ quick = false } = {}) {
  const ROUNDS = quick ? 1 : 3;
  const measure = `${REQUESTS} GET as HTTP cells with assertions, \`run --yes\` (whole process, bundle sealed) vs \`curl -s\` in a bash loop`;
  if (!existsSync(cli)) return [skippedRow(measure, 'dist/cli/main.js missing: npm run build')];
  const hasCurl = spawnSync('curl', ['--version']).status === 0;
  const body = JSON.stringify({ status: 'ok', service: 'roxy-core' });
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/health`;

  // The runbook: 200 HTTP cells, each with an assertion, run by the real CLI in one process.
  const work = mkdtempSync(join(tmpdir(), 'rp-bench-http-'));
  const cells = Array.from({ length: REQUESTS }, (_, i) => `\`\`\`http {"name":"get-${i + 1}"}\nGET ${url}\n\`\`\`\n\n\`\`\`assert\nstatus == 200\n\`\`\`\n`).join('\n');
  writeFileSync(join(work, 'http.md'), `# HTTP bench\n\n## 1. Requests\n\n${cells}`);
  const cliArgs = [cli, 'run', join(work, 'http.md'), '--yes', '--evidence-dir', join(work, 'ev')];
  const runproof = [];
  const curl = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      runproof.push(await timed(process.execPath, cliArgs));
      if (hasCurl) curl.push(await timed('bash', ['-c', `for i in $(seq ${REQUESTS}); do curl -s ${url} > /dev/null || exit 1; done`]));
    }
  } finally {
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
  const ours = median(runproof);
  if (!hasCurl) return [skippedRow(measure, 'curl not found: no baseline')];
  const theirs = median(curl);
  return [ratioRow(measure, `${ours.toFixed(0)} ms`, `${theirs.toFixed(0)} ms`, ours / theirs, { max: 0.5 })];
}

// Wall-clock time of a whole child process, from spawn to exit; a failure aborts the bench.
function timed(command, args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(performance.now() - start);
      else reject(new Error(`${command} exited with ${code}`));
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await benchHttp({ quick: process.argv.includes('--quick') }));
