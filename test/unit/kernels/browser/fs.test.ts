/**
 * The node:fs functions of the kernel's browser bundle: the uploads under /uploads, the served
 * folder of the wasm binaries, Node's ENOENT for anything else (the CSV loader's messages rest on
 * it: "CSV file not found").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from '../../../../kernels/browser/fs';

test('uploads are files under /uploads, with their UTF-8 size; the rest does not exist', () => {
  fs.setUploads([
    { name: 'prices.csv', text: 'a,b\n1,2\n' },
    { name: 'C:\\fakepath/wind é.csv', text: 'é\n' },
  ]);
  assert.equal(fs.readFileSync('/uploads/prices.csv'), 'a,b\n1,2\n');
  assert.equal(fs.readFileSync('/uploads/../uploads/./prices.csv'), 'a,b\n1,2\n');
  assert.equal(fs.statSync('/uploads/wind é.csv').size, 3, 'bytes, not characters');
  assert.ok(fs.statSync('/uploads/prices.csv').isFile());
  assert.ok(fs.statSync('/uploads').isDirectory());
  assert.deepEqual(fs.readdirSync('/uploads'), ['prices.csv', 'wind é.csv']);
  assert.deepEqual(fs.uploadNames(), ['prices.csv', 'wind é.csv']);
  assert.equal(fs.realpathSync('/uploads/prices.csv'), '/uploads/prices.csv');
  assert.equal(fs.existsSync('/uploads/other.csv'), false);
  for (const call of [
    () => fs.statSync('/uploads/other.csv'),
    () => fs.readFileSync('/etc/passwd'),
    () => fs.realpathSync('/nope'),
  ])
    assert.throws(
      call,
      (e: Error & { code?: string }) => e.code === 'ENOENT' && /ENOENT/.test(e.message),
    );

  fs.setUploads([{ name: 'b.csv', text: 'x\n' }]);
  assert.equal(fs.existsSync('/uploads/prices.csv'), false, 'a new list replaces the old one');
});

test('the served folder lists the wasm binaries, with or without its slash', () => {
  fs.setServedFolder('http://127.0.0.1:8080/', ['tfjs-backend-wasm-simd.wasm']);
  assert.ok(fs.existsSync('http://127.0.0.1:8080/'));
  assert.deepEqual(fs.readdirSync('http://127.0.0.1:8080'), ['tfjs-backend-wasm-simd.wasm']);
  assert.throws(() => fs.readdirSync('http://127.0.0.1:9090/'), /ENOENT/);
});
