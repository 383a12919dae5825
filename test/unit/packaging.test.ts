/** The .vsix holds only what runs: bundles, the wasm binaries, docs the extension opens, examples. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { assertBuilt } from './helpers';

test('vsce packages exactly the allow-listed files', () => {
  assertBuilt();
  const listed = execFileSync(
    process.execPath,
    ['node_modules/@vscode/vsce/vsce', 'ls', '--no-dependencies'],
    {
      encoding: 'utf8',
    },
  )
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
  for (const needed of [
    'dist/extension.js',
    'dist/worker.js',
    'dist/cli.js',
    'dist/tfjs-backend-wasm-simd.wasm',
    'package.json',
    'LICENSE',
    'docs/rules/DR101.md',
    'examples/dropout-placement.rnnlab',
  ]) {
    assert.ok(listed.includes(needed), `${needed} is missing from the package`);
  }
  const unexpected = listed.filter((f) =>
    /\.map$|\.ts$|^node_modules\/|^test\/|^spec\/|^kernels\/|^extension\//.test(f),
  );
  assert.deepEqual(unexpected, [], 'sources, tests, maps and node_modules stay out');
});
