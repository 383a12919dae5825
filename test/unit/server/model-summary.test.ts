/** Which model "Show Model Summary" describes, and its text. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SourceMap } from '../../../notebook/cells';
import { modelAt, summaryText } from '../../../server/model-summary';
import { analyze } from '../../../analyzer/python/evaluate';

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

describe('summaryText', () => {
  test('Keras table, totals and where the model was built', () => {
    const text = summaryText(modelAt(analysis, SRC.indexOf('LSTM'))!, 'model.py:4');
    const lines = text.split('\n');
    assert.equal(lines[0], 'Model: "seq"');
    assert.match(text, /│ lstm \(LSTM\) +│ \(None, 8\) +│ +384 │/);
    assert.match(text, / Total params: 384 \(1\.50 KB\)/);
    assert.equal(lines.at(-2), 'Built at model.py:4.');
    assert.equal(lines.at(-1), '');
  });

  test('a model without an input shape says so', () => {
    const a = analyze('import keras\nm = keras.Sequential([keras.layers.Dense(2)])');
    const text = summaryText(a.models[0]!, 'x.py:2');
    assert.match(text, /Total params: \? \(an input size is unknown\)/);
    assert.match(text, /No input shape is declared/);
  });
});
