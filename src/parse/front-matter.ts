import { createRequire } from 'node:module';
import { DURATION_HINT, RunproofError, didYouMean, parseDuration } from '../core/index.js';
import { FrontMatterSchema, type FrontMatter } from './types.js';

// yaml (72 CommonJS files) is required only when a runbook has `---` front matter: parsing is
// synchronous, so this is a lazy require rather than an import (start-up is module loading).
const requireModule = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;
const loadYaml = (): typeof import('yaml') => (yaml ??= requireModule('yaml') as typeof import('yaml'));

export interface FrontMatterResult {
  /** The text with the front matter's lines blanked, so every later line keeps its number. */
  body: string;
  frontMatter: FrontMatter;
  /** The front matter's `timeout` in milliseconds (parsed once, here). */
  timeoutMs?: number;
  /** `yaml` for `---` front matter, `toml` for Hugo's `+++` (skipped, not parsed), or none. */
  kind: 'yaml' | 'toml' | null;
  /** Problems found in the YAML; the front matter is then taken as empty. */
  errors: RunproofError[];
}

const YAML_OPEN = /^---[ \t]*$/;
const YAML_CLOSE = /^(---|\.\.\.)[ \t]*$/;
const TOML_FENCE = /^\+\+\+[ \t]*$/;

// Front matter is not Markdown: it is cut out here, before markdown-it sees the text, and its
// lines are replaced by empty lines so that markdown-it's line numbers stay the runbook's.
/** Splits YAML (`---`) or TOML (`+++`) front matter off normalised runbook text. */
export function extractFrontMatter(text: string, file?: string): FrontMatterResult {
  const none: FrontMatterResult = { body: text, frontMatter: {}, kind: null, errors: [] };
  const firstEnd = text.indexOf('\n');
  const firstLine = firstEnd === -1 ? text : text.slice(0, firstEnd);
  const isYaml = YAML_OPEN.test(firstLine);
  const isToml = !isYaml && TOML_FENCE.test(firstLine);
  if (!isYaml && !isToml) return none;
  const lines = text.split('\n');
  const closer = isYaml ? YAML_CLOSE : TOML_FENCE;
  let close = -1;
  for (let i = 1; i < lines.length; i++) {
    if (closer.test(lines[i]!)) {
      close = i;
      break;
    }
  }
  // An opening `---` that is never closed is a thematic break, not front matter.
  if (close === -1) return none;
  const inner = lines.slice(1, close).join('\n');
  const body = '\n'.repeat(close + 1) + lines.slice(close + 1).join('\n');
  if (isToml) return { body, frontMatter: {}, kind: 'toml', errors: [] };
  const { frontMatter, timeoutMs, errors } = parseYamlFrontMatter(inner, file);
  return { body, frontMatter, ...(timeoutMs !== undefined ? { timeoutMs } : {}), kind: 'yaml', errors };
}

// YAML syntax first (the `yaml` package, with its line), then the shape (zod), then durations.
function parseYamlFrontMatter(inner: string, file?: string): { frontMatter: FrontMatter; timeoutMs?: number; errors: RunproofError[] } {
  const fail = (message: string, line: number, col = 1, hint?: string): { frontMatter: FrontMatter; errors: RunproofError[] } => ({
    frontMatter: {},
    errors: [
      new RunproofError('RP_BAD_FRONT_MATTER', message, {
        file,
        span: { line, col },
        hint: hint ?? 'front matter is YAML between two `---` lines: title, evidence, params, shell, cwd, timeout',
      }),
    ],
  });
  const doc = loadYaml().parseDocument(inner, { prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    return fail(`front matter is not valid YAML: ${firstLineOf(syntax.message)}`, (pos?.line ?? 1) + 1, pos?.col ?? 1);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(`front matter could not be read: ${firstLineOf(error instanceof Error ? error.message : String(error))}`, 2);
  }
  if (value === null || value === undefined) return { frontMatter: {}, errors: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return fail('front matter must be a YAML mapping (key: value lines)', 2);
  }
  const parsed = FrontMatterSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const unknown = issue.keys[0] ?? '';
      const close = didYouMean(unknown, ['default', 'description', 'secret', 'choices', 'pattern']);
      const line = lineOfKey(inner, unknown, true) + 1;
      return fail(`front matter field "${key}" has an unknown key "${unknown}"`, line, 1, close ? `did you mean ${close}?` : 'a param takes default, description, secret, choices and pattern');
    }
    const line = lineOfKey(inner, String(issue.path[0] ?? '')) + 1;
    return fail(`front matter field "${key}": ${issue.message}`, line);
  }
  const frontMatter = parsed.data;
  let timeoutMs: number | undefined;
  if (frontMatter.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(frontMatter.timeout, 'front matter timeout');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return fail(message, lineOfKey(inner, 'timeout') + 1, 1, DURATION_HINT);
    }
  }
  for (const [name, spec] of Object.entries(frontMatter.params ?? {})) {
    if (spec === null || typeof spec !== 'object' || spec.pattern === undefined) continue;
    try {
      new RegExp(spec.pattern, 'u');
    } catch (error) {
      const message = firstLineOf(error instanceof Error ? error.message : String(error));
      return fail(`front matter param "${name}" has a pattern that is not a regular expression: ${message}`, lineOfKey(inner, 'pattern', true) + 1, 1, 'write a JavaScript regular expression; it must match the whole value');
    }
  }
  return { frontMatter, ...(timeoutMs !== undefined ? { timeoutMs } : {}), errors: [] };
}

// 1-based line (within the YAML) of a top-level key, for error locations; 1 when not found.
function lineOfKey(yaml: string, key: string, nested = false): number {
  if (key === '') return 1;
  const lines = yaml.split('\n');
  const index = lines.findIndex((line) => {
    const text = nested ? line.trimStart() : line;
    return text.startsWith(`${key}:`) || text.startsWith(`"${key}":`) || text.startsWith(`'${key}':`);
  });
  return index === -1 ? 1 : index + 1;
}

function firstLineOf(message: string): string {
  return message.split('\n')[0]!.trim();
}
