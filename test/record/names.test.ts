import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { asciiSlug, evidenceNameFor, formatBundleTimestamp, validateEvidenceName } from '../../src/record/index.js';
import { isRunproofError } from '../../src/core/errors.js';

describe('asciiSlug', () => {
  it('lower-cases, strips accents and joins words with single dashes', () => {
    expect(asciiSlug('2. Health Checks')).toBe('2-health-checks');
    expect(asciiSlug('Issue: /ready returns 503')).toBe('issue-ready-returns-503');
    expect(asciiSlug('  Déploiement — Étape 2A  ')).toBe('deploiement-etape-2a');
    expect(asciiSlug('!!!')).toBe('');
  });
});

describe('evidenceNameFor', () => {
  it('uses the file name of a path, or the title, then each section slug', () => {
    expect(evidenceNameFor('ops/roxy.md', ['Health Checks'])).toBe('roxy_health-checks');
    expect(evidenceNameFor('ROXY Runbook')).toBe('roxy-runbook');
    expect(evidenceNameFor('runbooks/AOS Ops.markdown', ['2A', 'Common Issues/Issue: /ready returns 503'])).toBe(
      'aos-ops_2a_common-issues-issue-ready-returns-503',
    );
    expect(evidenceNameFor('???')).toBe('runbook');
  });

  it('always yields a valid evidence name (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { maxLength: 6 }), (runbook, sections) => {
        expect(validateEvidenceName(evidenceNameFor(runbook, sections))).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
      }),
    );
  });
});

describe('validateEvidenceName', () => {
  it('accepts ordinary names', () => {
    expect(validateEvidenceName('rollback_check')).toBe('rollback_check');
    expect(validateEvidenceName('daily.checks-v2')).toBe('daily.checks-v2');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['a/b', 'separator'],
    ['a\\b', 'separator'],
    ['..', '".."'],
    ['x..y', '".."'],
    ['.', '".."'],
    ['nul\u0000', 'control'],
    ['tab\there', 'control'],
    ['x'.repeat(161), 'longer'],
  ])('rejects %j (%s) with RP_BAD_EVIDENCE_NAME', (name, why) => {
    try {
      validateEvidenceName(name);
    } catch (e) {
      expect(isRunproofError(e) && e.code).toBe('RP_BAD_EVIDENCE_NAME');
      expect((e as Error).message).toContain(why);
      expect(isRunproofError(e) && e.hint).toBeTruthy();
      return;
    }
    throw new Error('accepted');
  });
});

describe('formatBundleTimestamp', () => {
  it('is YYYYMMDD_HHMMSS in UTC', () => {
    expect(formatBundleTimestamp(new Date('2026-01-22T10:15:00.999Z'))).toBe('20260122_101500');
    expect(formatBundleTimestamp(new Date('2026-01-22T23:59:59+02:00'))).toBe('20260122_215959');
  });
});
