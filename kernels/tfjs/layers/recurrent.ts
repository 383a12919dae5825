/**
 * Keras-faithful SimpleRNN, LSTM and GRU as TensorFlow.js layers.
 *
 * Why not tfjs's own: its GRU has only reset_after=False with hard_sigmoid defaults, its dropout
 * masks are unseeded, and its orthogonal initializer is very slow. These layers follow Keras 3
 * (weights, gate order, defaults, dropout semantics) and draw every random number from a seed.
 *
 * Weight layout (as Keras): kernel (in, G·u), recurrent_kernel (u, G·u), bias (G·u,) — G = 1
 * for SimpleRNN, 4 for LSTM (gates i, f, c, o), 3 for GRU (z, r, h); GRU with reset_after=True
 * has bias (2, 3u): row 0 the input bias, row 1 the recurrent bias.
 *
 * Dropout (Keras ≥ 3.8, which matches tf.keras 2): masks are drawn once per call and reused at
 * every timestep. `dropout` masks the inputs (batch, in), `recurrent_dropout` the previous state
 * (batch, u). With `implementation` 2 (default) there is one input mask shared by all gates; when
 * `recurrent_dropout` is non-zero Keras switches to implementation 1, which draws one mask per
 * gate for the inputs and one per gate for the state (so G of each). The GRU's final mix
 * `z·h + (1-z)·hh` uses the unmasked previous state. Masks only apply while training and only
 * for rates strictly between 0 and 1 (rates are clamped into [0, 1], as Keras does).
 *
 * Masks for training call k come from `derive(seed, stream, k)`; `trainingCalls` counts the
 * calls and `lastMasks` holds the masks of the last call (plain data) for inspection.
 *
 * Two implementations of `call`, chosen per call by `path` (else the process-wide
 * `recurrentPath()`, default 'auto'; `lastPath` and `fallbackReason` record the choice):
 * - 'fused' (../fused): the whole sequence is one op with a hand-written gradient, computed over
 *   raw float32 data with the wasm backend's XNNPACK matmul; 'auto' takes it whenever the
 *   activations are sigmoid/tanh (`fusedUnsupported` names what it cannot run).
 * - 'ops': per-step tfjs ops, below. The input projection x·W (+ bias) of all timesteps is one
 *   matmul before the loop (the input mask is constant over time, so masked inputs are still one
 *   matmul; per-gate masks make it G matmuls of a G-th the width). Each step is one h·U matmul
 *   (G matmuls of a G-th the width with per-gate recurrent masks; two for GRU
 *   reset_after=False) plus elementwise ops.
 * Both draw the same masks and record them in `lastMasks` the same way.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { initializerName, SeededInitializer, type InitializerName } from '../initializers';
import { formatShape } from '../../../analyzer/format';
import { derive } from '../../random';
import {
  fusedRecurrent,
  fusedUnsupported,
  isGateActivation,
  recurrentPath,
  type FusedSpec,
  type RecurrentPath,
} from '../fused/index';
import {
  activation,
  activationName,
  defaultSeed,
  dropoutMaskValues,
  layerArgs,
  maskRng,
  normalizeConfig,
  oneMask,
  oneTensor,
  type ActivationName,
  type DropoutMask,
  type KerasLayerArgs,
} from './common';

/** Config shared by SimpleRNN, LSTM and GRU: Keras argument names, plus tfjs `LayerArgs`. */
export interface RecurrentConfig extends KerasLayerArgs {
  units: number;
  /** Default 'tanh'; null means linear. */
  activation?: string | null;
  use_bias?: boolean;
  /** Default 'glorot_uniform'. */
  kernel_initializer?: string;
  /** Default 'orthogonal'. */
  recurrent_initializer?: string;
  /** Default 'zeros'. */
  bias_initializer?: string;
  /** Fraction of the inputs to drop (clamped into [0, 1]); default 0. */
  dropout?: number;
  /** Fraction of the recurrent state to drop (clamped into [0, 1]); default 0. */
  recurrent_dropout?: number;
  return_sequences?: boolean;
  return_state?: boolean;
  go_backwards?: boolean;
  /** Output zeros (instead of the previous output) at masked timesteps; Bidirectional sets it. */
  zero_output_for_mask?: boolean;
  /** Keras's `implementation`: 1 = one dropout mask per gate; forced to 1 by recurrent_dropout. */
  implementation?: 1 | 2;
  /** Seed of the weights and dropout masks; a process-wide derived default when absent. */
  seed?: number | null;
  /** Keras's `unroll` is accepted and ignored (the loop is always unrolled in tfjs). */
  unroll?: boolean;
}

