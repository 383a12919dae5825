// `npm test`: builds dist/ once, then the unit tests (Node's built-in runner, TypeScript through
// tsx), then, with the e2e tools (installed on first use into ~/.cache/rnnlab-e2e), the browser
// tests (test/browser: the built webviews in a real Chromium) and the integration suites in a real
// VS Code (test/integration/run.mjs). `npm run test:unit` (--unit) or RNNLAB_SKIP_E2E=1 runs only
// the unit tests; naming test files runs just those. Tests that run the bundles use the dist/ built
// here: none of them rebuilds it while others run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const node = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;
const runTests = (files) =>
  node([
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=./scripts/test-reporter.mjs',
    ...files,
  ]);

const unitOnly = process.argv.includes('--unit');
const only = process.argv.slice(2).filter((a) => a !== '--unit');
if (node(['scripts/build.mjs']) !== 0) process.exit(1);
const unit = runTests(only.length ? only : find('test/unit').sort());
if (only.length || unitOnly || process.env.RNNLAB_SKIP_E2E) {
  if (!only.length && !unitOnly)
    console.log('\nRNNLAB_SKIP_E2E is set: skipping the browser and integration tests.');
  process.exit(unit);
}

console.log(
  '\n== browser and integration tests (real Chromium, real VS Code; RNNLAB_SKIP_E2E=1 skips them)\n',
);
const { ensureTools, SetupError } = await import('../test/integration/setup.mjs');
try {
  ensureTools();
} catch (e) {
  console.error(`\n${e.message}`);
  if (!(e instanceof SetupError)) console.error(e.stack);
  process.exit(1);
}
const browser = runTests(find('test/browser').sort());
const integration = node(['test/integration/run.mjs']);
if (unit !== 0) console.error('\nunit tests failed');
if (browser !== 0) console.error('\nbrowser tests failed');
if (integration !== 0) console.error('\nintegration tests failed');
process.exit(unit || browser || integration);
