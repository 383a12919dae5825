/** The static evaluator: every Keras spelling and construction the analyzer must recognise. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { repr } from '../../../../analyzer/format';
import { asInt } from '../../../../analyzer/python/values';
import { layerOf, onlyModel, rows, run, summary } from '../../helpers';

const LSTM_3_TO_8 = 4 * 8 * (3 + 8 + 1);

describe('import spellings', () => {
  const spellings: Record<string, string> = {
    'import keras': 'keras.Sequential([keras.Input((10, 3)), keras.layers.LSTM(8)])',
    'import tensorflow as tf':
      'tf.keras.Sequential([tf.keras.Input((10, 3)), tf.keras.layers.LSTM(8)])',
    'import tensorflow':
      'tensorflow.keras.models.Sequential([tensorflow.keras.layers.LSTM(8, input_shape=(10, 3))])',
    'import tf_keras': 'tf_keras.Sequential([tf_keras.layers.LSTM(8, input_shape=(10, 3))])',
    'from tensorflow import keras': 'keras.Sequential([keras.layers.LSTM(8, input_shape=(10, 3))])',
    'from keras import layers, models': 'models.Sequential([layers.LSTM(8, input_shape=(10, 3))])',
    'from tensorflow.keras import layers as L, Sequential as S':
      'S([L.LSTM(8, input_shape=(10, 3))])',
    'from keras.layers import LSTM as Recurrent\nfrom keras.models import Sequential':
      'Sequential([Recurrent(8, input_shape=(10, 3))])',
    'from tensorflow.keras.layers import *\nfrom tensorflow.keras.models import *':
      'Sequential([LSTM(8, input_shape=(10, 3))])',
    'import keras.layers as kl\nimport keras.models as km':
      'km.Sequential([kl.LSTM(8, input_shape=(10, 3))])',
  };
  for (const [imports, build] of Object.entries(spellings)) {
    test(imports.replace(/\n/g, '; '), () => {
      assert.deepEqual(rows(`${imports}\nmodel = ${build}`), [['lstm', '(None, 8)', LSTM_3_TO_8]]);
    });
  }
  test('names that are not Keras are not mistaken for it', () => {
    const a = run(
      'from mylib import LSTM, Sequential\nm = Sequential([LSTM(8, input_shape=(10, 3))])',
    );
    assert.equal(a.models.length, 0);
    assert.equal(a.layers.length, 0);
  });
  test('import roots are recorded for target inference', () => {
    assert.deepEqual(run('import tf_keras\nimport numpy as np').importRoots.sort(), [
      'numpy',
      'tf_keras',
    ]);
  });
});

describe('model constructions', () => {
  test('Sequential() + model.add(...), including add(keras.Input(...))', () => {
    const r = rows(`import keras
model = keras.Sequential()
model.add(keras.Input(shape=(20, 4)))
model.add(keras.layers.GRU(6, return_sequences=True))
model.add(keras.layers.Dropout(0.2))
model.add(keras.layers.Dense(1))`);
    assert.deepEqual(r, [
      ['gru', '(None, 20, 6)', 3 * 6 * (4 + 6 + 2)],
      ['dropout', '(None, 20, 6)', 0],
      ['dense', '(None, 20, 1)', 7],
    ]);
  });

  test('Sequential(layers=[...], name=...) and InputLayer', () => {
    const s = summary(`from keras import layers, Sequential
m = Sequential(layers=[layers.InputLayer(input_shape=(5, 2)), layers.SimpleRNN(3)], name="tiny")`);
    assert.equal(s.name, 'tiny');
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.outputShape, r.params]),
      [['simple_rnn', '(None, 3)', 3 * (2 + 3 + 1)]],
    );
  });

  test('functional API with layer objects assigned then called, and Model(inputs=..., outputs=...)', () => {
    const s = summary(`from tensorflow import keras
from tensorflow.keras import layers
inp = keras.Input(shape=(30, 2), name="series")
lstm = layers.LSTM(16, return_sequences=True)
x = lstm(inp)
x = layers.LSTM(8)(x)
out = layers.Dense(1)(x)
model = keras.Model(inputs=inp, outputs=out)`);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.outputShape]),
      [
        ['series', 'InputLayer', '(None, 30, 2)'],
        ['lstm', 'LSTM', '(None, 30, 16)'],
        ['lstm_1', 'LSTM', '(None, 8)'],
        ['dense', 'Dense', '(None, 1)'],
      ],
    );
    assert.equal(s.name, 'functional');
  });

  test('several inputs and outputs', () => {
    const s = summary(`import keras
from keras import layers
a = keras.Input((10, 3))
b = keras.Input((10, 5))
x = layers.Concatenate()([layers.LSTM(4, return_sequences=True)(a), b])
y1 = layers.Dense(1, name="price")(layers.GRU(2)(x))
y2 = layers.Dense(3, activation="softmax", name="regime")(layers.GlobalAveragePooling1D()(x))
model = keras.Model([a, b], [y1, y2])`);
    // Keras 3's order (map_graph): deepest first (input_layer is 4 layers from an output,
    // lstm and input_layer_1 3), then by a depth-first walk from the outputs.
    assert.deepEqual(
      s.rows.map((r) => r.name),
      [
        'input_layer',
        'lstm',
        'input_layer_1',
        'concatenate',
        'gru',
        'global_average_pooling1d',
        'price',
        'regime',
      ],
    );
    assert.equal(s.rows.find((r) => r.name === 'concatenate')!.outputShape, '(None, 10, 9)');
    assert.equal(s.totalParams, 4 * 4 * (3 + 4 + 1) + 3 * 2 * (9 + 2 + 2) + 3 + 9 * 3 + 3);
  });

  test('return_state unpacking and initial_state (seq2seq)', () => {
    const m = onlyModel(`import keras
from keras import layers
enc_in = keras.Input(shape=(None, 40))
enc_out, h, c = layers.LSTM(64, return_state=True)(enc_in)
dec_in = keras.Input(shape=(None, 50))
dec_lstm = layers.LSTM(64, return_sequences=True, return_state=True)
dec_out, _, _ = dec_lstm(dec_in, initial_state=[h, c])
probs = layers.Dense(50, activation="softmax")(dec_out)
model = keras.Model([enc_in, dec_in], probs)`);
    const decoder = m.calls.find((c) => c.layer.name === 'lstm_1')!;
    assert.equal(decoder.initialState.length, 2);
    assert.deepEqual(decoder.initialState[0]!.shape, [null, 64]);
    assert.deepEqual(decoder.outputs[0]!.shape, [null, null, 64]);
  });

  test('compile: keyword and positional forms, optimizer objects', () => {
    const m1 = onlyModel(`import keras
m = keras.Sequential([keras.layers.Dense(1, input_dim=3)])
m.compile(keras.optimizers.Adam(learning_rate=3e-4), "mse", ["mae"])`);
    assert.equal(m1.compile?.optimizerInfo?.name, 'Adam');
    assert.equal(repr(m1.compile!.optimizerInfo!.learningRate), '0.0003');
    assert.equal(repr(m1.compile!.loss), "'mse'");
    assert.equal(repr(m1.compile!.metrics), "['mae']");
    const m2 = onlyModel(`from tensorflow.keras.optimizers import RMSprop
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense
m = Sequential([Dense(1, input_dim=3)])
m.compile(loss="binary_crossentropy", optimizer=RMSprop(0.01), metrics=["accuracy"])`);
    assert.equal(m2.compile?.optimizerInfo?.name, 'RMSprop');
    assert.equal(repr(m2.compile!.optimizerInfo!.learningRate), '0.01');
    const m3 = onlyModel(`import keras
m = keras.Sequential([keras.layers.Dense(1, input_dim=3)])
m.compile(optimizer="adam", loss="mse")`);
    assert.equal(repr(m3.compile!.optimizer), "'adam'");
    assert.equal(m3.compile!.optimizerInfo, null);
  });
});

describe('input shapes', () => {
  test('input_shape, batch_input_shape, input_dim, Embedding input_length', () => {
    const pre = 'from keras.models import Sequential\nfrom keras.layers import *\n';
    assert.equal(rows(`${pre}m = Sequential([LSTM(4, input_shape=(7, 2))])`)[0]![1], '(None, 4)');
    assert.equal(
      rows(
        `${pre}m = Sequential([LSTM(4, batch_input_shape=(32, 7, 2), return_sequences=True)])`,
      )[0]![1],
      '(32, 7, 4)',
    );
    assert.deepEqual(rows(`${pre}m = Sequential([Dense(4, input_dim=9)])`)[0], [
      'dense',
      '(None, 4)',
      40,
    ]);
    assert.deepEqual(
      rows(`${pre}m = Sequential([Embedding(1000, 16, input_length=25), LSTM(8)])`),
      [
        ['embedding', '(None, 25, 16)', 16000],
        ['lstm', '(None, 8)', 4 * 8 * (16 + 8 + 1)],
      ],
    );
  });

  test('partly known shapes: input_shape=(X_train.shape[1], 1) keeps rank and features', () => {
    const r = rows(`import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense
X_train = np.load("x.npy")
model = Sequential()
model.add(LSTM(50, return_sequences=True, input_shape=(X_train.shape[1], 1)))
model.add(LSTM(50))
model.add(Dense(1))`);
    assert.deepEqual(r, [
      ['lstm', '(None, None, 50)', 4 * 50 * (1 + 50 + 1)],
      ['lstm_1', '(None, 50)', 4 * 50 * (50 + 50 + 1)],
      ['dense', '(None, 1)', 51],
    ]);
  });

  test('no input shape at all: shapes and params that depend on it are unknown, no guesses', () => {
    const s = summary(
      'import keras\nm = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])',
    );
    assert.deepEqual(
      s.rows.map((r) => [r.outputShape, r.params]),
      [
        ['?', null],
        ['?', null],
      ],
    );
    assert.equal(s.totalParams, null);
  });

  test('model.build(input_shape) sets the shape of a Sequential model', () => {
    const r = rows(
      'import keras\nm = keras.Sequential([keras.layers.GRU(8)])\nm.build((None, 12, 3))',
    );
    assert.deepEqual(r, [['gru', '(None, 8)', 3 * 8 * (3 + 8 + 2)]]);
  });

  test('an unknown layer makes shapes downstream unknown', () => {
    const r = rows(`import keras
from keras import layers
m = keras.Sequential([keras.Input((10, 4)), layers.LSTM(8, return_sequences=True), layers.MultiHeadAttention(2, 4), layers.Dense(1)])`);
    assert.deepEqual(
      r.map((x) => x[1]),
      ['(None, 10, 8)', '?', '?'],
    );
  });
});

describe('evaluator', () => {
  test('arithmetic, tuple unpacking, len of literals and of names bound to them', () => {
    const r = rows(`import keras
DIGITS = 3
T, F = 48, 3
chars = "0123456789+ "
vocab = ["a", "b", "c"]
model = keras.Sequential([
    keras.Input(shape=(DIGITS + 1 + DIGITS, len(chars))),
    keras.layers.LSTM(T // 2 * F),
    keras.layers.Dense(len(vocab) ** 2 - 1),
])`);
    assert.deepEqual(r, [
      ['lstm', '(None, 72)', 4 * 72 * (12 + 72 + 1)],
      ['dense', '(None, 8)', 72 * 8 + 8],
    ]);
  });

  test('for loops over range() unroll with known bounds', () => {
    const r = rows(`import keras
n_layers = 3
model = keras.Sequential()
model.add(keras.Input((20, 2)))
for i in range(n_layers):
    model.add(keras.layers.LSTM(16 // (i + 1), return_sequences=(i < n_layers - 1)))
model.add(keras.layers.Dense(1))`);
    assert.deepEqual(
      r.map((x) => [x[0], x[1]]),
      [
        ['lstm', '(None, 20, 16)'],
        ['lstm_1', '(None, 20, 8)'],
        ['lstm_2', '(None, 5)'],
        ['dense', '(None, 1)'],
      ],
    );
  });

  test('range(a, b, step) and loops over literal lists', () => {
    const r = rows(`import keras
model = keras.Sequential([keras.Input((20, 2))])
for units in [32, 16]:
    model.add(keras.layers.GRU(units, return_sequences=True))
for k in range(10, 4, -3):
    model.add(keras.layers.Dense(k))`);
    assert.deepEqual(
      r.map((x) => x[1]),
      ['(None, 20, 32)', '(None, 20, 16)', '(None, 20, 10)', '(None, 20, 7)'],
    );
  });

  test('loops longer than the unroll limit are opaque: shapes after them are unknown', () => {
    const m = onlyModel(`import keras
model = keras.Sequential([keras.Input((20, 2)), keras.layers.Dense(4)])
for i in range(5000):
    model.add(keras.layers.Dense(4))
model.add(keras.layers.Dense(1))`);
    assert.equal(m.opaque, true);
    assert.equal(m.calls.at(-1)!.outputs[0]!.shape, null);
  });

  test('function bodies are their own scope, parameters bound to defaults', () => {
    const s = summary(`import keras
from keras import layers

def build_model(units=64, timesteps=30, features=4, dropout=0.2, n_out=1):
    inputs = keras.Input(shape=(timesteps, features))
    x = layers.LSTM(units, dropout=dropout)(inputs)
    outputs = layers.Dense(n_out)(x)
    return keras.Model(inputs, outputs)
`);
    assert.deepEqual(
      s.rows.map((r) => r.outputShape),
      ['(None, 30, 4)', '(None, 64)', '(None, 1)'],
    );
    assert.equal(s.totalParams, 4 * 64 * (4 + 64 + 1) + 65);
  });

  test("a function called with arguments is analysed with them; its model gets the caller's compile", () => {
    const m = onlyModel(`import keras
def build(units=8, features=None):
    model = keras.Sequential([keras.Input((10, features)), keras.layers.GRU(units)])
    return model
model = build(16, features=5)
model.compile(optimizer="adam", loss="mse")`);
    assert.equal(m.layers[0]!.calls[0]!.outputs[0]!.shape![1], 16);
    assert.equal(
      summary(`import keras
def build(units=8, features=None):
    return keras.Sequential([keras.Input((10, features)), keras.layers.GRU(units)])
m = build(16, features=5)`).totalParams,
      3 * 16 * (5 + 16 + 2),
    );
    assert.equal(repr(m.compile!.loss), "'mse'");
  });

  test('parameters without defaults are unknown', () => {
    const s = summary(`import keras
def build(n_features, units=8):
    return keras.Sequential([keras.Input((10, n_features)), keras.layers.GRU(units)])`);
    assert.equal(s.rows[0]!.outputShape, '(None, 8)');
    assert.equal(s.totalParams, null);
  });

  test('if with a known condition takes one branch; unknown conditions make the model opaque', () => {
    const known = rows(`import keras
USE_GRU = True
m = keras.Sequential([keras.Input((5, 2))])
if USE_GRU:
    m.add(keras.layers.GRU(3))
else:
    m.add(keras.layers.LSTM(3))`);
    assert.deepEqual(
      known.map((r) => r[0]),
      ['gru'],
    );
    const unknown = onlyModel(`import keras, sys
m = keras.Sequential([keras.Input((5, 2)), keras.layers.Dense(2)])
if len(sys.argv) > 1:
    m.add(keras.layers.Dense(3))
m.add(keras.layers.Dense(1))`);
    assert.equal(unknown.opaque, true);
    assert.equal(unknown.calls.at(-1)!.outputs[0]!.shape, null);
  });

  test('if __name__ == "__main__" runs', () => {
    assert.equal(
      run(
        'import keras\nif __name__ == "__main__":\n    m = keras.Sequential([keras.layers.Dense(1, input_dim=2)])',
      ).models.length,
      1,
    );
  });

  test('everything else is unknown and skipped without an error', () => {
    const a = run(`import numpy as np
import pandas as pd
import keras
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.rnn = keras.layers.LSTM(4)
df = pd.read_csv("data.csv")
X = np.stack([df[c].values for c in df.columns])
sizes = {k: v for k, v in zip("ab", [1, 2])}
f = lambda x: x * 2
with open("x") as fh:
    text = fh.read()
while True:
    break
try:
    import tensorflow as tf
except ImportError:
    tf = None
m = keras.Sequential([keras.Input((X.shape[1], 3)), keras.layers.LSTM(4)])`);
    assert.equal(a.notes.length, 0);
    // The class is never instantiated: it is followed once with its defaults, after the rest.
    assert.deepEqual(
      a.models.map((m) => [m.name, m.kind]),
      [
        ['sequential', 'sequential'],
        ['net', 'subclassed'],
      ],
    );
    assert.equal(a.models[0]!.calls[0]!.outputs[0]!.shape!.length, 2);
  });

  test('a syntax error does not stop the analysis of the rest of the file', () => {
    const a = run(`import keras
x = (1, 2
def broken(:
    pass
model = keras.Sequential([keras.Input((5, 2)), keras.layers.LSTM(3)])
`);
    assert.ok(a.notes.length >= 1);
    assert.match(a.notes[0]!.message, /syntax error/);
    assert.equal(a.models.length, 1);
    assert.equal(
      summary('import keras\nmodel = keras.Sequential([keras.Input((5, 2)), keras.layers.LSTM(3)])')
        .totalParams,
      4 * 3 * (2 + 3 + 1),
    );
  });

  test('integer arithmetic is bounded: huge values become unknown', () => {
    const a = run(
      'import keras\nn = 10 ** 10 ** 10\nm = keras.Sequential([keras.Input((5, 2)), keras.layers.Dense(n)])',
    );
    assert.deepEqual(a.models[0]!.calls[0]!.outputs[0]!.shape, [null, 5, null]);
  });

  test('layer configs keep Keras defaults and the spans of every argument', () => {
    const src = 'import keras\nl = keras.layers.LSTM(32, dropout=0.25)';
    const layer = layerOf(run(src), 'LSTM');
    assert.equal(asInt(layer.config['units']), 32);
    assert.equal(repr(layer.config['recurrent_dropout']!), '0.0');
    assert.equal(repr(layer.config['recurrent_activation']!), "'sigmoid'");
    const dropout = layer.site.args.find((a) => a.param === 'dropout')!;
    assert.equal(src.slice(dropout.span.from, dropout.span.to), 'dropout=0.25');
    assert.equal(src.slice(dropout.valueSpan.from, dropout.valueSpan.to), '0.25');
    const units = layer.site.args[0]!;
    assert.equal(units.param, 'units');
    assert.equal(src.slice(layer.site.callee.from, layer.site.callee.to), 'keras.layers.LSTM');
  });

  test('positional arguments follow Keras signatures', () => {
    const a = run(
      'from keras.layers import Dropout, Embedding\nd = Dropout(0.3, (None, 1, 8), 42)\ne = Embedding(100, 8)',
    );
    const d = layerOf(a, 'Dropout');
    assert.equal(repr(d.config['rate']!), '0.3');
    assert.equal(repr(d.config['noise_shape']!), '(None, 1, 8)');
    assert.equal(repr(d.config['seed']!), '42');
    const e = layerOf(a, 'Embedding');
    assert.equal(asInt(e.config['input_dim']), 100);
    assert.equal(asInt(e.config['output_dim']), 8);
  });

  test('Keras naming: per-class counters, wrapped layers named first, name= consumes none', () => {
    const r = rows(`import keras
from keras import layers
m = keras.Sequential([
    keras.Input((10, 2)),
    layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
    layers.LSTM(4, return_sequences=True, name="custom"),
    layers.LSTM(4, return_sequences=True),
    layers.TimeDistributed(layers.Dense(1)),
    layers.SpatialDropout1D(0.1),
])`);
    assert.deepEqual(
      r.map((x) => x[0]),
      ['bidirectional', 'custom', 'lstm_1', 'time_distributed', 'spatial_dropout1d'],
    );
  });
});

describe('regressions', () => {
  test('comments inside lists, argument lists and expressions are not values', () => {
    const r = rows(`import keras
a = 3
b = (a  # three
     + 1)
m = keras.Sequential([
    keras.Input((5, 2)),  # five steps
    keras.layers.LSTM(8,  # units
                      return_sequences=True),
    keras.layers.Dense(b),
])`);
    assert.deepEqual(
      r.map((x) => x[1]),
      ['(None, 5, 8)', '(None, 5, 4)'],
    );
  });

  test('conditional expressions pick the known branch', () => {
    const r = rows(`import keras
n = 4
m = keras.Sequential([keras.Input((5, 2)), keras.layers.Dense(8 if n == 4 else 2), keras.layers.Dense(1 if n not in [4] else 3)])`);
    assert.deepEqual(
      r.map((x) => x[1]),
      ['(None, 5, 8)', '(None, 5, 3)'],
    );
  });

  test('each call of a model-building function builds a new model, as Keras does', () => {
    const a = run(`import keras
def make(units=4):
    return keras.Sequential([keras.Input((5, 2)), keras.layers.GRU(units)])
small = make()
big = make(16)`);
    assert.deepEqual(
      a.models.map((m) => [m.name, m.layers[0]!.name, m.calls[0]!.outputs[0]!.shape![1]]),
      [
        ['sequential', 'gru', 4],
        ['sequential_1', 'gru_1', 16],
      ],
    );
  });

  test('arguments after *args are not mapped to positions; keywords still are', () => {
    const layer = layerOf(
      run('import keras\ncfg = get()\nl = keras.layers.LSTM(*cfg, 3, return_sequences=True)'),
      'LSTM',
    );
    assert.equal(asInt(layer.config['units']), null);
    assert.equal(layer.site.args[1]!.param, null);
    assert.equal(repr(layer.config['return_sequences']!), 'True');
  });

  test('a first layer with input_shape takes the input_layer name in Keras 3', () => {
    const a = run(`import keras
seq = keras.Sequential([keras.layers.GRU(4, input_shape=(5, 2))])
inp = keras.Input((5, 2))
m = keras.Model(inp, keras.layers.Dense(1)(inp))`);
    assert.equal(a.models[1]!.layers[0]!.name, 'input_layer_1');
  });
});

describe('known stays known: an unknown input size or rank does not erase what follows', () => {
  const shapes = (src: string) => rows(src).map((r) => r[1]);
  const withInput = (input: string, body: string) => `import numpy as np
import keras
from keras import layers
x_train = np.load("x.npy")
${input}
${body}`;

  test('return_sequences=True always gives (None, None, units); the next count is exact', () => {
    const r = rows(
      withInput(
        'model = keras.Sequential()',
        `model.add(layers.LSTM(50, return_sequences=True, input_shape=(x_train.shape[1:])))
model.add(layers.Dropout(0.2))
model.add(layers.LSTM(20))
model.add(layers.Dense(1))`,
      ),
    );
    assert.deepEqual(r, [
      ['lstm', '(None, None, 50)', null],
      ['dropout', '(None, None, 50)', 0],
      ['lstm_1', '(None, 20)', 4 * 20 * (50 + 20 + 1)],
      ['dense', '(None, 1)', 21],
    ]);
  });

  test('def build(input_shape) with Input(input_shape): the same', () => {
    const src = `import keras
from keras import layers
def build(input_shape):
    inputs = keras.Input(input_shape)
    x = layers.GRU(16, return_sequences=True)(inputs)
    x = layers.Bidirectional(layers.LSTM(8))(x)
    return keras.Model(inputs, layers.Dense(2)(x))
model = build(data.shape[1:])`;
    assert.deepEqual(rows(src), [
      ['input_layer', '?', 0],
      ['gru', '(None, None, 16)', null],
      ['bidirectional', '(None, 16)', 2 * 4 * 8 * (16 + 8 + 1)],
      ['dense', '(None, 2)', 34],
    ]);
  });

  test('layers whose output rank is fixed keep it: Conv1D, pooling, Flatten, RepeatVector, Permute', () => {
    const body = (layer: string) =>
      withInput(
        'inp = keras.Input(shape=x_train.shape[1:])',
        `m = keras.Model(inp, layers.${layer}(inp))`,
      );
    assert.equal(shapes(body('Conv1D(8, 3)')).at(-1), '(None, None, 8)');
    assert.equal(shapes(body('MaxPooling1D(2)')).at(-1), '(None, None, None)');
    assert.equal(shapes(body('GlobalAveragePooling1D()')).at(-1), '(None, None)');
    assert.equal(shapes(body('Flatten()')).at(-1), '(None, None)');
    assert.equal(shapes(body('RepeatVector(5)')).at(-1), '(None, 5, None)');
    assert.equal(shapes(body('Permute((2, 1))')).at(-1), '(None, None, None)');
    assert.equal(shapes(body('Dense(4)')).at(-1), '?', 'Dense keeps a rank that is unknown');
  });

  test('Embedding adds an axis to an input of unknown length', () => {
    assert.deepEqual(
      rows(
        withInput(
          'inp = keras.Input(shape=(max_len,))',
          'm = keras.Model(inp, layers.Embedding(100, 8)(inp))',
        ),
      ),
      [
        ['input_layer', '(None, None)', 0],
        ['embedding', '(None, None, 8)', 800],
      ],
    );
  });

  test("Dense sets the last size even where the rank is unknown: the next layer's count is known", () => {
    const r = rows(`import keras
from keras import layers
encoder = keras.models.load_model("enc.keras")
inp = keras.Input((30, 4))
x = layers.Dense(32)(encoder(inp))
x = layers.Dropout(0.1)(x)
m = keras.Model(inp, layers.Dense(1)(x))`);
    assert.deepEqual(r.slice(2), [
      ['dense', '?', null],
      ['dropout', '?', 0],
      ['dense_1', '?', 33],
    ]);
  });

  test('a Sequential model with no input stays unbuilt: every shape unknown, as Keras prints it', () => {
    assert.deepEqual(
      shapes(
        'import keras\nfrom keras import layers\nm = keras.Sequential([layers.LSTM(8, return_sequences=True), layers.Flatten()])',
      ),
      ['?', '?'],
    );
  });
});

describe('models that are not models of the file', () => {
  test('a Sequential() rebound before any use is dead; Keras still counted its name', () => {
    const a = run(`import keras
from keras import layers
model = keras.Sequential()
model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
model.summary()`);
    assert.deepEqual(
      a.models.map((m) => m.name),
      ['sequential_1'],
    );
  });
  test('used before it is rebound, or still held by another name: kept', () => {
    const used = run(`import keras
model = keras.Sequential()
model.add(keras.layers.Dense(1, input_dim=2))
model = keras.Sequential([keras.layers.Dense(1, input_dim=2)])`);
    assert.equal(used.models.length, 2);
    const held = run(`import keras
a = b = keras.Sequential([keras.layers.Dense(1, input_dim=2)])
a = None`);
    assert.equal(held.models.length, 1);
    const returned = run(`import keras
def build():
    m = keras.Sequential([keras.layers.Dense(1, input_dim=2)])
    return m
model = build()`);
    assert.equal(returned.models.length, 1);
  });
});

describe('lists and dicts that collect layers and tensors', () => {
  test('append, extend, insert and pop change the list in place; every name sees it', () => {
    const s = summary(`import keras
from keras import layers
inp = keras.Input((10, 4))
branches = []
alias = branches
for k in [2, 3]:
    branches.append(layers.GlobalMaxPooling1D()(layers.Conv1D(8, k)(inp)))
alias.extend([layers.GlobalAveragePooling1D()(inp)])
branches.insert(0, layers.LSTM(2)(inp))
extra = branches.pop()
m = keras.Model(inp, layers.concatenate(branches))`);
    assert.equal(s.rows.at(-1)!.outputShape, '(None, 18)', '2 + 8 + 8');
    assert.equal(s.totalParams, 4 * 2 * (4 + 2 + 1) + (8 * 2 * 4 + 8) + (8 * 3 * 4 + 8));
  });
  test('outputs collected in a dict by subscript assignment', () => {
    const s = summary(`import keras
from keras import layers
inp = keras.Input((6,))
outputs = {}
for name in ["a", "b"]:
    outputs[name] = layers.Dense(2, name=name)(inp)
m = keras.Model(inp, outputs)`);
    assert.deepEqual(
      s.rows.map((r) => r.name),
      ['input_layer', 'a', 'b'],
    );
    assert.equal(s.totalParams, 28);
  });
  test('list() copies; a change the analyzer cannot follow leaves the contents unknown', () => {
    const copied = summary(`import keras
stack = [keras.Input((3,)), keras.layers.Dense(2)]
other = list(stack)
other.append(keras.layers.Dense(5))
m = keras.Sequential(stack)`);
    assert.equal(copied.rows.length, 1);
    const sorted = summary(`import keras
stack = [keras.Input((3,)), keras.layers.Dense(2)]
stack.sort(key=str)
m = keras.Sequential(stack)`);
    assert.equal(sorted.totalParams, null);
  });
});

describe('classes, unpacking and attributes', () => {
  test("a class's bases say whether its instances are layers", () => {
    const a = run(`import keras
from keras.layers import Layer
class A(Layer):
    pass
class B(keras.layers.GRU):
    pass
class C(A):
    pass
class Helper:
    pass
inp = keras.Input((5, 2))
x = C()(B(3, return_sequences=True)(A()(inp)))
h = Helper()
m = keras.Model(inp, x)`);
    assert.deepEqual(
      a.models[0]!.layers.map((l) => [l.name, l.type, l.opaque !== null]),
      [
        ['input_layer', 'InputLayer', false],
        ['a', 'A', true],
        ['b', 'B', true],
        ['c', 'C', true],
      ],
    );
    assert.ok(!a.layers.some((l) => l.type === 'Helper'));
  });
  test('unpacking the output of a layer of unknown outputs gives that many tensors', () => {
    const s = summary(`import keras
from keras import layers
enc = keras.models.load_model("enc.keras")
inp = keras.Input((9, 2))
seq, h, c = enc(inp)
out = layers.Dense(1)(layers.concatenate([h, c]))
m = keras.Model(inp, out)`);
    assert.deepEqual(
      s.rows.map((r) => r.name),
      ['input_layer', 'enc', 'concatenate', 'dense'],
    );
  });
  test('layer.trainable = False freezes its weights', () => {
    const s = summary(`import keras
dense = keras.layers.Dense(2)
m = keras.Sequential([keras.Input((4,)), dense, keras.layers.Dense(1)])
dense.trainable = False`);
    assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams], [13, 3, 10]);
  });
  test('a Keras tensor has no truth value: a branch on one is unknown', () => {
    const m = onlyModel(`import keras
inp = keras.Input((4,))
model = keras.Sequential([keras.Input((4,))])
if inp:
    model.add(keras.layers.Dense(1))`);
    assert.equal(m.opaque, true);
  });
});

describe('Python the evaluator reads: comprehensions, spreads, ** arguments, f-strings, 1.', () => {
  const K = 'import keras\nfrom keras import layers\n';

  test('`lr = 1.` and `.5` are floats, with no syntax error', () => {
    const a = run(
      `${K}lr = 1.\nd = .5\nm = keras.Sequential([keras.Input((5, 2)), layers.Dropout(d * lr), layers.LSTM(4)])`,
    );
    assert.deepEqual(a.notes, []);
    assert.equal(repr(layerOf(a, 'Dropout').config['rate']!), '0.5');
  });

  test('a list comprehension of layers, with enumerate, a condition and an f-string name', () => {
    const s = summary(
      `${K}sizes = [32, 0, 16]\nstack = [layers.GRU(u, return_sequences=True, name=f"gru_{i}") for i, u in enumerate(sizes) if u]\nm = keras.Sequential([keras.Input((10, 3)), *stack, layers.Dense(1)])`,
    );
    assert.deepEqual(
      s.rows.map((r) => `${r.name} ${r.params}`),
      ['gru_0 3552', 'gru_2 2400', 'dense 17'],
    );
  });

  test("a comprehension's names stay inside it, as in Python 3", () => {
    // `i` is still 7 after the comprehension: the input has 7 features, and xs[2] is 4.
    const src = `${K}i = 7\nxs = [i * 2 for i in range(3)]\nm = keras.Sequential([keras.Input((i,)), layers.Dense(xs[2])])`;
    assert.equal(summary(src).totalParams, 7 * 4 + 4);
    assert.deepEqual(run(src).notes, []);
  });

  test('a comprehension over something unknown is unknown, saying why', () => {
    const s = summary(
      `${K}import numpy as np\nstack = [layers.LSTM(u) for u in np.load("sizes.npy")]\nm = keras.Sequential([keras.Input((10, 3))] + stack)`,
    );
    assert.equal(s.totalParams, null);
    assert.match(
      s.unknownReason ?? '',
      /comprehension: it loops over values the analyzer cannot follow/,
    );
  });

  test('** of a literal dict or of dict(...) sets the arguments; an unknown ** leaves them unknown', () => {
    const s = summary(
      `${K}kw = dict(return_sequences=True)\nm = keras.Sequential([keras.Input((10, 3)), layers.LSTM(8, **kw), layers.LSTM(4, **{"dropout": 0.1})])`,
    );
    assert.deepEqual(
      s.rows.map((r) => r.outputShape),
      ['(None, 10, 8)', '(None, 4)'],
    );
    const unknown = summary(
      `${K}import json\nkw = json.load(open("c.json"))\nm = keras.Sequential([keras.Input((10, 3)), layers.LSTM(8, **kw)])`,
    );
    assert.equal(unknown.rows[0]!.outputShape, '?', 'return_sequences might be set');
  });

  test('zip pairs known sequences', () => {
    const s = summary(
      `${K}m = keras.Sequential([keras.Input((6,))] + [layers.Dense(u, activation=a) for u, a in zip((4, 2), ("relu", "linear"))])`,
    );
    assert.equal(s.totalParams, 6 * 4 + 4 + 4 * 2 + 2);
  });
});
