/**
 * The activation layers: shape kept, no weights, except PReLU's one slope per input element
 * (keras/src/layers/activations/prelu.py: alpha's shape is the input's without the batch axis,
 * 1 on each shared axis).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LAYERS } from '../../../../analyzer/layers/index';
import { rows } from '../../helpers';

function one(shape: string, layer: string): [string, string, number | null] {
  const r = rows(
    `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input(shape=${shape}), layers.${layer}])`,
  );
  return r[0]!;
}

test('ReLU, LeakyReLU, ELU, Softmax keep the shape and have no weights', () => {
  for (const [layer, name] of [
    ['ReLU()', 're_lu'],
    ['ReLU(max_value=6.0)', 're_lu'],
    ['LeakyReLU(0.1)', 'leaky_re_lu'],
    ['LeakyReLU(alpha=0.2)', 'leaky_re_lu'],
    ['ELU()', 'elu'],
    ['Softmax(axis=1)', 'softmax'],
  ])
    assert.deepEqual(one('(20, 8)', layer!), [name, '(None, 20, 8)', 0], layer);
});

test('PReLU: the product of the non-batch sizes, 1 on each shared axis', () => {
  assert.deepEqual(one('(20, 8)', 'PReLU()'), ['p_re_lu', '(None, 20, 8)', 160]);
  assert.equal(one('(20, 8)', 'PReLU(shared_axes=[1])')[2], 8);
  assert.equal(one('(32, 32, 16)', 'PReLU(shared_axes=[1, 2])')[2], 16);
  assert.equal(one('(16,)', 'PReLU()')[2], 16);
  assert.equal(one('(None, 8)', 'PReLU()')[2], null, 'Keras cannot build alpha on a None axis');
  assert.equal(one('(None, 8)', 'PReLU(shared_axes=1)')[2], 8, 'the None axis shared');
});

test('analyzer-only', () => {
  for (const t of ['ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'Softmax'])
    assert.equal(LAYERS.get(t)?.playground, false, t);
});
