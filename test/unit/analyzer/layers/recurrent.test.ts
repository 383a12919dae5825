/**
 * ConvLSTM1D and ConvLSTM2D (keras/src/layers/rnn/conv_lstm.py): each step convolved as
 * Conv1D/Conv2D would, `filters` channels out; weights kernel k*in*4f + recurrent kernel k*f*4f
 * + bias 4f, k the kernel's area: 4f(k(in + f) + 1).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LAYERS } from '../../../../analyzer/layers/index';
import { rows, summary } from '../../helpers';

function one(shape: string, layer: string): [string, string, number | null] {
  return rows(
    `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input(shape=${shape}), layers.${layer}])`,
  )[0]!;
}

const count = (f: number, area: number, inDim: number) => 4 * f * (area * (inDim + f) + 1);

test('ConvLSTM2D: spatial sizes as Conv2D, the time axis under return_sequences', () => {
  assert.deepEqual(
    one('(10, 40, 40, 1)', "ConvLSTM2D(64, (3, 3), padding='same', return_sequences=True)"),
    ['conv_lstm2d', '(None, 10, 40, 40, 64)', count(64, 9, 1)],
  );
  assert.deepEqual(one('(10, 40, 40, 3)', 'ConvLSTM2D(filters=8, kernel_size=(5, 5))').slice(1), [
    '(None, 36, 36, 8)',
    count(8, 25, 3),
  ]);
  assert.equal(one('(None, 40, 40, 3)', 'ConvLSTM2D(8, 3, strides=2)')[1], '(None, 19, 19, 8)');
  assert.equal(one('(10, 40, 40, 3)', 'ConvLSTM2D(8, 3, use_bias=False)')[2], 4 * 8 * 9 * (3 + 8));
});

test('ConvLSTM2D return_state: the output, then h and c of the step shape', () => {
  const s = summary(`import keras
from keras import layers
x = keras.Input((10, 16, 16, 2))
y, h, c = layers.ConvLSTM2D(4, 3, padding="same", return_state=True)(x)
m = keras.Model(x, [y, h, c])`);
  assert.equal(
    s.rows.at(-1)!.outputShape,
    '[(None, 16, 16, 4), (None, 16, 16, 4), (None, 16, 16, 4)]',
  );
});

test('ConvLSTM1D on (batch, time, steps, channels)', () => {
  assert.deepEqual(one('(12, 30, 4)', 'ConvLSTM1D(16, 3, return_sequences=True)'), [
    'conv_lstm1d',
    '(None, 12, 28, 16)',
    count(16, 3, 4),
  ]);
  assert.equal(one('(30, 4)', 'ConvLSTM1D(16, 3)')[1], '?', 'Keras needs rank 4');
});

test('analyzer-only', () => {
  for (const t of ['ConvLSTM1D', 'ConvLSTM2D']) assert.equal(LAYERS.get(t)?.playground, false, t);
});
