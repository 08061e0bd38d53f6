import { fileURLToPath } from 'node:url';

// The built CLI's own entry file, for commands that print a command line starting this very
// installation (`schedule --print-*`). This file sits two folders below the package root both in
// tsc's output (dist/cli/) and in the CLI bundle (dist/bundle/, scripts/build-cli.mjs), so
// `../cli/main.js` names dist/cli/main.js from either; a depth-3 file (commands/) could not.
export function cliEntryPath(): string {
  return fileURLToPath(new URL('../cli/main.js', import.meta.url));
}
