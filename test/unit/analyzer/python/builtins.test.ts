/** Python's builtins on known values, called directly (no syntax): exact where known, else unknown. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { repr } from '../../../../analyzer/format';
import { BUILTINS, callBuiltin } from '../../../../analyzer/python/builtins';
import { MAX_UNROLL } from '../../../../analyzer/python/limits';
import { float, int, NONE, str, UNKNOWN, type Value } from '../../../../analyzer/python/values';

const call = (name: string, ...args: Value[]) => repr(callBuiltin(name, args));
const list = (...xs: number[]): Value => ({ kind: 'list', items: xs.map((x) => int(x)) });

describe('builtins', () => {
  test('round rounds half to even, as Python does', () => {
    const cases: Array<[number, number]> = [
      [0.5, 0],
      [1.5, 2],
      [2.5, 2],
      [3.5, 4],
      [-2.5, -2],
      [-3.5, -4],
      [2.6, 3],
    ];
    for (const [x, expected] of cases)
      assert.equal(call('round', float(x)), String(expected), `round(${x})`);
    assert.equal(callBuiltin('round', [float(2.5), int(1)]), UNKNOWN, 'ndigits is not followed');
  });

  test('range: start, stop and step, bounded by MAX_UNROLL', () => {
    assert.equal(call('range', int(4)), '[0, 1, 2, 3]');
    assert.equal(call('range', int(0), int(10), int(3)), '[0, 3, 6, 9]');
    assert.equal(call('range', int(5), int(0), int(-2)), '[5, 3, 1]');
    assert.equal(call('range', int(3), int(1)), '[]');
    assert.equal(callBuiltin('range', [int(0), int(5), int(0)]), UNKNOWN, 'a zero step raises');
    assert.equal(call('range', int(MAX_UNROLL)).split(',').length, MAX_UNROLL);
    assert.equal(callBuiltin('range', [int(MAX_UNROLL + 1)]), UNKNOWN);
  });

  test('conversions', () => {
    assert.equal(call('int', str(' -7 ')), '-7');
    assert.equal(call('int', float(-2.9)), '-2');
    assert.equal(callBuiltin('int', [str('1.5')]), UNKNOWN);
    assert.equal(call('float', str('1e-3')), '0.001');
    assert.equal(callBuiltin('float', [str('  ')]), UNKNOWN);
    assert.equal(call('bool', list()), 'False');
    assert.equal(call('str', int(12)), "'12'");
    assert.equal(call('tuple', str('ab')), "('a', 'b')");
    assert.equal(call('list'), '[]');
  });

  test('len, min, max, abs and enumerate', () => {
    assert.equal(call('len', str('abc')), '3');
    assert.equal(call('len', { kind: 'dict', entries: [[str('a'), NONE]] }), '1');
    assert.equal(call('max', list(3, 9, 2)), '9');
    assert.equal(call('min', int(4), float(1.5), int(2)), '1.5');
    assert.equal(callBuiltin('max', [int(1), str('a')]), UNKNOWN, 'mixed types are not ordered');
    assert.equal(call('abs', int(-3)), '3');
    assert.equal(call('enumerate', list(7, 8)), '[(0, 7), (1, 8)]');
  });

  test('every builtin a name resolves to is known here (print returns unknown)', () => {
    for (const name of BUILTINS) assert.doesNotThrow(() => callBuiltin(name, []), name);
    assert.equal(callBuiltin('print', [int(1)]), UNKNOWN);
    assert.equal(callBuiltin('open', [str('f')]), UNKNOWN);
  });
});
