/**
 * Attention, AdditiveAttention and MultiHeadAttention (keras/src/layers/attention). Weights:
 * Attention a scalar scale (use_scale) and a scalar concat_score_weight (score_mode='concat');
 * AdditiveAttention a scale vector of the query's last size; MultiHeadAttention four EinsumDense
 * projections: H*K*(dq+1) + H*K*(dk+1) + H*V*(dv+1) + O*(H*V+1) with biases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rows, summary } from '../../helpers';

/** The rows of a model with q (20, 32) and v (30, 16) inputs and `expr` as its output. */
const qv = (expr: string) =>
  rows(`import keras
from keras import layers
q = keras.Input((20, 32))
v = keras.Input((30, 16))
m = keras.Model([q, v], ${expr})`);

describe('Attention and AdditiveAttention', () => {
  test("the query's shape with the value's last size; weights only for the scale", () => {
    const x = rows(`import keras
from keras import layers
inp = keras.Input((50, 8))
h = layers.LSTM(64, return_sequences=True)(inp)
m = keras.Model(inp, layers.Attention()([h, h]))`);
    assert.deepEqual(x.at(-1), ['attention', '(None, 50, 64)', 0]);
    const y = rows(`import keras
from keras import layers
q = keras.Input((20, 16))
v = keras.Input((30, 16))
k = keras.Input((30, 16))
a = layers.Attention(use_scale=True)([q, v, k])
b = layers.Attention(use_scale=True, score_mode="concat")([q, v])
c = layers.AdditiveAttention()([q, v])
d = layers.AdditiveAttention(use_scale=False)([q, v])
m = keras.Model([q, v, k], [a, b, c, d])`);
    assert.deepEqual(
      y.slice(3).map((r) => [r[0], r[1], r[2]]),
      [
        ['attention', '(None, 20, 16)', 1],
        ['attention_1', '(None, 20, 16)', 2],
        ['additive_attention', '(None, 20, 16)', 16],
        ['additive_attention_1', '(None, 20, 16)', 0],
      ],
    );
  });
  test('return_attention_scores=True: the output, then (batch, Tq, Tv) scores', () => {
    const s = summary(`import keras
from keras import layers
q = keras.Input((20, 16))
v = keras.Input((30, 16))
context, weights = layers.Attention()([q, v], return_attention_scores=True)
m = keras.Model([q, v], [context, weights])`);
    assert.equal(s.rows.at(-1)!.outputShape, '[(None, 20, 16), (None, 20, 30)]');
  });
  test('called on one tensor (Keras raises): unknown', () => {
    assert.equal(qv('layers.Attention()(q)').at(-1)![1], '?');
  });
});

describe('MultiHeadAttention', () => {
  const H = 4;
  const K = 8;
  test('self-attention mha(x, x): four projections with biases', () => {
    const r = qv(`layers.MultiHeadAttention(num_heads=${H}, key_dim=${K})(q, q)`);
    assert.deepEqual(r.at(-1), [
      'multi_head_attention',
      '(None, 20, 32)',
      3 * (H * K * (32 + 1)) + 32 * (H * K + 1),
    ]);
  });
  test('cross-attention by keyword, value_dim, output_shape, use_bias=False', () => {
    const hk = H * K;
    assert.deepEqual(
      qv(`layers.MultiHeadAttention(${H}, ${K})(query=q, value=v)`).at(-1)!.slice(1),
      ['(None, 20, 32)', hk * 33 + hk * 17 + hk * 17 + 32 * (hk + 1)],
    );
    const hv = H * 6;
    assert.deepEqual(
      qv(`layers.MultiHeadAttention(${H}, ${K}, value_dim=6, output_shape=10)(q, v, v)`)
        .at(-1)!
        .slice(1),
      ['(None, 20, 10)', hk * 33 + hk * 17 + hv * 17 + 10 * (hv + 1)],
    );
    assert.equal(
      qv(`layers.MultiHeadAttention(${H}, ${K}, use_bias=False)(q, v)`).at(-1)![2],
      hk * 32 + hk * 16 + hk * 16 + hk * 32,
    );
  });
  test('return_attention_scores=True: Keras 3 gives (batch, heads, Tq, Tq)', () => {
    const s = summary(`import keras
from keras import layers
x = keras.Input((20, 32))
out, scores = layers.MultiHeadAttention(num_heads=2, key_dim=16)(x, x, return_attention_scores=True)
m = keras.Model(x, [out, scores])`);
    assert.equal(s.rows.at(-1)!.outputShape, '[(None, 20, 32), (None, 2, 20, 20)]');
  });
  test('value and key that differ off their last axis: Keras raises, unknown', () => {
    const r = rows(`import keras
from keras import layers
q = keras.Input((20, 32))
v = keras.Input((30, 16))
k = keras.Input((31, 16))
m = keras.Model([q, v, k], layers.MultiHeadAttention(2, 4)(q, v, key=k))`);
    assert.deepEqual(r.at(-1)!.slice(1), ['?', 2 * 4 * 33 + 2 * 4 * 17 + 2 * 4 * 17 + 32 * 9]);
  });
});