export type SimpleRNNConfig = RecurrentConfig;

export interface LSTMConfig extends RecurrentConfig {
  /** Default 'sigmoid'. */
  recurrent_activation?: string | null;
  /** Default true: the forget-gate bias starts at one. */
  unit_forget_bias?: boolean;
}

export interface GRUConfig extends RecurrentConfig {
  /** Default 'sigmoid'. */
  recurrent_activation?: string | null;
  /** Default true (Keras 2 TF2 API and Keras 3): bias (2, 3u), r applied after the matmul. */
  reset_after?: boolean;
}

/** The masks of the last call: 0 (no dropout or inference), 1 (shared) or G (per gate). */
export interface RecurrentMasks {
  input: DropoutMask[];
  recurrent: DropoutMask[];
}

/** Per-call tensors handed to a cell's step function. */
interface StepContext {
  recurrentKernel: tf.Tensor2D;
  bias: tf.Tensor | null;
  /** Empty, one shared (batch, u) mask, or one per gate. */
  recurrentMasks: tf.Tensor2D[];
}

type Step = (xt: tf.Tensor2D, states: tf.Tensor2D[]) => tf.Tensor2D[];

const SNAKE_VALUES = [
  'activation',
  'recurrent_activation',
  'kernel_initializer',
  'recurrent_initializer',
  'bias_initializer',
];

const STREAM_INPUT_MASK = 0x1d01;
const STREAM_RECURRENT_MASK = 0x1d02;
const SEED_KERNEL = 1;
const SEED_RECURRENT_KERNEL = 2;
const SEED_BIAS = 3;

function clampRate(r: number | undefined): number {
  const v = r ?? 0;
  if (!Number.isFinite(v)) throw new Error(`Invalid dropout rate ${v}`);
  return Math.min(1, Math.max(0, v));
}

/** b + m·(a − b): a where the step mask m is 1, b where it is 0. */
function blend(m: tf.Tensor, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.add(b, tf.mul(m, tf.sub(a, b)));
}

/**
 * The T timesteps of a time-major tensor, as T tensors. tfjs-backend-wasm 4.22's Slice kernel
 * copies its whole input on every call (readSync), so a plain unstack of (T, B, G·u) copies
 * T times the tensor. Splitting first into ~√T chunks (split's gradient is a concat, as
 * unstack's is a stack) cuts that to ~2√T times; on other backends it costs one extra copy.
 */
function unstackTime(x: tf.Tensor, steps: number): tf.Tensor[] {
  // tfjs 4.22's Unpack gradient stacks its dys, but a one-output op gets a lone dy: reshape.
  if (steps === 1) return [tf.reshape(x, x.shape.slice(1))];
  const chunks = Math.round(Math.sqrt(steps));
  if (chunks <= 1) return tf.unstack(x);
  const sizes: number[] = [];
  for (let i = 0; i < chunks; i++) {
    sizes.push(Math.floor((steps * (i + 1)) / chunks) - Math.floor((steps * i) / chunks));
  }
  return tf
    .split(x, sizes, 0)
    .flatMap((c) => (c.shape[0] === 1 ? [tf.reshape(c, c.shape.slice(1))] : tf.unstack(c)));
}

/** U (u, G·u) as its G gate blocks (u, u). */
function gateBlocks(u: tf.Tensor2D, gates: number): tf.Tensor2D[] {
  return tf.split(u, gates, 1);
}

/**
 * [(h ⊙ m_g) · U_g for each gate g] laid out as (batch, G·u). G plain matmuls: one batched
 * (G, batch, u)·(G, u, u) matmul would be a single kernel, but tfjs-backend-wasm runs batched
 * matmuls ~15x slower than 2-D ones of the same size.
 */
