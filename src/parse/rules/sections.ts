import { SlugRegistry, slugify } from '../slug.js';
import type { Section } from '../types.js';
import { inlineText } from './inline-text.js';
import type { ParseRule } from './state.js';

/** `3.`, `2A.`, `10)` at the start of a title; `v42` is not a number. */
const SECTION_NUMBER = /^(\d+[A-Z]?)[.)](?:\s|$)/;

/** The root section: what comes before the first heading. Its slug names its cells (`top/1`). */
export const ROOT_SLUG = 'top';

/** Builds the section tree from ATX and Setext headings (a `#` line inside a fence is no heading). */
export const sectionsRule: ParseRule = {
  name: 'sections',
  run(state) {
    const slugs = new SlugRegistry();
    const root: Section = {
      id: 's0',
      number: null,
      title: '',
      slug: slugs.claim(ROOT_SLUG),
      level: 0,
      path: [],
      line: 1,
      parentId: null,
      childIds: [],
      cellIds: [],
    };
    state.sections = [root];
    const stack: Section[] = [root];
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (token.type !== 'heading_open') continue;
      const level = Number(token.tag.slice(1));
      const title = inlineText(tokens[i + 1]?.content ?? '');
      while (stack[stack.length - 1]!.level >= level) stack.pop();
      const parent = stack[stack.length - 1]!;
      const section: Section = {
        id: `s${state.sections.length}`,
        number: SECTION_NUMBER.exec(title)?.[1] ?? null,
        title,
        slug: slugs.claim(slugify(title)),
        level,
        path: parent.level === 0 ? [] : [...parent.path, parent.title],
        line: (token.map?.[0] ?? 0) + 1,
        parentId: parent.id,
        childIds: [],
        cellIds: [],
      };
      parent.childIds.push(section.id);
      state.sections.push(section);
      state.headingSections.set(i, section.id);
      stack.push(section);
    }
  },
};
