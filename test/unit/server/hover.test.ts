/** The hover on a layer constructor: header, name, findings with links. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  escapeMarkdown,
  findingsOn,
  hoverMarkdown,
  layerHeader,
  layersAt,
  MAX_HOVER_LAYERS,
} from '../../../server/hover';
import { lint } from '../../../lint/index';
import { analyze } from '../../../analyzer/python/evaluate';

const SRC = [
  'import keras',
  'from keras import layers',
  'm = keras.Sequential([',
  '    keras.Input((50, 3)),',
  '    layers.Dropout(0.5),',
  '    layers.LSTM(64, return_sequences=True),',
  '    layers.LSTM(8, recurrent_dropout=0.7),',
  '    layers.Dense(1),',
  '])',
  'x = keras.Input((20, 4))',
  'b = layers.Bidirectional(layers.GRU(3))(x)',
  'unused = layers.Dense(3)',
].join('\n');
const analysis = analyze(SRC);
const findings = lint(analysis, SRC, {});
const link = (code: string) => `command:explain?${code}`;

function hoverAt(marker: string, delta = 0): string {
  return hoverMarkdown(analysis, layersAt(analysis, SRC.indexOf(marker) + delta), findings, link);
}

describe('layersAt', () => {
  test('the callee range, both ends included', () => {
    const at = SRC.indexOf('layers.LSTM(64');
    assert.deepEqual(
      layersAt(analysis, at).map((l) => l.name),
      ['lstm'],
    );
    assert.deepEqual(
      layersAt(analysis, at + 'layers.LSTM'.length).map((l) => l.name),
      ['lstm'],
    );
    assert.deepEqual(layersAt(analysis, at + 'layers.LSTM('.length), []);
    assert.deepEqual(layersAt(analysis, at - 2), []);
  });

  test('a wrapper and the layer it wraps are told apart', () => {
    assert.deepEqual(
      layersAt(analysis, SRC.indexOf('Bidirectional')).map((l) => l.name),
      ['bidirectional'],
    );
    assert.deepEqual(
      layersAt(analysis, SRC.indexOf('GRU(3')).map((l) => l.name),
      ['gru'],
    );
  });
});

describe('layerHeader', () => {
  test('type, output shape and parameter count', () => {
    const [lstm] = layersAt(analysis, SRC.indexOf('LSTM(64'));
    assert.equal(layerHeader(lstm!), 'LSTM → (None, 50, 64) · 17,408 params');
    const [dropout] = layersAt(analysis, SRC.indexOf('Dropout'));
    assert.equal(layerHeader(dropout!), 'Dropout → (None, 50, 3) · 0 params');
  });

  test('a layer never applied: just its type', () => {
    const [dense] = layersAt(analysis, SRC.indexOf('Dense(3'));
    assert.equal(layerHeader(dense!), 'Dense');
  });

  test('unknown input: ? shape and ? params', () => {
    const src = 'import keras\nm = keras.Sequential([keras.layers.LSTM(8)])';
    const a = analyze(src);
    assert.equal(layerHeader(a.layers[0]!), 'LSTM → ? · ? params');
  });

  test("the summary's count where only the last axis is known (one implementation)", () => {
    // Embedding on an input of unknown rank gives (..., 8): the LSTM's 4*4*(8+4+1) = 208 is known
    // (the summary counted it; the hover said `? params`).
    const src = [
      'import keras',
      'inp = keras.Input(shape=shape_from_data)',
      'h = keras.layers.LSTM(4)(keras.layers.Embedding(100, 8)(inp))',
    ].join('\n');
    const a = analyze(src);
    assert.equal(layerHeader(a.layers[1]!), 'LSTM → (None, 4) · 208 params');
  });

  test('a model used as a layer: its total', () => {
    const src = [
      'import keras',
      'enc = keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(4)])',
      'x = keras.Input((5, 3))',
      'y = keras.layers.Dense(1)(enc(x))',
    ].join('\n');
    const a = analyze(src);
    // 3*4*(3+4+2) = 108
    const call = a.layers.find((l) => l.type === 'Dense')!.calls[0]!;
    assert.equal(
      layerHeader(call.inputs[0]!.producer!.layer),
      'Sequential → (None, 4) · 108 params',
    );
  });

  test('one parameter is singular', () => {
    const src =
      'import keras\nm = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])';
    assert.equal(layerHeader(analyze(src).layers[1]!), 'Dense → (None, 1) · 1 param');
  });
});

describe('hoverMarkdown', () => {
  test('a clean layer: header and name', () => {
    assert.equal(
      hoverAt('LSTM(64'),
      '`LSTM → (None, 50, 64) · 17,408 params`\n\nLayer `lstm` of model `sequential`',
    );
  });

  test('findings on the layer, linked to their docs and escaped', () => {
    const md = hoverAt('LSTM(8');
    const [head, rest] = md.split('\n\n---\n\n');
    assert.equal(
      head!.split('\n\nDropout mask:')[0],
      '`LSTM → (None, 8) · 2,336 params`\n\nLayer `lstm_1` of model `sequential`',
    );
    assert.match(
      head!,
      /\n\nDropout mask:\n- Keras 3: one mask per sequence and per gate on the state/,
    );
    const lines = rest!.split('\n\n');
    assert.equal(lines.length, 2);
    assert.equal(
      lines[0],
      '$(warning) [CU301](command:explain?CU301) recurrent-dropout-disables-cudnn',
    );
    assert.equal(lines[1], '$(warning) [DR109](command:explain?DR109) high-dropout-rate');
  });

  test("a finding's message is not repeated: the editor's diagnostic hover already shows it", () => {
    const md = hoverAt('LSTM(8');
    const mine = findingsOn(layersAt(analysis, SRC.indexOf('LSTM(8'))[0]!, findings);
    assert.ok(mine.length >= 2);
    for (const f of mine) {
      assert.ok(!md.includes(escapeMarkdown(f.message)), `the hover repeats: ${f.message}`);
      assert.ok(!md.includes(f.message), `the hover repeats: ${f.message}`);
    }
  });

  test('only the findings of the hovered layer', () => {
    const md = hoverAt('Dropout');
    assert.match(md, /\[DR101\]/);
    assert.doesNotMatch(md, /CU301|DR109/);
    assert.deepEqual(findingsOn(layersAt(analysis, SRC.indexOf('Dense(1'))[0]!, findings), []);
  });

  test('wrapped layer and unused layer', () => {
    assert.equal(hoverAt('GRU(3'), '`GRU`\n\nLayer `gru` inside `bidirectional`');
    assert.equal(hoverAt('Dense(3'), '`Dense`\n\nLayer `dense_1` (not applied to any input)');
  });

  test('an input layer of a Sequential belongs to no model.layers', () => {
    assert.equal(
      hoverAt('Input((50'),
      '`InputLayer → (None, 50, 3) · 0 params`\n\nLayer `input_layer`',
    );
  });

  test('layers built by a loop: one block each, then a count', () => {
    const src = [
      'import keras',
      'h = x = keras.Input((20, 4))',
      'for u in range(1, 9):',
      '    h = keras.layers.GRU(u, return_sequences=True)(h)',
      'm = keras.Model(x, h)',
    ].join('\n');
    const a = analyze(src);
    const layers = layersAt(a, src.indexOf('GRU'));
    assert.equal(layers.length, 8);
    const md = hoverMarkdown(a, layers, [], link);
    const blocks = md.split('\n\n');
    assert.equal(blocks.length, MAX_HOVER_LAYERS * 2 + 1);
    assert.equal(blocks[0], '`GRU → (None, 20, 1) · 21 params`');
    assert.equal(blocks[2], '`GRU → (None, 20, 2) · 30 params`');
    assert.equal(blocks.at(-1), '… and 3 more layers built here');
  });

  test('nothing under the cursor: empty', () => {
    assert.equal(hoverMarkdown(analysis, [], findings, link), '');
  });
});

describe('escapeMarkdown', () => {
  test('Markdown syntax in messages is shown literally', () => {
    assert.equal(
      escapeMarkdown('rate in [0, 1) for *x*_y <b> `c`'),
      'rate in \\[0, 1\\) for \\*x\\*\\_y \\<b\\> \\`c\\`',
    );
  });
});

describe('the mask of a dropout under each framework', () => {
  /** The hover on the `nth` layer constructor of the body (0: the outer one). */
  const hover = (body: string, nth = 0) => {
    const src = `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((50, 3)), ${body}])`;
    const a = analyze(src);
    let at = src.indexOf('layers.', src.indexOf('Input'));
    for (let i = 0; i < nth; i++) at = src.indexOf('layers.', at + 1);
    return hoverMarkdown(a, layersAt(a, at + 1), [], link);
  };
  const block = (md: string) => md.split('\n\n').find((b) => b.startsWith('Dropout mask:')) ?? null;
  const lines = (...facts: string[]) =>
    [
      'Dropout mask:',
      ...['Keras 3', 'tf.keras 2', 'TensorFlow.js'].map(
        (f, i) => `- ${f}: ${facts[i] ?? facts[0]}`,
      ),
    ].join('\n');

  test('Dropout: a new mask at every timestep, in every framework', () => {
    assert.equal(
      block(hoverAt('Dropout')),
      lines('a new mask at each of the 50 timesteps, each unit kept or dropped on its own'),
    );
    assert.equal(
      block(hover('layers.Dropout(0.2, noise_shape=(None, 1, 3))')),
      lines('one mask per sequence: the same units dropped at every timestep'),
    );
    assert.equal(
      block(hover('layers.Dropout(0.2, noise_shape=(None, None, 1))')),
      lines('whole timesteps dropped: each of the 50 timesteps kept or dropped with all its units'),
    );
    assert.equal(
      block(hover('layers.Dropout(0.2, noise_shape=(1, None, 3))')),
      lines('a new mask at each of the 50 timesteps; the same for every sample of the batch'),
    );
    assert.equal(
      block(hover('layers.SpatialDropout1D(0.3)')),
      lines('one mask per sequence: the same units dropped at every timestep'),
    );
    const td = lines(
      'a new mask at each of the 50 timesteps: TimeDistributed does not share one across timesteps',
    );
    assert.equal(block(hover('layers.TimeDistributed(layers.Dropout(0.3))')), td);
    assert.equal(block(hover('layers.TimeDistributed(layers.Dropout(0.3))', 1)), td, 'inside it');
  });

  test('rate 1: TensorFlow.js applies no mask; rate 0 and unknown rates: no block', () => {
    const md = block(hover('layers.Dropout(1.0)'))!;
    assert.match(md, /- TensorFlow\.js: no mask at all: it ignores rate 1$/);
    assert.equal(block(hover('layers.Dropout(0.0)')), null);
    assert.equal(block(hover('layers.Dropout(r)')), null);
    assert.equal(block(hover('layers.LSTM(4)')), null);
  });

  test('LSTM dropout=: per sequence in Keras 3; per timestep on tf.keras 2 when cuDNN-eligible', () => {
    assert.equal(
      block(hover('layers.LSTM(8, dropout=0.2)')),
      lines(
        'one mask per sequence on the inputs (`dropout=`), shared by the 4 gates',
        'a new input mask at every timestep, shared by the gates: the layer is cuDNN-eligible ([keras-team/keras#19993](https://github.com/keras-team/keras/issues/19993))',
        'one mask per sequence on the inputs (`dropout=`): it draws one per gate but applies the first to all 4 gates',
      ),
    );
    // Not eligible (a non-default activation): per sequence there too.
    assert.match(
      block(hover("layers.GRU(8, dropout=0.2, activation='relu')"))!,
      /- tf\.keras 2: one mask per sequence on the inputs \(`dropout=`\), shared by the 3 gates$/m,
    );
  });

  test('recurrent_dropout: a mask per gate from Keras 3.8 (GRU #20656, LSTM #20663)', () => {
    assert.equal(
      block(hover('layers.GRU(8, dropout=0.1, recurrent_dropout=0.2)')),
      lines(
        'one mask per sequence and per gate on the inputs (`dropout=`) and on the state (`recurrent_dropout=`): 3 of each (from Keras 3.8, [keras-team/keras#20656](https://github.com/keras-team/keras/issues/20656))',
        'one mask per sequence on the inputs (`dropout=`) and on the state (`recurrent_dropout=`), shared by the 3 gates',
        'one mask per sequence on the inputs (`dropout=`) and on the state (`recurrent_dropout=`): it draws one per gate but applies the first to all 3 gates',
      ),
    );
    assert.equal(
      block(hover('layers.SimpleRNN(8, recurrent_dropout=0.2)')),
      lines('one mask per sequence on the state (`recurrent_dropout=`)'),
    );
  });

  test('Bidirectional: on the wrapper and on its layer, each direction its own', () => {
    const wrapper = block(hover('layers.Bidirectional(layers.LSTM(4, dropout=0.3))'))!;
    assert.equal(block(hover('layers.Bidirectional(layers.LSTM(4, dropout=0.3))', 1)), wrapper);
    assert.match(
      wrapper,
      /^- Keras 3: one mask per sequence on the inputs \(`dropout=`\), shared by the 4 gates; each direction draws its own$/m,
    );
    assert.equal(wrapper.split('\n').length, 4, 'a heading and one line per framework');
  });
});
