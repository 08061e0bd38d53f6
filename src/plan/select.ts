import { RunproofError, didYouMean } from '../core/index.js';
import type { Cell, Notebook, Section } from '../parse/index.js';

function describeSection(section: Section): string {
  const full = [...section.path, section.title].join(' / ');
  return section.number ? `${section.number} (${full})` : full;
}

function titleWithoutNumber(section: Section): string {
  if (!section.number) return section.title;
  return section.title.replace(/^\s*\d+[A-Za-z]?[.)]?\s*/, '');
}

const norm = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();

// One selector may name a section by number, title (with or without its number), slug or path.
function matchSections(notebook: Notebook, selector: string): Section[] {
  const wanted = norm(selector);
  const sections = notebook.sections.filter((s) => s.level > 0);
  const byKey = (key: (s: Section) => string | null): Section[] =>
    sections.filter((s) => {
      const k = key(s);
      return k !== null && norm(k) === wanted;
    });
  const tiers: Array<(s: Section) => string | null> = [
    (s) => s.number,
    (s) => s.title,
    (s) => titleWithoutNumber(s),
    (s) => s.slug,
    (s) => [...s.path, s.title].join('/'),
  ];
  for (const key of tiers) {
    const found = byKey(key);
    if (found.length > 0) return found;
  }
  // A path may also be written with the section titles' numbers dropped, or ` / ` separators.
  if (selector.includes('/')) {
    const parts = selector.split('/').map(norm).filter((p) => p.length > 0);
    return sections.filter((s) => {
      const chain = [...s.path, s.title];
      if (chain.length < parts.length) return false;
      const tail = chain.slice(chain.length - parts.length);
      return tail.every((t, i) => {
        const p = parts[i]!;
        return norm(t) === p || norm(t.replace(/^\s*\d+[A-Za-z]?[.)]?\s*/, '')) === p;
      });
    });
  }
  return [];
}

/** Resolves `--section` selectors to sections; each brings its subsections. */
export function selectSections(notebook: Notebook, selectors: string[]): Section[] {
  const chosen = new Map<string, Section>();
  const byId = new Map(notebook.sections.map((s) => [s.id, s]));
  const addWithChildren = (section: Section): void => {
    chosen.set(section.id, section);
    for (const childId of section.childIds) {
      const child = byId.get(childId);
      if (child) addWithChildren(child);
    }
  };
  for (const selector of selectors) {
    const found = matchSections(notebook, selector);
    const candidates = notebook.sections.filter((s) => s.level > 0);
    if (found.length === 0) {
      const names = candidates.flatMap((s) => [s.number ?? '', s.title, titleWithoutNumber(s), s.slug]).filter(Boolean);
      const close = didYouMean(selector, names);
      const listing = candidates.map(describeSection).slice(0, 40).join('; ');
      throw new RunproofError('RP_SECTION_NOT_FOUND', `no section "${selector}" in ${notebook.path}`, {
        hint: `${close ? `did you mean "${close}"? ` : ''}sections: ${listing}${candidates.length > 40 ? '; ...' : ''}`,
      });
    }
    if (found.length > 1) {
      throw new RunproofError('RP_SECTION_AMBIGUOUS', `section "${selector}" matches ${found.length} sections`, {
        hint: `choose one by its path: ${found.map((s) => `"${[...s.path, s.title].join('/')}" (line ${s.line})`).join(', ')}`,
      });
    }
    addWithChildren(found[0]!);
  }
  return notebook.sections.filter((s) => chosen.has(s.id));
}

/** Resolves `--cell` selectors (a cell name or its Runme `id`) to cells. */
export function selectCells(notebook: Notebook, selectors: string[]): Cell[] {
  const runnable = notebook.cells.filter((c) => c.runnable && c.kind !== 'assert' && c.kind !== 'expect');
  const chosen = new Set<string>();
  for (const selector of selectors) {
    const wanted = norm(selector);
    const found = runnable.filter((c) => norm(c.name) === wanted || (c.attributes.id !== undefined && norm(c.attributes.id) === wanted));
    if (found.length === 0) {
      const close = didYouMean(selector, runnable.map((c) => c.name));
      throw new RunproofError('RP_CELL_NOT_FOUND', `no runnable cell named "${selector}" in ${notebook.path}`, {
        hint: close ? `did you mean "${close}"? (runproof list shows every cell's name)` : 'runproof list shows every cell\'s name',
      });
    }
    for (const cell of found) chosen.add(cell.id);
  }
  return runnable.filter((c) => chosen.has(c.id));
}

/** Whether a cell carries one of the Runme tags/categories asked for (comma-separated lists). */
export function hasTag(cell: Cell, tags: string[]): boolean {
  const own = [cell.attributes.tag, cell.attributes.category]
    .filter((t): t is string => typeof t === 'string')
    .flatMap((t) => t.split(','))
    .map(norm)
    .filter(Boolean);
  return tags.some((t) => own.includes(norm(t)));
}
