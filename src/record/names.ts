// Bundle names: `<name>_<YYYYMMDD_HHMMSS>`, where `<name>` comes from the operator, the front
// matter or the runbook and section slugs, and must be one safe path segment.
import { basename, extname } from 'node:path';
import { RunproofError } from '../core/index.js';

const MAX_SLUG = 60;
const MAX_NAME = 160;

/**
 * A lower-case ASCII slug for a file name: letters and digits joined by single dashes, accents
 * folded, everything else (`_`, which joins a name's parts, and other scripts) dropped, at most
 * `maxLength` long; '' when nothing is left. Not a heading's slug: that is `slugify` in
 * parse/slug.ts, which keeps Unicode letters and `_` (a section anchor, not a path segment).
 * @example asciiSlug('2. Health Checks') // '2-health-checks'
 */
export function asciiSlug(text: string, maxLength = MAX_SLUG): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/, '');
}

/**
 * The default evidence name: the runbook's slug (from its title, or its file name without
 * extension when given a path) and each selected section's slug, joined by `_`.
 * @example evidenceNameFor('ops/roxy.md', ['Health Checks']) // 'roxy_health-checks'
 */
export function evidenceNameFor(runbook: string, sections: readonly string[] = []): string {
  const looksLikePath = /[/\\]/.test(runbook) || /\.(md|markdown|txt)$/i.test(runbook);
  const base = looksLikePath ? basename(runbook, extname(runbook)) : runbook;
  const parts = [asciiSlug(base) || 'runbook', ...sections.map((s) => asciiSlug(s, 40)).filter((s) => s !== '')];
  let name = parts.join('_');
  if (name.length > MAX_NAME) name = name.slice(0, MAX_NAME).replace(/[-_]+$/, '');
  return name;
}

/**
 * Checks that an evidence name is one safe path segment; returns it.
 * @throws RunproofError RP_BAD_EVIDENCE_NAME for empty names, `/`, `\`, `..`, NUL or control characters.
 */
export function validateEvidenceName(name: string): string {
  const fail = (why: string): never => {
    throw new RunproofError('RP_BAD_EVIDENCE_NAME', `evidence name ${JSON.stringify(name)} ${why}`, {
      hint: 'use letters, digits, dashes and underscores, e.g. --evidence-name rollback_check',
    });
  };
  if (name.trim() === '') fail('is empty');
  if (/\p{Cc}/u.test(name)) fail('holds a control character');
  if (/[/\\]/.test(name)) fail('holds a path separator');
  if (name === '.' || name.includes('..')) fail('holds ".."');
  if (name.length > MAX_NAME) fail(`is longer than ${MAX_NAME} characters`);
  return name;
}

/**
 * `YYYYMMDD_HHMMSS` in UTC, the timestamp part of a bundle name.
 * @example formatBundleTimestamp(new Date('2026-01-22T10:15:00Z')) // '20260122_101500'
 */
export function formatBundleTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2026-01-22T10:15:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}
