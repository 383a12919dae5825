/** Graph queries the rules share: recurrent layers, what feeds what, cuDNN eligibility. */
import {
  activationName,
  type LayerCall,
  type LayerNode,
  type ModelNode,
  type Shape,
  type Tensor,
} from '../analyzer/graph';
import { CELL_TYPES, rnnCells } from '../analyzer/layers/cells';
import { NO_DROPOUT_ARGUMENT, RECURRENT_TYPES } from '../analyzer/layers/recurrent';
import { repr } from '../analyzer/format';
import { asNumber, type Value } from '../analyzer/python/values';

/** Layers a "feeds a recurrent layer" search passes through (RULES.md "Terms"). */
export const SHAPE_PRESERVING = new Set([
  'Dropout',
  'GaussianNoise',
  'Activation',
  'BatchNormalization',
  'LayerNormalization',
  'Masking',
  // The activation layers and the other noise layers: per element, per timestep, like Activation.
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'Softmax',
  'GaussianDropout',
  'AlphaDropout',
]);

export const DROPOUT_LAYERS = new Set(['Dropout', 'SpatialDropout1D']);

/**
 * The layer whose `dropout=` acts on a recurrent layer's input: the layer itself, the first cell
 * of an `RNN(cell)` (a cell the analyzer models), or null where there is no such argument
 * (CuDNNLSTM/CuDNNGRU, an RNN of custom cells).
 */
export function inputDropoutOwner(core: LayerNode): LayerNode | null {
  if (core.type === 'RNN') {
    const first = rnnCells(core)?.[0];
    return first && CELL_TYPES.has(first.type) ? first : null;
  }
  return NO_DROPOUT_ARGUMENT.has(core.type) ? null : core;
}

/** The recurrent layer (RECURRENT_TYPES) a layer is or wraps (Bidirectional), else null. */
export function recurrentCore(layer: LayerNode): LayerNode | null {
  if (RECURRENT_TYPES.has(layer.type)) return layer;
  if (layer.type === 'Bidirectional' && layer.inner && RECURRENT_TYPES.has(layer.inner.type))
    return layer.inner;
  return null;
}

/** The calls of the model that take this tensor as an input. */
export function consumers(model: ModelNode, t: Tensor): LayerCall[] {
  return model.calls.filter((c) => c.inputs.includes(t));
}

/** The recurrent call this call's output reaches through shape-preserving layers, if any. */
export function feedsRecurrent(model: ModelNode, call: LayerCall): LayerCall | null {
  const seen = new Set<LayerCall>();
  const queue = [...consumers(model, call.outputs[0]!)];
  while (queue.length) {
    const c = queue.shift()!;
    if (seen.has(c)) continue;
    seen.add(c);
    if (recurrentCore(c.layer)) return c;
    if (SHAPE_PRESERVING.has(c.layer.type) && c.outputs[0])
      queue.push(...consumers(model, c.outputs[0]));
  }
  return null;
}

/** The shape of a call's first input, or null. */
export function inputShape(call: LayerCall): Shape | null {
  return call.inputs[0]?.shape ?? null;
}

/** True for a rank-3 (batch, timesteps, features) shape. */
export function isSequence(shape: Shape | null): shape is Shape {
  return shape !== null && shape.length === 3;
}

/** A number formatted as Python would write it in a call (`0.5`, `1`, `0.25`). */
export function num(v: Value | undefined): string {
  return v ? repr(v) : '?';
}

/**
 * The cuDNN criteria a LSTM/GRU fails (fact 5), or null when a value is unknown.
 * `recurrent_dropout` is included; callers that report it separately filter it out.
 */
export function cudnnFailures(layer: LayerNode): Array<{ param: string; message: string }> | null {
  if (layer.type !== 'LSTM' && layer.type !== 'GRU') return null;
  // tf.keras's v1 classes (`tf.compat.v1.keras.layers.LSTM`) have no cuDNN path at all
  // (keras v2.6.0 keras/layers/recurrent.py; the cuDNN kernel is in recurrent_v2.py).
  if (layer.path.startsWith('tensorflow.compat.v1.keras.')) return null;
  const c = layer.config;
  const failures: Array<{ param: string; message: string }> = [];
  const act = activationName(c['activation']);
  const rec = activationName(c['recurrent_activation']);
  const rd = asNumber(c['recurrent_dropout']);
  const unroll = c['unroll'];
  const bias = c['use_bias'];
  if (act === null || rec === null || rd === null) return null;
  if (unroll?.kind !== 'bool' || bias?.kind !== 'bool') return null;
  if (act !== 'tanh')
    failures.push({
      param: 'activation',
      message: `activation is ${repr(c['activation']!)} (needs 'tanh')`,
    });
  if (rec !== 'sigmoid') {
    failures.push({
      param: 'recurrent_activation',
      message: `recurrent_activation is ${repr(c['recurrent_activation']!)} (needs 'sigmoid')`,
    });
  }
  if (unroll.value) failures.push({ param: 'unroll', message: 'unroll is True (needs False)' });
  if (!bias.value) failures.push({ param: 'use_bias', message: 'use_bias is False (needs True)' });
  if (layer.type === 'GRU') {
    const ra = c['reset_after'];
    if (ra?.kind !== 'bool') return null;
    if (!ra.value)
      failures.push({ param: 'reset_after', message: 'reset_after is False (needs True)' });
  }
  if (rd > 0)
    failures.push({
      param: 'recurrent_dropout',
      message: `recurrent_dropout is ${repr(c['recurrent_dropout']!)} (needs 0)`,
    });
  return failures;
}
