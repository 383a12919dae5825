/**
 * Keras `Bidirectional` and `TimeDistributed` for the kernel's layers.
 *
 * Bidirectional owns a forward copy of the wrapped layer (same config and seed, so the same
 * initial weights the wrapped layer would get) and a backward copy (go_backwards flipped, seed
 * derived from the wrapped layer's, so separately initialised and with its own dropout stream).
 * Outputs follow Keras: the backward sequence is reversed back to input order before merging;
 * with return_state the result is [output, forward states..., backward states...] (merge_mode
 * null: [forward output, backward output, forward states..., backward states...]).
 *
 * TimeDistributed applies its layer to every timestep by folding time into the batch: one call
 * on (batch·T, ...) instead of tfjs's per-timestep loop. It is exact for layers that treat
 * samples independently (Dense, Activation, Dropout — whose masks are then per element,
 * RULES.md fact 7); a layer with batch statistics (BatchNormalization in training) would pool
 * them over all timesteps instead of per timestep as Keras does.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { derive } from '../../random';
import { layerArgs, normalizeConfig, oneMask, oneTensor, type KerasLayerArgs } from './common';
import { RecurrentLayer } from './recurrent';

type Layer = tfl.layers.Layer;

/** A layer as it appears in a config: `{ className | class_name, config }`. */
export interface SerializedLayer {
  className?: string;
  class_name?: string;
  config: tf.serialization.ConfigDict;
}

function isLayer(x: unknown): x is Layer {
  return x instanceof tfl.layers.Layer;
}

/** A layer from an instance or from its serialized form (classes registered with tfjs). */
function resolveLayer(spec: Layer | SerializedLayer): Layer {
  if (isLayer(spec)) return spec;
  const className = spec.className ?? spec.class_name;
  if (!className) throw new Error('A serialized layer needs a className');
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`Unknown layer class ${className}`);
  const [cls, fromConfig] = entry;
  const layer = fromConfig(cls, spec.config);
  if (!isLayer(layer)) throw new Error(`${className} is not a layer`);
  return layer;
}

function serializeLayer(layer: Layer): tf.serialization.ConfigDict {
  return { className: layer.getClassName(), config: layer.getConfig() };
}

/** A new recurrent layer of the same class as `layer`, from its config with overrides. */
function recreate(layer: RecurrentLayer, overrides: Record<string, unknown>): RecurrentLayer {
  const config: Record<string, unknown> = { ...layer.getConfig(), ...overrides };
  delete config['batchInputShape'];
  delete config['inputShape'];
  const cls = layer.constructor as new (config: Record<string, unknown>) => RecurrentLayer;
  return new cls(config);
}

