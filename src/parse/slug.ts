// Section slugs: GitHub-like anchors (Unicode letters and digits kept), with runs of hyphens
// collapsed so that default cell names (`3-common-issues-remediation/1`) stay readable.

/**
 * The slug of a heading title: lower case, letters/digits/`_` kept, other runs become `-`.
 * (A file name's slug is `asciiSlug` in record/names.ts: ASCII only, no `_`.)
 */
export function slugify(title: string): string {
  // ASCII titles (nearly all) skip Unicode normalisation and property classes, which are slow.
  const kept = ASCII.test(title)
    ? title.toLowerCase().replace(/[^a-z0-9_\s-]+/g, '')
    : title.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{M}\p{N}_\s-]+/gu, '');
  const slug = kept.trim().replace(/[\s-]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.length > 0 ? slug : 'section';
}

const ASCII = /^[\x00-\x7f]*$/;

/** Hands out unique slugs: the second `foo` becomes `foo-2`, the third `foo-3`. */
export class SlugRegistry {
  private readonly used = new Set<string>();
  private readonly next = new Map<string, number>();

  /** Registers `base` (already slugified) and returns it, suffixed when it was taken. */
  claim(base: string): string {
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    let n = this.next.get(base) ?? 2;
    while (this.used.has(`${base}-${n}`)) n++;
    this.next.set(base, n + 1);
    const slug = `${base}-${n}`;
    this.used.add(slug);
    return slug;
  }
}
