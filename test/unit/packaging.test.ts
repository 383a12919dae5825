/** The .vsix holds only what runs: bundles, the wasm binaries, docs the extension opens, examples. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assertBuilt } from './helpers';

interface Manifest {
  contributes: { languages: Array<{ id: string; icon?: { light: string; dark: string } }> };
}
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

/** The icon files package.json names (languages' light and dark icons), without `./`. */
const iconPaths = manifest.contributes.languages.flatMap((l) =>
  l.icon ? [l.icon.light, l.icon.dark].map((p) => p.replace(/^\.\//, '')) : [],
);

test("the rnnlab language has a light and a dark icon, and package.json's icon paths exist", () => {
  const rnnlab = manifest.contributes.languages.find((l) => l.id === 'rnnlab');
  assert.ok(rnnlab?.icon, 'the rnnlab language names an icon');
  assert.notEqual(rnnlab.icon.light, rnnlab.icon.dark, 'one icon for light themes, one for dark');
  for (const path of iconPaths) {
    assert.ok(existsSync(path), `${path} exists`);
    assert.match(readFileSync(path, 'utf8'), /^<svg [^>]*viewBox="0 0 16 16"/, `${path} is an SVG`);
  }
});

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
    'dist/server.js',
    'dist/renderer.js',
    'dist/tfjs-backend-wasm-simd.wasm',
    'package.json',
    'LICENSE',
    'docs/rules/DR101.md',
    'examples/dropout-placement.rnnlab',
    'resources/rnnlab-light.svg',
    'resources/rnnlab-dark.svg',
    ...iconPaths,
  ]) {
    assert.ok(listed.includes(needed), `${needed} is missing from the package`);
  }
  const unexpected = listed.filter((f) =>
    /\.map$|\.ts$|^node_modules\/|^test\/|^spec\/|^kernels\/|^extension\//.test(f),
  );
  assert.deepEqual(unexpected, [], 'sources, tests, maps and node_modules stay out');
});
