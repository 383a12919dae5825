/** The one formatter of Python values and shapes, as Python and Keras print them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formatShape,
  formatShapes,
  formatSpread,
  pyFloat,
  pyStr,
  repr,
} from '../../../analyzer/format';
import { analyze } from '../../../analyzer/python/evaluate';
import { float, int, NONE, str, UNKNOWN, type Value } from '../../../analyzer/python/values';

describe('formatShape', () => {
  test('Keras spelling: None for unknown sizes, a trailing comma for rank 1, ? when unknown', () => {
    assert.equal(formatShape([null, 50, 64]), '(None, 50, 64)');
    assert.equal(formatShape([null]), '(None,)');
    assert.equal(formatShape([]), '()');
    assert.equal(formatShape(null), '?');
    assert.equal(formatShapes([[null, 8]]), '(None, 8)');
    assert.equal(formatShapes([[null, 8], [null, 4], null]), '[(None, 8), (None, 4), ?]');
  });
});

describe('pyFloat', () => {
  test('as Python prints floats', () => {
    assert.deepEqual([1, 0.5, 1e-5, 1e-7, 2.5e20, NaN, Infinity, -Infinity].map(pyFloat), [
      '1.0',
      '0.5',
      '1e-05',
      '1e-07',
      '2.5e+20',
      'nan',
      'inf',
      '-inf',
    ]);
  });
});

describe('repr and str', () => {
  test('containers, strings and singletons as Python writes them', () => {
    const tuple: Value = { kind: 'tuple', items: [NONE, int(1), float(64)] };
    assert.equal(repr(tuple), '(None, 1, 64.0)');
    assert.equal(repr({ kind: 'tuple', items: [int(3)] }), '(3,)');
    assert.equal(
      repr({ kind: 'list', items: [str('relu'), { kind: 'bool', value: true }] }),
      "['relu', True]",
    );
    assert.equal(repr({ kind: 'dict', entries: [[str('a'), float(0.5)]] }), "{'a': 0.5}");
    assert.equal(repr(str("it's\n")), "'it\\'s\\n'");
    assert.equal(pyStr(str('plain')), 'plain');
    assert.equal(pyStr(float(2)), '2.0');
  });

  test('graph values: a layer, a model and a tensor by their Keras names and shape', () => {
    const a = analyze(
      'import keras\nx = keras.Input((10, 3))\nl = keras.layers.LSTM(4)\ny = l(x)\nm = keras.Model(x, y, name="m")\n',
    );
    const model = a.models[0]!;
    assert.equal(repr({ kind: 'model', model }), '<Functional name=m>');
    assert.equal(repr({ kind: 'layer', layer: model.layers[1]! }), '<LSTM name=lstm>');
    assert.equal(
      repr({ kind: 'tensor', tensor: model.outputs[0]! }),
      '<KerasTensor shape=(None, 4)>',
    );
  });

  test('unknown and host values: ? by default, the caller decides otherwise', () => {
    const host: Value = { kind: 'host', tag: 'array', payload: { n: 3 } };
    assert.equal(repr(UNKNOWN), '?');
    assert.equal(repr(UNKNOWN, { unknown: '<unknown>' }), '<unknown>');
    assert.equal(repr(host), '<array>');
    assert.equal(repr(host, { host: (tag, p) => `${tag}:${(p as { n: number }).n}` }), 'array:3');
  });
});

test('a spread over seeds reads as mean ± std, times in ms; no deviation, no ±', () => {
  assert.equal(formatSpread({ mean: 0.123456, std: 0.0012345 }), '0.1235 ± 0.0012');
  assert.equal(formatSpread({ mean: 0.0192, std: 3.5e-18 }), '0.0192', 'rounding is no deviation');
  assert.equal(formatSpread({ mean: 0.5, std: null }), '0.5');
  assert.equal(formatSpread({ mean: null, std: null }), '–');
  assert.equal(formatSpread({ mean: 412.3, std: 8.4 }, 'ms'), '412ms ± 8ms');
  assert.equal(formatSpread({ mean: 2400, std: 130 }, 'ms'), '2.4s ± 130ms');
});
