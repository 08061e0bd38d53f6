import type { ParseRule } from './state.js';
import { hasUserPrompt, splitTranscript } from './transcript.js';

const SHELL_LANGUAGES = new Set(['bash', 'sh', 'shell', 'zsh']);
const SESSION_LANGUAGES = new Set(['console', 'shell-session']);
/** Fence languages run by another interpreter than the shell (Runme's), and the program that runs them. */
export const SCRIPT_INTERPRETERS: Readonly<Record<string, string>> = {
  python: 'python3',
  py: 'python3',
  python3: 'python3',
  js: 'node',
  javascript: 'node',
  node: 'node',
  ruby: 'ruby',
  rb: 'ruby',
  perl: 'perl',
};
const EXPECT_LANGUAGES: Record<string, 'json' | 'text'> = { json: 'json', text: 'text', output: 'text', console: 'text' };

/** Decides each block's kind per SPEC §1's table, and why a block is only shown. */
export const kindsRule: ParseRule = {
  name: 'kinds',
  run(state) {
    for (const block of state.blocks) {
      block.kind = 'doc';
      block.command = '';
      if (block.form === 'indented') {
        block.docReason = 'indented';
      } else if (!block.closed) {
        // A block whose end the author never marked is never run.
        block.docReason = 'unclosed-fence';
        state.warn('RP_UNCLOSED_FENCE', `the ${block.markup} fence opened here is never closed; it is shown, never run`, { line: block.line, col: block.col }, `close it with a ${block.markup} line`);
      } else if (block.inBlockquote) {
        block.docReason = 'blockquote';
      } else if (block.cue === 'failure') {
        block.docReason = 'failure-example';
      } else if (block.cue === 'expected' && EXPECT_LANGUAGES[block.language]) {
        block.kind = 'expect';
        block.expectFormat = EXPECT_LANGUAGES[block.language];
        block.command = block.source;
      } else if (SHELL_LANGUAGES.has(block.language)) {
        block.kind = 'shell';
        if (hasUserPrompt(block.source)) {
          const transcript = splitTranscript(block.source, false);
          block.command = transcript.command;
          if (transcript.exampleOutput !== '') block.exampleOutput = transcript.exampleOutput;
        } else {
          block.command = block.source;
        }
      } else if (SESSION_LANGUAGES.has(block.language)) {
        const transcript = splitTranscript(block.source, block.language === 'console');
        if (transcript.command === '') {
          block.docReason = 'language';
        } else {
          block.kind = 'shell';
          block.command = transcript.command;
          if (transcript.exampleOutput !== '') block.exampleOutput = transcript.exampleOutput;
        }
      } else if (Object.hasOwn(SCRIPT_INTERPRETERS, block.language)) {
        block.kind = 'script';
        block.command = block.source;
        block.interpreter = SCRIPT_INTERPRETERS[block.language]!;
      } else if (block.language === 'http' || block.language === 'assert' || block.language === 'promql') {
        block.kind = block.language;
        block.command = block.source;
      } else {
        block.docReason = block.language === '' ? 'no-language' : 'language';
      }
      if (block.kind !== 'doc' && block.kind !== 'expect' && block.command.trim() === '') {
        state.warn('RP_EMPTY_CELL', `the ${block.language} block has nothing to run; it is shown only`, { line: block.line, col: block.col }, 'remove the empty block or write its command');
        block.kind = 'doc';
        block.docReason = 'empty';
        block.command = '';
        delete block.exampleOutput;
      }
    }
  },
};
