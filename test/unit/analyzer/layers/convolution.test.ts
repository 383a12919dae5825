/**
 * Conv2D and the 2-D pooling layers (analyzer-only): Keras 3's output sizes
 * (ops/operation_utils.py: valid floor((n - d(k-1) - 1)/s) + 1, same ceil(n/s)) and counts
 * (kh*kw*(in/groups)*filters + filters).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LAYERS } from '../../../../analyzer/layers/index';
import { rows, summary } from '../../helpers';

/** `[name, outputShape, params]` of one layer after an Input of `shape`. */
function one(shape: string, layer: string): [string, string, number | null] {
  const r = rows(
    `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input(shape=${shape}), layers.${layer}])`,
  );
  assert.equal(r.length, 1);
  return r[0]!;
}

describe('Conv2D', () => {
  test('valid, same, strides, dilation, groups, use_bias, tuple kernels', () => {
    assert.deepEqual(one('(64, 64, 3)', 'Conv2D(32, (3, 3))'), [
      'conv2d',
      '(None, 62, 62, 32)',
      3 * 3 * 3 * 32 + 32,
    ]);
    assert.equal(one('(64, 64, 3)', "Conv2D(32, 3, padding='same')")[1], '(None, 64, 64, 32)');
    assert.equal(one('(65, 64, 3)', 'Conv2D(8, 3, strides=2)')[1], '(None, 32, 31, 8)');
    assert.equal(
      one('(65, 64, 3)', "Conv2D(8, 3, strides=(2, 1), padding='same')")[1],
      '(None, 33, 64, 8)',
    );
    assert.equal(one('(32, 32, 3)', 'Conv2D(8, 3, dilation_rate=2)')[1], '(None, 28, 28, 8)');
    assert.equal(one('(32, 32, 8)', 'Conv2D(16, (1, 5), groups=4)')[2], 1 * 5 * 2 * 16 + 16);
    assert.equal(one('(32, 32, 3)', 'Conv2D(16, 3, use_bias=False)')[2], 3 * 3 * 3 * 16);
    assert.equal(one('(None, None, 3)', 'Conv2D(16, 3)')[1], '(None, None, None, 16)');
  });
  test('a kernel larger than the input, another rank, channels_first: unknown', () => {
    assert.equal(one('(2, 2, 3)', 'Conv2D(8, 3)')[1], '?');
    assert.equal(one('(10, 3)', 'Conv2D(8, 3)')[1], '?');
    assert.deepEqual(one('(3, 32, 32)', "Conv2D(8, 3, data_format='channels_first')").slice(1), [
      '?',
      null,
    ]);
  });
  test('per frame under TimeDistributed, and the alias Convolution2D', () => {
    assert.deepEqual(
      one('(10, 64, 64, 1)', "TimeDistributed(layers.Conv2D(16, (3, 3), padding='same'))"),
      ['time_distributed', '(None, 10, 64, 64, 16)', 3 * 3 * 1 * 16 + 16],
    );
    const s = summary(
      'from tensorflow.keras.layers import Convolution2D, Input\nfrom tensorflow.keras.models import Sequential\nm = Sequential([Input((28, 28, 1)), Convolution2D(4, 5)])',
    );
    assert.deepEqual(
      [s.rows[0]!.type, s.rows[0]!.outputShape, s.totalParams],
      ['Conv2D', '(None, 24, 24, 4)', 104],
    );
  });
});

describe('2-D pooling', () => {
  test('MaxPooling2D and AveragePooling2D: pool_size, strides (default the pool), padding', () => {
    assert.deepEqual(one('(64, 64, 16)', 'MaxPooling2D()'), [
      'max_pooling2d',
      '(None, 32, 32, 16)',
      0,
    ]);
    assert.equal(one('(65, 63, 16)', 'MaxPooling2D((2, 2))')[1], '(None, 32, 31, 16)');
    assert.equal(one('(65, 63, 16)', 'MaxPooling2D(3, strides=2)')[1], '(None, 32, 31, 16)');
    assert.equal(
      one('(65, 63, 16)', "AveragePooling2D(2, padding='same')")[1],
      '(None, 33, 32, 16)',
    );
    assert.equal(one('(64, 64, 16)', 'MaxPool2D(pool_size=(4, 2))')[1], '(None, 16, 32, 16)');
    assert.equal(one('(1, 1, 16)', 'MaxPooling2D()')[1], '?', 'a 2x2 pool on 1x1');
  });
  test('global pooling: (batch, channels), or keepdims', () => {
    assert.deepEqual(one('(7, 7, 512)', 'GlobalAveragePooling2D()'), [
      'global_average_pooling2d',
      '(None, 512)',
      0,
    ]);
    assert.equal(one('(7, 7, 512)', 'GlobalMaxPooling2D(keepdims=True)')[1], '(None, 1, 1, 512)');
    assert.equal(one('(None, None, 8)', 'GlobalAvgPool2D()')[1], '(None, 8)');
  });
  test('analyzer-only: the playground kernel does not build them', () => {
    for (const t of [
      'Conv2D',
      'MaxPooling2D',
      'AveragePooling2D',
      'GlobalAveragePooling2D',
      'GlobalMaxPooling2D',
    ])
      assert.equal(LAYERS.get(t)?.playground, false, t);
  });
});

test('a CNN-LSTM on frames: every count known (hand computation per layer)', () => {
  const s = summary(`import keras
from keras import layers
frames = keras.Input((16, 64, 64, 3))
x = layers.TimeDistributed(layers.Conv2D(32, (3, 3), activation="relu"))(frames)
x = layers.TimeDistributed(layers.MaxPooling2D((2, 2)))(x)
x = layers.TimeDistributed(layers.GlobalAveragePooling2D())(x)
x = layers.LSTM(64)(x)
m = keras.Model(frames, layers.Dense(5, activation="softmax")(x))`);
  assert.deepEqual(
    s.rows.map((r) => [r.outputShape, r.params]),
    [
      ['(None, 16, 64, 64, 3)', 0],
      ['(None, 16, 62, 62, 32)', 3 * 3 * 3 * 32 + 32],
      ['(None, 16, 31, 31, 32)', 0],
      ['(None, 16, 32)', 0],
      ['(None, 64)', 4 * 64 * (32 + 64 + 1)],
      ['(None, 5)', 64 * 5 + 5],
    ],
  );
  assert.equal(s.totalParams, 896 + 24832 + 325);
});
