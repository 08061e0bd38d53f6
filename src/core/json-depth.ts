/**
 * How deep parsed JSON may nest and still be checked and recorded. Records, redaction and checks
 * walk values recursively; a body nested 100 000 levels deep (a few hundred kilobytes) would end the
 * run with a stack overflow. Real documents nest a few dozen levels.
 */
export const MAX_JSON_DEPTH = 512;

/** JSON text parsed, or why it is not usable JSON (not JSON, or nested deeper than {@link MAX_JSON_DEPTH}). */
export type BoundedJson = { ok: true; value: unknown } | { ok: false; reason: string };

// JSON.parse itself is iterative in V8; the depth is measured without recursion too.
export function parseJsonBounded(text: string): BoundedJson {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
  const depth = jsonDepthOver(value, MAX_JSON_DEPTH);
  return depth ? { ok: false, reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels, too deep to check or record as JSON` } : { ok: true, value };
}

/** Whether a parsed JSON value nests deeper than `max` arrays/objects. */
export function jsonDepthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
