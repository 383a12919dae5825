/** Output-shape inlay hints: one after each layer call whose output shape is known. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shapeHints } from '../../../server/hints';
import { SourceMap } from '../../../notebook/cells';
import { analyze } from '../../../analyzer/python/evaluate';

/** `[its line up to the hint, label]` per hint. */
function placed(src: string): Array<[string, string]> {
  return shapeHints(analyze(src)).map((h) => [
    src.slice(src.lastIndexOf('\n', h.offset - 1) + 1, h.offset),
    h.label,
  ]);
}

describe('shapeHints', () => {
  test('Sequential: after each constructor', () => {
    const src = [
      'import keras',
      'from keras import layers',
      'm = keras.Sequential([',
      '    keras.Input((50, 3)),',
      '    layers.Dropout(0.5),',
      '    layers.LSTM(64, return_sequences=True),',
      '    layers.LSTM(8),',
      '])',
    ].join('\n');
    assert.deepEqual(placed(src), [
      ['    keras.Input((50, 3))', '→ (None, 50, 3)'],
      ['    layers.Dropout(0.5)', '→ (None, 50, 3)'],
      ['    layers.LSTM(64, return_sequences=True)', '→ (None, 50, 64)'],
      ['    layers.LSTM(8)', '→ (None, 8)'],
    ]);
  });

  test('model.add: after the constructor inside add(...)', () => {
    const src =
      'import keras\nm = keras.Sequential()\nm.add(keras.Input((7, 2)))\nm.add(keras.layers.GRU(5))\n';
    const hints = shapeHints(analyze(src));
    assert.deepEqual(
      hints.map((h) => [src.slice(h.offset, h.offset + 2), h.label]),
      [
        [')\n', '→ (None, 7, 2)'],
        [')\n', '→ (None, 5)'],
      ],
    );
    assert.equal(hints[1]!.offset, src.indexOf('GRU(5)') + 'GRU(5)'.length);
  });

  test('functional: after the application; several outputs as a list', () => {
    const src = [
      'import keras',
      'x = keras.Input((20, 4))',
      'o, h, c = keras.layers.LSTM(4, return_state=True)(x)',
      'm = keras.Model(x, o)',
    ].join('\n');
    assert.deepEqual(placed(src), [
      ['x = keras.Input((20, 4))', '→ (None, 20, 4)'],
      [
        'o, h, c = keras.layers.LSTM(4, return_state=True)(x)',
        '→ [(None, 4), (None, 4), (None, 4)]',
      ],
    ]);
  });

  test('a loop gives one hint per place, with the different shapes', () => {
    const src = [
      'import keras',
      'h = x = keras.Input((20, 4))',
      'for u in (32, 16):',
      '    h = keras.layers.GRU(u, return_sequences=True)(h)',
      'for _ in range(3):',
      '    h = keras.layers.Dropout(0.1)(h)',
      'm = keras.Model(x, h)',
    ].join('\n');
    assert.deepEqual(placed(src), [
      ['h = x = keras.Input((20, 4))', '→ (None, 20, 4)'],
      [
        '    h = keras.layers.GRU(u, return_sequences=True)(h)',
        '→ (None, 20, 32) | (None, 20, 16)',
      ],
      ['    h = keras.layers.Dropout(0.1)(h)', '→ (None, 20, 16)'],
    ]);
  });

  test('more than three different shapes at one place: no hint', () => {
    const src = [
      'import keras',
      'h = x = keras.Input((20, 4))',
      'for u in (1, 2, 3, 4):',
      '    h = keras.layers.GRU(u, return_sequences=True)(h)',
      'm = keras.Model(x, h)',
    ].join('\n');
    assert.deepEqual(placed(src), [['h = x = keras.Input((20, 4))', '→ (None, 20, 4)']]);
  });

  test('wrapped layers get no hint of their own; the wrapper does', () => {
    const src = [
      'import keras',
      'from keras import layers',
      'x = keras.Input((20, 4))',
      'y = layers.Bidirectional(layers.GRU(3))(x)',
      'z = layers.TimeDistributed(layers.Dense(2))(x)',
    ].join('\n');
    assert.deepEqual(placed(src), [
      ['x = keras.Input((20, 4))', '→ (None, 20, 4)'],
      ['y = layers.Bidirectional(layers.GRU(3))(x)', '→ (None, 6)'],
      ['z = layers.TimeDistributed(layers.Dense(2))(x)', '→ (None, 20, 2)'],
    ]);
  });

  test('unknown shapes: no hint', () => {
    const src = [
      'import keras',
      'm = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])',
      'y = keras.layers.Dense(3)(unknown_tensor)',
    ].join('\n');
    assert.deepEqual(shapeHints(analyze(src)), []);
  });

  test("notebook: hints of a later cell use an earlier cell's input", () => {
    const cells = [
      'import keras\nT = 30',
      'm = keras.Sequential([\n    keras.Input((T, 2)),\n    keras.layers.SimpleRNN(4),\n])',
    ];
    const map = SourceMap.ofCells(cells);
    const hints = shapeHints(analyze(map.text)).map((h) => ({
      ...map.position(h.offset),
      label: h.label,
    }));
    assert.deepEqual(hints, [
      { cell: 1, line: 1, character: 23, label: '→ (None, 30, 2)' },
      { cell: 1, line: 2, character: 29, label: '→ (None, 4)' },
    ]);
  });
});
