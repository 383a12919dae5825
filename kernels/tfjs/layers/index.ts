/** The kernel's Keras-faithful, seeded layers (importing this registers them with tfjs). */
export { SimpleRNN, LSTM, GRU, RecurrentLayer } from './recurrent';
export type {
  RecurrentConfig,
  SimpleRNNConfig,
  LSTMConfig,
  GRUConfig,
  RecurrentMasks,
} from './recurrent';
export { Dropout, SpatialDropout1D, GaussianNoise } from './dropout';
export type { DropoutConfig, SpatialDropout1DConfig, GaussianNoiseConfig } from './dropout';
export { Bidirectional, TimeDistributed } from './wrappers';
export type {
  BidirectionalConfig,
  TimeDistributedConfig,
  MergeMode,
  SerializedLayer,
} from './wrappers';
export { activationName, type ActivationName, type DropoutMask } from './common';
