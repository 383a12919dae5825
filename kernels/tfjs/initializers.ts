/**
 * Seeded Keras initializers. TensorFlow.js has no global seed, and its orthogonal initializer is
 * very slow (a tf-op QR: seconds on wasm, up to a minute on the cpu backend, PERF.md), so the
 * kernel computes every initial weight here, in plain JS, from a seed and `random.ts`.
 *
 * Each initializer exists in three forms: `*Values` (a Float32Array, row-major like Keras),
 * a tensor form (`glorotUniform(shape, seed)` → `tf.Tensor`), and `SeededInitializer`, a tfjs
 * `Initializer` subclass that can be handed to `addWeight` or to any tfjs layer argument such as
 * `tf.layers.dense({ kernelInitializer: new SeededInitializer('glorot_uniform', seed) })`.
 *
 * The values follow Keras's definitions (distribution, limits, orthogonality); they are not the
 * numbers Keras itself would draw (those come from another generator).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';
import { Rng } from '../random';

/** The Keras initializer names this module implements (Keras spelling). */
export type InitializerName =
  | 'glorot_uniform'
  | 'glorot_normal'
  | 'he_uniform'
  | 'he_normal'
  | 'lecun_uniform'
  | 'lecun_normal'
  | 'orthogonal'
  | 'random_uniform'
  | 'random_normal'
  | 'truncated_normal'
  | 'zeros'
  | 'ones';

export const INITIALIZER_NAMES: readonly InitializerName[] = [
  'glorot_uniform',
  'glorot_normal',
  'he_uniform',
  'he_normal',
  'lecun_uniform',
  'lecun_normal',
  'orthogonal',
  'random_uniform',
  'random_normal',
  'truncated_normal',
  'zeros',
  'ones',
];

const ALIASES: Record<string, InitializerName> = {
  uniform: 'random_uniform',
  normal: 'random_normal',
  zero: 'zeros',
  one: 'ones',
  Zeros: 'zeros',
  Ones: 'ones',
  GlorotUniform: 'glorot_uniform',
  GlorotNormal: 'glorot_normal',
  HeUniform: 'he_uniform',
  HeNormal: 'he_normal',
  LecunUniform: 'lecun_uniform',
  LecunNormal: 'lecun_normal',
  Orthogonal: 'orthogonal',
  RandomUniform: 'random_uniform',
  RandomNormal: 'random_normal',
  TruncatedNormal: 'truncated_normal',
};

