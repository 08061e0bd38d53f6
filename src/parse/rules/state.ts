import type MarkdownIt from 'markdown-it';
import type { RunproofError, Span, WarningCode } from '../../core/index.js';
import type { ParsedHttpRequest } from '../http-request.js';
import type { Attributes, Cell, CellKind, Diagnostic, DocReason, FrontMatter, Section } from '../types.js';

export type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

/** A fenced or indented code block as found in the token stream, before it becomes cells. */
export interface Block {
  form: 'fence' | 'indented';
  info: string;
  /** The info string's first word, lower-cased. */
  language: string;
  /** What follows the language in the info string (attribute text). */
  attributeText: string;
  /** The block's text, container indentation removed, no final newline. */
  source: string;
  /** The fence character run (``` or ~~~~), '' for indented blocks. */
  markup: string;
  line: number;
  col: number;
  endLine: number;
  contentLine: number;
  closed: boolean;
  inBlockquote: boolean;
  /** The paragraph right before the block begins "Expected output" or "Failure output". */
  cue: 'expected' | 'failure' | null;
  /** A `<!-- runproof ... -->` comment right before the fence. */
  comment: { text: string; line: number; lineText: string } | null;
  sectionId: string;
  kind: CellKind;
  docReason?: DocReason;
  command: string;
  exampleOutput?: string;
  expectFormat?: 'json' | 'text';
  /** For `script` blocks: the program that runs the text. */
  interpreter?: string;
  attributes: Attributes;
  /** The `timeout` and `interval` attributes in milliseconds (parsed once, with the attributes). */
  durationsMs?: import('../attributes.js').DurationsMs;
  /** For `http` blocks: the requests parseHttpBlock found (one cell each). */
  requests?: ParsedHttpRequest[];
}

/** Everything the rule chain reads and writes, like markdown-it's StateCore. */
export interface ParseState {
  /** The team policy (`runproof.policy.yaml`) the risk rule applies, and the rules it used. */
  policy?: import('../risk.js').PolicyContext;
  readonly file: string;
  /** Normalised text (BOM gone, LF only); front matter lines blanked once that rule ran. */
  text: string;
  /** Lines of the normalised text, for columns. */
  lines: string[];
  frontMatter: FrontMatter;
  /** The front matter's `timeout` in milliseconds. */
  timeoutMs?: number;
  tokens: Token[];
  /** Section id of each heading_open token, by token index. */
  headingSections: Map<number, string>;
  sections: Section[];
  blocks: Block[];
  cells: Cell[];
  warnings: Diagnostic[];
  /** Throws the error when parsing strictly; records it when linting. */
  report(error: RunproofError): void;
  warn(code: WarningCode, message: string, span: Span, hint?: string): void;
}

/** A named step of the parse, run in order over the shared state. */
export interface ParseRule {
  name: string;
  run(state: ParseState): void;
}

/** The section with this id (sections are created before any cell refers to them). */
export function sectionById(state: ParseState, id: string): Section {
  const index = Number(id.slice(1));
  const section = state.sections[index];
  if (!section || section.id !== id) throw new Error(`unknown section ${id}`);
  return section;
}
