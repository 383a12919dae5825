/** Every layer's output shape and parameter count, checked against Keras's formulas. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LAYERS } from '../../../../analyzer/layers/index';
import { rows, summary } from '../../helpers';

/** A Sequential model: an Input of the given shape, then one layer. */
function one(shape: string, layer: string): [string, string, number | null] {
  const r = rows(
    `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input(shape=${shape}), layers.${layer}])`,
  );
  assert.equal(r.length, 1);
  return r[0]!;
}

describe('recurrent layers', () => {
  for (const [inDim, u] of [
    [3, 64],
    [128, 32],
    [1, 1],
  ] as const) {
    test(`SimpleRNN(${u}) on ${inDim} features: u(in+u+1)`, () => {
      assert.deepEqual(one(`(10, ${inDim})`, `SimpleRNN(${u})`), [
        'simple_rnn',
        `(None, ${u})`,
        u * (inDim + u + 1),
      ]);
    });
    test(`LSTM(${u}) on ${inDim} features: 4u(in+u+1)`, () => {
      assert.deepEqual(one(`(10, ${inDim})`, `LSTM(${u})`), [
        'lstm',
        `(None, ${u})`,
        4 * u * (inDim + u + 1),
      ]);
    });
    test(`GRU(${u}) on ${inDim} features: 3u(in+u+2) with reset_after=True`, () => {
      assert.deepEqual(one(`(10, ${inDim})`, `GRU(${u})`), [
        'gru',
        `(None, ${u})`,
        3 * u * (inDim + u + 2),
      ]);
    });
    test(`GRU(${u}, reset_after=False) on ${inDim} features: 3u(in+u+1)`, () => {
      assert.deepEqual(
        one(`(10, ${inDim})`, `GRU(${u}, reset_after=False)`)[2],
        3 * u * (inDim + u + 1),
      );
    });
  }

  test('use_bias=False removes the bias terms', () => {
    assert.equal(one('(10, 8)', 'SimpleRNN(4, use_bias=False)')[2], 4 * (8 + 4));
    assert.equal(one('(10, 8)', 'LSTM(4, use_bias=False)')[2], 4 * 4 * (8 + 4));
    assert.equal(one('(10, 8)', 'GRU(4, use_bias=False)')[2], 3 * 4 * (8 + 4));
  });

  test('return_sequences keeps the time axis', () => {
    assert.equal(one('(50, 8)', 'LSTM(16, return_sequences=True)')[1], '(None, 50, 16)');
    assert.equal(one('(None, 8)', 'GRU(16, return_sequences=True)')[1], '(None, None, 16)');
  });

  test('return_state adds h (and c for LSTM)', () => {
    assert.equal(
      one('(50, 8)', 'LSTM(16, return_state=True)')[1],
      '[(None, 16), (None, 16), (None, 16)]',
    );
    assert.equal(
      one('(50, 8)', 'GRU(16, return_state=True, return_sequences=True)')[1],
      '[(None, 50, 16), (None, 16)]',
    );
    assert.equal(one('(50, 8)', 'SimpleRNN(16, return_state=True)')[1], '[(None, 16), (None, 16)]');
  });

  test('a recurrent layer on rank-2 input is a shape issue, and shapes after it are unknown', () => {
    const s = summary(
      'from keras import Sequential, Input\nfrom keras.layers import LSTM, Dense\nm = Sequential([Input((10, 4)), LSTM(8), LSTM(8), Dense(1)])',
    );
    assert.deepEqual(
      s.rows.map((r) => r.outputShape),
      ['(None, 8)', '?', '?'],
    );
  });
});

