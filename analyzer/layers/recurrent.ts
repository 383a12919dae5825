/**
 * SimpleRNN, LSTM and GRU: shapes with return_sequences/return_state, Keras's parameter counts;
 * Keras 2's CuDNNLSTM/CuDNNGRU; ConvLSTM1D/ConvLSTM2D (an LSTM whose gates are convolutions).
 */
import type { Dim, Shape } from '../graph';
import { channelsLast, windowLength } from './convolution';
import {
  incompatible,
  lastDim,
  ok,
  trainable,
  type Config,
  type LayerSpec,
  type Outcome,
} from './types';

const COMMON_DEFAULTS = {
  activation: 'tanh',
  use_bias: true,
  dropout: { float: 0 },
  recurrent_dropout: { float: 0 },
  return_sequences: false,
  return_state: false,
  go_backwards: false,
  stateful: false,
  unroll: false,
} as const;

/**
 * The recurrent layers' output shapes: the sequence or last output, then the states. The rank
 * and the units are known even where the input is not: `return_sequences=True` always gives a
 * (batch, timesteps, units) sequence.
 */
export function recurrentOutput(cfg: Config, s: Shape | null, states: number): Outcome {
  const units = cfg.int('units');
  const seq = cfg.bool('return_sequences');
  const withState = cfg.bool('return_state');
  const batch = s ? (s[0] ?? null) : null;
  const time = s ? (s[1] ?? null) : null;
  let out: Shape | null;
  if (seq === null) out = null;
  else out = seq ? [batch, time, units] : [batch, units];
  if (withState === null) return ok(null);
  if (!withState) return ok(out);
  const state: Shape = [batch, units];
  return ok(out, ...Array.from({ length: states }, () => [...state]));
}

function counted(gates: number, biasPerUnit: (cfg: Config) => number) {
  return (cfg: Config, inputs: Array<Shape | null>) => {
    const u = cfg.int('units');
    const inDim = lastDim(inputs);
    const bias = cfg.bool('use_bias');
    if (u === null || inDim === null || bias === null) return null;
    return trainable(gates * u * (inDim + u + (bias ? biasPerUnit(cfg) : 0)));
  };
}

export const SimpleRNN: LayerSpec = {
  type: 'SimpleRNN',
  playground: true,
  signature: ['units', 'activation', 'use_bias'],
  defaults: { ...COMMON_DEFAULTS },
  ndim: 3,
  output: (cfg, [s]) => recurrentOutput(cfg, s ?? null, 1),
  countsLastAxis: () => true,
  params: counted(1, () => 1),
};

export const LSTM: LayerSpec = {
  type: 'LSTM',
  playground: true,
  signature: ['units', 'activation', 'recurrent_activation', 'use_bias'],
  defaults: { ...COMMON_DEFAULTS, recurrent_activation: 'sigmoid', unit_forget_bias: true },
  ndim: 3,
  output: (cfg, [s]) => recurrentOutput(cfg, s ?? null, 2),
  countsLastAxis: () => true,
  params: counted(4, () => 1),
};

export const GRU: LayerSpec = {
  type: 'GRU',
  playground: true,
  signature: ['units', 'activation', 'recurrent_activation', 'use_bias'],
  defaults: { ...COMMON_DEFAULTS, recurrent_activation: 'sigmoid', reset_after: true },
  ndim: 3,
  output: (cfg, [s]) => recurrentOutput(cfg, s ?? null, 1),
  countsLastAxis: () => true,
  // reset_after=True keeps separate input and recurrent biases: two bias vectors per gate.
  params: (cfg, inputs) => {
    const resetAfter = cfg.bool('reset_after');
    if (resetAfter === null) return null;
    return counted(3, () => (resetAfter ? 2 : 1))(cfg, inputs);
  },
};

/**
 * Keras 2's cuDNN-only layers (`keras.layers.CuDNNLSTM`, `tf.compat.v1.keras.layers.CuDNNGRU`):
 * no activation, no dropout arguments, and cuDNN's two bias vectors per gate, so
 * 4u(in + u + 2) and 3u(in + u + 2) parameters. Gone from Keras 3; the playground cannot train
 * them.
 */
function cudnnLayer(type: 'CuDNNLSTM' | 'CuDNNGRU', gates: number, states: number): LayerSpec {
  return {
    type,
    playground: false,
    signature: ['units', 'kernel_initializer', 'recurrent_initializer', 'bias_initializer'],
    defaults: {
      return_sequences: false,
      return_state: false,
      go_backwards: false,
      stateful: false,
      ...(type === 'CuDNNLSTM' ? { unit_forget_bias: true } : {}),
    },
    ndim: 3,
    output: (cfg, [s]) => recurrentOutput(cfg, s ?? null, states),
    countsLastAxis: () => true,
    params: (cfg, inputs) => {
      const u = cfg.int('units');
      const inDim = lastDim(inputs);
      return u === null || inDim === null ? null : trainable(gates * u * (inDim + u + 2));
    },
  };
}

