/**
 * Every layer the kernel builds (the registry's `playground` flag) trains on the WebAssembly
 * backend (Embedding's and Conv1D's gradients included), in models with Keras's parameter count.
 * Shapes and counts of each layer over generated configurations: fidelity.test.ts.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../kernels/tfjs/backend';
import { BuildError, buildModel } from '../../../../kernels/tfjs/build';
import { computeLoss } from '../../../../kernels/train';
import { analyze } from '../../../../analyzer/python/evaluate';
import type { LayerNode } from '../../../../analyzer/graph';
import { LAYERS } from '../../../../analyzer/layers/index';
import { summarize } from '../../../../analyzer/summary';

before(async () => {
  assert.equal((await initBackend()).name, 'wasm');
});

/** Keras code of the model body, the input shape, and whether inputs are token ids. */
const MODELS: Array<[string, string, string, boolean?]> = [
  [
    'Dense, Activation',
    '(6,)',
    "layers.Dense(4, activation='relu'), layers.Activation('tanh'), layers.Dense(1)",
  ],
  ['Embedding + LSTM', '(7,)', 'layers.Embedding(30, 8), layers.LSTM(4), layers.Dense(1)', true],
  [
    'Embedding(mask_zero) + GRU',
    '(7,)',
    'layers.Embedding(30, 8, mask_zero=True), layers.GRU(4), layers.Dense(1)',
    true,
  ],
  ['SimpleRNN', '(5, 3)', 'layers.SimpleRNN(4), layers.Dense(1)'],
  ['GRU reset_after False', '(5, 3)', 'layers.GRU(4, reset_after=False), layers.Dense(1)'],
  ['Bidirectional concat', '(5, 3)', 'layers.Bidirectional(layers.LSTM(4)), layers.Dense(1)'],
  [
    'Bidirectional sum/mul/ave',
    '(5, 3)',
    "layers.Bidirectional(layers.GRU(4, return_sequences=True), merge_mode='sum'), layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode='mul'), layers.Bidirectional(layers.SimpleRNN(2), merge_mode='ave'), layers.Dense(1)",
  ],
  [
    'TimeDistributed, Dropout, SpatialDropout1D, GaussianNoise',
    '(5, 3)',
    'layers.GaussianNoise(0.1), layers.SpatialDropout1D(0.2), layers.LSTM(4, return_sequences=True), layers.Dropout(0.3, noise_shape=(None, 1, 4)), layers.TimeDistributed(layers.Dense(2)), layers.Flatten(), layers.Dense(1)',
  ],
  [
    'Conv1D and pooling',
    '(12, 3)',
    "layers.Conv1D(4, 3, activation='relu'), layers.MaxPooling1D(2), layers.Conv1D(4, 2, padding='same'), layers.AveragePooling1D(), layers.GlobalMaxPooling1D(), layers.Dense(1)",
  ],
  [
    'GlobalAveragePooling1D, Masking',
    '(6, 3)',
    'layers.Masking(0.0), layers.GRU(4, return_sequences=True), layers.GlobalAveragePooling1D(), layers.Dense(1)',
  ],
  [
    'RepeatVector, Reshape, Permute',
    '(6,)',
    'layers.RepeatVector(4), layers.Reshape((6, 4)), layers.Permute((2, 1)), layers.LSTM(3), layers.Dense(1)',
  ],
  // tfjs would leave the -1 axis unknown and the LSTM could not size its weights.
  [
    'Reshape with a -1 axis',
    '(6,)',
    'layers.RepeatVector(4), layers.Reshape((2, -1)), layers.LSTM(3), layers.Dense(1)',
  ],
  [
    'BatchNormalization, LayerNormalization',
    '(5, 3)',
    'layers.BatchNormalization(), layers.LSTM(4, return_sequences=True), layers.LayerNormalization(), layers.GRU(2), layers.Dense(1)',
  ],
];

