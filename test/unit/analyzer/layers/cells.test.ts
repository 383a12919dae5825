/**
 * `RNN(cell)`: the counts of the layer forms (LSTM 4u(in+u+1), GRU 3u(in+u+2), SimpleRNN
 * u(in+u+1)); a list of cells or StackedRNNCells chains them, each cell's input the previous
 * cell's units (keras/src/layers/rnn/stacked_rnn_cells.py, `build`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rows, summary } from '../../helpers';

const one = (layer: string) =>
  rows(
    `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((10, 6)), ${layer}])`,
  )[0]!;

test('RNN(LSTMCell), RNN(GRUCell), RNN(SimpleRNNCell) count as the layers', () => {
  assert.deepEqual(one('layers.RNN(layers.LSTMCell(16))'), [
    'rnn',
    '(None, 16)',
    4 * 16 * (6 + 16 + 1),
  ]);
  assert.deepEqual(one('layers.RNN(layers.GRUCell(16), return_sequences=True)').slice(1), [
    '(None, 10, 16)',
    3 * 16 * (6 + 16 + 2),
  ]);
  assert.equal(one('layers.RNN(layers.GRUCell(16, reset_after=False))')[2], 3 * 16 * (6 + 16 + 1));
  assert.equal(one('layers.RNN(layers.SimpleRNNCell(16, use_bias=False))')[2], 16 * (6 + 16));
});

test('stacked cells: a list or StackedRNNCells, each on the previous units', () => {
  const two = 4 * 32 * (6 + 32 + 1) + 4 * 16 * (32 + 16 + 1);
  assert.deepEqual(one('layers.RNN([layers.LSTMCell(32), layers.LSTMCell(16)])').slice(1), [
    '(None, 16)',
    two,
  ]);
  assert.deepEqual(
    one('layers.RNN(layers.StackedRNNCells([layers.LSTMCell(32), layers.LSTMCell(16)]))').slice(1),
    ['(None, 16)', two],
  );
  const s = summary(`import keras
from keras import layers
cells = [layers.GRUCell(8) for _ in range(3)]
m = keras.Sequential([keras.Input((None, 4)), layers.RNN(cells, return_sequences=True)])`);
  assert.deepEqual(
    [s.rows[0]!.outputShape, s.totalParams],
    ['(None, None, 8)', 3 * 8 * (4 + 8 + 2) + 2 * 3 * 8 * (8 + 8 + 2)],
  );
});

test("return_state: the output, then every cell's states", () => {
  const s = summary(`import keras
from keras import layers
x = keras.Input((10, 6))
out, h1, c1, h2 = layers.RNN([layers.LSTMCell(8), layers.GRUCell(4)], return_state=True)(x)
m = keras.Model(x, [out, h1, c1, h2])`);
  assert.equal(s.rows.at(-1)!.outputShape, '[(None, 4), (None, 8), (None, 8), (None, 4)]');
});

test('an RNN over a custom cell: unknown, the reason names the cell', () => {
  const s = summary(`import keras
from keras import layers
class MinimalCell(layers.Layer):
    pass
m = keras.Sequential([keras.Input((10, 6)), layers.RNN(MinimalCell(8)), layers.Dense(1)])`);
  assert.equal(s.totalParams, null);
  assert.equal(
    s.unknownReason,
    'rnn (RNN): it wraps minimal_cell (MinimalCell), a custom layer class, whose output shape and weights are unknown',
  );
  assert.equal(s.rows[0]!.outputShape, '(None, None)', 'the rank is known all the same');
});

test('Bidirectional(RNN(LSTMCell)) doubles it as it does LSTM', () => {
  assert.deepEqual(one('layers.Bidirectional(layers.RNN(layers.LSTMCell(8)))').slice(1), [
    '(None, 16)',
    2 * 4 * 8 * (6 + 8 + 1),
  ]);
});
