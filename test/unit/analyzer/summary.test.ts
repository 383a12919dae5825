/**
 * The summary's totals: exact where every layer is known, unknown (never 0, never a partial sum)
 * where something is not, with the right reason in one line; and the Keras 3 unbuilt hint.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import { formatSummary, summarize, type ModelSummary } from '../../../analyzer/summary';

/** The summaries of every model in the text. */
function summaries(src: string): ModelSummary[] {
  return analyze(src).models.map(summarize);
}

/** The summary of the last model in the text. */
function last(src: string): ModelSummary {
  const all = summaries(src);
  assert.ok(all.length > 0, 'no model');
  return all.at(-1)!;
}

const TF = 'from tensorflow import keras\nfrom tensorflow.keras import layers\n';

/** A functional model with `middle` applied between two known layers (to `x`, giving `x`). */
const between = (setup: string, middle: string) => `${TF}${setup}
inp = keras.Input(shape=(20, 4))
x = layers.LSTM(8, return_sequences=True)(inp)
${middle}
out = layers.Dense(1)(layers.GRU(4)(x))
model = keras.Model(inp, out)
`;

describe('unknown is unknown: a model with a part the analyzer cannot see into', () => {
  const LSTM_8 = 4 * 8 * (4 + 8 + 1);
  const cases: Array<[string, string, string, string, string]> = [
    [
      'a custom layer class',
      'class Attention(layers.Layer):\n    def call(self, x):\n        return x',
      'x = Attention()(x)',
      'attention (Attention)',
      'attention (Attention): a custom layer class, whose output shape and weights are unknown',
    ],
    [
      'a custom layer subclassing a Keras layer',
      'class MyLSTM(keras.layers.LSTM):\n    pass',
      'x = MyLSTM(8, return_sequences=True)(x)',
      'my_lstm (MyLSTM)',
      'my_lstm (MyLSTM): a custom layer class, whose output shape and weights are unknown',
    ],
    [
      'a loaded model',
      'encoder = keras.models.load_model("enc.keras")',
      'x = encoder(x)',
      'encoder',
      'encoder: a model loaded by load_model(...), whose layers are not in this file',
    ],
    [
      'a layer taken from model.layers',
      'other = keras.Sequential([keras.Input((20, 8)), layers.LSTM(8, return_sequences=True)])',
      'x = other.layers[0](x)',
      'other.layers[0]',
      'other.layers[0]: a layer taken from model.layers, which the analyzer does not follow',
    ],
    [
      'a layer name that was never imported',
      '',
      'x = Attention()(x)',
      'Attention()',
      'Attention(): `Attention` is never imported or defined',
    ],
    [
      'a Keras layer the analyzer does not model',
      '',
      'x = layers.Conv1DTranspose(8, 3, padding="same")(x)',
      'conv1d_transpose (Conv1DTranspose)',
      'conv1d_transpose (Conv1DTranspose): a layer the analyzer does not model yet',
    ],
    [
      'a Lambda layer',
      '',
      'x = layers.Lambda(lambda t: t * 2)(x)',
      'lambda (Lambda)',
      'lambda (Lambda): a Lambda layer, whose function the analyzer does not run',
    ],
    [
      'a TensorFlow op on a Keras tensor',
      'import tensorflow as tf',
      'x = tf.nn.relu(x)',
      'tf.nn.relu',
      'tf.nn.relu: not a Keras layer the analyzer models',
    ],
  ];
  for (const [what, setup, middle, row, reason] of cases) {
    test(`${what}: a row of its own, the layers around it kept, the total unknown`, () => {
      const s = last(between(setup, middle));
      const labels = s.rows.map((r) => (r.type === '?' ? r.name : `${r.name} (${r.type})`));
      assert.ok(labels.includes(row), `no row ${row} in ${labels.join(', ')}`);
      const unknown = s.rows.find((r) => r.unknown !== null)!;
      assert.equal(unknown.params, null);
      assert.deepEqual(
        s.rows.filter((r) => r.type === 'LSTM' || r.type === 'InputLayer').map((r) => r.params),
        [0, LSTM_8],
        'what comes before is still known',
      );
      assert.equal(s.totalParams, null);
      assert.equal(s.trainableParams, null);
      assert.equal(s.unknownReason, reason);
      assert.match(formatSummary(s), new RegExp(`Total params: \\? \\(${escape(reason)}\\)`));
    });
  }

  test('a keras.applications model the analyzer counts: its Keras name, its own input, frozen weights', () => {
    const s = last(`${TF}base = keras.applications.VGG16(include_top=False, input_shape=(64, 64, 3))
base.trainable = False
x = layers.Flatten()(base.output)
out = layers.Dense(2)(x)
model = keras.Model(base.input, out)`);
    // VGG16 without its top: 14,714,688 (keras.io, Keras 3's vgg16.py); 64x64 halved five times is
    // 2x2, so Flatten gives 2*2*512 = 2048 and the Dense 2048*2 + 2 = 4,098.
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.outputShape, r.params]),
      [
        ['input_layer', 'InputLayer', '(None, 64, 64, 3)', 0],
        ['vgg16', 'Functional', '(None, 2, 2, 512)', 14_714_688],
        ['flatten', 'Flatten', '(None, 2048)', 0],
        ['dense', 'Dense', '(None, 2)', 4098],
      ],
    );
    assert.deepEqual(
      [s.totalParams, s.trainableParams, s.nonTrainableParams],
      [14_718_786, 4098, 14_714_688],
    );
  });

  test('a keras.applications model the analyzer does not count: unknown, the head after it kept', () => {
    const s =
      last(`${TF}base = keras.applications.InceptionResNetV2(include_top=False, input_shape=(96, 96, 3))
x = layers.GlobalAveragePooling2D()(base.output)
out = layers.Dense(2)(x)
model = keras.Model(base.input, out)`);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.params]),
      [
        ['inception_resnet_v2', 'Functional', null],
        ['global_average_pooling2d', 'GlobalAveragePooling2D', 0],
        ['dense', 'Dense', null],
      ],
    );
    assert.equal(s.totalParams, null);
    assert.equal(
      s.unknownReason,
      'inception_resnet_v2 (Functional): keras.applications.InceptionResNetV2, which the analyzer does not model',
    );
  });

  test('a model built from unfollowed parts is never listed with "Total params: 0"', () => {
    for (const src of [
      `${TF}base = keras.models.load_model("m.keras")\nmodel = keras.Model(base.input, layers.Dense(3)(base.layers[-2].output))`,
      `${TF}inp = keras.Input((5,))\nouts = make_heads(inp)\nmodel = keras.Model(inp, outs)`,
      `${TF}class Encoder(keras.Model):\n    pass\nenc = Encoder()\ninp = keras.Input((5, 2))\nmodel = keras.Model(inp, layers.Dense(1)(enc(inp)))`,
    ]) {
      const s = last(src);
      assert.equal(s.totalParams, null, src);
      assert.notEqual(s.unknownReason, null);
      assert.doesNotMatch(formatSummary(s), /Total params: 0/);
    }
  });

  test('known rows are never summed into a partial total', () => {
    // The loop over unknown items adds layers no row stands for: the sum of the rows is not the total.
    const s = last(`${TF}model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
for units in sizes:
    model.add(layers.Dense(units))`);
    assert.deepEqual(
      s.rows.map((r) => r.params),
      [15],
    );
    assert.equal(s.totalParams, null);
    assert.equal(s.unknownReason, 'layers are added in a loop the analyzer cannot unroll');
  });

  test('the reason names the first unknown layer and counts the others', () => {
    const s = last(`${TF}inp = keras.Input((8, 2))
x = Foo()(inp)
x = layers.Lambda(lambda t: t)(x)
x = Bar()(x)
model = keras.Model(inp, layers.Dense(1)(x))`);
    assert.equal(
      s.unknownReason,
      'Foo(): `Foo` is never imported or defined; 2 more layers are unknown',
    );
    // Each of them is marked in the table; the Dense after them is only missing its input size.
    const table = formatSummary(s);
    assert.equal(table.match(/\? \(not modelled\) │/g)?.length, 3, table);
    assert.match(table, /│ dense \(Dense\) +│ \? +│ +\? │/);
  });

  test('an unknown argument is told apart from an unknown input size', () => {
    assert.equal(
      last(`${TF}model = keras.Sequential([keras.Input((8, 2)), layers.LSTM(n_units)])`)
        .unknownReason,
      'an argument of lstm (LSTM) is unknown',
    );
    assert.equal(
      last(`${TF}model = keras.Sequential([keras.Input((8, n_features)), layers.LSTM(4)])`)
        .unknownReason,
      'an input size is unknown',
    );
  });

  test('a known model has no reason, and its totals line is as Keras prints it', () => {
    const s = last(`${TF}model = keras.Sequential([keras.Input((8, 2)), layers.LSTM(4)])`);
    assert.equal(s.totalParams, 4 * 4 * (2 + 4 + 1));
    assert.equal(s.unknownReason, null);
    assert.match(formatSummary(s), /^ Total params: 112 \(448\.00 B\)$/m);
  });
});

