/** Operations on tensors listed as rows: `x[:, -1, :]` (Keras 3 GetItem). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { indexedShape } from '../../../../analyzer/layers/operations';
import { analyze } from '../../../../analyzer/python/evaluate';
import { int, NONE, type Value } from '../../../../analyzer/python/values';
import { summarize } from '../../../../analyzer/summary';

describe('slicing symbolic tensors', () => {
  test('x[:, -1, :] and friends: a GetItem row with the sliced shape and no weights', () => {
    const a = analyze(`from tensorflow import keras
from tensorflow.keras import layers
T = 30
inp = keras.Input((T, 8))
h = layers.LSTM(16, return_sequences=True)(inp)
last = h[:, -1, :]
first_half = h[:, : T // 2, :]
every_other = h[:, ::2]
tail = h[..., -4:]
model = keras.Model(inp, [last, first_half, every_other, tail])`);
    const s = summarize(a.models[0]!);
    assert.deepEqual(
      s.rows.filter((r) => r.type === 'GetItem').map((r) => [r.name, r.outputShape, r.params]),
      [
        ['get_item', '(None, 16)', 0],
        ['get_item_1', '(None, 15, 16)', 0],
        ['get_item_2', '(None, 15, 16)', 0],
        ['get_item_3', '(None, 30, 4)', 0],
      ],
    );
    // LSTM 4*16*(8+16+1) = 1,600; T//2 = 15 steps; ::2 of 30 = 15; -4: of 16 features = 4.
    assert.equal(s.totalParams, 1600);
  });
});

describe('indexedShape (Keras 3 GetItem.compute_output_spec)', () => {
  const sl = (start: Value, stop: Value, step: Value = NONE): Value => ({
    kind: 'slice',
    start,
    stop,
    step,
  });
  const tuple = (...items: Value[]): Value => ({ kind: 'tuple', items });
  const ELLIPSIS: Value = { kind: 'ref', path: 'builtins.Ellipsis' };
  test('indices drop axes, slices keep them, None adds one, ... fills the rest', () => {
    const s = [null, 50, 64];
    assert.deepEqual(indexedShape(s, tuple(sl(NONE, NONE), int(-1))), [null, 64]);
    assert.deepEqual(indexedShape(s, int(0)), [50, 64]);
    assert.deepEqual(indexedShape(s, tuple(sl(NONE, NONE), sl(int(10), int(-10)))), [null, 30, 64]);
    assert.deepEqual(indexedShape(s, tuple(sl(NONE, NONE), sl(NONE, NONE, int(-3)))), [
      null,
      17,
      64,
    ]);
    assert.deepEqual(indexedShape(s, tuple(ELLIPSIS, NONE)), [null, 50, 64, 1]);
    assert.deepEqual(indexedShape(s, tuple(sl(NONE, NONE), sl(int(60), int(70)))), [null, 0, 64]);
    // An unknown length stays unknown whatever the slice.
    assert.deepEqual(indexedShape([null, null, 8], tuple(sl(NONE, NONE), sl(NONE, int(5)))), [
      null,
      null,
      8,
    ]);
  });
  test('what Keras rejects, or a key the analyzer does not know: unknown', () => {
    const s = [null, 50, 64];
    assert.equal(indexedShape(s, tuple(sl(NONE, NONE), int(50))), null);
    assert.equal(indexedShape(s, tuple(int(0), int(0), int(0), int(0))), null);
    assert.equal(indexedShape(s, tuple(ELLIPSIS, ELLIPSIS)), null);
    assert.equal(indexedShape(s, tuple(sl(NONE, NONE), { kind: 'unknown' })), null);
    // Python rejects a step of 0.
    assert.equal(indexedShape(s, tuple(sl(NONE, NONE), sl(NONE, NONE, int(0)))), null);
  });
});

describe('tf.keras 2 names', () => {
  test('the same slices are tf.__operators__.getitem (SlicingOpLambda) there', () => {
    const src = `from tensorflow import keras
from tensorflow.keras import layers
inp = keras.Input((12, 4))
h = layers.GRU(8, return_sequences=True)(inp)
both = layers.concatenate([h[:, -1], h[:, 0, :]])
model = keras.Model(inp, layers.Dense(1)(both))`;
    const s = summarize(analyze(src, { naming: 'tf-keras2' }).models[0]!);
    assert.deepEqual(
      s.rows
        .filter((r) => r.type === 'SlicingOpLambda')
        .map((r) => [r.name, r.outputShape, r.params]),
      [
        ['tf.__operators__.getitem', '(None, 8)', 0],
        ['tf.__operators__.getitem_1', '(None, 8)', 0],
      ],
    );
  });
});
