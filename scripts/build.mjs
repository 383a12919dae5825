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
  ...webEntries(),
];

/**
 * The web playground (dist/web/, served as static files by scripts/serve-web.mjs): the page, the
 * language server and the kernel as Web Workers loaded by URL, monaco's editor worker, the page's
 * CSS (monaco's, with the codicon font as a file) and index.html; the wasm binaries by copyWeb.
 */
function webEntries() {
  const web = { platform: 'browser', target: 'es2022', outdir: 'dist/web' };
  return [
    {
      ...web,
      entryPoints: { playground: 'webview/playground/main.ts' },
      format: 'esm',
      loader: { '.ttf': 'file', '.rnnlab': 'text' },
      plugins: [cssAsText(/[\\/]uplot[\\/]dist[\\/]uPlot\.min\.css$/)],
    },
    {
      ...web,
      entryPoints: { 'editor.worker': 'node_modules/monaco-editor/esm/vs/editor/editor.worker.js' },
      format: 'iife',
    },
    { ...web, entryPoints: { server: 'server/browser.ts' }, format: 'iife' },
    {
      ...web,
      entryPoints: { kernel: 'kernels/worker-browser.ts' },
      format: 'iife',
      // The kernel's shared modules read files through node:fs and node:path; in the page those
      // are the user's uploads (kernels/browser/fs.ts).
      alias: { 'node:fs': './kernels/browser/fs.ts', 'node:path': './kernels/browser/path.ts' },
    },
  ];
}

/** The views' style sheets are text they put in a <style>; monaco's are bundled as CSS. */
function cssAsText(filter) {
  return {
    name: 'css-as-text',
    setup(b) {
      b.onLoad({ filter }, (args) => ({
        contents: readFileSync(args.path, 'utf8'),
        loader: 'text',
      }));
    },
  };
}

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
copyWeb();
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

// The page's HTML and the kernel's wasm binaries (not the threaded one: the kernel in the page
// runs single-threaded, see kernels/worker-browser.ts).
function copyWeb() {
  mkdirSync('dist/web', { recursive: true });
  copyFileSync('webview/playground/index.html', 'dist/web/index.html');
  const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'])
    copyFileSync(join(wasmDir, f), join('dist/web', f));
}