describe('Keras 3 prints an Embedding(input_length=...) model unbuilt', () => {
  const src = (imports: string, first: string) => `${imports}
model = keras.Sequential([${first}layers.Embedding(1000, 16, input_length=50), layers.LSTM(8), layers.Dense(1)])
`;
  test('the figures are the built ones, with a hint that Keras 3 shows it unbuilt', () => {
    const s = last(src('import keras\nfrom keras import layers', ''));
    assert.equal(s.totalParams, 16_000 + 4 * 8 * (16 + 8 + 1) + 9);
    assert.equal(
      s.unbuilt,
      'Keras 3 prints this model unbuilt (Output Shape ?, Total params: 0): it ignores Embedding(input_length=50); the figures above are the model built on (None, 50).',
    );
    assert.match(formatSummary(s), /\n Keras 3 prints this model unbuilt .*\(None, 50\)\.$/);
  });
  test('no hint with an Input, or for tf_keras (tf.keras 2 builds it)', () => {
    assert.equal(
      last(src('import keras\nfrom keras import layers', 'keras.Input((50,)), ')).unbuilt,
      null,
    );
    assert.equal(
      last(src('import tf_keras as keras\nfrom tf_keras import layers', '')).unbuilt,
      null,
    );
  });
});

describe('Connected to (Keras 3 summary_utils: functional models that are not a plain chain)', () => {
  test('a chain has no such column; merges, several inputs and shared layers do', () => {
    const chain = last(`${TF}x = keras.Input((10, 3))
model = keras.Model(x, layers.Dense(1)(layers.LSTM(4)(x)))`);
    assert.ok(chain.rows.every((r) => r.connectedTo === undefined));
    assert.doesNotMatch(formatSummary(chain), /Connected to/);
    const merged = last(`${TF}a = keras.Input((5,), name="a")
b = keras.Input((5,), name="b")
shared = layers.Dense(4, name="shared")
m = layers.concatenate([shared(a), shared(b)])
model = keras.Model([a, b], layers.Dense(1, name="out")(m))`);
    assert.deepEqual(
      merged.rows.map((r) => [r.name, r.connectedTo]),
      [
        ['a', '-'],
        ['b', '-'],
        ['shared', 'a[0][0], b[0][0]'],
        ['concatenate', 'shared[0][0], shared[1][0]'],
        ['out', 'concatenate[0][0]'],
      ],
    );
    const table = formatSummary(merged);
    assert.match(table, /┃ Layer \(type\) +┃ Output Shape +┃ Param # ┃ Connected to +┃/);
    assert.match(
      table,
      /│ concatenate \(Concatenate\) +│ \(None, 8\) +│ +0 │ shared\[0\]\[0\], shared\[1\]\[0\] +│/,
    );
  });

  test('initial_state tensors are inputs of the call too (node index, tensor index)', () => {
    const s = last(`${TF}enc_in = keras.Input((None, 8))
_, h, c = layers.LSTM(16, return_state=True)(enc_in)
dec_in = keras.Input((None, 4))
y = layers.LSTM(16, return_sequences=True)(dec_in, initial_state=[h, c])
model = keras.Model([enc_in, dec_in], layers.Dense(4)(y))`);
    assert.equal(
      s.rows.find((r) => r.name === 'lstm_1')?.connectedTo,
      'input_layer_1[0][0], lstm[0][1], lstm[0][2]',
    );
  });
});

/** A string as a literal regular expression. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
