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
import {
  AveragePooling1D,
  Conv1D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  MaxPooling1D,
} from './convolution';
import { Embedding } from './embedding';
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract } from './merging';
import { BatchNormalization, LayerNormalization } from './normalization';
import { CuDNNGRU, CuDNNLSTM, GRU, LSTM, SimpleRNN } from './recurrent';
import { Dropout, GaussianNoise, SpatialDropout1D } from './regularization';
import type { LayerSpec } from './types';
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
];

export const LAYERS: ReadonlyMap<string, LayerSpec> = new Map(ALL.map((s) => [s.type, s]));

/** Keras's aliases for the same classes. */
export const LAYER_ALIASES: Readonly<Record<string, string>> = {
  Convolution1D: 'Conv1D',
  MaxPool1D: 'MaxPooling1D',
  AvgPool1D: 'AveragePooling1D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
};

export type { LayerSpec } from './types';
