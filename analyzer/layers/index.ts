/** The layer registry: adding a layer is adding one entry here. */
import {
  Activation,
  Dense,
  Flatten,
  InputLayer,
  Masking,
  Permute,
  RepeatVector,
  Reshape,
} from './core';
import { ELU, LeakyReLU, PReLU, ReLU, Softmax } from './activations';
import { Functional } from './applications';
import { AdditiveAttention, Attention, MultiHeadAttention } from './attention';
import { GRUCell, LSTMCell, RNN, SimpleRNNCell, StackedRNNCells } from './cells';
import {
  AveragePooling1D,
  AveragePooling2D,
  Conv1D,
  Conv2D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  MaxPooling1D,
  MaxPooling2D,
} from './convolution';
import { Embedding } from './embedding';
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract } from './merging';
import { BatchNormalization, LayerNormalization } from './normalization';
import { ConvLSTM1D, ConvLSTM2D, CuDNNGRU, CuDNNLSTM, GRU, LSTM, SimpleRNN } from './recurrent';
import {
  AlphaDropout,
  Dropout,
  GaussianDropout,
  GaussianNoise,
  SpatialDropout1D,
} from './regularization';
import { GetItem, SlicingOpLambda } from './operations';
import { Cropping1D, UpSampling1D, ZeroPadding1D } from './reshaping';
import { ok, type LayerSpec } from './types';
import { Bidirectional, TimeDistributed } from './wrappers';

const ALL: LayerSpec[] = [
  InputLayer,
  Dense,
  Activation,
  Flatten,
  RepeatVector,
  Reshape,
  Permute,
  Masking,
  Embedding,
  SimpleRNN,
  LSTM,
  GRU,
  CuDNNLSTM,
  CuDNNGRU,
  Bidirectional,
  TimeDistributed,
  Dropout,
  SpatialDropout1D,
  GaussianNoise,
  Conv1D,
  MaxPooling1D,
  AveragePooling1D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  BatchNormalization,
  LayerNormalization,
  Concatenate,
  Add,
  Multiply,
  Average,
  Subtract,
  Maximum,
  Minimum,
  Dot,
  // Analyzer-only (playground: false): shapes and counts, not trained by the kernel.
  Conv2D,
  MaxPooling2D,
  AveragePooling2D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  ConvLSTM1D,
  ConvLSTM2D,
  RNN,
  StackedRNNCells,
  SimpleRNNCell,
  LSTMCell,
  GRUCell,
  ReLU,
  LeakyReLU,
  PReLU,
  ELU,
  Softmax,
  GaussianDropout,
  AlphaDropout,
  ZeroPadding1D,
  Cropping1D,
  UpSampling1D,
  Attention,
  AdditiveAttention,
  MultiHeadAttention,
  // keras.applications models used as layers (not a keras.layers class).
  Functional,
  // Operations on tensors that a functional model lists as rows (`x[:, -1]`).
  GetItem,
  SlicingOpLambda,
];

/**
 * A layer the analyzer cannot see into (a custom class named `Attention`, a loaded model) is
 * unknown whatever its name: the spec of the Keras class of that name does not count it.
 */
function unlessOpaque(spec: LayerSpec): LayerSpec {
  return {
    ...spec,
    output: (cfg, inputs, ctx, layer) =>
      layer.opaque ? ok(null) : spec.output(cfg, inputs, ctx, layer),
    params: (cfg, inputs, ctx, layer) =>
      layer.opaque ? null : spec.params(cfg, inputs, ctx, layer),
  };
}

export const LAYERS: ReadonlyMap<string, LayerSpec> = new Map(
  ALL.map((s) => [s.type, unlessOpaque(s)]),
);

/** Keras's aliases for the same classes. */
export const LAYER_ALIASES: Readonly<Record<string, string>> = {
  Convolution1D: 'Conv1D',
  MaxPool1D: 'MaxPooling1D',
  AvgPool1D: 'AveragePooling1D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
  Convolution2D: 'Conv2D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool2D: 'AveragePooling2D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
};

export type { LayerSpec } from './types';