function perGateProjection(
  h: tf.Tensor2D,
  masks: tf.Tensor2D[],
  blocks: tf.Tensor2D[],
): tf.Tensor2D {
  return tf.concat(
    blocks.map((u, g) => tf.matMul(tf.mul(h, masks[g]!) as tf.Tensor2D, u)),
    1,
  ) as tf.Tensor2D;
}

/** Base of the three recurrent layers: config, weights, masks and the time loop. */
export abstract class RecurrentLayer extends tfl.layers.Layer {
  /** The Keras class name ('SimpleRNN', 'LSTM', 'GRU'); `className` is namespaced. */
  abstract readonly kerasClassName: string;

  readonly units: number;
  readonly activation: ActivationName;
  readonly recurrentActivation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly recurrentInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly implementation: 1 | 2;
  readonly seed: number;
  zeroOutputForMask: boolean;

  /** Training calls so far; call k draws its masks from derive(seed, stream, k). */
  trainingCalls = 0;
  /** The dropout masks of the last call (empty lists at inference or without dropout). */
  lastMasks: RecurrentMasks = { input: [], recurrent: [] };
  /** Prefix of the weight names, set by wrappers (Bidirectional) that build this layer. */
  weightScope: string | null = null;
  /** This layer's implementation; null follows the process-wide `recurrentPath()`. */
  path: RecurrentPath | null = null;
  /** The implementation the last call ran. */
  lastPath: 'fused' | 'ops' | null = null;
  /** Why the last call did not take the fused path ('ops' forced, or what it cannot run). */
  fallbackReason: string | null = null;

  kernel: tfl.LayerVariable | null = null;
  recurrentKernel: tfl.LayerVariable | null = null;
  bias: tfl.LayerVariable | null = null;

  /** Gates per unit: 1 (SimpleRNN), 4 (LSTM), 3 (GRU). */
  readonly gates: number;
  /** States per step: 1, or 2 for LSTM ([h, c]). */
  readonly stateCount: number;

  protected constructor(
    config: RecurrentConfig & { recurrent_activation?: string | null },
    defaultName: string,
    gates: number,
    stateCount: number,
  ) {
    super(layerArgs(config, defaultName));
    if (!Number.isInteger(config.units) || config.units <= 0) {
      throw new Error(`units must be a positive integer, got ${config.units}`);
    }
    this.gates = gates;
    this.stateCount = stateCount;
    this.units = config.units;
    this.activation = activationName(config.activation === undefined ? 'tanh' : config.activation);
    this.recurrentActivation = activationName(
      config.recurrent_activation === undefined ? 'sigmoid' : config.recurrent_activation,
    );
    this.useBias = config.use_bias ?? true;
    this.kernelInitializer = initializerName(config.kernel_initializer ?? 'glorot_uniform');
    this.recurrentInitializer = initializerName(config.recurrent_initializer ?? 'orthogonal');
    this.biasInitializer = initializerName(config.bias_initializer ?? 'zeros');
    this.dropout = clampRate(config.dropout);
    this.recurrentDropout = clampRate(config.recurrent_dropout);
    this.returnSequences = config.return_sequences ?? false;
    this.returnState = config.return_state ?? false;
    this.goBackwards = config.go_backwards ?? false;
    this.zeroOutputForMask = config.zero_output_for_mask ?? false;
    this.implementation = this.recurrentDropout !== 0 ? 1 : (config.implementation ?? 2);
    this.seed = config.seed == null ? defaultSeed() : config.seed >>> 0;
    this.supportsMasking = true;
    this.inputSpec = [new tfl.InputSpec({ ndim: 3 })];
  }

  /** Keras's parameter count for an input of `inputDim` features. */
  static paramCount(
    kind: 'SimpleRNN' | 'LSTM' | 'GRU',
    inputDim: number,
    units: number,
    opts: { useBias?: boolean; resetAfter?: boolean } = {},
  ): number {
    const gates = kind === 'SimpleRNN' ? 1 : kind === 'LSTM' ? 4 : 3;
    const biasRows =
      opts.useBias === false ? 0 : kind === 'GRU' && opts.resetAfter !== false ? 2 : 1;
    return gates * units * (inputDim + units + biasRows);
  }

