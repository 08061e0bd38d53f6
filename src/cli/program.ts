import { Command, CommanderError } from 'commander';
import { RunproofError, didYouMean } from '../core/index.js';
import { TOOL_VERSION } from '../core/index.js';

export type CommandRegistrar = (program: Command) => void;

/** Builds the CLI: a thin layer that parses flags and calls the library. */
export function buildProgram(registrars: CommandRegistrar[]): Command {
  const program = new Command();
  program
    .name('runproof')
    .description('Run Markdown runbooks as notebooks and keep evidence an auditor can trust.')
    .version(TOOL_VERSION, '-V, --version')
    .showSuggestionAfterError(false)
    .exitOverride();
  for (const register of registrars) register(program);
  configureErrors(program);
  return program;
}

function configureErrors(command: Command): void {
  command.exitOverride();
  command.configureOutput({ writeErr: () => {} });
  for (const sub of command.commands) configureErrors(sub);
}

/** Turns commander's own errors (unknown flag, missing argument) into RP_BAD_FLAG. */
export function translateCommanderError(error: CommanderError, program: Command): RunproofError | null {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
    return null;
  }
  const message = error.message.replace(/^error:\s*/i, '');
  const unknownOption = /unknown option '([^']+)'/.exec(message);
  if (unknownOption) {
    const flag = unknownOption[1]!;
    const flags = collectFlags(program);
    const close = didYouMean(flag, flags);
    return new RunproofError('RP_BAD_FLAG', `unknown flag ${flag}`, {
      hint: close ? `did you mean ${close}? (see --help)` : 'see --help for the flags this command takes',
    });
  }
  const unknownCommand = /unknown command '([^']+)'/.exec(message);
  if (unknownCommand) {
    const names = program.commands.map((c) => c.name());
    const close = didYouMean(unknownCommand[1]!, names);
    return new RunproofError('RP_BAD_FLAG', `unknown command ${unknownCommand[1]}`, {
      hint: close ? `did you mean ${close}?` : `commands: ${names.join(', ')}`,
    });
  }
  return new RunproofError('RP_BAD_FLAG', message, { hint: 'see --help' });
}

function collectFlags(command: Command): string[] {
  const flags: string[] = [];
  const walk = (c: Command): void => {
    for (const option of c.options) {
      if (option.long) flags.push(option.long);
    }
    c.commands.forEach(walk);
  };
  walk(command);
  return flags;
}
