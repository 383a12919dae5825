/** ZeroPadding1D, Cropping1D, UpSampling1D: steps added, taken away or repeated; no weights. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rows } from '../../helpers';

function one(shape: string, layer: string): [string, string, number | null] {
  return rows(
    `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input(shape=${shape}), layers.${layer}])`,
  )[0]!;
}

test('ZeroPadding1D: padding at both ends (1 by default)', () => {
  assert.deepEqual(one('(50, 8)', 'ZeroPadding1D()'), ['zero_padding1d', '(None, 52, 8)', 0]);
  assert.equal(one('(50, 8)', 'ZeroPadding1D(3)')[1], '(None, 56, 8)');
  assert.equal(one('(50, 8)', 'ZeroPadding1D(padding=(2, 0))')[1], '(None, 52, 8)');
  assert.equal(one('(None, 8)', 'ZeroPadding1D(2)')[1], '(None, None, 8)');
});

test('Cropping1D: (1, 1) by default; cropping the whole length is an error', () => {
  assert.deepEqual(one('(50, 8)', 'Cropping1D()'), ['cropping1d', '(None, 48, 8)', 0]);
  assert.equal(one('(50, 8)', 'Cropping1D((0, 10))')[1], '(None, 40, 8)');
  assert.equal(one('(50, 8)', 'Cropping1D(cropping=5)')[1], '(None, 40, 8)');
  assert.equal(one('(4, 8)', 'Cropping1D(2)')[1], '?');
});

test('UpSampling1D: each step repeated size times (2 by default)', () => {
  assert.deepEqual(one('(25, 8)', 'UpSampling1D()'), ['up_sampling1d', '(None, 50, 8)', 0]);
  assert.equal(one('(25, 8)', 'UpSampling1D(size=4)')[1], '(None, 100, 8)');
  assert.equal(one('(25,)', 'UpSampling1D()')[1], '?', 'Keras requires rank 3');
});