  protected abstract biasShape(): number[];
  protected abstract biasInitializerFor(): SeededInitializer;
  /** The part of the bias added to x·W: all of it, or row 0 for GRU with reset_after. */
  protected abstract inputBias(bias: tf.Tensor): tf.Tensor;
  /** Builds the per-step function for one call (precomputing what the loop reuses). */
  protected abstract makeStep(ctx: StepContext): Step;
  /** The cell the fused path runs. */
  protected abstract fusedKind(): FusedSpec['kind'];
  protected fusedResetAfter(): boolean {
    return false;
  }

  private scoped(name: string): string {
    return this.weightScope ? `${this.weightScope}/${name}` : name;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const inputDim = shape[shape.length - 1];
    if (shape.length !== 3 || inputDim == null) {
      throw new Error(
        `${this.name}: expected input shape (batch, timesteps, features), got ${JSON.stringify(shape)}`,
      );
    }
    const width = this.gates * this.units;
    this.kernel = this.addWeight(
      this.scoped('kernel'),
      [inputDim, width],
      'float32',
      new SeededInitializer(this.kernelInitializer, derive(this.seed, SEED_KERNEL)),
    );
    this.recurrentKernel = this.addWeight(
      this.scoped('recurrent_kernel'),
      [this.units, width],
      'float32',
      new SeededInitializer(this.recurrentInitializer, derive(this.seed, SEED_RECURRENT_KERNEL)),
    );
    this.bias = this.useBias
      ? this.addWeight(this.scoped('bias'), this.biasShape(), 'float32', this.biasInitializerFor())
      : null;
    this.inputSpec = [
      new tfl.InputSpec({ ndim: 3, axes: { [-1]: inputDim } }),
      ...Array.from({ length: this.foldedStates }, () => new tfl.InputSpec({ ndim: 2 })),
    ];
    this.built = true;
  }

  protected biasSeed(): number {
    return derive(this.seed, SEED_BIAS);
  }

  /** How many initial states `apply` folded into the inputs (so the model graph links them). */
  private foldedStates = 0;

  /**
   * `layer(x, initialState=[h, c])`: like tfjs's RNN, the states become inputs of the layer's
   * node, so a functional model sees the encoder that produced them.
   */
  override apply(
    inputs: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[],
    kwargs?: Kwargs,
  ): tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[] {
    const given = kwargs?.['initialState'] as
      tf.Tensor | tfl.SymbolicTensor | Array<tf.Tensor | tfl.SymbolicTensor> | undefined;
    const states = given == null ? [] : Array.isArray(given) ? given : [given];
    if (states.length === 0) {
      // A model runs its graph with the states already folded in: [x, h, (c)].
      this.foldStates(Array.isArray(inputs) ? inputs.length - 1 : 0);
      return super.apply(inputs, kwargs);
    }
    this.foldStates(states.length);
    const rest: Kwargs = { ...kwargs };
    delete rest['initialState'];
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return super.apply([x, ...states] as tf.Tensor[] | tfl.SymbolicTensor[], rest);
  }

  /** Input specs for x plus `count` folded states (a built layer may be called either way). */
  private foldStates(count: number): void {
    this.foldedStates = count;
    const x = this.inputSpec?.[0];
    if (x)
      this.inputSpec = [x, ...Array.from({ length: count }, () => new tfl.InputSpec({ ndim: 2 }))];
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const batch = shape[0] ?? null;
    const out: tfl.Shape = this.returnSequences
      ? [batch, shape[1] ?? null, this.units]
      : [batch, this.units];
    if (!this.returnState) return out;
    const states: tfl.Shape[] = [];
    for (let i = 0; i < this.stateCount; i++) states.push([batch, this.units]);
    return [out, ...states];
  }

  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor | tf.Tensor[] {
    const m = oneMask(mask);
    const outMask = this.returnSequences ? m : null;
    if (!this.returnState) return outMask as tf.Tensor;
    const masks: Array<tf.Tensor | null> = [outMask];
    for (let i = 0; i < this.stateCount; i++) masks.push(null);
    return masks as tf.Tensor[];
  }

