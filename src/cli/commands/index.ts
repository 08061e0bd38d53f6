import type { CommandRegistrar } from '../program.js';

/** Every CLI command, in the order `--help` lists them. */
export const registrars: CommandRegistrar[] = [];
