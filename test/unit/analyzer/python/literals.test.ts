/** Python literals as the evaluator reads them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNumber, parseString } from '../../../../analyzer/python/literals';
import { repr } from '../../../../analyzer/format';

test('numbers: bases, underscores, floats; complex and unsafe integers are unknown', () => {
  const cases: Array<[string, string]> = [
    ['0x1F', '31'],
    ['0o17', '15'],
    ['0b101', '5'],
    ['1_000', '1000'],
    ['1e-3', '0.001'],
    ['2.', '2.0'],
    ['3j', '?'],
    ['99999999999999999999', '?'],
  ];
  for (const [text, expected] of cases) assert.equal(repr(parseNumber(text)), expected, text);
});

test('strings: quotes, prefixes and escapes; bytes and f-strings are unknown', () => {
  const cases: Array<[string, string | null]> = [
    ["'relu'", 'relu'],
    ['"""a\nb"""', 'a\nb'],
    ["'a\\tb'", 'a\tb'],
    ["'a\\\nb'", 'ab'],
    ["r'a\\tb'", 'a\\tb'],
    ["'\\q'", '\\q'],
    ["b'x'", null],
    ["f'{x}'", null],
    ["'unterminated", null],
  ];
  for (const [text, expected] of cases) {
    const v = parseString(text);
    assert.deepEqual(v.kind === 'str' ? v.value : null, expected, text);
  }
});
