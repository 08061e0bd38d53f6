import { DURATION_HINT, RunproofError, didYouMean, parseDuration } from '../core/index.js';
import { AttributesSchema, KNOWN_ATTRIBUTE_KEYS, type Attributes } from './types.js';

/** Where attribute text sits in the runbook, so errors point at the key. */
export interface AttributeLocation {
  file?: string;
  /** 1-based runbook line holding the attributes. */
  line: number;
  /** That line's text, used to find each key's column. */
  lineText: string;
}

/** The info string split into its language (first word, lower-cased) and the rest. */
export function splitInfo(info: string): { language: string; rest: string } {
  const trimmed = info.trim();
  const match = /^[^\s{]+/.exec(trimmed);
  if (!match) return { language: '', rest: trimmed };
  return { language: match[0].toLowerCase(), rest: trimmed.slice(match[0].length).trim() };
}

/** The inside of `<!-- runproof ... -->`, or null when the HTML is something else. */
export function runproofCommentText(html: string): string | null {
  const match = /^\s*<!--\s*runproof(?:\s+([\s\S]*?))?\s*-->\s*$/.exec(html);
  if (!match) return null;
  return match[1] ?? '';
}

const BOOLEAN_KEYS = new Set(['allowFailure', 'excludeFromRunAll', 'interactive', 'background', 'closeTerminalOnSuccess', 'errexit']);
const BOOLEAN_OR_STRING_KEYS = new Set(['skip', 'promptEnv']);
const NUMBER_KEYS = new Set(['retry', 'expectExit', 'terminalRows']);
type DurationKey = 'timeout' | 'interval';
const DURATION_KEYS = new Set<string>(['timeout', 'interval'] satisfies DurationKey[]);
/** The duration attributes in milliseconds, parsed once here: plan takes the numbers. */
export type DurationsMs = Partial<Record<DurationKey, number>>;

// The three attribute forms share one reader: `{...}` JSON (Runme), `{k=v ...}` pairs, and the
// bare pairs inside a `<!-- runproof ... -->` comment.
/** Reads attribute text (`{"name":"x"}`, `{name=x timeout=30s}` or `name=x timeout=30s`) into raw values. */
export function readAttributeText(text: string, where: AttributeLocation): { values: Record<string, unknown>; errors: RunproofError[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { values: {}, errors: [] };
  let inner = trimmed;
  if (trimmed.startsWith('{')) {
    if (!trimmed.endsWith('}')) {
      return { values: {}, errors: [badAttribute('attributes start with "{" but do not end with "}"', where, '{', 'close the attributes with "}"')] };
    }
    if (/^\{\s*("|\})/.test(trimmed)) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          return { values: parsed as Record<string, unknown>, errors: [] };
        }
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        return { values: {}, errors: [badAttribute(`attributes are not valid JSON: ${detail}`, where, '{', 'write {"name":"x","timeout":"30s"} or {name=x timeout=30s}')] };
      }
    }
    inner = trimmed.slice(1, -1);
  }
  return readPairs(inner, where);
}

// `key=value`, `key="a b"`, `key='a b'` or a bare `key` (true), separated by spaces or commas.
function readPairs(text: string, where: AttributeLocation): { values: Record<string, unknown>; errors: RunproofError[] } {
  const values: Record<string, unknown> = {};
  const errors: RunproofError[] = [];
  const re = /\s*(?:,\s*)?([^\s=,"']+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s,"']*)))?/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^[\s,]*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const match = re.exec(text);
    if (!match || match[0].length === 0) {
      const rest = text.slice(pos).trim();
      errors.push(badAttribute(`cannot read attributes at "${rest}"`, where, rest, 'write key=value pairs: {name=ready timeout=30s}'));
      break;
    }
    pos = re.lastIndex;
    const key = match[1]!;
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? match[4]);
    // defineProperty, not `values[key] =`: a key named __proto__ must stay an own (unknown) key
    // instead of silently replacing the object's prototype.
    Object.defineProperty(values, key, { value: value === undefined ? true : value, enumerable: true, writable: true, configurable: true });
  }
  return { values, errors };
}

/** Validates raw attribute values: known keys only (with a did-you-mean hint), each value by zod. */
export function validateAttributes(values: Record<string, unknown>, where: AttributeLocation): { attributes: Attributes; durationsMs: DurationsMs; errors: RunproofError[] } {
  const attributes: Record<string, unknown> = {};
  const durationsMs: DurationsMs = {};
  const errors: RunproofError[] = [];
  const shape = AttributesSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { message: string }[] } } }>;
  for (const [key, raw] of Object.entries(values)) {
    // Own keys only: `toString` or `__proto__` must not find Object.prototype's members.
    const schema = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!schema) {
      const close = didYouMean(key, KNOWN_ATTRIBUTE_KEYS);
      errors.push(
        new RunproofError('RP_UNKNOWN_ATTRIBUTE', `unknown attribute "${key}"`, {
          file: where.file,
          span: { line: where.line, col: columnOf(where.lineText, key) },
          hint: close ? `did you mean ${close}?` : `known attributes: ${KNOWN_ATTRIBUTE_KEYS.join(', ')}`,
        }),
      );
      continue;
    }
    const value = normalizeValue(key, raw);
    if (value === INVALID) {
      const expected = NUMBER_KEYS.has(key) ? 'a whole number' : 'true or false';
      errors.push(badAttribute(`attribute "${key}" must be ${expected}, got ${JSON.stringify(raw)}`, where, key, hintFor(key)));
      continue;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const why = result.error?.issues[0]?.message ?? 'invalid value';
      errors.push(badAttribute(`attribute "${key}" has a bad value ${JSON.stringify(raw)}: ${why}`, where, key, hintFor(key)));
      continue;
    }
    if (DURATION_KEYS.has(key as DurationKey)) {
      try {
        durationsMs[key as DurationKey] = parseDuration(String(result.data), `attribute "${key}"`);
      } catch {
        errors.push(badAttribute(`attribute "${key}" is not a duration: ${JSON.stringify(raw)}`, where, key, DURATION_HINT));
        continue;
      }
    }
    attributes[key] = result.data;
  }
  return { attributes: attributes as Attributes, durationsMs, errors };
}