export const CuDNNLSTM = cudnnLayer('CuDNNLSTM', 4, 2);
export const CuDNNGRU = cudnnLayer('CuDNNGRU', 3, 1);

/**
 * The recurrent layers (RULES.md "Terms"): they take (batch, timesteps, features) and carry
 * `return_sequences`. `RNN(cell)` is one too; its cells carry the dropout arguments.
 */
export const RECURRENT_TYPES = new Set([
  'SimpleRNN',
  'LSTM',
  'GRU',
  'CuDNNLSTM',
  'CuDNNGRU',
  'RNN',
]);

/** Recurrent layers without `dropout=`/`recurrent_dropout=` arguments (for RNN: on its cells). */
export const NO_DROPOUT_ARGUMENT = new Set(['CuDNNLSTM', 'CuDNNGRU', 'RNN']);

/**
 * ConvLSTM1D and ConvLSTM2D on (batch, time, *spatial, channels): each step is convolved as
 * Conv1D/Conv2D would (the recurrent convolution is 'same'), so the step's spatial sizes and
 * `filters` channels come out, with the time axis kept under return_sequences; return_state adds
 * h and c of the step's shape. Weights (keras/src/layers/rnn/conv_lstm.py, ConvLSTMCell.build):
 * kernel k*in*4f, recurrent kernel k*f*4f and bias 4f, where k is the kernel's size (its product),
 * f the filters: 4f(k(in + f) + 1). tf.keras 2 counts the same.
 */
function convLstm(type: 'ConvLSTM1D' | 'ConvLSTM2D', rank: number): LayerSpec {
  const spatial = (cfg: Config, s: Shape): Dim[] | 'negative' | null => {
    const k = cfg.ints('kernel_size', rank);
    const strides = cfg.ints('strides', rank);
    const dilation = cfg.ints('dilation_rate', rank);
    const padding = cfg.str('padding');
    const out: Dim[] = [];
    for (let i = 0; i < rank; i++) {
      const len = windowLength(
        s[i + 2] ?? null,
        k?.[i] ?? null,
        strides?.[i] ?? null,
        padding,
        dilation?.[i] ?? 1,
      );
      if (len === 'negative') return 'negative';
      out.push(len);
    }
    return out;
  };
  return {
    type,
    playground: false,
    signature: [
      'filters',
      'kernel_size',
      'strides',
      'padding',
      'data_format',
      'dilation_rate',
      'activation',
      'recurrent_activation',
      'use_bias',
    ],
    defaults: {
      ...COMMON_DEFAULTS,
      recurrent_activation: 'sigmoid',
      unit_forget_bias: true,
      strides: 1,
      padding: 'valid',
      data_format: null,
      dilation_rate: 1,
    },
    output(cfg, [s]): Outcome {
      // Another rank is Keras's error (InputSpec ndim); left unknown as for Conv2D.
      if (!s || s.length !== rank + 3 || channelsLast(cfg) !== true) return ok(null);
      const sizes = spatial(cfg, s);
      if (sizes === 'negative') {
        return incompatible(
          `${type}: the kernel is larger than the input's spatial size (padding='valid'): computed output size would be zero or negative`,
        );
      }
      if (!sizes) return ok(null);
      const seq = cfg.bool('return_sequences');
      const withState = cfg.bool('return_state');
      if (seq === null || withState === null) return ok(null);
      const step: Shape = [s[0] ?? null, ...sizes, cfg.int('filters')];
      const out: Shape = seq ? [s[0] ?? null, s[1] ?? null, ...step.slice(1)] : step;
      return withState ? ok(out, [...step], [...step]) : ok(out);
    },
    countsLastAxis: () => true,
    params(cfg, inputs) {
      const f = cfg.int('filters');
      const k = cfg.ints('kernel_size', rank);
      const inDim = channelsLast(cfg) ? lastDim(inputs) : null;
      const bias = cfg.bool('use_bias');
      if (f === null || !k || inDim === null || bias === null) return null;
      const area = k.reduce((a, b) => a * b, 1);
      return trainable(4 * f * (area * (inDim + f)) + (bias ? 4 * f : 0));
    },
  };
}

export const ConvLSTM1D = convLstm('ConvLSTM1D', 1);
export const ConvLSTM2D = convLstm('ConvLSTM2D', 2);
