#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram, translateCommanderError } from './program.js';
import { reportError } from './exit.js';
import { registrars } from './commands/index.js';

async function main(argv: string[]): Promise<number> {
  const program = buildProgram(registrars);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      const translated = translateCommanderError(error, program);
      if (translated === null) return 0;
      return reportError(translated);
    }
    return reportError(error);
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error);
  },
);