const INVALID = Symbol('invalid');

// Runme writes every attribute as a string ("interactive":"false"), and zod's coerce.boolean
// would read "false" as true: booleans are converted here first.
function normalizeValue(key: string, raw: unknown): unknown {
  if (BOOLEAN_KEYS.has(key)) {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    return INVALID;
  }
  if (BOOLEAN_OR_STRING_KEYS.has(key)) {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    return raw;
  }
  if (NUMBER_KEYS.has(key)) {
    if (typeof raw === 'number') return raw;
    if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) return Number(raw);
    return INVALID;
  }
  return typeof raw === 'number' ? String(raw) : raw;
}

function hintFor(key: string): string {
  switch (key) {
    case 'risk':
      return 'risk is read, write or destructive';
    case 'confirm':
      return 'confirm is always or never';
    case 'retry':
      return 'retry is a whole number of attempts, e.g. retry=5';
    case 'capture':
      return 'capture names a shell variable, e.g. capture=POD_NAME';
    case 'host':
      return 'host names an ssh alias, an address, an inventory group, or local (this machine), e.g. host=web-1';
    case 'expectExit':
      return 'expectExit is the exit code the command must end with, e.g. expectExit=1';
    default:
      return BOOLEAN_KEYS.has(key) ? `write ${key}=true or ${key}=false` : `check the value of ${key}`;
  }
}

function badAttribute(message: string, where: AttributeLocation, near: string, hint: string): RunproofError {
  return new RunproofError('RP_BAD_ATTRIBUTE', message, {
    file: where.file,
    span: { line: where.line, col: columnOf(where.lineText, near) },
    hint,
  });
}

// Column of a key in its line for error locations; the line start when it cannot be found.
function columnOf(lineText: string, needle: string): number {
  if (needle === '') return 1;
  const brace = lineText.search(/[{]|<!--/);
  const index = lineText.indexOf(needle, brace === -1 ? 0 : brace);
  return index === -1 ? 1 : index + 1;
}
