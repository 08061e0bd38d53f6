import { describe, expect, it } from 'vitest';
import { CommanderError, type Command, type Option } from 'commander';
import { buildProgram, translateCommanderError } from '../../src/cli/program.js';
import { registrars } from '../../src/cli/commands/index.js';
import { exitCodeFor } from '../../src/cli/exit.js';
import { runCli } from '../helpers/cli.js';

// `--help` on every registered command (found by walking the program, so a new command is
// covered the day it is registered): usage, options with their defaults, one example. And an
// unknown flag on each is RP_BAD_FLAG with the closest flag as the hint, exit 2. In-process
// through the same program and error translation main.ts uses (one start of the binary costs
// seconds on a loaded machine); the last tests start the built binary once for each behaviour.

interface CommandInfo {
  path: string[];
  options: Option[];
  leaf: boolean;
}

function walk(command: Command, path: string[] = []): CommandInfo[] {
  const found: CommandInfo[] = [];
  for (const sub of command.commands) {
    if (sub.name() === 'help') continue;
    const subPath = [...path, sub.name()];
    found.push({ path: subPath, options: sub.options, leaf: sub.commands.length === 0 }, ...walk(sub, subPath));
  }
  return found;
}

const commands = walk(buildProgram(registrars));

// A misspelling one edit away from `flag` (a letter dropped from the middle of its name).
function misspell(flag: string): string {
  const name = flag.slice(2);
  const at = Math.max(1, Math.floor(name.length / 2));
  return `--${name.slice(0, at)}${name.slice(at + 1)}`;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

// Parses `args` with a fresh program, as main.ts does, capturing what commander writes.
async function parseInProcess(args: string[]): Promise<Outcome> {
  const program = buildProgram(registrars);
  let stdout = '';
  const capture = (command: Command): void => {
    command.configureOutput({ writeOut: (text) => void (stdout += text), writeErr: () => {} });
    command.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync(['node', 'runproof', ...args]);
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const translated = translateCommanderError(error, program);
    if (translated === null) return { code: 0, stdout, stderr: '' };
    return { code: exitCodeFor(translated), stdout, stderr: `${translated.format()}\n` };
  }
}

describe('--help on every command', () => {
  it('finds the commands the spec names', () => {
    const names = commands.filter((c) => c.path.length === 1).map((c) => c.path[0]);
    expect(names).toEqual(expect.arrayContaining(['list', 'lint', 'run', 'demo']));
  });

  it('shows usage, options with their defaults and an example, exit 0', async () => {
    const helps = await Promise.all(commands.map((c) => parseInProcess([...c.path, '--help'])));
    const problems: string[] = [];
    commands.forEach((command, i) => {
      const { code, stdout, stderr } = helps[i]!;
      const name = `runproof ${command.path.join(' ')}`;
      if (code !== 0 || stderr !== '') problems.push(`${name} --help: exit ${code}, stderr ${JSON.stringify(stderr.slice(0, 200))}`);
      if (!stdout.startsWith(`Usage: ${name}`)) problems.push(`${name} --help: no "Usage: ${name}" line`);
      if (!stdout.includes('\nOptions:\n')) problems.push(`${name} --help: no Options section`);
      if (!new RegExp(`\\nExamples?:\\n {2}runproof ${command.path[0]}\\b`).test(stdout)) problems.push(`${name} --help: no "Example:" with a runproof ${command.path[0]} command`);
      const flags = command.options.map((o) => o.long ?? o.short ?? '');
      for (const option of command.options) {
        if (option.defaultValue === undefined || option.negate) continue;
        // The option's part of the help: from its flags to the next option's flags.
        const start = stdout.indexOf(option.flags);
        const nextStarts = flags.map((f) => stdout.indexOf(`  ${f}`, start + option.flags.length)).filter((n) => n > start);
        const part = stdout.slice(start, nextStarts.length > 0 ? Math.min(...nextStarts) : stdout.indexOf('\n\n', start));
        if (start < 0 || !part.includes('(default:')) problems.push(`${name} --help: ${option.flags} has a default that the help does not show`);
      }
    });
    expect(problems).toEqual([]);
  });

  it('an unknown flag is RP_BAD_FLAG naming the closest flag, exit 2', async () => {
    const withFlags = commands.filter((c) => c.leaf && c.options.some((o) => o.long && o.long.length > 4));
    const cases = withFlags.map((c) => {
      const flag = c.options.filter((o) => o.long && o.long.length > 4).sort((a, b) => b.long!.length - a.long!.length)[0]!.long!;
      return { command: c, flag, typo: misspell(flag) };
    });
    const results = await Promise.all(cases.map((k) => parseInProcess([...k.command.path, k.typo])));
    const problems: string[] = [];
    cases.forEach((k, i) => {
      const { code, stderr } = results[i]!;
      const name = `runproof ${k.command.path.join(' ')} ${k.typo}`;
      if (code !== 2) problems.push(`${name}: exit ${code}`);
      if (!stderr.startsWith(`RP_BAD_FLAG unknown flag ${k.typo}`)) problems.push(`${name}: stderr ${JSON.stringify(stderr.slice(0, 200))}`);
      else if (!stderr.includes(`did you mean ${k.flag}?`)) problems.push(`${name}: hint does not name ${k.flag}: ${JSON.stringify(stderr.slice(0, 200))}`);
    });
    expect(cases.length).toBeGreaterThan(4);
    expect(problems).toEqual([]);
  });

  it('the built binary: run --help shows its example; lint --stric names --strict, exit 2', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: runproof run /);
    expect(help.stdout).toMatch(/\nExample:\n {2}runproof run /);
    const bad = await runCli(['lint', '--stric', 'x.md']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^RP_BAD_FLAG unknown flag --stric .*did you mean --strict\?/);
  });
});
