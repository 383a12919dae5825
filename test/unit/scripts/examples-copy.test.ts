/** The working copy of the examples that `npm start` serves, outside the repository. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeSync, examplesDir, syncExamples } from '../../../scripts/examples-copy.mjs';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-examples-'));
after(() => rmSync(root, { recursive: true, force: true }));

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'repo-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('first start copies every example; the repository is never written', () => {
  const source = repo({ 'a.rnnlab': 'A1', 'b.py': 'B1' });
  const copy = join(root, 'first');
  const r = syncExamples(source, copy);
  assert.deepEqual(r.created, ['a.rnnlab', 'b.py']);
  assert.equal(readFileSync(join(copy, 'a.rnnlab'), 'utf8'), 'A1');
  assert.match(describeSync(copy, r)[0]!, /copied 2 example\(s\) into .*first/);
  writeFileSync(join(copy, 'a.rnnlab'), 'run outputs');
  assert.equal(readFileSync(join(source, 'a.rnnlab'), 'utf8'), 'A1');
});

test('later starts refresh the copies the user left alone and keep the ones they changed', () => {
  const source = repo({ 'a.rnnlab': 'A1', 'b.py': 'B1', 'c.py': 'C1' });
  const copy = join(root, 'later');
  syncExamples(source, copy);
  writeFileSync(join(copy, 'b.py'), 'my edit'); // the user ran or edited b.py
  writeFileSync(join(source, 'a.rnnlab'), 'A2'); // the repository moved on
  writeFileSync(join(source, 'b.py'), 'B2');
  writeFileSync(join(source, 'd.py'), 'D1');
  const r = syncExamples(source, copy);
  assert.deepEqual(r, {
    created: ['d.py'],
    updated: ['a.rnnlab'],
    kept: ['b.py'],
    unchanged: ['c.py'],
  });
  assert.equal(readFileSync(join(copy, 'a.rnnlab'), 'utf8'), 'A2');
  assert.equal(readFileSync(join(copy, 'b.py'), 'utf8'), 'my edit');
  assert.ok(describeSync(copy, r).some((l) => /kept your changed b\.py/.test(l)));
  // A deleted copy comes back as the repository's version.
  unlinkSync(join(copy, 'b.py'));
  assert.deepEqual(syncExamples(source, copy).created, ['b.py']);
  assert.equal(readFileSync(join(copy, 'b.py'), 'utf8'), 'B2');
});

test('an up-to-date copy says so; subfolders of the source are not copied', () => {
  const source = repo({ 'a.py': 'A' });
  mkdirSync(join(source, 'sub'));
  const copy = join(root, 'same');
  syncExamples(source, copy);
  const r = syncExamples(source, copy);
  assert.deepEqual(r.unchanged, ['a.py']);
  assert.deepEqual(describeSync(copy, r), [`examples in ${copy} are up to date`]);
});

test('the copy lives outside the repository: RNNLAB_EXAMPLES_DIR, else XDG_DATA_HOME', () => {
  assert.equal(examplesDir({ RNNLAB_EXAMPLES_DIR: '/x/y' }), '/x/y');
  assert.equal(examplesDir({ XDG_DATA_HOME: '/data' }), '/data/rnnlab/examples');
  assert.ok(!examplesDir({}).startsWith(process.cwd()));
});