function train(code: string, shape: number[], ids: boolean) {
  const graph = analyze(code).models.at(-1)!;
  const model = buildModel(graph, 1);
  const expected = summarize(graph);
  const counted = model.countParams();
  const x = ids
    ? tf.randomUniform([8, ...shape], 0, 30, 'int32').toFloat()
    : tf.randomNormal([8, ...shape], 0, 1, 'float32', 3);
  const y = tf.randomNormal([8, 1], 0, 1, 'float32', 4);
  const optimizer = tf.train.adam(0.01);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const before = vars.map((v) => v.clone());
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const cost = optimizer.minimize(
      () =>
        computeLoss(
          { name: 'mse', fromLogits: false },
          y,
          model.apply(x, { training: true }) as tf.Tensor,
        ),
      true,
      vars,
    )!;
    losses.push(cost.dataSync()[0]!);
    cost.dispose();
  }
  const changed = vars.filter((v, i) =>
    tf.tidy(() => tf.any(tf.notEqual(v, before[i]!)).dataSync()[0] === 1),
  ).length;
  tf.dispose([x, y, ...before]);
  optimizer.dispose();
  model.dispose();
  return { expected, counted, losses, changed, vars: vars.length };
}

const sequential = (shape: string, body: string) =>
  `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input(shape=${shape}), ${body}])`;

const FUNCTIONAL = `import keras
from keras import layers
a = keras.Input((5, 3))
b = keras.Input((5, 3))
enc, h, c = layers.LSTM(4, return_state=True)(a)
dec = layers.LSTM(4, return_sequences=True)(b, initial_state=[h, c])
proj = layers.TimeDistributed(layers.Dense(4))(dec)
merged = layers.Concatenate()([layers.Add()([dec, proj]), layers.Multiply()([dec, proj]), layers.Average()([dec, proj])])
out = layers.Dense(1)(layers.GlobalAveragePooling1D()(merged))
m = keras.Model([a, b], out)`;

test('the models below train every layer the kernel builds', () => {
  const seen = new Set<string>();
  const visit = (l: LayerNode | null) => {
    if (!l) return;
    seen.add(l.type);
    visit(l.inner);
    visit(l.backward);
  };
  for (const code of [...MODELS.map(([, shape, body]) => sequential(shape, body)), FUNCTIONAL])
    for (const call of analyze(code).models.at(-1)!.calls) visit(call.layer);
  const built = [...LAYERS.values()].filter((s) => s.playground).map((s) => s.type);
  assert.deepEqual(
    built.filter((t) => !seen.has(t)),
    [],
  );
});

for (const [name, shape, body, ids] of MODELS) {
  test(`${name}: Keras's parameter count, and it trains on wasm`, () => {
    const code = sequential(shape, body);
    const dims = shape
      .replace(/[()]/g, '')
      .split(',')
      .filter((s) => s.trim())
      .map(Number);
    const r = train(code, dims, ids === true);
    assert.equal(
      r.counted,
      r.expected.totalParams,
      "tfjs model params equal the analyzer's Keras count",
    );
    assert.ok(r.losses.every(Number.isFinite), `losses ${r.losses.join(', ')}`);
    assert.ok(r.changed === r.vars, `${r.changed} of ${r.vars} weights moved`);
  });
}

test('functional models with several inputs, merges and initial states build and train', () => {
  const graph = analyze(FUNCTIONAL).models[0]!;
  const model = buildModel(graph, 2);
  assert.equal(model.countParams(), summarize(graph).totalParams);
  const x = [tf.randomNormal([4, 5, 3]), tf.randomNormal([4, 5, 3])];
  const y = model.predict(x) as tf.Tensor;
  assert.deepEqual(y.shape, [4, 1]);
  tf.dispose([...x, y]);
  model.dispose();
});

test('what the playground cannot build is a BuildError naming the layer and the argument', () => {
  const graph = analyze(
    "import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((9, 2)), layers.Conv1D(4, 3, padding='causal')])",
  ).models[0]!;
  assert.throws(
    () => buildModel(graph, 0),
    (e: unknown) => e instanceof BuildError && /conv1d.*padding='causal'/.test(e.message),
  );
  const unknown = analyze(
    'import keras\nfrom keras import layers\nm = keras.Sequential([layers.LSTM(4), layers.Dense(1)])',
  ).models[0]!;
  assert.throws(
    () => buildModel(unknown, 0),
    (e: unknown) =>
      e instanceof BuildError && /input shape is not known.*keras\.Input/.test(e.message),
  );
});