describe('wrappers', () => {
  test('Bidirectional concat doubles units and params', () => {
    assert.deepEqual(one('(20, 5)', 'Bidirectional(layers.LSTM(8))'), [
      'bidirectional',
      '(None, 16)',
      2 * 4 * 8 * (5 + 8 + 1),
    ]);
  });
  for (const mode of ['sum', 'mul', 'ave']) {
    test(`Bidirectional merge_mode=${mode} keeps units`, () => {
      assert.deepEqual(
        one(
          '(20, 5)',
          `Bidirectional(layers.GRU(8, return_sequences=True), merge_mode='${mode}')`,
        ).slice(1),
        ['(None, 20, 8)', 2 * 3 * 8 * (5 + 8 + 2)],
      );
    });
  }
  test('Bidirectional merge_mode=None returns two tensors', () => {
    assert.equal(
      one('(20, 5)', 'Bidirectional(layers.LSTM(8), merge_mode=None)')[1],
      '[(None, 8), (None, 8)]',
    );
  });
  test("Bidirectional with return_state returns output then both directions' states", () => {
    assert.equal(
      one('(20, 5)', 'Bidirectional(layers.LSTM(8, return_state=True))')[1],
      '[(None, 16), (None, 8), (None, 8), (None, 8), (None, 8)]',
    );
  });
  // Each direction keeps its own width: concat is their sum (the tensor Keras computes; Keras 3's
  // compute_output_shape would say twice the forward width), sum/mul/ave need equal widths.
  test('Bidirectional with a backward_layer counts both, and concatenates both widths', () => {
    const bi = (args: string) =>
      rows(
        `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((20, 5)), layers.Bidirectional(${args})])`,
      )[0]!;
    assert.deepEqual(bi('layers.LSTM(8), backward_layer=layers.LSTM(4, go_backwards=True)'), [
      'bidirectional',
      '(None, 12)',
      4 * 8 * (5 + 8 + 1) + 4 * 4 * (5 + 4 + 1),
    ]);
    assert.deepEqual(
      bi(
        "layers.LSTM(8, return_sequences=True), backward_layer=layers.GRU(8, return_sequences=True, go_backwards=True), merge_mode='sum'",
      ).slice(1),
      ['(None, 20, 8)', 4 * 8 * (5 + 8 + 1) + 3 * 8 * (5 + 8 + 2)],
    );
    assert.equal(
      bi("layers.LSTM(8), backward_layer=layers.LSTM(4, go_backwards=True), merge_mode='ave'")[1],
      '?',
      'widths 8 and 4 cannot be averaged',
    );
    assert.equal(
      bi('layers.LSTM(8), backward_layer=layers.LSTM(4, go_backwards=True), merge_mode=None')[1],
      '[(None, 8), (None, 4)]',
    );
  });
  test('TimeDistributed(Dense) applies per timestep', () => {
    assert.deepEqual(one('(30, 16)', 'TimeDistributed(layers.Dense(4))'), [
      'time_distributed',
      '(None, 30, 4)',
      16 * 4 + 4,
    ]);
  });
});

describe('core, embedding, convolution, pooling', () => {
  test('Dense: u*in+u, on the last axis', () => {
    assert.deepEqual(one('(7,)', 'Dense(3)'), ['dense', '(None, 3)', 7 * 3 + 3]);
    assert.deepEqual(one('(5, 7)', 'Dense(3, use_bias=False)'), ['dense', '(None, 5, 3)', 21]);
  });
  test('Embedding: input_dim*output_dim', () => {
    assert.deepEqual(one('(100,)', 'Embedding(5000, 64)'), [
      'embedding',
      '(None, 100, 64)',
      320000,
    ]);
  });
  test('Conv1D valid, same, causal, strides, dilation, groups', () => {
    assert.deepEqual(one('(50, 8)', 'Conv1D(16, 3)'), [
      'conv1d',
      '(None, 48, 16)',
      16 * 3 * 8 + 16,
    ]);
    assert.equal(one('(50, 8)', "Conv1D(16, 3, padding='same')")[1], '(None, 50, 16)');
    assert.equal(
      one('(50, 8)', "Conv1D(16, 3, padding='causal', dilation_rate=2)")[1],
      '(None, 50, 16)',
    );
    assert.equal(one('(50, 8)', 'Conv1D(16, 5, strides=2)')[1], '(None, 23, 16)');
    assert.equal(one('(50, 8)', 'Conv1D(16, 3, dilation_rate=4)')[1], '(None, 42, 16)');
    assert.equal(one('(50, 8)', 'Conv1D(16, 3, groups=2)')[2], 16 * 3 * 4 + 16);
    assert.equal(one('(50, 8)', 'Conv1D(16, kernel_size=(3,), use_bias=False)')[2], 16 * 3 * 8);
  });
  test('pooling: MaxPooling1D, AveragePooling1D, global pooling', () => {
    assert.deepEqual(one('(50, 8)', 'MaxPooling1D()'), ['max_pooling1d', '(None, 25, 8)', 0]);
    assert.equal(one('(51, 8)', 'MaxPooling1D(pool_size=3, strides=2)')[1], '(None, 25, 8)');
    assert.equal(one('(51, 8)', "AveragePooling1D(2, padding='same')")[1], '(None, 26, 8)');
    assert.deepEqual(one('(50, 8)', 'GlobalAveragePooling1D()'), [
      'global_average_pooling1d',
      '(None, 8)',
      0,
    ]);
    assert.equal(one('(50, 8)', 'GlobalMaxPooling1D(keepdims=True)')[1], '(None, 1, 8)');
  });
  test('Flatten, RepeatVector, Reshape, Permute', () => {
    assert.equal(one('(5, 4)', 'Flatten()')[1], '(None, 20)');
    assert.equal(one('(4,)', 'RepeatVector(6)')[1], '(None, 6, 4)');
    assert.equal(one('(12,)', 'Reshape((3, 4))')[1], '(None, 3, 4)');
    assert.equal(one('(12,)', 'Reshape((-1, 2))')[1], '(None, 6, 2)');
    assert.equal(one('(3, 4)', 'Permute((2, 1))')[1], '(None, 4, 3)');
  });
  test('shape-preserving layers have no params', () => {
    for (const l of [
      'Dropout(0.2)',
      'SpatialDropout1D(0.2)',
      'GaussianNoise(0.1)',
      "Activation('relu')",
      'Masking(0.0)',
      'GaussianDropout(0.3)',
      'AlphaDropout(0.1)',
    ]) {
      assert.deepEqual(one('(9, 4)', l).slice(1), ['(None, 9, 4)', 0], l);
    }
  });
  test('normalization: BatchNormalization 4C (2C non-trainable), LayerNormalization 2C', () => {
    const s = summary(
      'import keras\nm = keras.Sequential([keras.Input((9, 6)), keras.layers.BatchNormalization()])',
    );
    assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams], [24, 12, 12]);
    assert.equal(one('(9, 6)', 'LayerNormalization()')[2], 12);
    assert.equal(one('(9, 6)', 'BatchNormalization(center=False)')[2], 18);
  });
  test("trainable=False makes a layer's weights non-trainable", () => {
    const s = summary(
      'import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, trainable=False)])',
    );
    assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams], [10, 0, 10]);
  });
});

