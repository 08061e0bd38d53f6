/**
 * Fleet targets: host lists and Ansible inventories for runs on many hosts over OpenSSH.
 * @packageDocumentation
 */
export { readInventory, resolveTargets } from './inventory.js';
export type { Target } from './inventory.js';
