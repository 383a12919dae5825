/** `trainable = False` through a model's layer list: the split, or unknown where it cannot be known. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../../../../analyzer/python/evaluate';
import { formatSummary, summarize } from '../../../../analyzer/summary';

/** Total, trainable and non-trainable of the first model (`?` where unknown). */
function split(src: string): string {
  const s = summarize(analyze(src).models[0]!);
  return [s.totalParams, s.trainableParams, s.nonTrainableParams].map((n) => n ?? '?').join(' / ');
}

const HEAD = 'from tensorflow import keras\nfrom tensorflow.keras import layers\n';
// LSTM(16) on 8: 4*16*(8+16+1) = 1,600; LSTM(16) on 16: 4*16*(16+16+1) = 2,112; Dense(1): 17.
const STACK = `${HEAD}
model = keras.Sequential([
    layers.Input(shape=(20, 8)),
    layers.LSTM(16, return_sequences=True),
    layers.LSTM(16),
    layers.Dense(1),
])
`;
const TOTAL = 1_600 + 2_112 + 17;

describe('trainable through model.layers', () => {
  test('model.layers[0] of a Sequential model is its first layer (no InputLayer)', () => {
    assert.equal(
      split(`${STACK}model.layers[0].trainable = False\n`),
      `${TOTAL} / ${2_112 + 17} / 1600`,
    );
    assert.equal(split(`${STACK}model.layers[-1].trainable = False\n`), `${TOTAL} / 3712 / 17`);
  });

  test('for layer in model.layers[:2] / model.layers: each layer it reaches', () => {
    const sliced = `${STACK}for layer in model.layers[:2]:\n    layer.trainable = False\n`;
    assert.equal(split(sliced), `${TOTAL} / 17 / 3712`);
    const all = `${STACK}for layer in model.layers:\n    layer.trainable = False\n`;
    assert.equal(split(all), `${TOTAL} / 0 / ${TOTAL}`);
    const thaw = `${all}model.layers[-1].trainable = True\n`;
    assert.equal(split(thaw), `${TOTAL} / 17 / 3712`);
  });

  test('a functional model lists its InputLayer first: model.layers[1] is the first LSTM', () => {
    const src = `${HEAD}
inputs = keras.Input(shape=(20, 8))
x = layers.LSTM(16, return_sequences=True)(inputs)
x = layers.LSTM(16)(x)
model = keras.Model(inputs, layers.Dense(1)(x))
model.layers[1].trainable = False
`;
    assert.equal(split(src), `${TOTAL} / ${2_112 + 17} / 1600`);
  });

  test('an index the analyzer does not know: the split is unknown, the total is not', () => {
    const src = `${STACK}import sys\nk = int(sys.argv[1])\nfor layer in model.layers[:k]:\n    layer.trainable = False\n`;
    assert.equal(split(src), `${TOTAL} / ? / ?`);
    const text = formatSummary(summarize(analyze(src).models[0]!));
    assert.match(
      text,
      /Trainable params: \? \(which layers model\.layers\[:k\] sets trainable on is unknown\)/,
    );
  });
});

describe('trainable on a keras.applications base', () => {
  // MobileNetV2 without the top at 160x160, pooled: 2,223,872 trainable + 34,112 non-trainable
  // (analyzer/layers/applications.ts); Dense(1) on 1280: 1,281.
  const base = `${HEAD}
base = keras.applications.MobileNetV2(include_top=False, input_shape=(160, 160, 3), pooling="avg")
FREEZE
model = keras.Sequential([layers.Input(shape=(160, 160, 3)), base, layers.Dense(1)])
`;
  const with_ = (freeze: string) => base.replace('FREEZE', freeze);
  const total = 2_223_872 + 34_112 + 1_281;

  test('base.trainable = False and a loop over all of base.layers freeze all of it', () => {
    for (const freeze of [
      'base.trainable = False',
      'for layer in base.layers:\n    layer.trainable = False',
    ])
      assert.equal(split(with_(freeze)), `${total} / 1281 / ${2_223_872 + 34_112}`);
  });

  test('base.layers[:100]: its layers are not modelled one by one, so the split is unknown', () => {
    const src = with_('for layer in base.layers[:100]:\n    layer.trainable = False');
    assert.equal(split(src), `${total} / ? / ?`);
    const s = summarize(analyze(src).models[0]!);
    assert.equal(
      s.splitReason,
      "which of mobilenetv2_1.00_160's weights base.layers[:100] freezes is unknown: its layers are not modelled one by one",
    );
    // The row keeps its count; only its split is unknown.
    assert.deepEqual(
      s.rows.map((r) => [r.params, r.trainable]),
      [
        [2_223_872 + 34_112, null],
        [1_281, 1_281],
      ],
    );
  });
});
