/**
 * Tests mirror the source: test/unit/<folder>/<module>.test.ts tests <folder>/<module>.ts (or the
 * folder <folder>/<module>/). The suites that cut across modules are named here, with their job,
 * so that a newcomer finds a module's tests by its path and a stray test file is noticed.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

/** Suites that test a behaviour across modules rather than one module. */
const CROSS_CUTTING: Record<string, string> = {
  'analyzer/fuzz.test.ts': 'mutated and adversarial texts: the analyzer never throws or hangs',
  'analyzer/realistic.test.ts': 'realistic fixtures against hand-computed summaries',
  'analyzer/layers/playground.test.ts':
    'a playground cell refuses analyzer-only layers, naming them',
  'kernels/tfjs/fidelity.test.ts':
    "the tfjs model the kernel builds has the analyzer's shapes and counts",
  'lint/false-positives.test.ts': 'clean public-style Keras files give no warning',
  'lint/fix-safety.test.ts':
    'every fix on every fixture compiles, keeps totals, removes its finding',
  'docs.test.ts': 'rule pages and README entries for every catalog code',
  'engines.test.ts': 'the declared Node.js suits every installed package',
  'launch.test.ts': '.vscode/launch.json names things that exist',
  'layering.test.ts': 'the folder import rules of eslint.config.mjs fire',
  'layout.test.ts': 'this file',
  'packaging.test.ts': 'the .vsix holds what runs and nothing else',
  'setup.test.ts': 'first-use install of the e2e tools (test/integration/setup.mjs) under npm',
};

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

test('every unit test file mirrors a source module or folder, or is a named cross-cutting suite', () => {
  const stray: string[] = [];
  for (const file of testFiles('test/unit')) {
    const rel = relative('test/unit', file);
    if (rel in CROSS_CUTTING) continue;
    const source = rel.replace(/\.test\.ts$/, '');
    if (![`${source}.ts`, `${source}.mjs`, source].some((p) => existsSync(p))) stray.push(rel);
  }
  assert.deepEqual(stray, [], 'rename the test after its module, or list it in CROSS_CUTTING');
});

test('every cross-cutting suite named here exists', () => {
  for (const rel of Object.keys(CROSS_CUTTING))
    assert.ok(existsSync(join('test/unit', rel)), `${rel} is listed but missing`);
});
