import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRunproofError } from '../../src/core/index.js';
import { readAttributeText, validateAttributes } from '../../src/parse/attributes.js';
import { AttributesSchema, KNOWN_ATTRIBUTE_KEYS, parseRunbook } from '../../src/parse/index.js';

// Fuzzing cell attributes in their three forms ({k=v}, {"json"}, <!-- runproof k=v -->): reading
// and validating never throw, problems are RP_UNKNOWN_ATTRIBUTE / RP_BAD_ATTRIBUTE pointing at
// the attribute line, and what validates is schema-valid. RUNPROOF_FUZZ_SEED=<n> replays.

const seed = process.env.RUNPROOF_FUZZ_SEED;
const settings = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, ...(seed ? { seed: Number(seed) } : {}) });
const ATTRIBUTE_CODES = ['RP_UNKNOWN_ATTRIBUTE', 'RP_BAD_ATTRIBUTE'];

const key = fc.oneof(fc.constantFrom(...KNOWN_ATTRIBUTE_KEYS), fc.constantFrom('timout', 'Name', '__proto__', 'constructor', 'toString', 'a-b', '-', '{', '}'), fc.string({ maxLength: 6 }));
const rawValue = fc.oneof(
  fc.constantFrom('30s', '0', '-1', '1.5', '10m', '1h', '500ms', '99999999999999999999', 'true', 'false', 'yes', 'write', 'destructive', 'read', 'a b', '', 'NaN'),
  fc.string({ maxLength: 8 }),
  fc.integer().map(String),
);
const pair = fc.tuple(key, fc.option(rawValue, { nil: undefined }), fc.constantFrom('plain', 'double', 'single')).map(([k, v, quote]) => {
  if (v === undefined) return k;
  if (quote === 'double') return `${k}="${v.replace(/["\\]/g, '\\$&')}"`;
  if (quote === 'single') return `${k}='${v.replace(/'/g, '')}'`;
  return `${k}=${v}`;
});
const pairs = fc.array(pair, { maxLength: 5 }).map((list) => list.join(fc.sample(fc.constantFrom(' ', ', ', ','), 1)[0]));
const json = fc
  .dictionary(key, fc.oneof(rawValue, fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })), { maxKeys: 4 })
  .map((object) => JSON.stringify(object));
const text = fc.oneof(
  pairs.map((p) => `{${p}}`),
  pairs,
  json,
  fc.string({ maxLength: 20 }),
  fc.constantFrom('{', '}', '{"name":', '{"a":1}}', '{{}}', '{ }', '{name=a', 'name=a}', '{"__proto__":{"x":1}}', '{=}', '{,,,}', '{name="a\\"}'),
);

describe('attributes on arbitrary text (5,000 cases each)', () => {
  it('readAttributeText and validateAttributes never throw; problems carry attribute codes and the line', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 5_000 }), (attributeText, line) => {
        const where = { file: 'a.md', line, lineText: `\`\`\`bash ${attributeText}` };
        const read = readAttributeText(attributeText, where);
        const validated = validateAttributes(read.values, where);
        for (const error of [...read.errors, ...validated.errors]) {
          expect(ATTRIBUTE_CODES).toContain(error.code);
          expect(error.span?.line).toBe(line);
          expect(error.span!.col).toBeGreaterThanOrEqual(1);
        }
        expect(AttributesSchema.safeParse(validated.attributes).success).toBe(true);
        expect(Object.getPrototypeOf(validated.attributes)).toBe(Object.prototype);
      }),
      settings(5_000),
    );
  });

  it('in a fence info string and in a runproof comment, parseRunbook gives a cell or an attribute error (never RP_INTERNAL)', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (attributeText, asComment) => {
        const runbook = asComment
          ? `# T\n\n<!-- runproof ${attributeText.replace(/-->/g, '')} -->\n\`\`\`bash\necho hi\n\`\`\`\n`
          : `# T\n\n\`\`\`bash ${attributeText.replace(/[\n`]/g, '')}\necho hi\n\`\`\`\n`;
        try {
          const notebook = parseRunbook(runbook, { path: 'a.md' });
          expect(notebook.cells.length).toBeLessThanOrEqual(1);
          for (const cell of notebook.cells) expect(AttributesSchema.safeParse(cell.attributes).success).toBe(true);
        } catch (error) {
          if (!isRunproofError(error)) throw error;
          expect([...ATTRIBUTE_CODES, 'RP_BAD_PARAMETER', 'RP_DUPLICATE_CELL_NAME', 'RP_CELL_NOT_FOUND']).toContain(error.code);
          expect(error.span?.line).toBeGreaterThanOrEqual(3);
        }
      }),
      settings(5_000),
    );
  });
});

describe('attribute keys that name Object.prototype members (found by the fuzzer)', () => {
  it.each(['{"toString":null}', '{"__proto__":[]}', '{"constructor":"x"}', '{__proto__=x}', '{hasOwnProperty}', '<!-- runproof valueOf=1 -->'])('%s is RP_UNKNOWN_ATTRIBUTE, not RP_INTERNAL', (attributeText) => {
    const runbook = attributeText.startsWith('<!--') ? `${attributeText}\n\`\`\`bash\necho\n\`\`\`\n` : `\`\`\`bash ${attributeText}\necho\n\`\`\`\n`;
    expect(() => parseRunbook(runbook, { path: 'a.md' })).toThrow(expect.objectContaining({ code: 'RP_UNKNOWN_ATTRIBUTE', span: expect.objectContaining({ line: 1 }) }));
  });
});
