/** Keras versions from imports: multi-backend Keras's GRU default, names and evidence. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import { summarize } from '../../../analyzer/summary';
import { keras2Only, multiBackendOnly } from '../../../analyzer/versions';

/** `name: params` of each row of the first model. */
function rows(src: string, options = {}): string[] {
  const a = analyze(src, options);
  return summarize(a.models[0]!).rows.map((r) => `${r.name}: ${r.params ?? '?'}`);
}

// GRU(32) on 8 features: reset_after=False 3u(in+u+1) = 3*32*41 = 3,936;
// reset_after=True 3u(in+u+2) = 3*32*42 = 4,032.
const GRU_FALSE = 3 * 32 * (8 + 32 + 1);
const GRU_TRUE = 3 * 32 * (8 + 32 + 2);

const gruModel = (imports: string, gru = 'GRU(32)') => `${imports}
model = Sequential()
model.add(${gru.replace(/\)$/, ', input_shape=(10, 8))')})
model.add(Dense(1))
`;

describe('multi-backend Keras (2.3 and older)', () => {
  test('evidence: CuDNN classes from keras.layers and the backend modules, not Keras 2 in general', () => {
    assert.ok(multiBackendOnly('keras.layers.CuDNNGRU'));
    assert.ok(multiBackendOnly('keras.backend.tensorflow_backend'));
    assert.ok(multiBackendOnly('keras.backend.tensorflow_backend.set_session'));
    // These exist in keras 2.4 (a redirect to tf.keras) too, or in tf.keras's v1 API.
    for (const p of [
      'keras.layers.recurrent',
      'keras.layers.cudnn_recurrent.CuDNNGRU',
      'keras.engine.topology',
      'tensorflow.compat.v1.keras.layers.CuDNNGRU',
      'keras.backend',
    ])
      assert.ok(!multiBackendOnly(p), p);
    assert.ok(keras2Only('keras.backend.theano_backend'));
  });

  test('a GRU in a file importing keras.layers.CuDNNGRU defaults to reset_after=False', () => {
    const src = gruModel(
      'from keras.models import Sequential\nfrom keras.layers import GRU, Dense, CuDNNGRU',
    );
    const a = analyze(src);
    assert.equal(a.multiBackendImport, 'keras.layers.CuDNNGRU');
    assert.deepEqual(rows(src), [`gru_1: ${GRU_FALSE}`, 'dense_1: 33']);
    assert.equal(summarize(a.models[0]!).name, 'sequential_1');
  });

  test('keras.backend.tensorflow_backend is evidence too; an explicit reset_after=True is kept', () => {
    const imports =
      'import keras\nfrom keras.models import Sequential\nfrom keras.layers import GRU, Dense\nfrom keras.backend.tensorflow_backend import set_session';
    assert.deepEqual(rows(gruModel(imports)), [`gru_1: ${GRU_FALSE}`, 'dense_1: 33']);
    assert.deepEqual(rows(gruModel(imports, 'GRU(32, reset_after=True)')), [
      `gru_1: ${GRU_TRUE}`,
      'dense_1: 33',
    ]);
  });

  test('keras.layers.CuDNNLSTM written out (no import of it) shows multi-backend Keras', () => {
    const src = `import keras
from keras.layers import Input, GRU, Dense
from keras.models import Model
x = Input(shape=(10, 8))
h = keras.layers.CuDNNLSTM(8, return_sequences=True)(x)
y = Dense(1)(GRU(32)(h))
m = Model(x, y)
`;
    const a = analyze(src);
    assert.equal(a.multiBackendImport, 'keras.layers.CuDNNLSTM');
    // GRU(32) on 8 features, reset_after=False; CuDNNLSTM 4u(in+u+2) = 4*8*18 = 576.
    assert.deepEqual(
      summarize(a.models[0]!).rows.map((r) => r.params),
      [0, 4 * 8 * (8 + 8 + 2), GRU_FALSE, 33],
    );
  });

  test('GRUCell in RNN and Bidirectional(GRU) get the default too', () => {
    const src = `from keras.models import Sequential
from keras.layers import RNN, GRUCell, Bidirectional, GRU, Dense, CuDNNGRU
model = Sequential()
model.add(RNN(GRUCell(32), return_sequences=True, input_shape=(10, 8)))
model.add(Bidirectional(GRU(16)))
model.add(Dense(1))
`;
    // Bidirectional(GRU(16)) on 32: 2 * 3*16*(32+16+1) = 4,704; Dense(1) on 32: 33.
    assert.deepEqual(
      summarize(analyze(src).models[0]!).rows.map((r) => r.params),
      [GRU_FALSE, 2 * 3 * 16 * (32 + 16 + 1), 33],
    );
  });

  test('keras.layers.recurrent alone is Keras 2 but not which: tf.keras 2 defaults stay', () => {
    const src = gruModel(
      'from keras.models import Sequential\nfrom keras.layers.recurrent import GRU\nfrom keras.layers import Dense',
    );
    assert.equal(analyze(src).multiBackendImport, null);
    assert.deepEqual(rows(src), [`gru: ${GRU_TRUE}`, 'dense: 33']);
  });

  test('the project setting (flavour) gives the defaults where the imports do not show them', () => {
    const src = gruModel(
      'from keras.models import Sequential\nfrom keras.layers import GRU, Dense',
    );
    assert.deepEqual(rows(src), [`gru: ${GRU_TRUE}`, 'dense: 33']);
    assert.deepEqual(rows(src, { flavour: 'keras2-multibackend' }), [
      `gru: ${GRU_FALSE}`,
      'dense: 33',
    ]);
  });

  test('an unknown **kwargs leaves reset_after unknown, and the counts with it', () => {
    const src = gruModel(
      'from keras.models import Sequential\nfrom keras.layers import GRU, Dense, CuDNNGRU',
      'GRU(32, **opts)',
    );
    // **opts may set units and return_sequences too: the Dense's input is unknown as well.
    assert.deepEqual(rows(src), ['gru_1: ?', 'dense_1: ?']);
  });
});

describe("tf.keras's v1 API", () => {
  test('tf.compat.v1.keras.layers.GRU defaults to reset_after=False, the v2 class to True', () => {
    const src = `import tensorflow as tf
model = tf.keras.Sequential([
    tf.compat.v1.keras.layers.GRU(32, return_sequences=True, input_shape=(10, 8)),
    tf.keras.layers.GRU(32),
])
`;
    // The second GRU sees 32 features: 3*32*(32+32+2) = 6,336.
    assert.deepEqual(
      summarize(analyze(src).models[0]!).rows.map((r) => r.params),
      [GRU_FALSE, 3 * 32 * (32 + 32 + 2)],
    );
  });
});