function stripPrefix(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;

export interface BidirectionalConfig extends KerasLayerArgs {
  /** The recurrent layer to wrap (an instance, or its serialized form). */
  layer: RecurrentLayer | SerializedLayer;
  /** Default 'concat'; null returns [forward, backward] unmerged. */
  merge_mode?: MergeMode;
  /** Optional explicit backward layer (must have the opposite go_backwards). */
  backward_layer?: RecurrentLayer | SerializedLayer | null;
}

const SEED_BACKWARD = 0xbacc;

/** Keras `Bidirectional` around SimpleRNN, LSTM or GRU. */
export class Bidirectional extends tfl.layers.Layer {
  static className = 'RnnLabBidirectional';
  readonly kerasClassName = 'Bidirectional';
  readonly forwardLayer: RecurrentLayer;
  readonly backwardLayer: RecurrentLayer;
  readonly mergeMode: MergeMode;
  readonly returnSequences: boolean;
  readonly returnState: boolean;

  constructor(config: BidirectionalConfig) {
    const wrapped = resolveLayer(config.layer);
    if (!(wrapped instanceof RecurrentLayer)) {
      throw new Error('Bidirectional wraps SimpleRNN, LSTM or GRU layers of this kernel');
    }
    const args = layerArgs(config, 'bidirectional');
    // Keras users write Bidirectional(LSTM(..., input_shape=...)): take the shape from there.
    if (args.inputShape == null && args.batchInputShape == null) {
      const inner = wrapped.getConfig()['batchInputShape'];
      if (Array.isArray(inner)) args.batchInputShape = inner as Array<number | null>;
    }
    super(args);
    const mergeMode = config.merge_mode === undefined ? 'concat' : config.merge_mode;
    if (!['concat', 'sum', 'mul', 'ave', null].includes(mergeMode)) {
      throw new Error(
        `Invalid merge mode ${String(mergeMode)}; expected concat, sum, mul, ave or null`,
      );
    }
    this.mergeMode = mergeMode;

    const base = stripPrefix(stripPrefix(wrapped.name, 'forward_'), 'backward_');
    this.forwardLayer = recreate(wrapped, { name: `forward_${base}`, seed: wrapped.seed });
    if (config.backward_layer != null) {
      const backward = resolveLayer(config.backward_layer);
      if (!(backward instanceof RecurrentLayer)) {
        throw new Error('backward_layer must be a SimpleRNN, LSTM or GRU layer of this kernel');
      }
      this.backwardLayer = backward;
    } else {
      this.backwardLayer = recreate(wrapped, {
        name: `backward_${base}`,
        go_backwards: !wrapped.goBackwards,
        seed: derive(wrapped.seed, SEED_BACKWARD),
      });
    }
    const [f, b] = [this.forwardLayer, this.backwardLayer];
    if (f.goBackwards === b.goBackwards) {
      throw new Error('Forward layer and backward layer should have different go_backwards values');
    }
    if (f.returnSequences !== b.returnSequences || f.returnState !== b.returnState) {
      throw new Error(
        'Forward and backward layers need the same return_sequences and return_state',
      );
    }
    this.returnSequences = f.returnSequences;
    this.returnState = f.returnState;
    // As Keras: masked timesteps output zeros when the layer returns sequences.
    f.zeroOutputForMask = f.returnSequences;
    b.zeroOutputForMask = b.returnSequences;
    f.weightScope = f.name;
    b.weightScope = b.name;
    this.supportsMasking = true;
    this.inputSpec = [new tfl.InputSpec({ ndim: 3 })];
  }

  override get trainableWeights(): tfl.LayerVariable[] {
    if (!this.trainable) return [];
    return [...this.forwardLayer.trainableWeights, ...this.backwardLayer.trainableWeights];
  }

  override set trainableWeights(_weights: tfl.LayerVariable[]) {
    // Weights live in the wrapped layers.
  }

  override get nonTrainableWeights(): tfl.LayerVariable[] {
    if (!this.trainable) return [...this.forwardLayer.weights, ...this.backwardLayer.weights];
    return [...this.forwardLayer.nonTrainableWeights, ...this.backwardLayer.nonTrainableWeights];
  }

  override set nonTrainableWeights(_weights: tfl.LayerVariable[]) {
    // Weights live in the wrapped layers.
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    for (const layer of [this.forwardLayer, this.backwardLayer]) {
      if (!layer.built) {
        layer.build(inputShape);
        layer.built = true;
      }
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    const shapes = this.forwardLayer.computeOutputShape(inputShape);
    const [out, ...states] = (this.returnState ? shapes : [shapes]) as tfl.Shape[];
    let merged: tfl.Shape[];
    if (this.mergeMode === 'concat') {
      const last = out![out!.length - 1];
      merged = [[...out!.slice(0, -1), last == null ? null : last * 2]];
    } else if (this.mergeMode === null) {
      merged = [out!, out!];
    } else {
      merged = [out!];
    }
    const all = this.returnState ? [...merged, ...states, ...states] : merged;
    return all.length === 1 ? all[0]! : all;
  }

  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor | tf.Tensor[] {
    const m = this.returnSequences ? oneMask(mask) : null;
    const outs: Array<tf.Tensor | null> = this.mergeMode === null ? [m, m] : [m];
    if (this.returnState) {
      for (let i = 0; i < 2 * this.forwardLayer.stateCount; i++) outs.push(null);
    }
    return (outs.length === 1 ? outs[0] : outs) as tf.Tensor | tf.Tensor[];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const shared: Kwargs = { training: kwargs['training'], mask: kwargs['mask'] };
      const fwdKwargs: Kwargs = { ...shared };
      const bwdKwargs: Kwargs = { ...shared };
      const initial = kwargs['initialState'] as tf.Tensor[] | undefined;
      if (initial != null) {
        const half = initial.length / 2;
        fwdKwargs['initialState'] = initial.slice(0, half);
        bwdKwargs['initialState'] = initial.slice(half);
      }
      const fwd = this.forwardLayer.call(x, fwdKwargs);
      const bwd = this.backwardLayer.call(x, bwdKwargs);
      const [y, ...fStates] = Array.isArray(fwd) ? fwd : [fwd];
      const [yb, ...bStates] = Array.isArray(bwd) ? bwd : [bwd];
      const yRev = this.returnSequences ? tf.reverse(yb!, 1) : yb!;
      let outs: tf.Tensor[];
      switch (this.mergeMode) {
        case 'concat':
          outs = [tf.concat([y!, yRev], -1)];
          break;
        case 'sum':
          outs = [tf.add(y!, yRev)];
          break;
        case 'ave':
          outs = [tf.mul(tf.add(y!, yRev), 0.5)];
          break;
        case 'mul':
          outs = [tf.mul(y!, yRev)];
          break;
        default:
          outs = [y!, yRev];
      }
      if (this.returnState) outs = [...outs, ...fStates, ...bStates];
      return outs.length === 1 ? outs[0]! : outs;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      merge_mode: this.mergeMode,
      layer: serializeLayer(this.forwardLayer),
      backward_layer: serializeLayer(this.backwardLayer),
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(normalizeConfig(config));
  }
}

export interface TimeDistributedConfig extends KerasLayerArgs {
  /** The layer applied to every timestep (an instance, or its serialized form). */
  layer: Layer | SerializedLayer;
}

/** Keras `TimeDistributed`, by folding time into the batch (see the module comment). */
export class TimeDistributed extends tfl.layers.Layer {
  static className = 'RnnLabTimeDistributed';
  readonly kerasClassName = 'TimeDistributed';
  readonly layer: Layer;

  constructor(config: TimeDistributedConfig) {
    const layer = resolveLayer(config.layer);
    const args = layerArgs(config, 'time_distributed');
    if (args.inputShape == null && args.batchInputShape == null) {
      const inner = layer.getConfig()['batchInputShape'];
      if (Array.isArray(inner)) args.batchInputShape = inner as Array<number | null>;
    }
    super(args);
    this.layer = layer;
    this.supportsMasking = true;
  }

  override get trainableWeights(): tfl.LayerVariable[] {
    return this.trainable ? this.layer.trainableWeights : [];
  }

  override set trainableWeights(_weights: tfl.LayerVariable[]) {
    // Weights live in the wrapped layer.
  }

  override get nonTrainableWeights(): tfl.LayerVariable[] {
    return this.trainable ? this.layer.nonTrainableWeights : this.layer.weights;
  }

  override set nonTrainableWeights(_weights: tfl.LayerVariable[]) {
    // Weights live in the wrapped layer.
  }

  private static childShape(shape: tfl.Shape): tfl.Shape {
    if (shape.length < 3) {
      throw new Error(
        `TimeDistributed expects an input of rank >= 3, got shape ${JSON.stringify(shape)}`,
      );
    }
    const [b, t] = [shape[0], shape[1]];
    return [b != null && t != null ? b * t : null, ...shape.slice(2)];
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (!this.layer.built) {
      this.layer.build(TimeDistributed.childShape(shape));
      this.layer.built = true;
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const child = this.layer.computeOutputShape([shape[0] ?? null, ...shape.slice(2)]) as tfl.Shape;
    return [shape[0] ?? null, shape[1] ?? null, ...child.slice(1)];
  }

  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor | tf.Tensor[] {
    return oneMask(mask) as tf.Tensor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const [batch, steps, ...rest] = x.shape;
      const folded = tf.reshape(x, [batch! * steps!, ...rest]);
      const y = oneTensor(this.layer.call(folded, { training: kwargs['training'] }));
      return tf.reshape(y, [batch!, steps!, ...y.shape.slice(1)]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), layer: serializeLayer(this.layer) };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(normalizeConfig(config));
  }
}

tf.serialization.registerClass(Bidirectional, 'RnnLab');
tf.serialization.registerClass(TimeDistributed, 'RnnLab');
