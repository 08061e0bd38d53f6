// Targets of a fleet run: host names from `--host`, or a hosts file that is a plain list or an
// Ansible inventory (INI or YAML, with groups and `:children`). runproof connects through the
// system OpenSSH client, so a name is whatever `ssh NAME` accepts (an alias of ~/.ssh/config or
// `--ssh-config`); Ansible's `ansible_host`, `ansible_port` and `ansible_user` become ssh options.
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { RunproofError, didYouMean } from '../core/index.js';

export interface Target {
  /** The name shown in the evidence: the inventory or `--host` name. */
  name: string;
  /** Extra ssh options for this host (`-o HostName=…`, `-p`, `-l`), from the inventory. */
  sshOptions: string[];
  /** The inventory groups the host belongs to (directly or through `:children`): what `host=GROUP` pins match. */
  groups?: string[];
}

interface Inventory {
  hosts: Map<string, Target>;
  groups: Map<string, Set<string>>;
  children: Map<string, Set<string>>;
}

const HOST_NAME = /^[A-Za-z0-9_.:@[\]-]+$/;

function checkName(name: string, where: string): string {
  if (name === 'local') {
    throw new RunproofError('RP_BAD_HOSTS', `${where}: "local" is not a host name here`, {
      hint: 'local means the operator\'s own machine (host=local on a cell); give the host by another alias or its address',
    });
  }
  if (!HOST_NAME.test(name) || name.startsWith('-')) {
    throw new RunproofError('RP_BAD_HOSTS', `${where}: "${name}" is not a host name`, {
      hint: 'a host is an ssh alias or address: letters, digits, . - _ : @ (never starting with -)',
    });
  }
  return name;
}

function optionsFromVars(vars: Record<string, unknown>, where: string): string[] {
  const options: string[] = [];
  const text = (key: string): string | undefined => {
    const value = vars[key];
    if (value === undefined || value === null) return undefined;
    const s = String(value);
    if (!/^[A-Za-z0-9_.:@[\]-]+$/.test(s) || s.startsWith('-')) {
      throw new RunproofError('RP_BAD_HOSTS', `${where}: ${key}=${JSON.stringify(s)} is not usable`, { hint: 'use a plain host name, port number or user name' });
    }
    return s;
  };
  const host = text('ansible_host');
  if (host) options.push('-o', `HostName=${host}`);
  const port = text('ansible_port');
  if (port) options.push('-o', `Port=${port}`);
  const user = text('ansible_user');
  if (user) options.push('-o', `User=${user}`);
  return options;
}

function addHost(inv: Inventory, group: string | undefined, name: string, options: string[]): void {
  const existing = inv.hosts.get(name);
  if (!existing || options.length > 0) inv.hosts.set(name, { name, sshOptions: options });
  if (group) {
    if (!inv.groups.has(group)) inv.groups.set(group, new Set());
    inv.groups.get(group)!.add(name);
  }
}

// INI inventory: `[group]` sections of `host key=value…` lines, `[group:children]` of group names,
// `[group:vars]` ignored. A file with no section at all is a plain list.
function parseIni(text: string, file: string): Inventory {
  const inv: Inventory = { hosts: new Map(), groups: new Map(), children: new Map() };
  let group: string | undefined;
  let kind: 'hosts' | 'children' | 'vars' = 'hosts';
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/\s[#;].*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const where = `${file}:${index + 1}`;
    const section = /^\[([^\]:]+)(?::(children|vars))?\]$/.exec(line);
    if (section) {
      group = section[1]!;
      kind = (section[2] as 'children' | 'vars' | undefined) ?? 'hosts';
      if (!inv.groups.has(group)) inv.groups.set(group, new Set());
      continue;
    }
    if (kind === 'vars') continue;
    const [name, ...pairs] = line.split(/\s+/);
    if (kind === 'children') {
      if (!inv.children.has(group!)) inv.children.set(group!, new Set());
      inv.children.get(group!)!.add(checkName(name!, where));
      continue;
    }
    const vars: Record<string, string> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq > 0) vars[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^(['"])(.*)\1$/, '$2');
    }
    addHost(inv, group, checkName(name!, where), optionsFromVars(vars, where));
  }
  return inv;
}

