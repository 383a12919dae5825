/** The POSIX path functions the kernel's browser bundle uses in place of node:path. */
import assert from 'node:assert/strict';
import * as posix from 'node:path/posix';
import { test } from 'node:test';
import * as path from '../../../../kernels/browser/path';

const CASES = [
  '/uploads',
  '/uploads/',
  '/uploads/a.csv',
  '/a/b/../c',
  '/a/./b//c',
  'x.csv',
  '../x',
  '/',
];

test('resolve, relative, join, dirname, basename, isAbsolute agree with node:path/posix', () => {
  for (const p of CASES) {
    // The page's working folder is '/', as if node's cwd were '/'.
    assert.equal(path.resolve(p), posix.resolve('/', p), `resolve ${p}`);
    assert.equal(
      path.resolve('/uploads', p),
      posix.resolve('/uploads', p),
      `resolve /uploads ${p}`,
    );
    assert.equal(path.basename(p), posix.basename(p), `basename ${p}`);
    assert.equal(path.isAbsolute(p), posix.isAbsolute(p), `isAbsolute ${p}`);
    if (p.startsWith('/')) assert.equal(path.dirname(p), posix.dirname(p), `dirname ${p}`);
    for (const q of CASES)
      assert.equal(
        path.relative(path.resolve(p), path.resolve(q)),
        posix.relative(posix.resolve('/', p), posix.resolve('/', q)),
        `relative ${p} ${q}`,
      );
  }
  assert.equal(path.join('/uploads', 'a.csv'), '/uploads/a.csv');
  assert.equal(path.join('http://x/', 'a.wasm'), posix.join('http://x/', 'a.wasm'));
});
