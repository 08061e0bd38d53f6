import { describe, expect, it } from 'vitest';
import { formatBundleShow } from '../../src/cli/evidence-format.js';
import { makeAttempt, makeRecord, makeStep } from '../record/make-record.js';

const info = { dir: 'evidence/x', sealed: true, fromJournal: false, seq: 1 };

describe('evidence show', () => {
  it('shows an HTTP cell by the status it got, not by exit 0', () => {
    const step = makeStep({
      kind: 'http',
      status: 'failed',
      attempts: [makeAttempt({ exitCode: 0, http: { response: { status: 503, headers: {}, body: 'down', bodySize: 4, bodySha256: 'x' } } })],
    });
    const text = formatBundleShow(makeRecord({ steps: [step] }), info);
    expect(text).toMatch(/FAILED\s+health-checks\/1 \[http, read\] HTTP 503/);
    expect(text).not.toMatch(/exit 0/);
  });

  it('names the host of a step of a fleet run', () => {
    const text = formatBundleShow(makeRecord({ steps: [makeStep({ id: 'c1@web-1', host: 'web-1' })] }), info);
    expect(text).toMatch(/PASSED\s+health-checks\/1 @web-1 \[shell, read\] exit 0/);
  });
});
