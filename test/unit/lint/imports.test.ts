/** A fix that removes the last use of an imported name removes it from the import too. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits } from '../../../lint/index';
import { findings } from './lint-helpers';

/** The text after the preferred fix of the one finding of `code`. */
function fixed(src: string, code: string): string {
  const f = findings(src).filter((x) => x.code === code);
  assert.equal(f.length, 1, `one ${code}`);
  const fix = f[0]!.fixes.find((x) => x.isPreferred) ?? f[0]!.fixes[0];
  assert.ok(fix, `${code} has a fix`);
  return applyEdits(src, fix.edits);
}

const model = (imports: string, body: string) =>
  `import keras\n${imports}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 8)),\n${body}])\n`;

describe('unused imports after a fix', () => {
  test('DR101 "move the rate into GRU(dropout=)": Dropout leaves the import list', () => {
    const src = model(
      'from keras.layers import GRU, Dropout, Dense',
      '    GRU(32, return_sequences=True),\n    Dropout(0.3),\n    GRU(16),\n    Dense(1),\n',
    );
    const out = fixed(src, 'DR101');
    assert.match(out, /^from keras\.layers import GRU, Dense$/m);
    assert.match(out, /GRU\(16, dropout=0\.3\)/);
    assert.doesNotMatch(out, /Dropout/);
  });

  test('the last name of its statement: the whole import line goes', () => {
    const src = model(
      'from keras.layers import GRU, Dense\nfrom keras.layers import Dropout',
      '    GRU(32, return_sequences=True),\n    Dropout(0.3),\n    GRU(16),\n    Dense(1),\n',
    );
    const out = fixed(src, 'DR101');
    assert.doesNotMatch(out, /import Dropout/);
    assert.match(out, /^from keras\.layers import GRU, Dense\nmodel = /m);
  });

  test('a name still used elsewhere stays imported', () => {
    const src = model(
      'from keras.layers import GRU, Dropout, Dense',
      '    GRU(32, return_sequences=True),\n    Dropout(0.3),\n    GRU(16),\n    Dense(1),\n',
    ).concat('head = Dropout(0.1)\n');
    assert.match(fixed(src, 'DR101'), /^from keras\.layers import GRU, Dropout, Dense$/m);
  });

  test('an alias is the name that counts; a module import (layers.Dropout) is never touched', () => {
    const aliased = model(
      'from keras.layers import GRU, Dense, Dropout as Drop',
      '    GRU(32, return_sequences=True),\n    Drop(0.3),\n    GRU(16),\n    Dense(1),\n',
    );
    assert.match(fixed(aliased, 'DR101'), /^from keras\.layers import GRU, Dense$/m);
    const dotted = model(
      'from keras import layers',
      '    layers.GRU(32, return_sequences=True),\n    layers.Dropout(0.3),\n    layers.GRU(16),\n    layers.Dense(1),\n',
    );
    assert.match(fixed(dotted, 'DR101'), /^from keras import layers$/m);
  });

  test('an import inside try/except is left as it is (an empty try body would not compile)', () => {
    const src = `import keras\ntry:\n    from keras.layers import Dropout\nexcept ImportError:\n    raise\nfrom keras.layers import GRU, Dense\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 8)),\n    GRU(32, return_sequences=True),\n    Dropout(0.3),\n    GRU(16),\n    Dense(1),\n])\n`;
    const out = fixed(src, 'DR101');
    assert.match(out, /^try:\n {4}from keras\.layers import Dropout\nexcept ImportError:/m);
    assert.match(out, /GRU\(16, dropout=0\.3\)/);
  });

  test('a name that was unused before the fix is left alone', () => {
    const src = model(
      'from keras.layers import GRU, Dropout, Dense, LSTM',
      '    GRU(32, return_sequences=True),\n    Dropout(0.3),\n    GRU(16),\n    Dense(1),\n',
    );
    assert.match(fixed(src, 'DR101'), /^from keras\.layers import GRU, Dense, LSTM$/m);
  });

  test('DR110 "remove the no-op Dropout(0)" in a parenthesised import', () => {
    const src = model(
      'from keras.layers import (\n    GRU,\n    Dropout,\n    Dense,\n)',
      '    GRU(32),\n    Dropout(0.0),\n    Dense(1),\n',
    );
    const out = fixed(src, 'DR110');
    assert.doesNotMatch(out, /Dropout/);
    assert.match(out, /import \(\n {4}GRU,\n {4}Dense,\n\)/);
  });
});
