// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering of docs/ARCHITECTURE.md, one entry per folder: the folders it may import from.
 * Every other product folder is forbidden to it, so each arrow of the diagram is a lint error
 * when broken (test/unit/layering.test.ts adds a forbidden import to each folder and expects it).
 * `pure` folders do no I/O and run no models: no node:*, no tfjs.
 */
export const LAYERS = {
  analyzer: { may: [], pure: true },
  lint: { may: ['analyzer'], pure: true },
  notebook: { may: ['analyzer'], pure: true },
  kernels: { may: ['analyzer', 'notebook'], pure: false },
  server: { may: ['analyzer', 'lint', 'notebook'], pure: false },
  // The webview surface sees the kernel's protocol types and pure formatters, the downsampler
  // (shared with kernels/fit.ts, which bounds the saved per-batch series) and the masks output
  // (its schema and captions, which the kernel's text and picture state too), nothing else.
  webview: {
    may: [],
    allow: ['kernels/protocol', 'kernels/mask-output', 'analyzer/format', 'analyzer/downsample'],
    pure: true,
  },
  // The web playground (a page of its own): the views of webview/, notebook/'s reader, writer and
  // template, the kernel's protocol, output operations and connection (pure), the page-to-worker messages
  // of the kernel's browser entry and the server's protocol types. Its language server and kernel
  // are worker bundles it loads by URL, never imports.
  'webview/playground': {
    may: ['webview', 'notebook'],
    allow: [
      'kernels/protocol',
      'kernels/mask-output',
      'kernels/outputs',
      'kernels/connection',
      'kernels/browser-protocol',
      'server/protocol',
      'analyzer/format',
    ],
    pure: true,
  },
  extension: {
    may: ['analyzer', 'lint', 'notebook', 'kernels', 'server', 'webview'],
    pure: false,
  },
  cli: { may: ['analyzer', 'lint', 'notebook', 'kernels', 'server'], pure: false },
};

const PRODUCT = Object.keys(LAYERS);

/** The no-restricted-imports patterns of one folder. */
function patternsOf(folder) {
  const spec = LAYERS[folder];
  const patterns = [];
  for (const other of PRODUCT) {
    if (other === folder || spec.may.includes(other)) continue;
    // A folder inside another (webview/playground) is its own rule only where its parent is
    // allowed (or is this folder): elsewhere the parent's pattern already forbids it.
    const parent = other.includes('/') ? other.slice(0, other.lastIndexOf('/')) : null;
    if (parent && parent !== folder && !spec.may.includes(parent)) continue;
    const allowed = (spec.allow ?? []).filter((a) => a.startsWith(`${other}/`));
    patterns.push({
      // A pattern naming the folder itself would hide the re-included files below it.
      group: allowed.length
        ? [`**/${other}/**`, ...allowed.map((a) => `!**/${a}`)]
        : [`**/${other}`, `**/${other}/**`],
      message: `${folder}/ may not import ${other}/ (docs/ARCHITECTURE.md, "Layers").`,
    });
  }
  if (folder !== 'extension')
    patterns.push({ group: ['vscode'], message: 'Only extension/ may import vscode.' });
  if (spec.pure) {
    patterns.push(
      {
        group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'],
        message: `${folder}/ is pure: no I/O.`,
      },
      { group: ['@tensorflow/*'], message: `${folder}/ does not run models.` },
    );
  }
  return patterns;
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/', 'examples/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  ...PRODUCT.map((folder) => ({
    files: [`${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: patternsOf(folder) }] },
  })),
  {
    files: ['test/unit/**/*.ts', 'test/bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['vscode'], message: 'Only extension/ may import vscode.' }] },
      ],
    },
  },
);
