/** The Node.js version package.json declares is one that every installed package supports. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import semver from 'semver';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};

test('every package in the lock supports the oldest Node.js that package.json declares', () => {
  const oldest = semver.minVersion(pkg.engines.node);
  assert.ok(oldest, pkg.engines.node);
  const unsupported: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const wants = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
    if (!path || !wants) continue;
    if (!semver.satisfies(oldest, wants))
      unsupported.push(`${path.replace(/^.*node_modules\//, '')} wants node ${wants}`);
  }
  assert.deepEqual(unsupported, [], `declared node ${pkg.engines.node} (from ${oldest.version})`);
});

test('the set-up check asks for the same Node.js as package.json', () => {
  const check = readFileSync('scripts/ensure-deps.mjs', 'utf8');
  const oldest = semver.minVersion(pkg.engines.node)!;
  assert.match(check, new RegExp(`Node\\.js ${oldest.major}\\.${oldest.minor} or newer`));
  assert.match(
    readFileSync('README.md', 'utf8'),
    new RegExp(`Node\\.js ${oldest.major}\\.${oldest.minor}\\+`),
  );
});