  /** Draws this call's dropout masks (and records them in `lastMasks`). */
  private drawMasks(training: boolean, batch: number, inputDim: number): RecurrentMasks {
    const input: DropoutMask[] = [];
    const recurrent: DropoutMask[] = [];
    if (training) {
      const call = this.trainingCalls++;
      const count = this.implementation === 1 ? this.gates : 1;
      if (this.dropout > 0 && this.dropout < 1) {
        const rng = maskRng(this.seed, STREAM_INPUT_MASK, call);
        for (let g = 0; g < count; g++) {
          input.push({
            shape: [batch, inputDim],
            values: dropoutMaskValues(rng, batch * inputDim, this.dropout),
          });
        }
      }
      if (this.recurrentDropout > 0 && this.recurrentDropout < 1) {
        const rng = maskRng(this.seed, STREAM_RECURRENT_MASK, call);
        for (let g = 0; g < count; g++) {
          recurrent.push({
            shape: [batch, this.units],
            values: dropoutMaskValues(rng, batch * this.units, this.recurrentDropout),
          });
        }
      }
    }
    this.lastMasks = { input, recurrent };
    return this.lastMasks;
  }

  private initialStates(kwargs: Kwargs, batch: number): tf.Tensor2D[] {
    const given = kwargs['initialState'] as tf.Tensor | tf.Tensor[] | undefined | null;
    if (given == null) {
      const states: tf.Tensor2D[] = [];
      for (let i = 0; i < this.stateCount; i++) states.push(tf.zeros([batch, this.units]));
      return states;
    }
    const list = Array.isArray(given) ? given : [given];
    if (list.length !== this.stateCount) {
      throw new Error(
        `${this.name} expects ${this.stateCount} initial state(s), got ${list.length}`,
      );
    }
    return list.map((s) => {
      if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== this.units) {
        throw new Error(
          `${this.name}: initial state must be (${batch}, ${this.units}), got ${formatShape(s.shape)}`,
        );
      }
      return s as tf.Tensor2D;
    });
  }

  /**
   * Null for the fused path, else why not (the 'ops' path chosen, or what the fused path cannot
   * run); records the choice. Throws when 'fused' is required but cannot run.
   */
  private choosePath(x: tf.Tensor): string | null {
    const wanted = this.path ?? recurrentPath();
    const unsupported =
      wanted === 'ops'
        ? "the 'ops' path was chosen"
        : fusedUnsupported({
            kind: this.fusedKind(),
            activation: this.activation,
            recurrentActivation: this.recurrentActivation,
            dtype: x.dtype,
          });
    if (wanted === 'fused' && unsupported) {
      throw new Error(`${this.name}: the fused recurrent path cannot run ${unsupported}`);
    }
    this.fallbackReason = unsupported;
    this.lastPath = unsupported === null ? 'fused' : 'ops';
    return unsupported;
  }

  /** The whole sequence as one fused op (../fused), with this call's masks. */
  private callFused(
    x: tf.Tensor,
    kwargs: Kwargs,
    masks: RecurrentMasks,
    seqMask: tf.Tensor | null,
  ): tf.Tensor | tf.Tensor[] {
    const initial = kwargs['initialState'] == null ? [] : this.initialStates(kwargs, x.shape[0]!);
    const b = this.bias ? this.bias.read() : null;
    const outs = fusedRecurrent(
      {
        kind: this.fusedKind(),
        units: this.units,
        // choosePath checked both (SimpleRNN has no recurrent activation).
        activation: isGateActivation(this.activation) ? this.activation : 'tanh',
        recurrentActivation: isGateActivation(this.recurrentActivation)
          ? this.recurrentActivation
          : 'sigmoid',
        resetAfter: this.fusedResetAfter(),
        goBackwards: this.goBackwards,
        returnSequences: this.returnSequences,
        returnState: this.returnState,
        zeroOutputForMask: this.zeroOutputForMask,
        useBias: b != null,
        initialState: initial.length > 0,
        inputMasks: masks.input.map((m) => m.values),
        recurrentMasks: masks.recurrent.map((m) => m.values),
        sequenceMask: seqMask ? Uint8Array.from(seqMask.dataSync(), (v) => (v ? 1 : 0)) : null,
      },
      {
        x: x as tf.Tensor3D,
        kernel: this.kernel!.read() as tf.Tensor2D,
        recurrentKernel: this.recurrentKernel!.read() as tf.Tensor2D,
        bias: b,
        initial,
      },
    );
    return this.returnState ? outs : outs[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      // States folded into the inputs by `apply` come after x.
      if (Array.isArray(inputs) && inputs.length > 1) {
        kwargs = { ...kwargs, initialState: inputs.slice(1) };
        inputs = inputs[0]!;
      }
      const x = oneTensor(inputs);
      if (x.rank !== 3) {
        throw new Error(
          `Input 0 of layer ${this.name} is incompatible with the layer: expected ndim=3, found ndim=${x.rank}`,
        );
      }
      const [batch, steps, inputDim] = x.shape as [number, number, number];
      if (steps === 0) throw new Error(`${this.name}: the input has no timesteps`);
      const u = this.units;
      const width = this.gates * u;
      const training = kwargs['training'] === true;
      const masks = this.drawMasks(training, batch, inputDim);

      const w = this.kernel!.read() as tf.Tensor2D;
      const rk = this.recurrentKernel!.read() as tf.Tensor2D;
      const b = this.bias ? this.bias.read() : null;

      // tfjs's model executor reuses one kwargs object for every layer, so a mask set for an
      // earlier layer stays in it (e.g. Embedding(mask_zero) → LSTM → RepeatVector → LSTM hands
      // the first mask to the second LSTM). A mask of the wrong size can only be such a stale one:
      // ignore it. (A stale mask of the right size cannot be told apart.)
      const given = oneMask(kwargs['mask'] as tf.Tensor | tf.Tensor[] | undefined);
      const seqMask = given != null && given.size === batch * steps ? given : null;

      if (this.choosePath(x) === null) return this.callFused(x, kwargs, masks, seqMask);

      // Input projection of every timestep at once, time-major: (T·B, G·u).
      const xt = tf.transpose(x, [1, 0, 2]); // (T, B, in)
      const inputMasks = masks.input.map((m) => tf.tensor2d(m.values, [batch, inputDim]));
      const flat = (t: tf.Tensor): tf.Tensor2D => tf.reshape(t, [steps * batch, inputDim]);
      let proj: tf.Tensor2D;
      if (inputMasks.length <= 1) {
        const xm = inputMasks.length === 1 ? tf.mul(xt, inputMasks[0]!) : xt;
        proj = tf.matMul(flat(xm), w);
      } else {
        proj = tf.concat(
          inputMasks.map((m, g) =>
            tf.matMul(flat(tf.mul(xt, m)), tf.slice(w, [0, g * u], [inputDim, u])),
          ),
          1,
        ) as tf.Tensor2D;
      }
      if (b) proj = tf.add(proj, this.inputBias(b));
      const xs = unstackTime(tf.reshape(proj, [steps, batch, width]), steps) as tf.Tensor2D[];

      const step = this.makeStep({
        recurrentKernel: rk,
        bias: b,
        recurrentMasks: masks.recurrent.map((m) => tf.tensor2d(m.values, [batch, u])),
      });

      let maskSteps: tf.Tensor[] | null = null;
      if (seqMask != null) {
        const m = tf.transpose(tf.reshape(tf.cast(seqMask, 'float32'), [batch, steps]));
        maskSteps = unstackTime(m, steps).map((s) => tf.reshape(s, [batch, 1]));
      }

      let states = this.initialStates(kwargs, batch);
      let prevOut: tf.Tensor2D | null = maskSteps ? tf.zeros([batch, u]) : null;
      const outputs: tf.Tensor2D[] = [];
      let last: tf.Tensor2D | null = null;
      for (let s = 0; s < steps; s++) {
        const t = this.goBackwards ? steps - 1 - s : s;
        const next = step(xs[t]!, states);
        let out: tf.Tensor2D;
        if (maskSteps) {
          const m = maskSteps[t]!;
          const prev = states;
          states = next.map((n, i) => blend(m, n, prev[i]!));
          out = this.zeroOutputForMask ? tf.mul(next[0]!, m) : blend(m, next[0]!, prevOut!);
          prevOut = out;
        } else {
          states = next;
          out = next[0]!;
        }
        if (this.returnSequences) outputs.push(out);
        last = out;
      }
      const output = this.returnSequences ? tf.stack(outputs, 1) : last!;
      return this.returnState ? [output, ...states] : output;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      use_bias: this.useBias,
      kernel_initializer: this.kernelInitializer,
      recurrent_initializer: this.recurrentInitializer,
      bias_initializer: this.biasInitializer,
      dropout: this.dropout,
      recurrent_dropout: this.recurrentDropout,
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      zero_output_for_mask: this.zeroOutputForMask,
      implementation: this.implementation,
      seed: this.seed,
    };
  }

  /** Builds from a config with Keras names or tfjs's camelCase ones (what its loader passes). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(normalizeConfig(config, SNAKE_VALUES));
  }
}

/** Keras `SimpleRNN`: h = activation(x·W + b + h·U). */
export class SimpleRNN extends RecurrentLayer {
  static className = 'RnnLabSimpleRNN';
  readonly kerasClassName = 'SimpleRNN';

