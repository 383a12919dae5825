/** Share links: cell sources deflated into the URL fragment, read back exactly; limits and damage. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  readShareFragment,
  SHARE_LIMIT_BYTES,
  SHARE_PREFIX,
  shareFragment,
} from '../../../../webview/playground/share';

const CELLS = [
  { kind: 'markdown' as const, source: '# Dropout où?\n\nA *test* 🎲' },
  { kind: 'code' as const, source: 'from keras import layers\nx = layers.GRU(32, dropout=0.5)\n' },
  { kind: 'code' as const, source: '' },
];

test('a fragment is base64url after #nb= and reads back the same cells', async () => {
  const r = await shareFragment(CELLS);
  assert.ok('fragment' in r);
  assert.ok(r.fragment.startsWith(SHARE_PREFIX));
  assert.match(r.fragment.slice(SHARE_PREFIX.length), /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(await readShareFragment(r.fragment), CELLS);
});

test('a notebook past the limit gets a message with its size, not a link', async () => {
  // Random text does not compress: about 12 KB of it cannot fit in 8 KB.
  let noise = '';
  let x = 1;
  for (let i = 0; i < 12_000; i++) {
    x = (x * 48271) % 2147483647;
    noise += String.fromCharCode(33 + (x % 90));
  }
  const r = await shareFragment([{ kind: 'code', source: noise }]);
  assert.ok('error' in r);
  assert.match(r.error, /too large for a link: \d+\.\d KB compressed, the limit is 8 KB/);
  assert.equal(SHARE_LIMIT_BYTES, 8192);
});

test('damaged links fail with a message saying so', async () => {
  await assert.rejects(readShareFragment('#other'), /not a notebook link/);
  await assert.rejects(readShareFragment('#nb=!!!'), /damaged \(not base64url\)/);
  await assert.rejects(readShareFragment('#nb=AAAA'), /the link is damaged/);
  const ok = await shareFragment(CELLS);
  assert.ok('fragment' in ok);
  await assert.rejects(readShareFragment(ok.fragment.slice(0, -6)), /the link is damaged/);
});
