/** SimpleRNN, LSTM and GRU: shapes with return_sequences/return_state, Keras's parameter counts. */
import type { Shape } from '../graph';
import { lastDim, ok, trainable, type Config, type LayerSpec, type Outcome } from './types';

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

export const RECURRENT_TYPES = new Set(['SimpleRNN', 'LSTM', 'GRU', 'CuDNNLSTM', 'CuDNNGRU']);

/** Recurrent layers without `dropout=`/`recurrent_dropout=` arguments. */
export const NO_DROPOUT_ARGUMENT = new Set(['CuDNNLSTM', 'CuDNNGRU']);
