import type { CommandRegistrar } from '../program.js';
import { registerList } from './list.js';
import { registerLint } from './lint.js';

/** Every CLI command, in the order `--help` lists them. */
export const registrars: CommandRegistrar[] = [];
registrars.push(registerList, registerLint);
import { registerRun } from './run.js';
registrars.push(registerRun);