  constructor(config: SimpleRNNConfig) {
    super(config, 'simple_rnn', 1, 1);
  }

  protected biasShape(): number[] {
    return [this.units];
  }

  protected biasInitializerFor(): SeededInitializer {
    return new SeededInitializer(this.biasInitializer, this.biasSeed());
  }

  protected inputBias(bias: tf.Tensor): tf.Tensor {
    return bias;
  }

  protected fusedKind(): FusedSpec['kind'] {
    return 'simple';
  }

  protected makeStep(ctx: StepContext): Step {
    const act = activation(this.activation);
    const u = ctx.recurrentKernel;
    const m = ctx.recurrentMasks[0] ?? null;
    return (xt, [h]) => {
      const hm = m ? tf.mul(h!, m) : h!;
      return [act(tf.add(xt, tf.matMul(hm, u))) as tf.Tensor2D];
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    delete config['implementation'];
    return config;
  }
}

/** Keras `LSTM` (gates i, f, c, o; states [h, c]). */
export class LSTM extends RecurrentLayer {
  static className = 'RnnLabLSTM';
  readonly kerasClassName = 'LSTM';
  readonly unitForgetBias: boolean;

  constructor(config: LSTMConfig) {
    super(config, 'lstm', 4, 2);
    this.unitForgetBias = config.unit_forget_bias ?? true;
  }

