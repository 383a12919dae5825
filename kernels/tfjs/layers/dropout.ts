/**
 * Seeded Keras `Dropout`, `SpatialDropout1D` and `GaussianNoise`.
 *
 * tfjs's own are unseeded; these draw every mask from `derive(seed, stream, k)` at the k-th
 * training call (`trainingCalls` counts them) and keep the last mask as plain data (`lastMask`)
 * for inspection. Keras semantics (RULES.md facts 1-3, 6):
 * - `Dropout(rate)`: one keep/drop decision per element, kept values scaled by 1/(1-rate),
 *   identity at inference. rate < 0 or > 1 is rejected at construction; rate 1 returns zeros
 *   in training (Keras 3.14+), rate 0 is the identity.
 * - `noise_shape`: entries that are null take the input's size (position by position, as
 *   Keras); the mask is then broadcast against the input (from the right), so (null, 1, F)
 *   keeps one mask for all timesteps, (null, null, 1) drops whole timesteps, a batch entry of
 *   1 shares one mask across the batch.
 * - `SpatialDropout1D(rate)`: noise shape (batch, 1, features); input must be rank 3.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import {
  defaultSeed,
  dropoutMaskValues,
  layerArgs,
  maskRng,
  normalizeConfig,
  oneTensor,
  type DropoutMask,
  type KerasLayerArgs,
} from './common';

const STREAM_DROPOUT = 0xd0;
const STREAM_NOISE = 0x90;

export interface DropoutConfig extends KerasLayerArgs {
  /** Fraction of the input units to drop, in [0, 1]. */
  rate: number;
  /** Keras noise_shape; null entries take the input's size. */
  noise_shape?: Array<number | null> | null;
  /** Seed of the masks; a process-wide derived default when absent. */
  seed?: number | null;
}

function checkRate(rate: number): number {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new Error(
      `Invalid value received for argument \`rate\`. Expected a float value between 0 and 1. Received: rate=${rate}`,
    );
  }
  return rate;
}

/** Keras `Dropout`. */
export class Dropout extends tfl.layers.Layer {
  static className = 'RnnLabDropout';
  readonly kerasClassName: string = 'Dropout';
  readonly rate: number;
  readonly noiseShape: Array<number | null> | null;
  readonly seed: number;
  /** Training calls so far; call k draws its mask from derive(seed, stream, k). */
  trainingCalls = 0;
  /** The mask of the last call (null at inference or when rate is 0). */
  lastMask: DropoutMask | null = null;

  constructor(config: DropoutConfig, defaultName = 'dropout') {
    super(layerArgs(config, defaultName));
    this.rate = checkRate(config.rate);
    this.noiseShape = config.noise_shape ?? null;
    this.seed = config.seed == null ? defaultSeed() : config.seed >>> 0;
    this.supportsMasking = true;
  }

  /** The concrete mask shape for an input of shape `inputShape`. */
  noiseShapeFor(inputShape: readonly number[]): number[] {
    if (this.noiseShape == null) return [...inputShape];
    return this.noiseShape.map((d, i) => {
      if (d != null) return d;
      const size = inputShape[i];
      if (size == null) {
        throw new Error(
          `${this.name}: noise_shape ${JSON.stringify(this.noiseShape)} is longer than the input's rank ${inputShape.length}`,
        );
      }
      return size;
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      this.lastMask = null;
      if (kwargs['training'] !== true || this.rate === 0) return x;
      const call = this.trainingCalls++;
      const shape = this.noiseShapeFor(x.shape);
      const n = shape.reduce((a, b) => a * b, 1);
      const values =
        this.rate >= 1
          ? new Float32Array(n)
          : dropoutMaskValues(maskRng(this.seed, STREAM_DROPOUT, call), n, this.rate);
      this.lastMask = { shape, values };
      return tf.mul(x, tf.tensor(values, shape, 'float32'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, noise_shape: this.noiseShape, seed: this.seed };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(normalizeConfig(config));
  }
}

export interface SpatialDropout1DConfig extends KerasLayerArgs {
  rate: number;
  seed?: number | null;
}

/** Keras `SpatialDropout1D`: drops whole feature channels, mask (batch, 1, features). */
export class SpatialDropout1D extends Dropout {
  static override className = 'RnnLabSpatialDropout1D';
  override readonly kerasClassName: string = 'SpatialDropout1D';

  constructor(config: SpatialDropout1DConfig) {
    super({ ...config, noise_shape: null }, 'spatial_dropout1d');
    this.inputSpec = [new tfl.InputSpec({ ndim: 3 })];
  }

  override noiseShapeFor(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new Error(
        `Input 0 of layer ${this.name} is incompatible with the layer: expected ndim=3, found ndim=${inputShape.length}`,
      );
    }
    return [inputShape[0]!, 1, inputShape[2]!];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    delete config['noise_shape'];
    return config;
  }
}

export interface GaussianNoiseConfig extends KerasLayerArgs {
  stddev: number;
  seed?: number | null;
}

/** Keras `GaussianNoise`: adds N(0, stddev²) noise while training; identity at inference. */
export class GaussianNoise extends tfl.layers.Layer {
  static className = 'RnnLabGaussianNoise';
  readonly kerasClassName = 'GaussianNoise';
  readonly stddev: number;
  readonly seed: number;
  trainingCalls = 0;

  constructor(config: GaussianNoiseConfig) {
    super(layerArgs(config, 'gaussian_noise'));
    if (!(config.stddev >= 0)) throw new Error(`Invalid stddev ${config.stddev}`);
    this.stddev = config.stddev;
    this.seed = config.seed == null ? defaultSeed() : config.seed >>> 0;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      if (kwargs['training'] !== true || this.stddev === 0) return x;
      const rng = maskRng(this.seed, STREAM_NOISE, this.trainingCalls++);
      const noise = new Float32Array(x.size);
      for (let i = 0; i < noise.length; i++) noise[i] = rng.normal() * this.stddev;
      return tf.add(x, tf.tensor(noise, x.shape, 'float32'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(normalizeConfig(config));
  }
}

tf.serialization.registerClass(Dropout, 'RnnLab');
tf.serialization.registerClass(SpatialDropout1D, 'RnnLab');
tf.serialization.registerClass(GaussianNoise, 'RnnLab');
