// Errors about malformed `--set` flags and env-file lines never echo a value: what follows the
// `=` (or a whole text with no `=`) may be a secret, and errors reach terminals and CI logs.
import { describe, expect, it } from 'vitest';
import { parseEnvFile, parseSetFlag } from '../../src/plan/index.js';
import { isRunproofError } from '../../src/core/index.js';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (!isRunproofError(error)) throw error;
    return `${error.code} ${error.message} ${error.hint ?? ''}`;
  }
  throw new Error('expected an error');
}

describe('malformed values are named, never shown', () => {
  it.each(['PLANTnoEquals99', '=PLANTnoName99', ' =PLANTblankName99'])('--set %s', (flag) => {
    const text = errorOf(() => parseSetFlag(flag));
    expect(text).toMatch(/^RP_BAD_FLAG /);
    expect(text).not.toContain('PLANT');
  });
  it.each(['API TOKEN=PLANTspace99', 'PLANTbareLine99', '-x=PLANTdash99', 'export API_TOKEN PLANTnoEq99'])('env file line %s', (line) => {
    const text = errorOf(() => parseEnvFile(`OK=1\n${line}\n`, 'prod.env'));
    expect(text).toMatch(/^RP_BAD_ENV_FILE prod\.env:2: /);
    expect(text).not.toContain('PLANT');
  });
  it('still names the part before the = so the operator can find the line', () => {
    expect(errorOf(() => parseEnvFile('API TOKEN=PLANTspace99\n', 'a.env'))).toContain('"API TOKEN=…"');
  });
});
