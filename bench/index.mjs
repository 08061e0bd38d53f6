#!/usr/bin/env node
// `npm run bench -- NAME...`: runs bench/NAME.mjs (all of them when no name is given).
// Each bench measures runproof against a baseline in the same run and prints the ratio.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'index.mjs')
  .map((f) => f.replace(/\.mjs$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : available;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`RP_BAD_FLAG unknown bench ${name} (hint: benches: ${available.join(', ')})`);
    process.exit(2);
  }
  console.log(`== bench ${name}`);
  const mod = await import(pathToFileURL(join(here, `${name}.mjs`)).href);
  await mod.default();
}
