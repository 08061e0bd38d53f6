// `npm run build`, after tsc: bundles the CLI (src/cli/main.ts) with esbuild into dist/cli/main.js,
// the bin, and its chunks in dist/bundle/. Start-up is module loading: from tsc's output alone,
// `runproof list` resolves, reads, compiles and links ~200 ESM files (95 of them zod's) one by one.
// Code splitting keeps each command lazy: every `import()` in src/ is a split point, so a command
// still loads only its own chunks. The library (dist/index.js and the stages) stays tsc's output.
//
// Every chunk sits two folders below the package root, as tsc's dist/<stage>/<file>.js does, so a
// path the code builds from import.meta.url (`../../templates/`, `../../package.json`,
// `../cli/main.js`) names the same file from a chunk as from tsc's output.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// zod's `z` namespace carries `z.locales`: 49 translations of its error messages, ~40% of zod's
// code, compiled at every start-up because a namespace cannot be tree-shaken. runproof uses the
// English default only (src/ never reads `z.locales`), so the CLI bundle keeps only `en`.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales'), namespace: 'zod-english-only' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(args.path, 'en.js'))};\n`,
      resolveDir: args.path,
    }));
  },
};

// The packages bundled: those on the start-up path of the light commands (list, lint, plan), all
// ESM but commander. Every other package stays external, loaded by node from node_modules as in
// tsc's output, so its CommonJS interop (yaml, undici, asn1, tar-stream, yauzl) is node's own and
// a command that never imports it never reads it.
const BUNDLED = new Set(['zod', 'markdown-it', 'mdurl', 'uc.micro', 'linkify-it', 'punycode.js', 'entities', 'commander']);
const onlyStartupPackages = {
  name: 'only-start-up-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.namespace !== 'file') return undefined;
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

rmSync(join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'cli/main': 'src/cli/main.ts' },
  outdir: 'dist',
  chunkNames: 'bundle/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Stack traces: `node --enable-source-maps` maps the bundle back to src/*.ts, as tsc's maps do.
  sourcemap: 'linked',
  sourcesContent: false,
  // commander, bundled CommonJS, require()s node's built-ins: each chunk gets a real `require`.
  banner: { js: "import { createRequire as __rpCreateRequire } from 'node:module'; const require = __rpCreateRequire(import.meta.url);" },
  plugins: [onlyStartupPackages, zodEnglishOnly],
  logLevel: 'warning',
});