// YAML inventory: `all: {hosts: {h: {ansible_host: …}}, children: {web: {hosts: …, children: …}}}`.
function parseYamlInventory(text: string, file: string): Inventory {
  const inv: Inventory = { hosts: new Map(), groups: new Map(), children: new Map() };
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new RunproofError('RP_BAD_HOSTS', `${file}: not a YAML inventory: ${(error as Error).message.split('\n')[0]}`, { hint: 'see Ansible\'s YAML inventory format: all: {hosts: {...}, children: {...}}', cause: error });
  }
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const walk = (group: string, node: unknown, depth: number): void => {
    if (depth > 20) throw new RunproofError('RP_BAD_HOSTS', `${file}: groups nested deeper than 20`, { hint: 'flatten the inventory' });
    if (!inv.groups.has(group)) inv.groups.set(group, new Set());
    if (!isMap(node)) return;
    if (isMap(node.hosts)) {
      for (const [name, vars] of Object.entries(node.hosts)) addHost(inv, group, checkName(name, file), optionsFromVars(isMap(vars) ? vars : {}, `${file}: ${name}`));
    }
    if (isMap(node.children)) {
      for (const [child, sub] of Object.entries(node.children)) {
        if (!inv.children.has(group)) inv.children.set(group, new Set());
        inv.children.get(group)!.add(child);
        walk(child, sub, depth + 1);
      }
    }
  };
  if (!isMap(doc)) throw new RunproofError('RP_BAD_HOSTS', `${file}: a YAML inventory is a mapping of groups`, { hint: 'start with `all:`' });
  for (const [group, node] of Object.entries(doc)) walk(group, node, 0);
  return inv;
}

function membersOf(inv: Inventory, group: string, seen = new Set<string>()): string[] {
  if (seen.has(group)) return [];
  seen.add(group);
  const names = [...(inv.groups.get(group) ?? [])];
  for (const child of inv.children.get(group) ?? []) names.push(...membersOf(inv, child, seen));
  return names;
}

/** Reads a hosts file: a plain list (one name a line), or an Ansible INI or YAML inventory. */
export function readInventory(file: string): Inventory {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new RunproofError('RP_BAD_HOSTS', `${file} is not a file`, { hint: 'give a hosts file: one host a line, or an Ansible inventory' });
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof RunproofError) throw error;
    throw new RunproofError('RP_BAD_HOSTS', `cannot read hosts file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { hint: 'check the path given to --hosts', cause: error });
  }
  return /\.ya?ml$/i.test(file) || /^\s*(---|all\s*:)/.test(text) ? parseYamlInventory(text, file) : parseIni(text, file);
}

/** The hosts of a fleet run, in order and without repeats: `--host` names, then the file's (or its `--group`'s). */
export function resolveTargets(options: { hosts?: string[]; hostsFile?: string; group?: string }): Target[] {
  const targets = new Map<string, Target>();
  for (const name of options.hosts ?? []) targets.set(name, { name: checkName(name, '--host'), sshOptions: [] });
  if (options.hostsFile) {
    const inv = readInventory(options.hostsFile);
    let names: string[];
    if (options.group) {
      if (!inv.groups.has(options.group)) {
        const known = [...inv.groups.keys()];
        const near = didYouMean(options.group, known);
        throw new RunproofError('RP_BAD_HOSTS', `no group "${options.group}" in ${options.hostsFile}`, {
          hint: `${near ? `did you mean "${near}"? ` : ''}groups: ${known.join(', ') || '(none)'}`,
        });
      }
      names = membersOf(inv, options.group);
    } else {
      names = [...inv.hosts.keys()];
    }
    const groupsOf = new Map<string, string[]>();
    for (const group of inv.groups.keys()) {
      for (const member of new Set(membersOf(inv, group))) groupsOf.set(member, [...(groupsOf.get(member) ?? []), group]);
    }
    for (const name of names) {
      const target = inv.hosts.get(name) ?? { name, sshOptions: [] };
      targets.set(name, { ...target, groups: groupsOf.get(name) ?? [] });
    }
  } else if (options.group) {
    throw new RunproofError('RP_BAD_FLAG', '--group needs --hosts FILE', { hint: 'name the inventory that defines the group: --hosts inventory.ini --group web' });
  }
  if ((options.hosts?.length ?? 0) + (options.hostsFile ? 1 : 0) > 0 && targets.size === 0) {
    throw new RunproofError('RP_BAD_HOSTS', 'the host list is empty', { hint: 'name at least one host' });
  }
  return [...targets.values()];
}
