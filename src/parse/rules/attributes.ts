import { readAttributeText, validateAttributes } from '../attributes.js';
import type { Block, ParseRule } from './state.js';

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
        const where = { file: state.file, line: block.line, lineText: state.lines[block.line - 1] ?? '' };
        const read = readAttributeText(block.attributeText, where);
        const valid = validateAttributes(read.values, where);
        // A block of another language with `interpreter=` is a script cell: its attributes count.
        const lenient = block.kind === 'doc' && block.docReason === 'language' && valid.attributes.interpreter === undefined;
        // A script fence whose braces are another tool's (`js {1,3-5}`, Docusaurus line highlights)
        // is a snippet shown in the docs, not a cell runproof runs.
        if (block.kind === 'script' && read.errors.length + valid.errors.length > 0) {
          block.kind = 'doc';
          block.docReason = 'language';
          block.command = '';
          delete block.interpreter;
        } else if (!lenient) {
          read.errors.forEach((e) => state.report(e));
          valid.errors.forEach((e) => state.report(e));
        }
        merged = { ...merged, ...valid.attributes };
        durationsMs = { ...durationsMs, ...valid.durationsMs };
      }
      block.attributes = merged;
      block.durationsMs = durationsMs;
      runByInterpreter(block);
    }
  },
};

/** Shells: `interpreter=zsh` on a shell block picks the session's shell, as `shell=` does. */
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'mksh', 'ash']);

// Runme's `interpreter` attribute: a block it names a program for (other than a shell, on a shell
// block) runs its text with that program, whatever the fence language.
function runByInterpreter(block: Block): void {
  const interpreter = (block.attributes as { interpreter?: string }).interpreter?.trim();
  if (interpreter === undefined || interpreter === '') return;
  const program = interpreter.split(/\s+/)[0]!.split('/').pop()!;
  if (block.kind === 'shell' && SHELLS.has(program)) return;
  const runsAsScript = block.kind === 'script' || block.kind === 'shell' || (block.kind === 'doc' && block.docReason === 'language');
  if (!runsAsScript || block.source.trim() === '') return;
  block.kind = 'script';
  block.command = block.source;
  block.interpreter = interpreter;
  delete block.docReason;
  delete block.exampleOutput;
}
