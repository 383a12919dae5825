/** Which model "Show Model Summary" describes, and its text. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SourceMap } from '../../../notebook/cells';
import { asciiSummary, modelAt, modelNamed, summaryText } from '../../../server/model-summary';
import { analyze } from '../../../analyzer/python/evaluate';
import { formatSummary, summarize } from '../../../analyzer/summary';

const SRC = [
  'import keras',
  'from keras import layers',
  'a = 1',
  'seq = keras.Sequential([',
  '    keras.Input((50, 3)),',
  '    layers.LSTM(8),',
  '], name="seq")',
  'seq.compile(optimizer="adam", loss="mse")',
  'x = keras.Input((20, 4))',
  'gru = layers.GRU(3)',
  'y = gru(x)',
  'fun = keras.Model(x, y, name="fun")',
  'b = 2',
].join('\n');
const analysis = analyze(SRC);
const at = (marker: string) => modelAt(analysis, SRC.indexOf(marker))?.name;

describe('modelAt', () => {
  test('the constructor under the cursor', () => {
    assert.equal(at('keras.Sequential'), 'seq');
    assert.equal(at('name="seq"'), 'seq');
    assert.equal(at('keras.Model'), 'fun');
  });

  test('a layer of the model, its application, or its compile', () => {
    assert.equal(at('LSTM'), 'seq');
    assert.equal(at('seq.compile'), 'seq');
    assert.equal(at('layers.GRU'), 'fun');
    assert.equal(at('gru(x)'), 'fun');
  });

  test('elsewhere: the last model of the text', () => {
    assert.equal(at('a = 1'), 'fun');
    assert.equal(at('b = 2'), 'fun');
    assert.equal(modelAt(analysis, null)?.name, 'fun');
  });

  test('no model: null', () => {
    assert.equal(modelAt(analyze('import keras\nx = 1\n'), 0), null);
    assert.equal(modelAt(analyze(''), null), null);
  });

  test('in a notebook, through the source map', () => {
    const cells = [
      'import keras',
      'm1 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])',
      'm2 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])',
    ];
    const map = SourceMap.ofCells(cells);
    const a = analyze(map.text);
    assert.equal(modelAt(a, map.offsetAt(1, { line: 0, character: 50 }))?.name, 'sequential');
    assert.equal(modelAt(a, map.offsetAt(2, { line: 0, character: 50 }))?.name, 'sequential_1');
    assert.equal(modelAt(a, map.offsetAt(0, { line: 0, character: 0 }))?.name, 'sequential_1');
  });
});

describe('modelNamed', () => {
  test('a model by its Keras name, wherever it is; null for a name the text does not build', () => {
    assert.equal(modelNamed(analysis, 'seq')?.site.span.from, SRC.indexOf('keras.Sequential'));
    assert.equal(modelNamed(analysis, 'fun')?.name, 'fun');
    assert.equal(modelNamed(analysis, 'gru'), null, 'a layer is not a model');
    assert.equal(modelNamed(analysis, 'Seq'), null, 'names are case-sensitive, as in Keras');
  });
});

describe('summaryText', () => {
  const TWO = [
    'import keras',
    'from keras import layers',
    'm = keras.Sequential([',
    '    keras.Input((50, 3)),',
    '    layers.LSTM(8, return_sequences=True),',
    '    layers.Dropout(0.2),',
    '    layers.Bidirectional(layers.GRU(16)),',
    '    layers.Dense(1),',
    '], name="stack")',
  ].join('\n');
  const stack = () => summaryText(analyze(TWO).models[0]!, 'model.py:3');

  test('model name, a row per layer with its output shape and params, totals, where it was built', () => {
    const text = summaryText(modelAt(analysis, SRC.indexOf('LSTM'))!, 'model.py:4');
    const lines = text.split('\n');
    assert.equal(lines[0], 'Model: "seq"');
    assert.match(text, /^ lstm \(LSTM\) +\(None, 8\) +384$/m);
    assert.match(text, /^ Total params: 384 \(1\.50 KB\)$/m);
    assert.match(text, /^ Trainable params: 384 \(1\.50 KB\)$/m);
    assert.match(text, /^ Non-trainable params: 0 \(0\.00 B\)$/m);
    assert.equal(lines.at(-2), 'Built at model.py:4.');
    assert.equal(lines.at(-1), '');
  });

  test('plain ASCII: rules of _ and =, no box-drawing glyphs, no trailing spaces', () => {
    const text = stack();
    assert.match(text, /^[\x20-\x7e\n]*$/, 'only printable ASCII');
    const lines = text.split('\n');
    const rules = lines.filter((l) => /^[_=]+$/.test(l));
    assert.ok(rules.some((l) => l.startsWith('=')) && rules.some((l) => l.startsWith('_')));
    assert.equal(new Set(rules.map((l) => l.length)).size, 1, 'every rule has the same width');
    assert.ok(lines.every((l) => l === l.trimEnd()));
  });

  test('columns line up: shapes start under "Output Shape", counts end under "Param #"', () => {
    const lines = stack().split('\n');
    const head = lines.find((l) => l.includes('Layer (type)'))!;
    assert.ok(head, 'a header row');
    const shapeAt = head.indexOf('Output Shape');
    const paramsEnd = head.indexOf('Param #') + 'Param #'.length;
    const rows = lines.filter((l) => l !== head && /^ \w+ \(\w+\)/.test(l));
    assert.deepEqual(
      rows.map((r) => r.match(/^ (\S+) \((\w+)\)/)!.slice(1)),
      [
        ['lstm', 'LSTM'],
        ['dropout', 'Dropout'],
        ['bidirectional', 'Bidirectional'],
        ['dense', 'Dense'],
      ],
    );
    for (const r of rows) {
      assert.equal(r.indexOf('(None'), shapeAt, r);
      assert.equal(r.length, paramsEnd, r);
    }
    assert.match(rows[2]!, /\(None, 32\) +2,496$/, '2 x 3·(16·(8+16) + 2·16)');
    const width = lines.find((l) => /^=+$/.test(l))!.length;
    assert.ok(head.length <= width && rows.every((r) => r.length <= width));
  });

  test("the table is formatSummary's (the CLI's and the kernel's), with ASCII rules", () => {
    const s = summarize(analyze(TWO).models[0]!);
    const words = (table: string) =>
      table
        .split('\n')
        .map((l) => l.replace(/[│┃]/g, ' ').trim().split(/\s+/).join(' '))
        .filter((l) => !/^[┏┡├└_=]/.test(l));
    assert.deepEqual(words(asciiSummary(s)), words(formatSummary(s)));
    assert.ok(stack().startsWith(`${asciiSummary(s)}\n\nBuilt at model.py:3.`));
  });

  test('a model without an input shape says so', () => {
    const a = analyze('import keras\nm = keras.Sequential([keras.layers.Dense(2)])');
    const text = summaryText(a.models[0]!, 'x.py:2');
    assert.match(text, /^ dense \(Dense\) +\? +\?$/m);
    assert.match(text, /Total params: \? \(an input size is unknown\)/);
    assert.match(text, /No input shape is declared/);
  });

  test('a model that could not be followed says its shapes after that are unknown', () => {
    const a = analyze(
      'import keras\nm = keras.Sequential([keras.Input((4,)), unknown_layer(), keras.layers.Dense(2)])',
    );
    assert.ok(a.models[0]!.opaque);
    assert.match(summaryText(a.models[0]!, 'x.py:2'), /^Part of this model could not be followed/m);
  });

  test("an input taken from another model: where it comes from, never 'no input shape'", () => {
    const a = analyze(`import keras
base = keras.models.load_model("enc.keras")
x = keras.layers.Dense(8)(base.output)
m1 = keras.Model(base.input, x)
m2 = keras.Model(inputs=base.inputs, outputs=x)
app = keras.applications.MobileNetV2(include_top=False, input_shape=(96, 96, 3))
y = keras.layers.GlobalAveragePooling2D()(app.output)
m3 = keras.Model(inputs=app.inputs, outputs=keras.layers.Dense(2)(y))`);
    const [m1, m2, m3] = a.models.map((m) => summaryText(m, 'x.py'));
    for (const [text, label] of [
      [m1!, 'base.input'],
      [m2!, 'base.inputs'],
    ] as const) {
      assert.doesNotMatch(text, /No input shape is declared/);
      assert.match(
        text,
        new RegExp(`^Its input comes from ${label} \\(a model loaded by load_model`, 'm'),
      );
    }
    // `app.inputs` is the application's own Input: the model is built on (96, 96, 3).
    assert.doesNotMatch(m3!, /No input shape|Its input comes from/);
    assert.match(m3!, /input_layer \(InputLayer\) +\(None, 96, 96, 3\)/);
  });

  test('a subclassed model never built in the file: Keras builds it on the data it sees', () => {
    const a = analyze(`import keras
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = keras.layers.Dense(1)
    def call(self, x):
        return self.d(x)
net = Net()
net.fit(x, y)`);
    assert.match(
      summaryText(a.models[0]!, 'x.py'),
      /^No input shape is given \(no build\(\) and no call on keras\.Input\)/m,
    );
  });
});