  protected biasShape(): number[] {
    return [4 * this.units];
  }

  protected biasInitializerFor(): SeededInitializer {
    return this.unitForgetBias
      ? new SeededInitializer('unit_forget_bias', this.biasSeed(), 1, this.biasInitializer)
      : new SeededInitializer(this.biasInitializer, this.biasSeed());
  }

  protected inputBias(bias: tf.Tensor): tf.Tensor {
    return bias;
  }

  protected fusedKind(): FusedSpec['kind'] {
    return 'lstm';
  }

  protected makeStep(ctx: StepContext): Step {
    const act = activation(this.activation);
    const rec = activation(this.recurrentActivation);
    const uk = ctx.recurrentKernel;
    const masks = ctx.recurrentMasks;
    const perGate = masks.length > 1;
    const blocks = perGate ? gateBlocks(uk, 4) : null;
    const shared = masks.length === 1 ? masks[0]! : null;
    return (xt, [h, c]) => {
      const r = perGate
        ? perGateProjection(h!, masks, blocks!)
        : tf.matMul(shared ? tf.mul(h!, shared) : h!, uk);
      const [zi, zf, zc, zo] = tf.split(tf.add(xt, r), 4, 1);
      const i = rec(zi!);
      const f = rec(zf!);
      const g = act(zc!);
      const o = rec(zo!);
      const c2 = tf.add(tf.mul(f, c!), tf.mul(i, g)) as tf.Tensor2D;
      const h2 = tf.mul(o, act(c2)) as tf.Tensor2D;
      return [h2, c2];
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      recurrent_activation: this.recurrentActivation,
      unit_forget_bias: this.unitForgetBias,
    };
  }
}

/** Keras `GRU` (gates z, r, h), reset_after=True by default. */
export class GRU extends RecurrentLayer {
  static className = 'RnnLabGRU';
  readonly kerasClassName = 'GRU';
  readonly resetAfter: boolean;

