/**
 * The registry's `playground: false` layers as a playground user meets them: the cell that builds
 * a model with one fails with the kernel's error naming the layer (its class and name) at its line.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend } from '../../../../kernels/tfjs/backend';
import type { Failed } from '../../../../kernels/protocol';
import { KernelSession } from '../../../../kernels/session';

before(async () => {
  await initBackend();
});

const SETUP = `import keras
from keras import layers
from rnnlab import datasets
(x_train, y_train), (x_val, y_val) = datasets.sine(samples=64, timesteps=20, seed=1)
`;

const cases: Array<[string, string, RegExp]> = [
  [
    'a layer around RNNs',
    'x = keras.Input((20, 1))\ny = layers.Conv1D(8, 3)(x)\ny = layers.LeakyReLU(0.1)(y)\ny = layers.LSTM(8)(y)',
    /^LeakyReLU \(leaky_re_lu\): this layer is not available in the playground/,
  ],
  [
    'attention',
    'x = keras.Input((20, 1))\nh = layers.LSTM(8, return_sequences=True)(x)\nh = layers.MultiHeadAttention(num_heads=2, key_dim=4)(h, h)\ny = layers.GlobalAveragePooling1D()(h)',
    /^MultiHeadAttention \(multi_head_attention\): this layer is not available in the playground/,
  ],
  [
    'an RNN over a cell',
    'x = keras.Input((20, 1))\ny = layers.RNN(layers.LSTMCell(8))(x)',
    /^RNN \(rnn\): this layer is not available in the playground/,
  ],
  [
    'a keras.applications model',
    'base = keras.applications.MobileNetV2(input_shape=(32, 32, 3), include_top=False, weights=None)\nx = keras.Input((20, 32, 32, 3))\ny = layers.TimeDistributed(base)(x)\ny = layers.TimeDistributed(layers.GlobalAveragePooling2D())(y)',
    /^Functional \(mobilenetv2_1\.00_32\): this layer is not available in the playground/,
  ],
];

for (const [what, body, message] of cases) {
  test(`a playground cell with ${what} fails naming the layer`, () => {
    const session = new KernelSession({ seed: 0, emit: () => {}, shouldStop: () => false });
    const code = `${SETUP}${body}\nm = keras.Model(x, layers.Dense(1)(y))\nm.compile(optimizer="adam", loss="mse")\nm.fit(x_train, y_train, epochs=1)`;
    const r = session.runCell('c1', code);
    assert.equal(r.type, 'failed', `${what} should not train`);
    const f = r as Failed;
    assert.match(f.message, message);
    // The line of the layer's constructor.
    const line =
      code.split('\n').findIndex((l) => /LeakyReLU|MultiHeadAttention|RNN\(|MobileNetV2/.test(l)) +
      1;
    assert.equal(f.line, line);
  });
}