/** Accepts Keras spellings, their class names and tfjs's camelCase ('glorotUniform'). */
export function initializerName(name: string): InitializerName {
  const alias = ALIASES[name];
  if (alias) return alias;
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const found = ALIASES[snake] ?? INITIALIZER_NAMES.find((n) => n === snake);
  if (!found) throw new Error(`Unknown initializer: ${name}`);
  return found;
}

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`Invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** Keras `compute_fans`: (fan_in, fan_out); dims before the last two are a receptive field. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  let receptive = 1;
  for (const d of shape.slice(0, -2)) receptive *= d;
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type VarianceDistribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

/** A normal draw truncated to two standard deviations (as Keras's truncated_normal). */
function truncatedNormal(rng: Rng): number {
  for (;;) {
    const v = rng.normal();
    if (v >= -2 && v <= 2) return v;
  }
}

/** Keras `VarianceScaling`; glorot/he/lecun are special cases of it. */
export function varianceScalingValues(
  shape: readonly number[],
  seed: number,
  scale: number,
  mode: FanMode,
  distribution: VarianceDistribution,
): Float32Array {
  const [fanIn, fanOut] = computeFans(shape);
  const n = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
  const s = scale / Math.max(1, n);
  const out = new Float32Array(size(shape));
  const rng = new Rng(seed);
  if (distribution === 'uniform') {
    const limit = Math.sqrt(3 * s);
    for (let i = 0; i < out.length; i++) out[i] = (2 * rng.next() - 1) * limit;
  } else if (distribution === 'truncated_normal') {
    // 0.879... is the stddev of a unit normal truncated to [-2, 2] (Keras's constant).
    const stddev = Math.sqrt(s) / 0.8796256610342398;
    for (let i = 0; i < out.length; i++) out[i] = truncatedNormal(rng) * stddev;
  } else {
    const stddev = Math.sqrt(s);
    for (let i = 0; i < out.length; i++) out[i] = rng.normal() * stddev;
  }
  return out;
}

/** glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). */
export function glorotUniformValues(shape: readonly number[], seed: number): Float32Array {
  return varianceScalingValues(shape, seed, 1, 'fan_avg', 'uniform');
}

/**
 * Keras `Orthogonal`: QR of a (max(r, c), min(r, c)) standard-normal matrix, Q's columns
 * multiplied by sign(diag(R)), transposed when r < c, times `gain`, reshaped to `shape`
 * (r = product of all dims but the last, c = the last). So a (u, 4u) recurrent kernel has
 * orthonormal rows (W Wᵀ = I), a square one is orthogonal, a tall one has orthonormal columns.
 *
 * Q comes from modified Gram-Schmidt in float64 on a column-major buffer (about 2mn² flops:
 * ~12 ms for 512×128 once the JIT is warm). Gram-Schmidt's R has a positive diagonal, so its Q
 * already is the sign-corrected Q Keras computes. A column whose norm collapses by more than
 * half is orthogonalised a second time ("twice is enough"), which keeps QᵀQ = I to ~1e-13 even
 * for ill-conditioned draws.
 */
export function orthogonalValues(shape: readonly number[], seed: number, gain = 1): Float32Array {
  const total = size(shape);
  if (shape.length < 2) throw new Error('The orthogonal initializer needs a shape of rank >= 2');
  const cols = shape[shape.length - 1]!;
  const rows = total / Math.max(1, cols);
  const out = new Float32Array(total);
  if (total === 0) return out;
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);

  // A: m×n, column-major (column j is q[j*m .. j*m+m)); orthonormalised in place.
  const q = new Float64Array(m * n);
  const rng = new Rng(seed);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j * m + i] = rng.normal();

  const project = (cj: number, j: number): void => {
    for (let k = 0; k < j; k++) {
      const ck = k * m;
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[ck + i]! * q[cj + i]!;
      for (let i = 0; i < m; i++) q[cj + i] = q[cj + i]! - dot * q[ck + i]!;
    }
  };
  const norm = (cj: number): number => {
    let s = 0;
    for (let i = 0; i < m; i++) s += q[cj + i]! * q[cj + i]!;
    return Math.sqrt(s);
  };
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    const before = norm(cj);
    project(cj, j);
    let after = norm(cj);
    if (after < 0.5 * before) {
      project(cj, j);
      after = norm(cj);
    }
    if (!(after > 1e-300)) {
      // A (numerically) dependent column, which a normal draw makes all but impossible: use a
      // unit vector orthogonal to the previous columns instead.
      for (let e = 0; e < m && !(after > 0.5); e++) {
        q.fill(0, cj, cj + m);
        q[cj + e] = 1;
        project(cj, j);
        after = norm(cj);
      }
    }
    const f = 1 / after;
    for (let i = 0; i < m; i++) q[cj + i] = q[cj + i]! * f;
  }

  if (rows < cols) {
    // Result is Qᵀ (n×m, row-major) = Q column-major, element for element.
    for (let i = 0; i < total; i++) out[i] = q[i]! * gain;
  } else {
    // Result is Q (m×n, row-major).
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = q[j * m + i]! * gain;
  }
  return out;
}

/** Values of a named initializer for `shape`, drawn from `seed`. */
export function initializerValues(
  name: InitializerName | string,
  shape: readonly number[],
  seed: number,
  options: { gain?: number } = {},
): Float32Array {
  const init = initializerName(name);
  switch (init) {
    case 'glorot_uniform':
      return varianceScalingValues(shape, seed, 1, 'fan_avg', 'uniform');
    case 'glorot_normal':
      return varianceScalingValues(shape, seed, 1, 'fan_avg', 'truncated_normal');
    case 'he_uniform':
      return varianceScalingValues(shape, seed, 2, 'fan_in', 'uniform');
    case 'he_normal':
      return varianceScalingValues(shape, seed, 2, 'fan_in', 'truncated_normal');
    case 'lecun_uniform':
      return varianceScalingValues(shape, seed, 1, 'fan_in', 'uniform');
    case 'lecun_normal':
      return varianceScalingValues(shape, seed, 1, 'fan_in', 'truncated_normal');
    case 'orthogonal':
      return orthogonalValues(shape, seed, options.gain ?? 1);
    case 'random_uniform': {
      // Keras defaults: minval -0.05, maxval 0.05 (Embedding's default 'uniform').
      const rng = new Rng(seed);
      const out = new Float32Array(size(shape));
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-0.05, 0.05);
      return out;
    }
    case 'random_normal': {
      const rng = new Rng(seed);
      const out = new Float32Array(size(shape));
      for (let i = 0; i < out.length; i++) out[i] = rng.normal() * 0.05;
      return out;
    }
    case 'truncated_normal': {
      const rng = new Rng(seed);
      const out = new Float32Array(size(shape));
      for (let i = 0; i < out.length; i++) out[i] = truncatedNormal(rng) * 0.05;
      return out;
    }
    case 'zeros':
      return new Float32Array(size(shape));
    case 'ones':
      return new Float32Array(size(shape)).fill(1);
  }
}

/** The LSTM `unit_forget_bias` bias: zeros with ones on the forget-gate slice [u, 2u). */
export function unitForgetBiasValues(units: number): Float32Array {
  const out = new Float32Array(4 * units);
  out.fill(1, units, 2 * units);
  return out;
}

// Tensor forms.

export function glorotUniform(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(glorotUniformValues(shape, seed), shape, 'float32');
}

export function orthogonal(shape: number[], seed: number, gain = 1): tf.Tensor {
  return tf.tensor(orthogonalValues(shape, seed, gain), shape, 'float32');
}

export function zeros(shape: number[]): tf.Tensor {
  return tf.zeros(shape, 'float32');
}

export function ones(shape: number[]): tf.Tensor {
  return tf.ones(shape, 'float32');
}

export function unitForgetBias(units: number): tf.Tensor1D {
  return tf.tensor1d(unitForgetBiasValues(units), 'float32');
}

export function initializerTensor(
  name: InitializerName | string,
  shape: number[],
  seed: number,
  options: { gain?: number } = {},
): tf.Tensor {
  return tf.tensor(initializerValues(name, shape, seed, options), shape, 'float32');
}

// The tfjs Initializer base class is not exported from the package root; every built-in
// initializer extends it, so take it from one of them (deep imports fail under Node).
const InitializerBase = Object.getPrototypeOf(
  tfl.initializers.zeros().constructor,
) as abstract new () => Initializer;

/** What a `SeededInitializer` produces: a named Keras initializer, or the LSTM forget bias. */
export type SeededInitializerKind = InitializerName | 'unit_forget_bias';

/**
 * A tfjs `Initializer` backed by this module: usable with `addWeight` and as any tfjs layer's
 * initializer argument. `apply(shape)` always returns the same values for the same shape.
 * Kind 'unit_forget_bias' (shape (4u,)) is Keras's LSTM bias: `base` on the i, c and o slices
 * (zeros by default) and ones on the forget slice.
 */
export class SeededInitializer extends InitializerBase {
  static className = 'RnnLabSeededInitializer';
  readonly kind: SeededInitializerKind;
  readonly seed: number;
  readonly gain: number;
  readonly base: InitializerName;

  constructor(kind: SeededInitializerKind | string, seed = 0, gain = 1, base: string = 'zeros') {
    super();
    this.kind =
      kind === 'unit_forget_bias' || kind === 'unitForgetBias'
        ? 'unit_forget_bias'
        : initializerName(kind);
    this.seed = seed >>> 0;
    this.gain = gain;
    this.base = initializerName(base);
  }

  apply(shape: tfl.Shape, dtype?: tf.DataType): tf.Tensor {
    const dims = shape.map((d) => {
      if (d == null) throw new Error('SeededInitializer needs a fully known shape');
      return d;
    });
    if (dtype != null && dtype !== 'float32') throw new Error(`Unsupported dtype ${dtype}`);
    return tf.tensor(this.values(dims), dims, 'float32');
  }

  /** The values `apply` would produce, as a row-major Float32Array. */
  values(shape: readonly number[]): Float32Array {
    if (this.kind !== 'unit_forget_bias') {
      return initializerValues(this.kind, shape, this.seed, { gain: this.gain });
    }
    if (shape.length !== 1 || shape[0]! % 4 !== 0) {
      throw new Error('unit_forget_bias needs a shape (4 * units,)');
    }
    const units = shape[0]! / 4;
    if (this.base === 'zeros') return unitForgetBiasValues(units);
    const out = new Float32Array(4 * units);
    out.set(initializerValues(this.base, [units], this.seed), 0);
    out.fill(1, units, 2 * units);
    out.set(initializerValues(this.base, [2 * units], this.seed + 1), 2 * units);
    return out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { kind: this.kind, seed: this.seed, gain: this.gain, base: this.base };
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(
      String(config['kind'] ?? 'zeros'),
      Number(config['seed'] ?? 0),
      Number(config['gain'] ?? 1),
      String(config['base'] ?? 'zeros'),
    );
  }
}
tf.serialization.registerClass(SeededInitializer, 'RnnLab');
