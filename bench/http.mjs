// `npm run bench -- http`: 200 GET requests to a local server as HTTP cells in one run, against
// 200 `curl -s` invocations in a shell loop, in the same bench run; whole processes timed (Node
// start included), median of 3 alternating rounds, ratio printed. Goal: at most 0.5.
//
// Until `runproof run` executes HTTP cells end to end, the runproof side drives the run's HTTP
// client directly (dist/execute/http.js: one client, 200 sequential sends, as a run would);
// switch it to the CLI once it exists. Needs `npm run build` first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REQUESTS = 200;
const ROUNDS = 3;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const clientModule = join(root, 'dist', 'execute', 'http.js');

export default async function benchHttp() {
  if (!existsSync(clientModule)) {
    console.log(`skipped: ${clientModule} is missing (run npm run build first)`);
    return;
  }
  const hasCurl = spawnSync('curl', ['--version']).status === 0;
  const body = JSON.stringify({ status: 'ok', service: 'roxy-core' });
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/health`;

  const script = `
    const { createHttpClient } = await import(${JSON.stringify(pathToFileURL(clientModule).href)});
    const client = createHttpClient();
    let failed = 0;
    for (let i = 0; i < ${REQUESTS}; i++) {
      const exchange = await client.send({ method: 'GET', url: ${JSON.stringify(url)}, headers: [] }, { timeoutMs: 10000 });
      if (exchange.response?.status !== 200) failed++;
    }
    await client.close();
    if (failed > 0) { console.error(failed + ' requests failed'); process.exit(1); }
  `;
  const runproof = [];
  const curl = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      runproof.push(await timed(process.execPath, ['--input-type=module', '-e', script]));
      if (hasCurl) curl.push(await timed('bash', ['-c', `for i in $(seq ${REQUESTS}); do curl -s ${url} > /dev/null || exit 1; done`]));
    }
  } finally {
    server.close();
  }
  const ours = median(runproof);
  console.log(`runproof HTTP client (dist/execute/http.js, one process): ${REQUESTS} GET in ${ours.toFixed(0)} ms (median of ${ROUNDS}: ${runproof.map((t) => t.toFixed(0)).join(', ')})`);
  if (!hasCurl) {
    console.log('curl not found: no baseline, no ratio');
    return;
  }
  const theirs = median(curl);
  console.log(`curl -s in a bash loop: ${REQUESTS} GET in ${theirs.toFixed(0)} ms (median of ${ROUNDS}: ${curl.map((t) => t.toFixed(0)).join(', ')})`);
  const ratio = ours / theirs;
  console.log(`ratio runproof/curl: ${ratio.toFixed(2)} (goal <= 0.5: ${ratio <= 0.5 ? 'met' : 'NOT met'})`);
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
