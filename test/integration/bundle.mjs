// The integration suites bundled for a VS Code extension host, and the workspace they open
// (the examples and the fixtures). Used by run.mjs (code-server) and by
// scripts/build-integration.mjs (F5 "Extension Tests" in a desktop VS Code, .vscode/launch.json).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

/** Bundles suite/index.ts and suite/*.test.ts into `outdir` (index.js is extensionTestsPath). */
export async function bundleSuites(outdir, { screenshot = false } = {}) {
  const suiteDir = path.join(here, 'suite');
  const entries = fs
    .readdirSync(suiteDir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    // The screenshot stage is a step of the screenshot run, not a test of every run.
    .filter((f) => screenshot || !f.includes('screenshot-stage'))
    .map((f) => path.join(suiteDir, f));
  await build({
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    define: { __RNNLAB_REPO__: JSON.stringify(repo) },
    logLevel: 'warning',
  });
}

/** Makes the workspace the suites expect: a copy of examples/ with fixtures/ inside. */
export function prepareWorkspace(ws, { screenshot = false } = {}) {
  fs.rmSync(ws, { recursive: true, force: true });
  fs.cpSync(path.join(repo, 'examples'), ws, { recursive: true });
  fs.cpSync(path.join(here, 'fixtures'), path.join(ws, 'fixtures'), { recursive: true });
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(ws, '.vscode', 'settings.json'),
    // Quick fits, except for the screenshot (a full training curve).
    JSON.stringify(screenshot ? {} : { 'rnnlab.kernel.maxEpochs': 1 }, null, 2),
  );
}