  constructor(config: GRUConfig) {
    super(config, 'gru', 3, 1);
    this.resetAfter = config.reset_after ?? true;
  }

  protected biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected biasInitializerFor(): SeededInitializer {
    return new SeededInitializer(this.biasInitializer, this.biasSeed());
  }

  protected inputBias(bias: tf.Tensor): tf.Tensor {
    return this.resetAfter
      ? tf.reshape(tf.slice(bias, [0, 0], [1, 3 * this.units]), [3 * this.units])
      : bias;
  }

  protected fusedKind(): FusedSpec['kind'] {
    return 'gru';
  }

  protected override fusedResetAfter(): boolean {
    return this.resetAfter;
  }

  protected makeStep(ctx: StepContext): Step {
    const act = activation(this.activation);
    const rec = activation(this.recurrentActivation);
    const n = this.units;
    const uk = ctx.recurrentKernel;
    const masks = ctx.recurrentMasks;
    const perGate = masks.length > 1;
    const shared = masks.length === 1 ? masks[0]! : null;
    // h_new = hh + z·(h − hh), i.e. z·h + (1 − z)·hh with the unmasked previous state.
    const mix = (z: tf.Tensor, h: tf.Tensor2D, hh: tf.Tensor): tf.Tensor2D =>
      tf.add(hh, tf.mul(z, tf.sub(h, hh))) as tf.Tensor2D;

    if (this.resetAfter) {
      const recBias =
        ctx.bias != null ? tf.reshape(tf.slice(ctx.bias, [1, 0], [1, 3 * n]), [3 * n]) : null;
      const blocks = perGate ? gateBlocks(uk, 3) : null;
      return (xt, [h]) => {
        let r: tf.Tensor2D = perGate
          ? perGateProjection(h!, masks, blocks!)
          : tf.matMul(shared ? tf.mul(h!, shared) : h!, uk);
        if (recBias) r = tf.add(r, recBias);
        const [xzr, xh] = tf.split(xt, [2 * n, n], 1);
        const [rzr, rh] = tf.split(r, [2 * n, n], 1);
        const [z, rg] = tf.split(rec(tf.add(xzr!, rzr!)), 2, 1);
        const hh = act(tf.add(xh!, tf.mul(rg!, rh!)));
        return [mix(z!, h!, hh)];
      };
    }

    const uzr = tf.slice(uk, [0, 0], [n, 2 * n]);
    const uh = tf.slice(uk, [0, 2 * n], [n, n]);
    const blocks = perGate ? gateBlocks(uzr, 2) : null;
    const maskH = perGate ? masks[2]! : shared;
    return (xt, [h]) => {
      const rzr: tf.Tensor2D = perGate
        ? perGateProjection(h!, masks, blocks!)
        : tf.matMul(shared ? tf.mul(h!, shared) : h!, uzr);
      const [xzr, xh] = tf.split(xt, [2 * n, n], 1);
      const [z, rg] = tf.split(rec(tf.add(xzr!, rzr)), 2, 1);
      const hForH = maskH ? tf.mul(h!, maskH) : h!;
      const hh = act(tf.add(xh!, tf.matMul(tf.mul(rg!, hForH) as tf.Tensor2D, uh)));
      return [mix(z!, h!, hh)];
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      recurrent_activation: this.recurrentActivation,
      reset_after: this.resetAfter,
    };
  }
}

// Class names are namespaced ('RnnLabLSTM'): registering a class under 'LSTM' would replace
// tfjs's own in its serialization map, which tfjs's Bidirectional uses to clone its layer.
tf.serialization.registerClass(SimpleRNN, 'RnnLab');
tf.serialization.registerClass(LSTM, 'RnnLab');
tf.serialization.registerClass(GRU, 'RnnLab');
