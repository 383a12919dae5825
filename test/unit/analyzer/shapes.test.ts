/** Weights as the summary and the hover count them: models used as layers, nested and frozen. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import { summarize } from '../../../analyzer/summary';

describe('models used as layers', () => {
  const TF = 'from tensorflow import keras\nfrom tensorflow.keras import layers\n';
  const summaries = (src: string) => analyze(src).models.map(summarize);

  test('a built Sequential inside a Sequential: one row with its total, the outer total exact', () => {
    const s =
      summaries(`${TF}inner = keras.Sequential([layers.LSTM(16, input_shape=(10, 4)), layers.Dense(8)], name="encoder")
outer = keras.Sequential([inner, layers.Dense(1)])`).at(-1)!;
    // LSTM 4*16*(4+16+1) = 1,344; Dense 16*8+8 = 136; encoder 1,480; head 8+1 = 9.
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.outputShape, r.params]),
      [
        ['encoder', 'Sequential', '(None, 8)', 1480],
        ['dense_1', 'Dense', '(None, 1)', 9],
      ],
    );
    assert.equal(s.totalParams, 1489);
  });

  test('a functional encoder applied in another model, frozen: its weights are non-trainable', () => {
    const s = summaries(`${TF}enc_in = keras.Input((None, 6))
enc = keras.Model(enc_in, layers.GRU(12)(enc_in), name="enc")
enc.trainable = False
x = keras.Input((20, 6))
y = layers.Dense(2)(enc(x))
model = keras.Model(x, y)`).at(-1)!;
    // GRU 3*12*(6+12+2) = 720; Dense 12*2+2 = 26.
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.outputShape, r.params]),
      [
        ['input_layer_1', 'InputLayer', '(None, 20, 6)', 0],
        ['enc', 'Functional', '(None, 12)', 720],
        ['dense', 'Dense', '(None, 2)', 26],
      ],
    );
    assert.equal(s.totalParams, 746);
    assert.equal(s.trainableParams, 26);
  });

  test('an unbuilt Sequential inside a built one is built on its input, as Keras builds it', () => {
    const [inner, outer] =
      summaries(`${TF}block = keras.Sequential([layers.Dense(4), layers.Dense(2)])
model = keras.Sequential([keras.Input((3,)), block])`);
    // Dense 3*4+4 = 16; Dense 4*2+2 = 10.
    assert.deepEqual(
      inner!.rows.map((r) => [r.outputShape, r.params]),
      [
        ['(None, 4)', 16],
        ['(None, 2)', 10],
      ],
    );
    assert.equal(outer!.totalParams, 26);
  });

  test('a nested model the analyzer cannot count makes the outer total unknown, with its reason', () => {
    const s = summaries(`${TF}base = keras.models.load_model("m.keras")
inner = keras.Sequential([keras.Input((5,)), layers.Dense(3), base])
outer = keras.Sequential([keras.Input((5,)), inner, layers.Dense(1)])`).at(-1)!;
    assert.equal(s.totalParams, null);
    assert.match(
      s.unknownReason ?? '',
      /^sequential \(Sequential\): a model whose total is unknown/,
    );
  });
});
