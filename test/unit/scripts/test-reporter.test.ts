/** The unit tests' report: concise while passing, failures in full, totals at the end. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-reporter-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a line per file, each failure with its message, and the totals; no TAP', () => {
  const passing = join(dir, 'a.test.mjs');
  const failing = join(dir, 'b.test.mjs');
  const many = Array.from({ length: 40 }, (_, i) => `test('t${i}', () => {});`).join('\n');
  writeFileSync(passing, `import { test } from 'node:test';\n${many}\n`);
  writeFileSync(
    failing,
    `import assert from 'node:assert/strict';\nimport { describe, test } from 'node:test';\n` +
      `describe('group', () => {\n  test('adds', () => assert.equal(1 + 1, 3, 'one and one make two'));\n  test('fine', () => {});\n});\n`,
  );
  // A runner inside a runner: without NODE_TEST_CONTEXT it reports for itself, not to us.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['NODE_TEST_CONTEXT'];
  const r = spawnSync(
    process.execPath,
    ['--test', `--test-reporter=${resolve('scripts/test-reporter.mjs')}`, passing, failing],
    { encoding: 'utf8', cwd: dir, env },
  );
  assert.equal(r.status, 1, 'a failure fails the run');
  const out = r.stdout;
  assert.match(out, /^✔ a\.test\.mjs {2}40 tests, /m);
  assert.match(out, /^✖ b\.test\.mjs {2}2 tests, 1 failed, /m);
  assert.match(out, /✖ FAIL b\.test\.mjs › adds\n[\s\S]*one and one make two/);
  assert.match(out, /42 tests in 2 files: 41 passed, 1 failed, 0 skipped/);
  assert.doesNotMatch(out, /^(ok|not ok) \d/m, 'no TAP lines');
  assert.ok(out.split('\n').length < 30, out);
});
