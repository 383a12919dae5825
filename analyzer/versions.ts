/**
 * Keras versions as a file's imports show them, and the layer defaults that differ between them.
 * The linter's targets (lint/types.ts) and the analyzer's defaults both read this one table.
 *
 * Facts, each read in that version's own source (keras-team/keras at the tag named):
 * - Multi-backend Keras (the standalone `keras` package up to 2.3.1) exports `CuDNNLSTM` and
 *   `CuDNNGRU` from `keras.layers` (2.3.1 keras/layers/__init__.py) and has a
 *   `keras.backend.tensorflow_backend` module (with `theano_backend`, `cntk_backend`). Keras 2.4.0
 *   made the package a redirect to tf.keras: `keras/layers/__init__.py` is
 *   `from tensorflow.keras.layers import *` (no CuDNN classes in TF 2's API) and
 *   `keras/backend.py` is one module. From 2.6.0 on the CuDNN classes are exported only in the v1
 *   API (`@keras_export(v1=['keras.layers.CuDNNLSTM'])`, v2.6.0 keras/layers/cudnn_recurrent.py).
 *   `keras.layers.recurrent`, `keras.layers.cudnn_recurrent` and `keras.engine.topology` still
 *   exist in 2.4.0 (and the first two in 2.6-2.8), so they show Keras 2, not which Keras 2.
 * - In multi-backend Keras GRU and GRUCell default to `reset_after=False` (2.3.1
 *   keras/layers/recurrent.py, `GRU.__init__` and `GRUCell.__init__`; 2.2.4 too), so a GRU has
 *   3u(in + u + 1) weights where tf.keras 2 and Keras 3 (`reset_after=True`) have 3u(in + u + 2).
 *   LSTM and GRU default to `activation='tanh'`, `recurrent_activation='sigmoid'` in 2.3.x
 *   (2.2.x: 'hard_sigmoid'); their steps run in `K.rnn` with no cuDNN kernel (only the explicit
 *   CuDNNLSTM/CuDNNGRU use cuDNN), and `dropout=` makes one mask per sequence
 *   (`_generate_dropout_mask` once per call, 2.3.1 recurrent.py).
 * - Automatic names count from 1 per class (`lstm_1`, `lstm_2`, `sequential_1`, `model_1`,
 *   `input_1`): `_to_snake_case(prefix) + '_' + str(K.get_uid(prefix))` (2.3.1
 *   keras/engine/base_layer.py; network.py and input_layer.py likewise).
 * - tf.keras's v1 API keeps the v1 classes: `tf.compat.v1.keras.layers.GRU` and `GRUCell` default to
 *   `reset_after=False` (v2.6.0 keras/layers/recurrent.py, exported `v1=['keras.layers.GRU']`),
 *   while the v2 classes in recurrent_v2.py default to True.
 */
import type { LayerNode } from './graph';
import { defaultValue, type Default } from './layers/types';

/**
 * Modules and names that exist only in Keras 2 (standalone `keras` up to 2.x, whose public API
 * had these submodules; Keras 3 has none of them): importing one shows the file is Keras 2 code.
 */
const KERAS2_ONLY =
  /^keras\.(layers\.(recurrent|embeddings|merge|cudnn_recurrent|wrappers)|preprocessing\.text|engine|wrappers\.scikit_learn|backend\.(tensorflow|theano|cntk)_backend)(\.|$)|^keras\.layers\.(CuDNNLSTM|CuDNNGRU)$/;

/** Modules and names that exist only in multi-backend Keras (2.3 and older). */
const MULTI_BACKEND_ONLY =
  /^keras\.backend\.(tensorflow|theano|cntk)_backend(\.|$)|^keras\.layers\.(CuDNNLSTM|CuDNNGRU)$/;

/** True when an imported module or name exists only in Keras 2. */
export function keras2Only(path: string): boolean {
  return KERAS2_ONLY.test(path);
}

/** True when an imported module or name (or a layer's path) exists only in multi-backend Keras. */
export function multiBackendOnly(path: string): boolean {
  return MULTI_BACKEND_ONLY.test(path);
}

/** The Keras whose defaults a file's layers get. */
export type KerasFlavour = 'keras3' | 'keras2-multibackend';

/** Defaults that differ from the layer registry's (Keras 3 and tf.keras 2), by flavour. */
const FLAVOUR_DEFAULTS: Readonly<
  Record<Exclude<KerasFlavour, 'keras3'>, Readonly<Record<string, Record<string, Default>>>>
> = {
  'keras2-multibackend': { GRU: { reset_after: false }, GRUCell: { reset_after: false } },
};

/** tf.keras's v1 classes (`tf.compat.v1.keras.layers.GRU`) keep the v1 defaults. */
const V1_PREFIX = 'tensorflow.compat.v1.keras.';
const V1_DEFAULTS: Readonly<Record<string, Record<string, Default>>> = {
  GRU: { reset_after: false },
  GRUCell: { reset_after: false },
};

/**
 * Sets the defaults of the layers' Keras version where the call did not write the argument
 * (an unknown `**kwargs` leaves them unknown): run once the whole file's imports are known.
 */
export function applyVersionDefaults(layers: readonly LayerNode[], flavour: KerasFlavour): void {
  for (const layer of layers) {
    const own = layer.path.startsWith(V1_PREFIX)
      ? V1_DEFAULTS[layer.type]
      : flavour === 'keras3'
        ? undefined
        : FLAVOUR_DEFAULTS[flavour][layer.type];
    if (!own) continue;
    for (const [key, d] of Object.entries(own)) {
      if (layer.site.args.some((a) => a.param === key || a.splat)) continue;
      layer.config[key] = defaultValue(d);
    }
  }
}
