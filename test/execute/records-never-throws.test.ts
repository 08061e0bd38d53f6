// Issue M.1: execute records, never throws. Whatever a cell's data is (a JSON body nested too deep
// to write as JSON, NUL bytes, invalid UTF-8, a header section past the limit, a capture that cannot
// be kept), the run goes on and the step is a failed (or passed) step with a reason, in a bundle that
// validates. Real cells, a real raw TCP peer on 127.0.0.1, a real bash.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/app/run-runbook.js';
import { RunRecordSchema } from '../../src/record/index.js';

const DEEP = 100_000;
let server: Server;
let base: string;
const sockets = new Set<Socket>();

function reply(socket: Socket, type: string, body: Buffer | string): void {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`);
  socket.end(bytes);
}

function answer(socket: Socket, path: string): void {
  if (path === '/deep-array') reply(socket, 'application/json', `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`);
  else if (path === '/deep-object') reply(socket, 'application/json', `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`);
  else if (path === '/nul') reply(socket, 'application/json', '{"ok": "a\\u0000b", "raw": 1}');
  else if (path === '/binary') reply(socket, 'application/octet-stream', Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x41]));
  else if (path === '/huge-headers') {
    socket.write('HTTP/1.1 200 OK\r\n');
    const line = `X-Big: ${'b'.repeat(8000)}\r\n`;
    const pump = (): void => {
      while (!socket.destroyed && socket.write(line));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  } else socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
}

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (d: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) answer(socket, head.split(' ')[1] ?? '/');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-never-throws-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(markdown: string, extra: { caFile?: string } = {}) {
  const runbookPath = join(dir, 'runbook.md');
  writeFileSync(runbookPath, markdown);
  const result = await runRunbook({ runbookPath, mode: 'unattended', allow: ['write'], cwd: dir, evidenceDir: join(dir, 'evidence'), ...extra });
  expect(RunRecordSchema.safeParse(result.record).success).toBe(true);
  return result;
}

// A last cell that must still run: the run went on past the hostile one.
const AFTER = '\n## After\n\n```bash\necho still-running\n```\n';

describe('execute records, never throws', () => {
  it.each(['/deep-array', '/deep-object'])('an HTTP body of JSON nested %s 100 000 levels deep is recorded, checked and the run goes on', async (path) => {
    const result = await run(`# Deep\n\n## Get\n\n\`\`\`http\nGET ${base}${path}\n\`\`\`\n\n\`\`\`assert\nstatus == 200\njsonpath "$" exists\n\`\`\`\n${AFTER}`);
    const [get, after] = result.record.steps;
    expect(get!.attempts[0]!.http).toBeDefined();
    expect(get!.attempts[0]!.stdout.size).toBeGreaterThan(DEEP);
    expect(after!.status).toBe('passed');
    expect(get!.attempts[0]!.http!.response!.json).toBeUndefined();
    expect(get!.status).toBe('failed');
    expect(get!.assertions[0]).toMatchObject({ text: 'status == 200', passed: true });
    expect(get!.assertions[1]!.message).toMatch(/the response body is JSON nested deeper than 512 levels/);
  }, 120_000);

  it('NUL bytes and invalid UTF-8 in a response are kept as evidence, not a crash', async () => {
    const result = await run(`# Bytes\n\n## Nul\n\n\`\`\`http\nGET ${base}/nul\n\`\`\`\n\n\`\`\`assert\njsonpath "$.raw" == 1\n\`\`\`\n\n## Binary\n\n\`\`\`http\nGET ${base}/binary\n\`\`\`\n${AFTER}`);
    const [nul, binary, after] = result.record.steps;
    expect(nul!.status).toBe('passed');
    expect(binary!.status).toBe('passed');
    expect(after!.status).toBe('passed');
  }, 60_000);

  it('a header section past the limit is a failed step naming the headers', async () => {
    const result = await run(`# Headers\n\n## Big\n\n\`\`\`http\nGET ${base}/huge-headers\n\`\`\`\n${AFTER}`);
    const [big, after] = result.record.steps;
    expect(big!.status).toBe('failed');
    expect(big!.note).toMatch(/header/i);
    expect(after!.status).toBe('passed');
  }, 60_000);

  it('an HTTP client that cannot start (a CA file that is gone) fails the http step with the reason; shell cells still run', async () => {
    const result = await run(`# CA\n\n## Get\n\n\`\`\`http\nGET ${base}/nul\n\`\`\`\n${AFTER}`, { caFile: join(dir, 'gone.pem') });
    const [get, after] = result.record.steps;
    expect(get!.status).toBe('failed');
    expect(get!.note).toMatch(/CA file/);
    expect(after!.status).toBe('passed');
  }, 60_000);

  it('shell output with NUL bytes and invalid UTF-8 is a passed step with its bytes counted', async () => {
    const result = await run(`# Shell bytes\n\n## Print\n\n\`\`\`bash\nprintf 'a\\0b\\377\\376c\\n'\nprintf '\\0\\0' >&2\n\`\`\`\n${AFTER}`);
    const [print, after] = result.record.steps;
    expect(print!.status).toBe('passed');
    // The recorded text is UTF-8: each invalid byte is one U+FFFD (3 bytes); NUL bytes are kept.
    expect(print!.attempts[0]!.stdout.inline).toBe('a\0b\uFFFD\uFFFDc\n');
    expect(print!.attempts[0]!.stdout.size).toBe(11);
    expect(after!.status).toBe('passed');
  }, 60_000);

  it('a capture too large for an environment variable is a failed step; later cells still start', async () => {
    const result = await run(`# Capture\n\n## Big\n\n\`\`\`bash {capture=BIG}\nhead -c 200000 /dev/zero | tr '\\0' x\n\`\`\`\n${AFTER}`);
    const [big, after] = result.record.steps;
    expect(big!.status).toBe('failed');
    expect(big!.note).toMatch(/captured into BIG is 200005 bytes, more than the 131072 bytes an environment variable can hold.*nothing was captured/);
    expect(big!.attempts[0]!.stdout.size).toBe(200_000);
    expect(after!.attempts[0]!.stderr.inline).toBe('');
    expect(after!.status).toBe('passed');
  }, 60_000);

  it('shell output of JSON nested 100 000 levels deep fails its jsonpath and expected-output checks with the reason, and the run goes on', async () => {
    const deep = `head -c ${DEEP} /dev/zero | tr '\\0' '['; head -c ${DEEP} /dev/zero | tr '\\0' ']'`;
    const result = await run(`# Deep stdout\n\n## Deep\n\n\`\`\`bash\n${deep}\n\`\`\`\n\n\`\`\`assert\njsonpath "$[0]" exists\n\`\`\`\n\nExpected output:\n\n\`\`\`json\n[[]]\n\`\`\`\n${AFTER}`);
    const [step, after] = result.record.steps;
    expect(step!.status).toBe('failed');
    expect(step!.assertions[0]!.message).toMatch(/stdout is JSON nested deeper than 512 levels/);
    expect(step!.expect?.diffs[0]!.message).toMatch(/the output is JSON nested deeper than 512 levels/);
    expect(after!.status).toBe('passed');
  }, 60_000);
});