describe('merging layers', () => {
  const two = (layer: string, a: string, b: string) =>
    rows(
      `import keras\nfrom keras import layers\na = keras.Input(${a})\nb = keras.Input(${b})\no = layers.${layer}([a, b])\nm = keras.Model([a, b], o)`,
    ).at(-1)!;
  test('Concatenate sums the axis', () => {
    assert.deepEqual(two('Concatenate()', '(5, 3)', '(5, 4)'), ['concatenate', '(None, 5, 7)', 0]);
    assert.equal(two('Concatenate(axis=1)', '(5, 3)', '(2, 3)')[1], '(None, 7, 3)');
  });
  for (const l of ['Add', 'Multiply', 'Average']) {
    test(`${l} keeps the shape`, () => {
      assert.equal(two(`${l}()`, '(5, 3)', '(5, 3)')[1], '(None, 5, 3)');
    });
  }
  test('Add of different shapes is an issue (unknown output)', () => {
    assert.equal(two('Add()', '(5, 3)', '(5, 4)')[1], '?');
  });
  for (const l of ['Subtract', 'Maximum', 'Minimum']) {
    test(`${l} keeps the shape and has no weights`, () => {
      assert.deepEqual(two(`${l}()`, '(5, 3)', '(5, 3)').slice(1), ['(None, 5, 3)', 0]);
    });
  }
  // Keras 3's Merge._compute_elemwise_op_output_shape: from the right, 1 broadcasts, an unknown
  // size meets a known one as unknown, and the shorter shape's missing axes come from the longer.
  test('elementwise merges broadcast as Keras 3 does', () => {
    assert.equal(two('Add()', '(5, 3)', '(1, 3)')[1], '(None, 5, 3)');
    assert.equal(two('Multiply()', '(5, 3)', '(3,)')[1], '(None, 5, 3)');
    assert.equal(two('Add()', '(None, 3)', '(5, 3)')[1], '(None, None, 3)');
    assert.equal(two('Maximum()', '(5, 1)', '(5, 8)')[1], '(None, 5, 8)');
  });
  test('Subtract takes exactly two inputs', () => {
    const r = rows(`import keras
from keras import layers
a, b, c = keras.Input((3,)), keras.Input((3,)), keras.Input((3,))
m = keras.Model([a, b, c], layers.Subtract()([a, b, c]))`);
    assert.equal(r.at(-1)![1], '?');
  });
  test('Concatenate takes the other axes from the first input (Keras 3)', () => {
    assert.equal(two('Concatenate()', '(None, 3)', '(7, 4)')[1], '(None, None, 7)');
    assert.equal(two('Concatenate(axis=1)', '(None, 3)', '(2, 3)')[1], '(None, None, 3)');
    assert.equal(two('Concatenate()', '(5, 3)', '(6, 4)')[1], '?', 'axis 1 differs: an issue');
  });
  test('Dot: both shapes without their axis (the second without its batch), a rank-1 result gets a 1', () => {
    assert.deepEqual(two('Dot(axes=1)', '(8,)', '(8,)').slice(1), ['(None, 1)', 0]);
    assert.equal(two('Dot(axes=[2, 2])', '(5, 16)', '(7, 16)')[1], '(None, 5, 7)');
    assert.equal(two('Dot(axes=(2, 1))', '(5, 7)', '(7, 16)')[1], '(None, 5, 16)');
    assert.equal(two('Dot(axes=-1)', '(5, 16)', '(7, 16)')[1], '(None, 5, 7)');
    assert.equal(two('Dot(axes=1)', '(8,)', '(9,)')[1], '?', 'sizes 8 and 9 on the axes');
  });
});

