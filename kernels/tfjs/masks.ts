/**
 * The dropout masks a model really applies, captured from its layers in one training-mode forward
 * pass (`rnnlab.show_masks`). Nothing is redrawn here: every mask is the one the layer multiplied
 * its input by, read from what the layer keeps of its last training call (`Dropout.lastMask`,
 * `RecurrentLayer.lastMasks`) or reported by the layer itself (`MaskSource`, for kernels that draw
 * their masks elsewhere, such as a fused recurrent kernel).
 *
 * The pass has no side effects: no optimizer step runs, the non-trainable weights a training
 * call moves (BatchNormalization's moving statistics) are put back, and every layer's count of
 * training calls is restored, so the next fit draws the masks it would have drawn without it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  Bidirectional,
  Dropout,
  RecurrentLayer,
  TimeDistributed,
  type DropoutMask,
  type RecurrentMasks,
} from './layers/index';
import {
  MASKS_SCHEMA_VERSION,
  type Gate,
  type MaskEntry,
  type MaskKind,
  type MasksOutput,
} from '../mask-output';

type Layer = tfl.layers.Layer;

/** One mask a layer applied in its last training call, as plain data. */
export interface AppliedMask {
  kind: MaskKind;
  /** The gate of a per-gate mask; null for one shared by all gates (or a layer without gates). */
  gate: Gate | null;
  /** The Keras `noise_shape` behind it (null entries take the input's size), or null. */
  noiseShape: Array<number | null> | null;
  /**
   * The mask as drawn (0, or the kept scale 1/(1-rate)), row-major in `mask.shape`, which
   * broadcasts against `appliedTo` from the right (entries of 1 are shared along that axis).
   */
  mask: DropoutMask;
  /**
   * The shape of the tensor it multiplied, batch first: (batch, timesteps, features) for a
   * layer's input. A recurrent mask drawn once per sequence is (batch, 1, size) against
   * (batch, timesteps, size): the same mask at every timestep the layer ran.
   */
  appliedTo: number[];
}

/**
 * A layer that reports the masks of its last training call itself. The capture asks a layer
 * with an `appliedMasks` method before anything else, so a kernel that draws or applies masks
 * its own way (a fused recurrent kernel) feeds the capture by implementing it. A recurrent layer
 * that keeps `lastMasks` as `RecurrentLayer` does needs nothing: see `recurrentMasks`.
 */
export interface MaskSource {
  /** Empty before any training call, at inference, and for rates that apply no mask. */
  appliedMasks(): AppliedMask[];
}

/** A captured mask: what a layer applied, and where in the model. */
export interface CapturedMask extends AppliedMask {
  /** The Keras name of the model's layer (the wrapper's, for Bidirectional and TimeDistributed). */
  layer: string;
  direction: 'forward' | 'backward' | null;
}

function isMaskSource(layer: unknown): layer is MaskSource {
  return typeof (layer as Partial<MaskSource>).appliedMasks === 'function';
}

/** Gate names in the order of a layer's weight blocks (Keras's order). */
const GATE_NAMES: Record<string, readonly Gate[]> = {
  LSTM: ['i', 'f', 'c', 'o'],
  GRU: ['z', 'r', 'h'],
};

/**
 * The masks a recurrent layer keeps of its last training call (`lastMasks`: none, one shared by
 * the gates, or one per gate) as applied masks, for an input of shape (batch, timesteps, features).
 */
export function recurrentMasks(
  layer: { kerasClassName: string; lastMasks: RecurrentMasks },
  input: readonly number[],
): AppliedMask[] {
  const [batch, steps] = input as [number, number];
  const gates = GATE_NAMES[layer.kerasClassName] ?? [];
  const of = (kind: MaskKind, masks: DropoutMask[]): AppliedMask[] =>
    masks.map((m, g) => {
      const size = m.shape[m.shape.length - 1]!;
      return {
        kind,
        gate: masks.length > 1 ? (gates[g] ?? null) : null,
        noiseShape: null,
        mask: { shape: [m.shape[0]!, 1, size], values: m.values },
        appliedTo: [batch, steps, size],
      };
    });
  return [
    ...of('dropout', layer.lastMasks.input),
    ...of('recurrent_dropout', layer.lastMasks.recurrent),
  ];
}

/** The mask a Dropout or SpatialDropout1D layer applied to an input of shape `input`. */
export function dropoutMasks(layer: Dropout, input: readonly number[]): AppliedMask[] {
  if (!layer.lastMask) return [];
  const spatial = layer.kerasClassName === 'SpatialDropout1D';
  return [
    {
      kind: spatial ? 'SpatialDropout1D' : 'Dropout',
      gate: null,
      // Keras's SpatialDropout1D is a Dropout with noise_shape (batch, 1, features).
      noiseShape: spatial ? [null, 1, input[2] ?? null] : layer.noiseShape,
      mask: layer.lastMask,
      appliedTo: [...input],
    },
  ];
}

/** TimeDistributed(Dropout) folds time into the batch: its mask, unfolded to (batch, T, ...). */
function timeDistributedMasks(layer: TimeDistributed, input: readonly number[]): AppliedMask[] {
  if (!(layer.layer instanceof Dropout)) return [];
  const [batch, steps, ...rest] = input as [number, number, ...number[]];
  return dropoutMasks(layer.layer, [batch * steps, ...rest]).map((m) => {
    const [first, ...others] = m.mask.shape;
    // A batch entry of 1 in noise_shape shares the mask across samples and timesteps alike.
    const lead = first === batch * steps ? [batch, steps] : [1, 1];
    return {
      ...m,
      kind: 'TimeDistributed',
      mask: { shape: [...lead, ...others], values: m.mask.values },
      appliedTo: [...input],
    };
  });
}

