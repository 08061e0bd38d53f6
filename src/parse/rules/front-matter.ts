import { extractFrontMatter } from '../front-matter.js';
import type { ParseRule } from './state.js';

/** Cuts YAML/TOML front matter off the text (lines blanked) and validates the YAML. */
export const frontMatterRule: ParseRule = {
  name: 'front-matter',
  run(state) {
    const result = extractFrontMatter(state.text, state.file);
    for (const error of result.errors) state.report(error);
    state.text = result.body;
    state.frontMatter = result.frontMatter;
    if (result.timeoutMs !== undefined) state.timeoutMs = result.timeoutMs;
  },
};
