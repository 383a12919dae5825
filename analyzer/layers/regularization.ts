/**
 * Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout: shape-preserving, no
 * parameters. The last two are analyzer-only: the playground kernel does not build them.
 */
import type { Shape } from '../graph';
import { NO_PARAMS, ok, type LayerSpec } from './types';

const identity = (_c: unknown, inputs: Array<Shape | null>) => ok(inputs[0] ?? null);
const keepLast = (_c: unknown, inputLast: number | null) => inputLast;

export const Dropout: LayerSpec = {
  type: 'Dropout',
  playground: true,
  signature: ['rate', 'noise_shape', 'seed'],
  defaults: { noise_shape: null, seed: null },
  output: identity,
  lastAxis: keepLast,
  params: () => NO_PARAMS,
};

export const SpatialDropout1D: LayerSpec = {
  type: 'SpatialDropout1D',
  playground: true,
  signature: ['rate', 'seed'],
  defaults: { seed: null },
  // Keras declares ndim=3; the linter reports violations as DR108, so shapes pass through here.
  output: identity,
  lastAxis: keepLast,
  params: () => NO_PARAMS,
};

export const GaussianNoise: LayerSpec = {
  type: 'GaussianNoise',
  playground: true,
  signature: ['stddev', 'seed'],
  defaults: { seed: null },
  output: identity,
  lastAxis: keepLast,
  params: () => NO_PARAMS,
};

export const GaussianDropout: LayerSpec = {
  type: 'GaussianDropout',
  playground: false,
  signature: ['rate', 'seed'],
  defaults: { seed: null },
  output: identity,
  lastAxis: keepLast,
  params: () => NO_PARAMS,
};

export const AlphaDropout: LayerSpec = {
  type: 'AlphaDropout',
  playground: false,
  signature: ['rate', 'noise_shape', 'seed'],
  defaults: { noise_shape: null, seed: null },
  output: identity,
  lastAxis: keepLast,
  params: () => NO_PARAMS,
};
