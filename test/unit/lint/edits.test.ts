/** Fix edits that name a new layer class: the import they add exists in the file's Keras. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkFixes, fixNamed } from './lint-helpers';
import { tupleItems } from '../../../lint/edits';

/**
 * The lines the SpatialDropout1D fix of the file's DR101 (or DR108's Dropout fix) adds or changes
 * that name the new class (the fix also trims an import it leaves unused).
 */
function spatialFix(src: string, code = 'DR101'): string {
  const fixed = fixNamed(checkFixes(src, code), /SpatialDropout1D|Use Dropout/).text;
  const before = new Set(src.split('\n'));
  const named = code === 'DR101' ? /SpatialDropout1D/ : /\bDropout\b/;
  return fixed
    .split('\n')
    .filter((l) => !before.has(l) && named.test(l))
    .join('\n');
}

const body = (dropout: string, lstm = 'LSTM') => `
model = Sequential()
model.add(Embedding(5000, 64, input_length=50))
model.add(${dropout}(0.3))
model.add(${lstm}(32))
model.add(Dense(1))
`;

describe('imports a fix adds', () => {
  test('Dropout from keras.layers.core (Keras 2): SpatialDropout1D comes from keras.layers', () => {
    // keras.layers.core has no SpatialDropout1D from Keras 2.9 on (keras/layers/core/ package),
    // and Keras 3 has no keras.layers.core; keras.layers has it in every version.
    const src = `from keras.models import Sequential
from keras.layers.core import Dense, Dropout
from keras.layers.recurrent import LSTM
from keras.layers.embeddings import Embedding
${body('Dropout')}`;
    assert.equal(
      spatialFix(src),
      'from keras.layers import SpatialDropout1D\nmodel.add(SpatialDropout1D(0.3))',
    );
  });

  test('a Keras 3 internal path (keras.src.layers...) gets the public keras.layers', () => {
    const src = `from keras.models import Sequential
from keras.src.layers.regularization.dropout import Dropout
from keras.layers import Dense, LSTM, Embedding
${body('Dropout')}`;
    assert.equal(
      spatialFix(src),
      'from keras.layers import SpatialDropout1D\nmodel.add(SpatialDropout1D(0.3))',
    );
  });

  test('tensorflow.keras.layers and tf_keras.layers keep their own package', () => {
    for (const pkg of ['tensorflow.keras', 'tf_keras']) {
      const src = `from ${pkg}.models import Sequential
from ${pkg}.layers import Dense, Dropout, LSTM, Embedding
${body('Dropout')}`;
      assert.equal(
        spatialFix(src),
        `from ${pkg}.layers import SpatialDropout1D\nmodel.add(SpatialDropout1D(0.3))`,
      );
    }
  });

  test('a dotted submodule callee (keras.layers.core.Dropout) becomes the public class', () => {
    const src = `import keras
from keras.models import Sequential
from keras.layers import Dense, LSTM, Embedding
${body('keras.layers.core.Dropout')}`;
    assert.equal(
      spatialFix(src),
      'from keras.layers import SpatialDropout1D\nmodel.add(SpatialDropout1D(0.3))',
    );
  });

  test('layers.Dropout stays layers.SpatialDropout1D, with no import', () => {
    const src = `from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential()
model.add(layers.Embedding(5000, 64, input_length=50))
model.add(layers.Dropout(0.3))
model.add(layers.LSTM(32))
`;
    assert.equal(spatialFix(src), 'model.add(layers.SpatialDropout1D(0.3))');
  });

  test('DR108 (SpatialDropout1D on rank 2) from keras.layers.core imports Dropout from keras.layers', () => {
    const src = `from keras.models import Sequential
from keras.layers.core import Dense, SpatialDropout1D
model = Sequential()
model.add(Dense(16, input_shape=(8,)))
model.add(SpatialDropout1D(0.3))
model.add(Dense(1))
`;
    assert.equal(
      spatialFix(src, 'DR108'),
      'from keras.layers import Dropout\nmodel.add(Dropout(0.3))',
    );
  });
});

test('tupleItems splits at top-level commas only: not inside brackets or strings', () => {
  const text = `(None, 'a,b', (1, 2), [3, 4])`;
  assert.deepEqual(tupleItems(text, { from: 0, to: text.length }), [
    'None',
    `'a,b'`,
    '(1, 2)',
    '[3, 4]',
  ]);
});