describe('functional merges (keras.layers.concatenate and the like)', () => {
  const spelled = (imports: string, call: string) =>
    summary(`${imports}
a = Input((10, 3), name="a")
b = Input((10, 3), name="b")
x = LSTM(4, return_sequences=True)(a)
y = LSTM(4, return_sequences=True)(b)
m = Model([a, b], Dense(1)(${call}))`);
  const LSTM_4 = 4 * 4 * (3 + 4 + 1);
  const cases: Array<[string, string, string, string, number]> = [
    ['concatenate', 'concatenate([x, y])', 'Concatenate', '(None, 10, 8)', 8 + 1],
    ['concatenate, axis=1', 'concatenate([x, y], axis=1)', 'Concatenate', '(None, 20, 4)', 5],
    ['add', 'add([x, y])', 'Add', '(None, 10, 4)', 5],
    ['subtract', 'subtract([x, y])', 'Subtract', '(None, 10, 4)', 5],
    ['multiply', 'multiply([x, y])', 'Multiply', '(None, 10, 4)', 5],
    ['average', 'average([x, y])', 'Average', '(None, 10, 4)', 5],
    ['maximum', 'maximum([x, y])', 'Maximum', '(None, 10, 4)', 5],
    ['minimum', 'minimum([x, y])', 'Minimum', '(None, 10, 4)', 5],
    ['dot, axes=2', 'dot([x, y], axes=2)', 'Dot', '(None, 10, 10)', 11],
    ['dot, default axes=-1', 'dot([x, y])', 'Dot', '(None, 10, 10)', 11],
  ];
  for (const [what, call, type, shape, dense] of cases) {
    test(`${what}: everything upstream kept, exact counts`, () => {
      for (const imports of [
        `from keras.layers import Input, LSTM, Dense, ${call.split('(')[0]}
from keras.models import Model`,
        `from tensorflow.keras.layers import *
from tensorflow.keras.models import Model`,
      ]) {
        const s = spelled(imports, call);
        assert.deepEqual(
          s.rows.map((r) => [r.type, r.outputShape, r.params]),
          [
            ['InputLayer', '(None, 10, 3)', 0],
            ['InputLayer', '(None, 10, 3)', 0],
            ['LSTM', '(None, 10, 4)', LSTM_4],
            ['LSTM', '(None, 10, 4)', LSTM_4],
            [type, shape, 0],
            ['Dense', shape.replace(/\d+\)$/, '1)'), dense],
          ],
          imports,
        );
        assert.equal(s.totalParams, 2 * LSTM_4 + dense);
      }
    });
  }
  test('through a module: layers.concatenate, tf.keras.layers.add, keras.layers.merge (Keras 2)', () => {
    for (const [imports, call] of [
      ['from tensorflow.keras import layers', 'layers.concatenate'],
      ['import tensorflow as tf', 'tf.keras.layers.concatenate'],
      ['import keras', 'keras.layers.concatenate'],
      ['from keras.layers.merge import concatenate', 'concatenate'],
    ]) {
      const s = summary(`${imports}
from keras import Input, Model
from keras.layers import Dense
a = Input((4,))
b = Input((6,))
m = Model([a, b], Dense(2)(${call}([a, b], name="joined")))`);
      assert.deepEqual(
        s.rows.slice(2).map((r) => [r.name, r.outputShape, r.params]),
        [
          ['joined', '(None, 10)', 0],
          ['dense', '(None, 2)', 22],
        ],
        imports,
      );
    }
  });
  test('the merge layers not in the playground kernel are marked analyzer-only', () => {
    for (const type of ['Subtract', 'Maximum', 'Minimum', 'Dot'])
      assert.equal(LAYERS.get(type)?.playground, false, type);
    for (const type of ['Concatenate', 'Add', 'Multiply', 'Average'])
      assert.equal(LAYERS.get(type)?.playground, true, type);
  });
});

test('Keras\'s "Bidirectional LSTM on IMDB" example totals 2,757,761', () => {
  const s = summary(`import keras
from keras import layers
max_features = 20000
inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(max_features, 128)(inputs)
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(64))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)`);
  assert.equal(s.totalParams, 2_757_761);
  assert.equal(s.trainableParams, 2_757_761);
});
