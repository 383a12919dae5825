/** Conv1D and the 1-D pooling layers. */
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

function channelsLast(cfg: Config): boolean | null {
  if (cfg.isNone('data_format')) return true;
  const f = cfg.str('data_format');
  return f === null ? null : f === 'channels_last';
}

export const Conv1D: LayerSpec = {
  type: 'Conv1D',
  playground: true,
  signature: [
    'filters',
    'kernel_size',
    'strides',
    'padding',
    'data_format',
    'dilation_rate',
    'groups',
    'activation',
    'use_bias',
  ],
  defaults: {
    strides: 1,
    padding: 'valid',
    data_format: null,
    dilation_rate: 1,
    groups: 1,
    activation: null,
    use_bias: true,
  },
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
