import { CLOUD_TOOLS } from './cloud.js';
import { CONTAINER_TOOLS } from './containers.js';
import { DATA_STORE_TOOLS } from './data-stores.js';
import { GIT_TOOLS } from './git.js';
import { HASHICORP_TOOLS } from './hashicorp.js';
import { KUBERNETES_TOOLS } from './kubernetes.js';
import { MONITORING_TOOLS } from './monitoring.js';
import { NETWORK_TOOLS } from './network.js';
import { SYSTEM_TOOLS } from './system.js';
import type { ToolSpec } from './types.js';

export type { ToolSpec, ReadForm, DestructiveForm, OptionSet } from './types.js';
export { PLAIN_READ, PLAIN_WRITE, PLAIN_DESTRUCTIVE, VERSION_ONLY } from './plain.js';

/** Every tool entry with the data file it comes from (named in reasons and `list --explain`). */
const FILES: [string, readonly ToolSpec[]][] = [
  ['tools/kubernetes', KUBERNETES_TOOLS],
  ['tools/containers', CONTAINER_TOOLS],
  ['tools/system', SYSTEM_TOOLS],
  ['tools/cloud', CLOUD_TOOLS],
  ['tools/hashicorp', HASHICORP_TOOLS],
  ['tools/data-stores', DATA_STORE_TOOLS],
  ['tools/network', NETWORK_TOOLS],
  ['tools/git', GIT_TOOLS],
  ['tools/monitoring', MONITORING_TOOLS],
];

export interface ToolEntry {
  spec: ToolSpec;
  /** `tools/kubernetes#kubectl`. */
  entry: string;
}

/** Command name → its entry. */
export const TOOLS: ReadonlyMap<string, ToolEntry> = (() => {
  const map = new Map<string, ToolEntry>();
  for (const [file, specs] of FILES) {
    for (const spec of specs) {
      for (const name of spec.names) {
        if (map.has(name)) throw new Error(`tool ${name} is listed twice (${file})`);
        map.set(name, { spec, entry: `${file}#${spec.names[0]}` });
      }
    }
  }
  return map;
})();
