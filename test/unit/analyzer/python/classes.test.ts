/** Classes of the text: subclassed Keras models, their `call`, and models built in methods. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../../../../analyzer/python/evaluate';
import { formatSummary, summarize, type ModelSummary } from '../../../../analyzer/summary';
import { lint } from '../../../../lint/index';

const TF =
  'import tensorflow as tf\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n';

/** An LSTM model subclass as TensorFlow's tutorials write it. */
const LSTM_MODEL = `${TF}
class LSTMModel(tf.keras.Model):
    def __init__(self, units=64, **kwargs):
        super().__init__(**kwargs)
        self.lstm1 = layers.LSTM(units, return_sequences=True)
        self.drop = layers.Dropout(0.3)
        self.lstm2 = layers.LSTM(units // 2)
        self.head = layers.Dense(1)

    def call(self, inputs, training=None):
        x = self.lstm1(inputs)
        x = self.drop(x, training=training)
        return self.head(self.lstm2(x))
`;

function summaries(src: string): ModelSummary[] {
  return analyze(src).models.map(summarize);
}

const rows = (s: ModelSummary) => s.rows.map((r) => [r.name, r.type, r.outputShape, r.params]);

describe('subclassed models', () => {
  test('model.build(shape): the layers its attributes hold, in order, counted on that shape', () => {
    const [s] = summaries(`${LSTM_MODEL}model = LSTMModel(units=64)\nmodel.build((None, 30, 5))\n`);
    assert.equal(s!.name, 'lstm_model');
    assert.equal(s!.kind, 'subclassed');
    // 4*64*(5+64+1) = 17,920; 4*32*(64+32+1) = 12,416; 32+1 = 33
    assert.deepEqual(rows(s!), [
      ['lstm', 'LSTM', '(None, 30, 64)', 17920],
      ['dropout', 'Dropout', '(None, 30, 64)', 0],
      ['lstm_1', 'LSTM', '(None, 32)', 12416],
      ['dense', 'Dense', '(None, 1)', 33],
    ]);
    assert.equal(s!.totalParams, 30369);
    // Keras 3's Model.build() does not run call (keras-team/keras#19229): it prints it unbuilt.
    assert.match(s!.unbuilt ?? '', /^Keras 3 prints this model unbuilt .* \(None, 30, 5\) data\.$/);
  });

  test('called on keras.Input, or by a class with its own build(): built, no unbuilt hint', () => {
    const onInput = summaries(`${LSTM_MODEL}model = LSTMModel(name="forecaster")
outputs = model(keras.Input((30, 5)))`);
    assert.equal(onInput[0]!.name, 'forecaster');
    assert.equal(onInput[0]!.totalParams, 30369);
    assert.equal(onInput[0]!.unbuilt, null);
    const own = summaries(
      LSTM_MODEL.replace(
        '    def call(',
        '    def build(self, input_shape):\n        super().build(input_shape)\n\n    def call(',
      ) + 'model = LSTMModel()\nmodel.build((None, 30, 5))\n',
    );
    assert.equal(own[0]!.unbuilt, null);
    assert.equal(own[0]!.totalParams, 30369);
  });

  test('inside a functional model: one row with its output shape and all its weights', () => {
    const models = summaries(`${LSTM_MODEL}inputs = keras.Input(shape=(30, 5))
x = LSTMModel(units=64)(inputs)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)`);
    const outer = models.find((m) => m.kind === 'functional')!;
    assert.deepEqual(rows(outer), [
      ['input_layer', 'InputLayer', '(None, 30, 5)', 0],
      ['lstm_model', 'LSTMModel', '(None, 1)', 30369],
      ['dense_1', 'Dense', '(None, 1)', 2],
    ]);
    assert.equal(outer.totalParams, 30371);
  });

  test('a model of several tensor arguments (dec(tgt, state)): every branch stays in the graph', () => {
    const models = summaries(`${TF}
class Decoder(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.rnn = layers.GRU(units, return_sequences=True)
        self.fc = layers.Dense(3)
    def call(self, x, state):
        return self.fc(self.rnn(x, initial_state=state))
src = keras.Input((20, 5))
tgt = keras.Input((10, 3))
_, state = layers.GRU(16, return_state=True)(src)
out = Decoder(16)(tgt, state)
model = keras.Model([src, tgt], out)`);
    const outer = models.find((m) => m.kind === 'functional')!;
    // gru 3*16*(5+16+2) = 1,104 ; decoder: gru_1 3*16*(3+16+2) = 1,008 + dense 16*3+3 = 51.
    assert.deepEqual(
      outer.rows.map((r) => [r.name, r.outputShape, r.params, r.connectedTo]),
      [
        ['input_layer', '(None, 20, 5)', 0, '-'],
        ['input_layer_1', '(None, 10, 3)', 0, '-'],
        ['gru', '[(None, 16), (None, 16)]', 1104, 'input_layer[0][0]'],
        ['decoder', '(None, 10, 3)', 1059, 'input_layer_1[0][0], gru[0][1]'],
      ],
    );
    assert.equal(outer.totalParams, 2163);
  });

  test('only fitted on data: followed on an input of unknown shape, never a total of 0', () => {
    const [s] = summaries(`${TF}
class Net(keras.Model):
    def __init__(self):
        super(Net, self).__init__()
        self.emb = layers.Embedding(1000, 32)
        self.rnn = layers.GRU(16)
        self.out = layers.Dense(1, activation="sigmoid")
    def call(self, x):
        return self.out(self.rnn(self.emb(x)))
net = Net()
net.compile("adam", "binary_crossentropy")
net.fit(x_train, y_train)`);
    // 1000*32; 3*16*(32+16+2) = 2,400; 16+1: every count rests on the embedding's width only.
    assert.deepEqual(
      s!.rows.map((r) => r.params),
      [32000, 2400, 17],
    );
    assert.equal(s!.totalParams, 34417);
    const [dense] = summaries(`${TF}
class Head(keras.Model):
    def __init__(self):
        super().__init__()
        self.d1 = layers.Dense(8)
        self.d2 = layers.Dense(1)
    def call(self, x):
        return self.d2(self.d1(x))
m = Head()
m.fit(x, y)`);
    // The first Dense needs the data's width: unknown, and so is the total (not 0).
    assert.deepEqual(
      dense!.rows.map((r) => r.params),
      [null, 9],
    );
    assert.equal(dense!.totalParams, null);
    assert.equal(dense!.unknownReason, 'an input size is unknown');
    assert.doesNotMatch(formatSummary(dense!), /Total params: 0/);
  });

  test('lists of layers, loops in call, a layer call never reaches (0 (unbuilt))', () => {
    const [s] = summaries(`${TF}
class Stack(keras.Model):
    def __init__(self, sizes=(32, 16)):
        super().__init__(name="stack")
        self.rnns = [layers.GRU(n, return_sequences=True) for n in sizes]
        self.spare = layers.Dense(4)
        self.norm = layers.LayerNormalization()
    def call(self, x):
        for rnn in self.rnns:
            x = rnn(x)
        return self.norm(x)
m = Stack()
m(keras.Input((20, 8)))`);
    assert.deepEqual(rows(s!), [
      ['gru', 'GRU', '(None, 20, 32)', 4032],
      ['gru_1', 'GRU', '(None, 20, 16)', 2400],
      ['dense', 'Dense', '?', 0],
      ['layer_normalization', 'LayerNormalization', '(None, 20, 16)', 32],
    ]);
    assert.equal(s!.totalParams, 6464);
    assert.match(formatSummary(s!), /dense \(Dense\) +│ \? +│ +0 \(unbuilt\) │/);
  });

  test('a layer possibly called in code the analyzer skips: the total is unknown', () => {
    const [s] = summaries(`${TF}
class M(keras.Model):
    def __init__(self):
        super().__init__()
        self.a = layers.Dense(4)
        self.b = layers.Dense(2)
    def call(self, x):
        if tf.random.uniform(()) > 0.5:
            x = self.b(x)
        return self.a(x)
m = M()
m.build((None, 3))`);
    assert.equal(s!.totalParams, null);
    assert.match(s!.unknownReason ?? '', /call method has code under an `if`/);
  });

  test('weights of its own (self.add_weight, tf.Variable): no row holds them, the total is unknown', () => {
    for (const own of [
      'self.scale = self.add_weight(shape=(2,), initializer="ones")',
      'self.scale = tf.Variable(tf.ones((2,)))',
    ]) {
      const [s] = summaries(`${TF}
class Scaled(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = layers.Dense(2)
        ${own}
    def call(self, x):
        return self.d(x) * self.scale
m = Scaled()
m.build((None, 3))`);
      assert.deepEqual(
        s!.rows.map((r) => r.params),
        [8],
      );
      assert.equal(s!.totalParams, null, own);
      assert.match(
        s!.unknownReason ?? '',
        /^it makes weights of its own \((self\.add_weight|tf\.Variable)/,
      );
      assert.equal(s!.unbuilt, null);
    }
  });

  test('inheritance and super(): the parent class builds the layers', () => {
    const [s] = summaries(`${TF}
class Base(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.rnn = layers.LSTM(units)
    def encode(self, x):
        return self.rnn(x)
class Classifier(Base):
    def __init__(self, units, classes):
        super().__init__(units)
        self.out = layers.Dense(classes, activation="softmax")
    def call(self, x):
        return self.out(self.encode(x))
clf = Classifier(8, 3)
clf.build((None, 10, 4))`);
    assert.equal(s!.name, 'classifier');
    // 4*8*(4+8+1) = 416; 8*3+3 = 27
    assert.deepEqual(
      s!.rows.map((r) => [r.name, r.params]),
      [
        ['lstm', 416],
        ['dense', 27],
      ],
    );
  });

  test('self.build(...) in __init__ builds it; a class never instantiated is followed once', () => {
    const [built] = summaries(`${TF}
class Tagger(keras.Model):
    def __init__(self, steps=12, feats=3):
        super().__init__()
        self.rnn = layers.SimpleRNN(5, return_sequences=True)
        self.build((None, steps, feats))
    def call(self, x):
        return self.rnn(x)
`);
    // Never instantiated: followed with its defaults; 5*(3+5+1) = 45.
    assert.equal(built!.totalParams, 45);
    assert.deepEqual(built!.rows[0]!.outputShape, '(None, 12, 5)');
  });

  test("lint sees the call's layer sequence: DR101 on a Dropout between two LSTMs", () => {
    const src = `${LSTM_MODEL}model = LSTMModel()\nmodel.build((None, 30, 5))\n`;
    const findings = lint(analyze(src), src).map((f) => f.code);
    assert.deepEqual(findings, ['DR101']);
  });

  test('a Keras layer subclass stays unknown, but its __init__ names its sublayers', () => {
    const a = analyze(`${TF}
class Attention(layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.w = layers.Dense(units)
        self.v = layers.Dense(1)
    def call(self, h):
        return self.v(tf.nn.tanh(self.w(h)))
inp = keras.Input((10, 4))
x = layers.LSTM(8, return_sequences=True)(inp)
x = Attention(16)(x)
out = layers.Dense(1)(x)
model = keras.Model(inp, out)`);
    const s = summarize(a.models[0]!);
    // Keras names Attention's own Dense layers first: the head is dense_2.
    assert.deepEqual(
      s.rows.map((r) => r.name),
      ['input_layer', 'lstm', 'attention', 'dense_2'],
    );
    assert.equal(s.totalParams, null);
  });
});

describe('models built in methods of plain classes and in closures', () => {
  test('a closure returned by a factory waits for its own call (not analysed early with defaults)', () => {
    const models = summaries(`${TF}
def make_builder(vocab, dim):
    def build(units=32):
        inp = keras.Input((20,))
        x = layers.GRU(units)(layers.Embedding(vocab, dim)(inp))
        return keras.Model(inp, layers.Dense(1)(x))
    return build
build_model = make_builder(1000, 8)
model = build_model(units=4)`);
    // One model, with units=4: 1000*8 + 3*4*(8+4+2) + 4+1 = 8,000 + 168 + 5.
    assert.deepEqual(
      models.map((s) => s.totalParams),
      [8173],
    );
  });

  test('a builder method called, and one never called (followed once with its defaults)', () => {
    const models = summaries(`${TF}
class Experiment:
    def __init__(self, steps=24, feats=2):
        self.steps = steps
        self.feats = feats
        self.model = None

    def build_model(self, units=16):
        model = keras.Sequential()
        model.add(layers.GRU(units, input_shape=(self.steps, self.feats)))
        model.add(layers.Dense(1))
        self.model = model
        return model

    def baseline(self):
        return keras.Sequential([keras.Input((self.steps, self.feats)), layers.Flatten(), layers.Dense(1)])

exp = Experiment(steps=48)
m = exp.build_model(units=32)
m.compile("adam", "mse")`);
    // GRU 3*32*(2+32+2) = 3,456 + 33; baseline, never called, on the file's instance (steps=48):
    // Flatten 48*2 -> Dense 96+1 = 97.
    assert.deepEqual(
      models.map((s) => [s.name, s.totalParams, s.rows[0]!.outputShape]),
      [
        ['sequential', 3489, '(None, 32)'],
        ['sequential_1', 97, '(None, 96)'],
      ],
    );
  });
});
