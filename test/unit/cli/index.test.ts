/** The `rnnlab` entry point as shells use it. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('output piped into a command that stops reading (| head -1) ends quietly, no EPIPE crash', () => {
  // The fixtures give hundreds of lines: far more than head reads before closing the pipe.
  const r = spawnSync(
    'sh',
    [
      '-c',
      `'${process.execPath}' --import tsx cli/index.ts summary test/fixtures | head -1; exit 0`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 1, r.stdout);
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at .*\(/, r.stderr);
});