/** The masks of one layer of the model (its wrapped layers included). */
function masksOf(
  layer: Layer,
  name: string,
  input: readonly number[] | undefined,
  direction: CapturedMask['direction'] = null,
): CapturedMask[] {
  const named = (ms: AppliedMask[]) => ms.map((m) => ({ ...m, layer: name, direction }));
  if (isMaskSource(layer)) return named(layer.appliedMasks());
  if (!input) return [];
  if (layer instanceof Bidirectional) {
    return [
      ...masksOf(layer.forwardLayer, name, input, 'forward'),
      ...masksOf(layer.backwardLayer, name, input, 'backward'),
    ];
  }
  if (layer instanceof TimeDistributed) return named(timeDistributedMasks(layer, input));
  if (layer instanceof Dropout) return named(dropoutMasks(layer, input));
  if (layer instanceof RecurrentLayer) return named(recurrentMasks(layer, input));
  return [];
}

/** A layer and the layers it wraps. */
function withWrapped(layer: Layer): Layer[] {
  if (layer instanceof Bidirectional) return [layer, layer.forwardLayer, layer.backwardLayer];
  if (layer instanceof TimeDistributed) return [layer, ...withWrapped(layer.layer)];
  return [layer];
}

const mayMask = (layer: Layer) =>
  layer instanceof Dropout ||
  layer instanceof RecurrentLayer ||
  layer instanceof Bidirectional ||
  layer instanceof TimeDistributed;

/**
 * Runs `model` once in training mode on `x` (a batch; `show_masks` gives it one sample) and
 * returns the mask every dropout applied, in the model's layer order (a recurrent layer's input
 * masks before its state masks, gates in order, forward before backward).
 */
export function captureMasks(model: tfl.LayersModel, x: tf.Tensor): CapturedMask[] {
  // What a layer keeps of its masks does not say how many timesteps they spanned (a mask shared
  // over time has 1 there, and the model's time axis may be None): each layer's call records
  // the shape of its input during this pass.
  const inputs = new Map<Layer, number[]>();
  const undo: Array<() => void> = [];
  for (const layer of model.layers) {
    if (!mayMask(layer)) continue;
    const own = Object.getOwnPropertyDescriptor(layer, 'call');
    const call = layer.call.bind(layer);
    layer.call = (xs, kwargs) => {
      const first = Array.isArray(xs) ? xs[0] : xs;
      if (first) inputs.set(layer, [...first.shape]);
      return call(xs, kwargs);
    };
    undo.push(() => {
      if (own) Object.defineProperty(layer, 'call', own);
      else delete (layer as Partial<Layer>).call;
    });
  }
  const counted = model.layers
    .flatMap(withWrapped)
    .filter((l): l is Layer & { trainingCalls: number } => {
      return typeof (l as { trainingCalls?: unknown }).trainingCalls === 'number';
    });
  const calls = counted.map((l) => l.trainingCalls);
  const moving = model.nonTrainableWeights.map((w) => ({ w, saved: w.read().clone() }));
  try {
    tf.tidy(() => {
      model.apply(x, { training: true });
    });
  } finally {
    for (const u of undo) u();
    counted.forEach((l, i) => (l.trainingCalls = calls[i]!));
    for (const { w, saved } of moving) {
      w.write(saved);
      saved.dispose();
    }
  }
  return model.layers.flatMap((layer) => masksOf(layer, layer.name, inputs.get(layer)));
}

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

/**
 * A captured mask as the output shows it for one row of the batch: timesteps x units of kept (1) or
 * dropped (0), broadcasting the mask over the axes it shares. A rank-2 input is one timestep;
 * axes after the second are flattened into units.
 */
export function maskEntry(c: CapturedMask, batchRow = 0): MaskEntry {
  const to = c.appliedTo;
  const rank = to.length;
  const timesteps = rank >= 3 ? to[1]! : 1;
  const unitAxes = to.slice(rank >= 3 ? 2 : 1);
  const units = unitAxes.reduce((a, b) => a * b, 1);
  // The mask's shape aligned with the input's from the right, as broadcasting reads it.
  const shape = [...new Array<number>(Math.max(0, rank - c.mask.shape.length)).fill(1)];
  shape.push(...c.mask.shape.slice(Math.max(0, c.mask.shape.length - rank)));
  const st = strides(shape);
  const at = (axis: number, i: number) => (shape[axis] === 1 ? 0 : i * st[axis]!);
  const kept: Array<Array<0 | 1>> = [];
  for (let t = 0; t < timesteps; t++) {
    const line: Array<0 | 1> = [];
    const base = at(0, batchRow) + (rank >= 3 ? at(1, t) : 0);
    for (let u = 0; u < units; u++) {
      let offset = base;
      let rest = u;
      for (let k = unitAxes.length - 1; k >= 0; k--) {
        const axis = to.length - unitAxes.length + k;
        offset += at(axis, rest % unitAxes[k]!);
        rest = Math.floor(rest / unitAxes[k]!);
      }
      line.push(c.mask.values[offset] === 0 ? 0 : 1);
    }
    kept.push(line);
  }
  return {
    layer: c.layer,
    kind: c.kind,
    gate: c.gate,
    direction: c.direction,
    noiseShape: c.noiseShape,
    timesteps,
    units,
    kept,
  };
}

/** The masks output of a capture that ran on sample `sample` of x alone (a batch of one). */
export function masksOutput(captured: readonly CapturedMask[], sample = 0): MasksOutput {
  return {
    version: MASKS_SCHEMA_VERSION,
    sample,
    masks: captured.map((c) => maskEntry(c)),
  };
}
