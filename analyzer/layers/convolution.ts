/**
 * Convolution and pooling: Conv1D and the 1-D pooling layers (the playground trains them), and
 * Conv2D with the 2-D pooling layers (analyzer-only, for CNN-LSTM models on frames). Shapes and
 * counts follow Keras 3 (keras/src/layers/convolutional/base_conv.py, pooling/base_pooling.py,
 * ops/operation_utils.py); tf.keras 2 gives the same.
 */
import type { Dim, Shape } from '../graph';
import {
  incompatible,
  lastDim,
  NO_PARAMS,
  ok,
  trainable,
  type Config,
  type LayerSpec,
  type Outcome,
} from './types';

/** Output length of a 1-D window op, as Keras computes it. */
export function windowLength(
  length: Dim,
  window: number | null,
  stride: number | null,
  padding: string | null,
  dilation = 1,
): Dim | 'negative' {
  if (length === null || window === null || stride === null || padding === null) return null;
  if (padding === 'same' || padding === 'causal') return Math.ceil(length / stride);
  if (padding !== 'valid') return null;
  const out = Math.floor((length - dilation * (window - 1) - 1) / stride) + 1;
  return out <= 0 ? 'negative' : out;
}

export function channelsLast(cfg: Config): boolean | null {
  if (cfg.isNone('data_format')) return true;
  const f = cfg.str('data_format');
  return f === null ? null : f === 'channels_last';
}

/** Conv1D's and Conv2D's positional parameters and defaults (the same in Keras 3). */
const CONV_SIGNATURE = [
  'filters',
  'kernel_size',
  'strides',
  'padding',
  'data_format',
  'dilation_rate',
  'groups',
  'activation',
  'use_bias',
];
const CONV_DEFAULTS = {
  strides: 1,
  padding: 'valid',
  data_format: null,
  dilation_rate: 1,
  groups: 1,
  activation: null,
  use_bias: true,
} as const;

export const Conv1D: LayerSpec = {
  type: 'Conv1D',
  playground: true,
  signature: CONV_SIGNATURE,
  defaults: { ...CONV_DEFAULTS },
  ndim: 3,
  output(cfg, [s]): Outcome {
    if (channelsLast(cfg) !== true) return ok(null);
    // An input of unknown rank still gives (batch, steps, filters) if it builds at all.
    if (!s) return ok([null, null, cfg.int('filters')]);
    const len = windowLength(
      s[1] ?? null,
      cfg.int1('kernel_size'),
      cfg.int1('strides'),
      cfg.str('padding'),
      cfg.int1('dilation_rate') ?? 1,
    );
    if (len === 'negative') {
      return incompatible(
        `Conv1D: kernel_size ${cfg.int1('kernel_size')} is longer than the ${s[1]} timesteps of its input (padding='valid')`,
      );
    }
    return ok([s[0] ?? null, len, cfg.int('filters')]);
  },
  countsLastAxis: () => true,
  params(cfg, inputs) {
    const filters = cfg.int('filters');
    const k = cfg.int1('kernel_size');
    const groups = cfg.int('groups');
    const inDim = channelsLast(cfg) ? lastDim(inputs) : null;
    const bias = cfg.bool('use_bias');
    if (filters === null || k === null || groups === null || inDim === null || bias === null) {
      return null;
    }
    return trainable(filters * ((k * inDim) / groups) + (bias ? filters : 0));
  },
};

function pooling(type: string): LayerSpec {
  return {
    type,
    playground: true,
    signature: ['pool_size', 'strides', 'padding', 'data_format'],
    defaults: { pool_size: 2, strides: null, padding: 'valid', data_format: null },
    ndim: 3,
    output(cfg, [s]) {
      if (channelsLast(cfg) !== true) return ok(null);
      if (!s) return ok([null, null, null]);
      const pool = cfg.int1('pool_size');
      const stride = cfg.isNone('strides') ? pool : cfg.int1('strides');
      const len = windowLength(s[1] ?? null, pool, stride, cfg.str('padding'));
      if (len === 'negative') {
        return incompatible(
          `${type}: pool_size ${pool} is longer than the ${s[1]} timesteps of its input (padding='valid')`,
        );
      }
      return ok([s[0] ?? null, len, s[2] ?? null]);
    },
    params: () => NO_PARAMS,
  };
}

function globalPooling(type: string): LayerSpec {
  return {
    type,
    playground: true,
    signature: ['data_format', 'keepdims'],
    defaults: { data_format: null, keepdims: false },
    ndim: 3,
    output(cfg, [s]) {
      if (channelsLast(cfg) !== true) return ok(null);
      const keep = cfg.bool('keepdims');
      if (keep === null) return ok(null);
      if (!s) return ok(keep ? [null, 1, null] : [null, null]);
      const shape: Shape = keep ? [s[0] ?? null, 1, s[2] ?? null] : [s[0] ?? null, s[2] ?? null];
      return ok(shape);
    },
    params: () => NO_PARAMS,
  };
}

