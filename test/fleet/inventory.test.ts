import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInventory, resolveTargets } from '../../src/fleet/index.js';
import { isRunproofError } from '../../src/core/index.js';

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rp-inv-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isRunproofError(error) ? error.code : `not a RunproofError: ${String(error)}`;
  }
  return undefined;
}

describe('hosts files', () => {
  it('reads a plain list, skipping comments and blank lines', () => {
    const path = file('hosts.txt', '# fleet\nweb-1\n\nweb-2 # the second\nweb-1\n');
    expect(resolveTargets({ hostsFile: path }).map((t) => t.name)).toEqual(['web-1', 'web-2']);
  });

  it('reads an INI inventory with groups, children and host variables', () => {
    const path = file('inventory.ini', '[web]\nweb-1 ansible_host=10.0.0.1 ansible_port=2222 ansible_user=ops\nweb-2\n[db]\ndb-1\n[prod:children]\nweb\ndb\n[prod:vars]\nx=1\n');
    expect(resolveTargets({ hostsFile: path, group: 'web' }).map((t) => t.name)).toEqual(['web-1', 'web-2']);
    expect(resolveTargets({ hostsFile: path, group: 'prod' }).map((t) => t.name)).toEqual(['web-1', 'web-2', 'db-1']);
    expect(resolveTargets({ hostsFile: path, group: 'web' })[0]!.sshOptions).toEqual(['-o', 'HostName=10.0.0.1', '-o', 'Port=2222', '-o', 'User=ops']);
  });

  it('reads a YAML inventory with nested children', () => {
    const path = file('inventory.yml', 'all:\n  hosts:\n    bastion:\n  children:\n    web:\n      hosts:\n        web-1: {ansible_host: 127.0.0.2}\n        web-2:\n    prod:\n      children:\n        web:\n        db:\n          hosts:\n            db-1:\n');
    expect(resolveTargets({ hostsFile: path }).map((t) => t.name)).toEqual(['bastion', 'web-1', 'web-2', 'db-1']);
    expect(resolveTargets({ hostsFile: path, group: 'prod' }).map((t) => t.name)).toEqual(['web-1', 'web-2', 'db-1']);
  });

  it('names the groups and the closest one when a group is unknown', () => {
    const path = file('inventory.ini', '[web]\nweb-1\n[db]\ndb-1\n');
    try {
      resolveTargets({ hostsFile: path, group: 'webb' });
      expect.unreachable();
    } catch (error) {
      expect(isRunproofError(error) && error.code).toBe('RP_BAD_HOSTS');
      expect(isRunproofError(error) && error.hint).toMatch(/did you mean "web"\?.*web, db/);
    }
  });

  // A host name reaches ssh's argument list: one that looks like an option would be one.
  it.each([
    '-oProxyCommand=touch /tmp/rp-pwned',
    '-oProxyCommand=sh',
    'web;touch',
    'web $(id)',
    'a\nb',
  ])('refuses a host name that could be read as something else: %j', (name) => {
    expect(codeOf(() => resolveTargets({ hosts: [name] }))).toBe('RP_BAD_HOSTS');
  });

  it('refuses inventory variables that could smuggle ssh options', () => {
    const path = file('inventory.ini', '[web]\nweb-1 ansible_host=-oProxyCommand=sh\n');
    expect(codeOf(() => resolveTargets({ hostsFile: path }))).toBe('RP_BAD_HOSTS');
  });

  it('a folder, a missing file and a YAML alias bomb are clean errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-inv-dir-'));
    mkdirSync(join(dir, 'sub'));
    expect(codeOf(() => readInventory(join(dir, 'sub')))).toBe('RP_BAD_HOSTS');
    expect(codeOf(() => readInventory(join(dir, 'missing.ini')))).toBe('RP_BAD_HOSTS');
    const bomb = file('bomb.yml', `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `b${i}: &b${i} [${Array(9).fill(i === 0 ? '*a' : `*b${i - 1}`).join(', ')}]`).join('\n')}\n`);
    expect(codeOf(() => readInventory(bomb))).toBe('RP_BAD_HOSTS');
  });

  it('--group without --hosts, and an empty list, are bad flags', () => {
    expect(codeOf(() => resolveTargets({ group: 'web' }))).toBe('RP_BAD_FLAG');
    expect(codeOf(() => resolveTargets({ hostsFile: file('empty.txt', '# nobody\n') }))).toBe('RP_BAD_HOSTS');
  });
});
