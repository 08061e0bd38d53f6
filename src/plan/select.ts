import { RunproofError, didYouMean } from '../core/index.js';
import { slugify, type Cell, type Notebook, type Section } from '../parse/index.js';

function titleWithoutNumber(section: Section): string {
  return section.number ? stripNumber(section.title) : section.title;
}

const norm = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();
const pathNorm = (s: string): string => norm(s).replace(/\s*\/\s*/g, '/');
const stripNumber = (title: string): string => title.replace(/^\s*\d+[A-Za-z]?[.)]?\s*/, '');

// Whether `selector` names the last titles of `chain`, consuming all of the selector.
function matchesPath(selector: string, chain: string[]): boolean {
  const last = chain[chain.length - 1];
  if (last === undefined) return false;
  for (const form of new Set([pathNorm(last), pathNorm(stripNumber(last))])) {
    if (form === '') continue;
    if (selector === form) return true;
    if (selector.endsWith(`/${form}`)) {
      const rest = selector.slice(0, selector.length - form.length - 1);
      if (rest !== '' && matchesPath(rest, chain.slice(0, -1))) return true;
    }
  }
  return false;
}

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
    (s) => slugify(titleWithoutNumber(s)),
  ];
  for (const key of tiers) {
    const found = byKey(key);
    if (found.length > 0) return found;
  }
  // A path: ancestor titles and the title joined by `/` (titles may hold `/` themselves), each with or without its number.
  if (selector.includes('/')) return sections.filter((s) => matchesPath(pathNorm(selector), [...s.path, s.title]));
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
      // Every level is searched: a deep section whose title or slug holds what was typed.
      const wantedWords = norm(selector);
      const containing = close
        ? []
        : candidates.filter((s) => wantedWords.length >= 3 && [s.title, s.slug, titleWithoutNumber(s)].some((k) => norm(k).includes(wantedWords))).slice(0, 5);
      const matchText = containing.length > 0 ? `sections holding "${selector}": ${containing.map((s) => `"${[...s.path, s.title].join(' / ')}"`).join(', ')}; ` : '';
      // The outline an operator scans: the top two heading levels that hold sections.
      const top = Math.min(...candidates.map((s) => s.level));
      const outline = candidates.filter((s) => s.level <= top + 1);
      const shown = outline.filter((s) => s.level === top + 1 || outline.every((o) => o.level === top)).slice(0, 30);
      const listing = (shown.length > 0 ? shown : outline.slice(0, 30)).map((s) => s.title).join(' | ');
      throw new RunproofError('RP_SECTION_NOT_FOUND', `no section "${selector}" in ${notebook.path}`, {
        hint: `${close ? `did you mean "${close}"? ` : ''}${matchText}sections: ${listing}${outline.length > 30 ? ' | ... (runproof list shows all)' : ''}`,
      });
    }
    if (found.length > 1) {
      throw new RunproofError('RP_SECTION_AMBIGUOUS', `section "${selector}" matches ${found.length} sections`, {
        hint: `choose one by title or slug: ${found.map((s) => `"${s.title}" (slug ${s.slug}, line ${s.line})`).join(', ')}`,
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
