// One esbuild script, one entry per surface. Output goes to dist/.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions[]} */
const entries = [
  {
    entryPoints: { cli: 'cli/index.ts' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
];

const started = Date.now();
await Promise.all(
  entries.map((e) =>
    build({
      bundle: true,
      outdir: 'dist',
      sourcemap: true,
      minify: !watch,
      mainFields: ['module', 'main'],
      define: { RNNLAB_VERSION: JSON.stringify(pkg.version) },
      logLevel: 'warning',
      ...e,
    }),
  ),
);
console.log(`built ${entries.length} bundle(s) into dist/ in ${Date.now() - started} ms`);
