import { readAttributeText, validateAttributes } from '../attributes.js';
import type { ParseRule } from './state.js';

// Attributes come from `{...}` after the language and from a `<!-- runproof ... -->` comment on
// the line before the fence; the info string wins where both set a key. On blocks runproof only
// shows because of their language (`js {1,3-5}`, Docusaurus line highlights) the info string's
// braces belong to another tool: problems there are ignored and only valid keys are kept.
/** Reads and validates every block's attributes. */
export const attributesRule: ParseRule = {
  name: 'attributes',
  run(state) {
    for (const block of state.blocks) {
      let merged = {};
      let durationsMs = {};
      if (block.comment) {
        const where = { file: state.file, line: block.comment.line, lineText: block.comment.lineText };
        const read = readAttributeText(block.comment.text, where);
        read.errors.forEach((e) => state.report(e));
        const valid = validateAttributes(read.values, where);
        valid.errors.forEach((e) => state.report(e));
        merged = valid.attributes;
        durationsMs = valid.durationsMs;
      }
      if (block.attributeText.startsWith('{')) {
        const lenient = block.kind === 'doc' && block.docReason === 'language';
        const where = { file: state.file, line: block.line, lineText: state.lines[block.line - 1] ?? '' };
        const read = readAttributeText(block.attributeText, where);
        const valid = validateAttributes(read.values, where);
        if (!lenient) {
          read.errors.forEach((e) => state.report(e));
          valid.errors.forEach((e) => state.report(e));
        }
        merged = { ...merged, ...valid.attributes };
        durationsMs = { ...durationsMs, ...valid.durationsMs };
      }
      block.attributes = merged;
      block.durationsMs = durationsMs;
    }
  },
};