export const MaxPooling1D = pooling('MaxPooling1D');
export const AveragePooling1D = pooling('AveragePooling1D');
export const GlobalAveragePooling1D = globalPooling('GlobalAveragePooling1D');
export const GlobalMaxPooling1D = globalPooling('GlobalMaxPooling1D');

/**
 * The spatial sizes of a 2-D window op on (batch, rows, cols, channels), or 'negative' where
 * Keras raises ("Computed output size would be zero or negative").
 */
function windowSizes(
  s: Shape,
  window: number[] | null,
  strides: number[] | null,
  padding: string | null,
  dilation: number[] = [1, 1],
): Dim[] | 'negative' {
  const out: Dim[] = [];
  for (let i = 0; i < 2; i++) {
    const len = windowLength(
      s[i + 1] ?? null,
      window?.[i] ?? null,
      strides?.[i] ?? null,
      padding,
      dilation[i],
    );
    if (len === 'negative') return 'negative';
    out.push(len);
  }
  return out;
}

/**
 * Keras raises for an input of another rank (InputSpec ndim=4); the analyzer leaves that output
 * unknown instead of reporting it: no rule reads it, and the playground names the layer as not
 * available before anything else.
 */
const RANK_4 = 4;

export const Conv2D: LayerSpec = {
  type: 'Conv2D',
  playground: false,
  signature: CONV_SIGNATURE,
  defaults: { ...CONV_DEFAULTS },
  output(cfg, [s]): Outcome {
    if (channelsLast(cfg) !== true) return ok(null);
    const filters = cfg.int('filters');
    if (!s) return ok([null, null, null, filters]);
    if (s.length !== RANK_4) return ok(null);
    const sizes = windowSizes(
      s,
      cfg.ints('kernel_size', 2),
      cfg.ints('strides', 2),
      cfg.str('padding'),
      cfg.ints('dilation_rate', 2) ?? undefined,
    );
    if (sizes === 'negative') {
      return incompatible(
        `Conv2D: the kernel is larger than the ${s[1]}x${s[2]} input (padding='valid'): computed output size would be zero or negative`,
      );
    }
    return ok([s[0] ?? null, ...sizes, filters]);
  },
  lastAxis: (cfg) => (channelsLast(cfg) ? cfg.int('filters') : null),
  countsLastAxis: () => true,
  // kernel kh*kw*(in/groups)*filters, bias filters.
  params(cfg, inputs) {
    const filters = cfg.int('filters');
    const k = cfg.ints('kernel_size', 2);
    const groups = cfg.int('groups');
    const inDim = channelsLast(cfg) ? lastDim(inputs) : null;
    const bias = cfg.bool('use_bias');
    if (filters === null || !k || groups === null || inDim === null || bias === null) return null;
    return trainable(k[0]! * k[1]! * (inDim / groups) * filters + (bias ? filters : 0));
  },
};

function pooling2d(type: string): LayerSpec {
  return {
    type,
    playground: false,
    signature: ['pool_size', 'strides', 'padding', 'data_format'],
    defaults: { pool_size: 2, strides: null, padding: 'valid', data_format: null },
    output(cfg, [s]) {
      if (channelsLast(cfg) !== true) return ok(null);
      if (!s) return ok([null, null, null, null]);
      if (s.length !== RANK_4) return ok(null);
      const pool = cfg.ints('pool_size', 2);
      const strides = cfg.isNone('strides') ? pool : cfg.ints('strides', 2);
      const sizes = windowSizes(s, pool, strides, cfg.str('padding'));
      if (sizes === 'negative') {
        return incompatible(
          `${type}: the pool is larger than the ${s[1]}x${s[2]} input (padding='valid'): computed output size would be zero or negative`,
        );
      }
      return ok([s[0] ?? null, ...sizes, s[3] ?? null]);
    },
    lastAxis: (cfg, inputLast) => (channelsLast(cfg) ? inputLast : null),
    params: () => NO_PARAMS,
  };
}

function globalPooling2d(type: string): LayerSpec {
  return {
    type,
    playground: false,
    signature: ['data_format', 'keepdims'],
    defaults: { data_format: null, keepdims: false },
    output(cfg, [s]) {
      if (channelsLast(cfg) !== true) return ok(null);
      const keep = cfg.bool('keepdims');
      if (keep === null) return ok(null);
      if (s && s.length !== RANK_4) return ok(null);
      const batch = s ? (s[0] ?? null) : null;
      const channels = s ? (s[3] ?? null) : null;
      return ok(keep ? [batch, 1, 1, channels] : [batch, channels]);
    },
    lastAxis: (cfg, inputLast) => (channelsLast(cfg) ? inputLast : null),
    params: () => NO_PARAMS,
  };
}

export const MaxPooling2D = pooling2d('MaxPooling2D');
export const AveragePooling2D = pooling2d('AveragePooling2D');
export const GlobalAveragePooling2D = globalPooling2d('GlobalAveragePooling2D');
export const GlobalMaxPooling2D = globalPooling2d('GlobalMaxPooling2D');
