// J5 at a real terminal (tmux): a missing parameter is asked when the first cell that needs it
// comes, after the cells before it have shown their output (the ROXY rollback's commit_sha after
// its own `git log` cell), in any cell kind (an HTTP {{DEMO_TOKEN}}, read without echo).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunRecordSchema, type RunRecord } from '../../src/record/index.js';
import { startRoxyServer, type TestServer } from '../helpers/servers.js';
import { startPane, type Pane } from './interactive-tmux.js';

const TOKEN = 'tok-Demo-3e8d1f0a';
let dir: string;
let pane: Pane | undefined;
let server: TestServer;
beforeAll(async () => {
  server = await startRoxyServer({ ready: true });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rp-interactive-ask-'));
  writeFileSync(
    join(dir, 'rollback.md'),
    `---
params:
  commit_sha:
    description: the commit to roll back to
    pattern: "[0-9a-f]{7,40}"
---
# Rollback

\`\`\`bash {name=candidates}
echo "candidate 4f1c2d9 fix the cache"
\`\`\`

\`\`\`bash {name=checkout}
echo "checking out <commit_sha>" > checkout.txt
\`\`\`

\`\`\`http {name=restart}
POST ${server.url}/echo
X-Demo-Token: {{DEMO_TOKEN}}
\`\`\`
`,
  );
});
afterEach(async () => {
  await pane?.close();
  pane = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function recordOf(): { record: RunRecord; bundle: string } {
  const [name] = readdirSync(join(dir, 'ev')).filter((n) => !n.startsWith('.'));
  const bundle = join(dir, 'ev', name!);
  const file = readdirSync(bundle).find((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'attestation.json')!;
  return { record: RunRecordSchema.parse(JSON.parse(readFileSync(join(bundle, file), 'utf8'))), bundle };
}

describe('a missing parameter is asked when its first cell comes', () => {
  it('commit_sha after the candidates were shown, again after a refused value; the HTTP token without echo', async () => {
    pane = await startPane({ dir, args: ['run', 'rollback.md', '--evidence-dir', 'ev'], env: { DEMO_TOKEN: undefined } });
    let screen = await pane.waitFor('run it?');
    // Nothing asked before the first cell.
    expect(screen).not.toContain('commit_sha');
    await pane.keys('y');
    screen = await pane.waitFor('commit_sha: ');
    expect(screen.indexOf('candidate 4f1c2d9 fix the cache')).toBeLessThan(screen.indexOf('Cell checkout needs a parameter'));
    expect(screen).toContain('commit_sha · the commit to roll back to');
    await pane.type('HEAD~1');
    await pane.keys('Enter');
    screen = await pane.waitFor(/RP_BAD_PARAMETER[^\n]*commit_sha[\s\S]*commit_sha: $/m);
    await pane.type('4f1c2d9');
    await pane.keys('Enter');
    screen = await pane.waitFor(/\[2\/3\][\s\S]*run it\?/);
    expect(screen).toContain('commit_sha=4f1c2d9 (prompt)');
    expect(screen).toContain('echo "checking out 4f1c2d9" > checkout.txt');
    await pane.keys('y');
    screen = await pane.waitFor('DEMO_TOKEN (secret: not shown as you type): ');
    await pane.type(TOKEN);
    expect(await pane.screen()).not.toContain(TOKEN);
    await pane.keys('Enter');
    screen = await pane.waitFor(/\[3\/3\][\s\S]*run it\?/);
    // J11: the request with the value filled in, the secret masked.
    expect(screen).toContain(`│ POST ${server.url}/echo`);
    expect(screen).toContain('│ X-Demo-Token: [REDACTED:DEMO_TOKEN]');
    await pane.keys('y');
    expect(await pane.exitCode()).toBe(0);
    screen = await pane.screen();
    expect(screen).not.toContain(TOKEN);
    expect(screen).toMatch(/<- HTTP 200 OK \(\d+ ms\)/);
    expect(readFileSync(join(dir, 'checkout.txt'), 'utf8')).toBe('checking out 4f1c2d9\n');
    expect(server.requests.at(-1)!.headers['x-demo-token']).toBe(TOKEN);
    const { record, bundle } = recordOf();
    expect(record.parameters).toEqual([
      { name: 'commit_sha', value: '4f1c2d9', source: 'prompt', secret: false },
      { name: 'DEMO_TOKEN', value: '[REDACTED:DEMO_TOKEN]', source: 'prompt', secret: true },
    ]);
    for (const f of readdirSync(bundle, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain(TOKEN);
    }
  });

  it('Enter alone skips the cell that needs it; Ctrl-C at the question quits (exit 3)', async () => {
    pane = await startPane({ dir, args: ['run', 'rollback.md', '--evidence-dir', 'ev'], env: { DEMO_TOKEN: undefined } });
    await pane.waitFor('run it?');
    await pane.keys('y');
    await pane.waitFor('commit_sha: ');
    await pane.keys('Enter');
    await pane.waitFor('DEMO_TOKEN (secret: not shown as you type): ');
    await pane.keys('C-c');
    expect(await pane.exitCode()).toBe(3);
    const { record } = recordOf();
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['candidates', 'passed'],
      ['checkout', 'skipped'],
      ['restart', 'not-run'],
    ]);
    expect(record.steps[1]!.decisions).toMatchObject([{ action: 'skip', by: 'operator' }]);
  });
});
