// One esbuild script, one entry per surface. Output goes to dist/.
// --watch rebuilds on every change until Ctrl-C (unminified, for F5 and debugging).
import { build, context } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
  {
    // The VS Code extension: vscode is provided by the host.
    entryPoints: { extension: 'extension/extension.ts' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // The training kernel's worker thread (TensorFlow.js on WebAssembly).
    entryPoints: { worker: 'kernels/worker.ts' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    // The notebook renderer of training runs: an ES module VS Code loads in the notebook's webview.
    entryPoints: { renderer: 'webview/renderer.ts' },
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
  {
    // The runs dashboard: a classic script the webview panel loads with its CSP nonce.
    entryPoints: { dashboard: 'webview/dashboard-main.ts' },
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
  {
    // The language server for other editors and the VS Code client: node dist/server.js --stdio.
    entryPoints: { server: 'server/node.ts' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { RNNLAB_VERSION: JSON.stringify(pkg.version), RNNLAB_SERVER_ENTRY: 'true' },
  },
  {
    // The same server in a Web Worker (browser playground, VS Code for the Web).
    entryPoints: { 'server-browser': 'server/browser.ts' },
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

const started = Date.now();
const options = (e) => ({
  bundle: true,
  outdir: 'dist',
  sourcemap: true,
  minify: !watch,
  mainFields: ['module', 'main'],
  define: { RNNLAB_VERSION: JSON.stringify(pkg.version) },
  logLevel: watch ? 'info' : 'warning',
  ...e,
});
copyWasm();
if (watch) {
  const contexts = await Promise.all(entries.map((e) => context(options(e))));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${entries.length} bundle(s); Ctrl-C stops`);
} else {
  await Promise.all(entries.map((e) => build(options(e))));
  console.log(`built ${entries.length} bundle(s) into dist/ in ${Date.now() - started} ms`);
}

// The wasm binaries go next to the bundles (the kernel loads them from its own folder).
function copyWasm() {
  const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
  mkdirSync('dist', { recursive: true });
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(join(wasmDir, f), join('dist', f));
  }
}
