// K2, the same table of write, delete and exec forms as sandbox.test.ts, run through bubblewrap as
// an unprivileged user (setpriv to nobody): a file of its own so the two long runs go in parallel.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sandboxArgs } from '../../src/execute/sandbox.js';
import { asSubshells, BATCH, FORMS, makeTarget, snapshot } from './sandbox-forms.js';

describe('the bubblewrap sandbox of read cells', () => {
  it('holds the same forms for an unprivileged user (setpriv to nobody)', async () => {
    const target = makeTarget('/var/tmp');
    try {
      const before = snapshot(target);
      const escaped: string[] = [];
      for (let i = 0; i < FORMS.length && escaped.length === 0; i += BATCH) {
        const batch = FORMS.slice(i, i + BATCH);
        let timedOut = false;
        await new Promise<void>((resolve) => {
          execFile(
            'setpriv',
            ['--reuid=65534', '--regid=65534', '--clear-groups', 'bwrap', ...sandboxArgs({ cwd: '/', home: '/nonexistent' }), 'bash', '-c', asSubshells(batch)],
            { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OUT: target, IN: target }, timeout: 60_000 },
            (error) => {
              // A form that hangs would end the batch at its timeout and skip every form after it.
              timedOut ||= (error as { killed?: boolean } | null)?.killed === true;
              resolve();
            },
          );
        });
        expect(timedOut, JSON.stringify(batch)).toBe(false);
        if (snapshot(target) !== before) escaped.push(...batch);
      }
      expect(escaped).toEqual([]);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  }, 600_000);
});
