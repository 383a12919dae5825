/**
 * Helpers shared by the kernel's custom layers: Keras activations, Keras-style layer names,
 * config normalisation (tfjs camelCases keys and string values when it loads a model JSON),
 * seeded dropout masks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { derive, Rng } from '../../random';
import { LocalDevice } from '../fused/device';
import { kernelsUnavailable } from '../fused/kernels';

/** Activations by Keras name (Keras 3 definitions). */
export type ActivationName =
  | 'tanh'
  | 'sigmoid'
  | 'hard_sigmoid'
  | 'relu'
  | 'linear'
  | 'softsign'
  | 'softplus'
  | 'elu'
  | 'selu'
  | 'swish';

const ACTIVATIONS: Record<ActivationName, (x: tf.Tensor) => tf.Tensor> = {
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  // Keras 3: relu6(x + 3) / 6 (Keras 2 and tfjs use clip(0.2x + 0.5, 0, 1) instead).
  hard_sigmoid: (x) => tf.clipByValue(tf.add(tf.mul(x, 1 / 6), 0.5), 0, 1),
  relu: (x) => tf.relu(x),
  linear: (x) => x,
  softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
  softplus: (x) => tf.softplus(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
};

/** Canonical Keras name of an activation (null/None → 'linear'; tfjs camelCase accepted). */
export function activationName(name: string | null | undefined): ActivationName {
  if (name == null || name === 'None' || name === 'none') return 'linear';
  const snake = toSnake(name);
  const canonical = snake === 'silu' ? 'swish' : snake;
  if (!(canonical in ACTIVATIONS)) throw new Error(`Unknown activation: ${name}`);
  return canonical as ActivationName;
}

export function activation(name: ActivationName): (x: tf.Tensor) => tf.Tensor {
  return ACTIVATIONS[name];
}

export function toSnake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

const nameCounts = new Map<string, number>();

/** Keras-style unique default names: 'lstm', 'lstm_1', 'lstm_2', ... */
export function uniqueLayerName(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

let unseeded = 0;

/**
 * Seed for a layer built without one: deterministic for a given order of construction in the
 * process, but callers that need reproducible runs should pass `seed` explicitly.
 */
export function defaultSeed(): number {
  return derive(0x5eed, unseeded++);
}

const LAYER_ARG_KEYS = new Set([
  'inputShape',
  'batchInputShape',
  'batchSize',
  'dtype',
  'name',
  'trainable',
  'weights',
  'inputDType',
]);
const LAYER_ARG_ALIASES: Record<string, string> = {
  input_shape: 'inputShape',
  batch_input_shape: 'batchInputShape',
  batch_size: 'batchSize',
  input_dtype: 'inputDType',
};

/**
 * Normalises a layer config to this module's convention: tfjs `LayerArgs` in camelCase, all
 * other keys in Keras snake_case (tfjs's JSON loader camelCases every key and string value),
 * and the string values of `snakeValues` keys back in snake_case ('hardSigmoid' → 'hard_sigmoid').
 */
export function normalizeConfig(
  config: Record<string, unknown>,
  snakeValues: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (LAYER_ARG_KEYS.has(key)) out[key] = value;
    else if (key in LAYER_ARG_ALIASES) out[LAYER_ARG_ALIASES[key]!] = value;
    else {
      const k = toSnake(key);
      out[k] = snakeValues.includes(k) && typeof value === 'string' ? toSnake(value) : value;
    }
  }
  return out;
}

/** tfjs `LayerArgs`, also accepting Keras's spellings of the input shape. */
export interface KerasLayerArgs extends LayerArgs {
  input_shape?: Array<number | null>;
  batch_input_shape?: Array<number | null>;
  batch_size?: number;
}

/** The tfjs `LayerArgs` part of a config, with a Keras-style default name. */
export function layerArgs(config: KerasLayerArgs, defaultName: string): LayerArgs {
  const args: LayerArgs = { name: config.name ?? uniqueLayerName(defaultName) };
  const inputShape = config.inputShape ?? config.input_shape;
  const batchInputShape = config.batchInputShape ?? config.batch_input_shape;
  const batchSize = config.batchSize ?? config.batch_size;
  if (inputShape != null) args.inputShape = inputShape;
  if (batchInputShape != null) args.batchInputShape = batchInputShape;
  if (batchSize != null) args.batchSize = batchSize;
  if (config.trainable != null) args.trainable = config.trainable;
  if (config.dtype != null) args.dtype = config.dtype;
  if (config.weights != null) args.weights = config.weights;
  return args;
}

/** A dropout mask as plain data (0 or 1/(1-rate) per entry), row-major in `shape`. */
export interface DropoutMask {
  shape: number[];
  values: Float32Array;
}

/**
 * Keras dropout mask values: keep where uniform >= rate (probability 1-rate), kept entries
 * scaled by 1/(1-rate). `rate` must be in (0, 1).
 */
export function dropoutMaskValues(rng: Rng, n: number, rate: number): Float32Array {
  const keep = 1 / (1 - rate);
  // rng.next() ≥ rate ⇔ its uint32 ≥ rate·2^32 (both exact) ⇔ uint32 ≥ cut.
  const cut = Math.ceil(rate * 4294967296);
  if (n >= MASK_KERNEL_MIN && cut >= 1 && cut <= 0xffffffff && kernelsUnavailable() === null) {
    // The same draws, four at a time in WebAssembly (a Dropout on a (64, 50, 128) sequence
    // draws 409,600 of them every step).
    const dev = new LocalDevice();
    try {
      const r = dev.scratch(n);
      dev.k.dropoutMask(r.off, n, rng.skip(n), cut, keep);
      return dev.f32().slice(r.off, r.off + n);
    } finally {
      dev.release();
    }
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next() >= rate ? keep : 0;
  return out;
}

/** Masks smaller than this are drawn in JavaScript (a kernel call costs more). */
const MASK_KERNEL_MIN = 256;

/** The stream a layer's dropout draws from at training call `call`: derive(seed, stream, call). */
export function maskRng(seed: number, stream: number, call: number): Rng {
  return new Rng(derive(seed, stream, call));
}

/** First tensor of a `Tensor | Tensor[]` argument (tfjs passes singleton arrays). */
export function oneTensor(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(x)) {
    if (x.length !== 1) throw new Error(`Expected one tensor, got ${x.length}`);
    return x[0]!;
  }
  return x;
}

/** First element of an optional `Tensor | Tensor[]` mask argument. */
export function oneMask(mask: tf.Tensor | tf.Tensor[] | null | undefined): tf.Tensor | null {
  if (mask == null) return null;
  if (Array.isArray(mask)) return mask[0] ?? null;
  return mask;
}
