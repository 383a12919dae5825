/** Shape inference and parameter counts for one layer application, via the layer registry. */
import type { LayerNode, ModelNode, Shape, Tensor } from './graph';
import { LAYERS } from './layers/index';
import {
  Config,
  ndimIssue,
  ok,
  type LayerContext,
  type Outcome,
  type Params,
} from './layers/types';

/** The shapes a layer produces from input shapes; unknown layers produce unknown shapes. */
export function outputOf(layer: LayerNode, inputs: Array<Shape | null>): Outcome {
  const spec = LAYERS.get(layer.type);
  if (!spec) return ok(null);
  const first = inputs[0];
  if (first && !spec.merge) {
    if (spec.ndim !== undefined && first.length !== spec.ndim) {
      return ndimIssue(layer.type, spec.ndim, first.length);
    }
    if (spec.minNdim !== undefined && first.length < spec.minNdim) {
      const outcome = ndimIssue(layer.type, spec.minNdim, first.length);
      if ('issue' in outcome) {
        outcome.issue.message = outcome.issue.message.replace(
          'expected ndim=',
          'expected min_ndim=',
        );
      }
      return outcome;
    }
  }
  return spec.output(new Config(layer.config), inputs, CONTEXT, layer);
}

/** Trainable and non-trainable parameter counts, or null when an input size is unknown. */
export function paramsOf(layer: LayerNode, inputs: Array<Shape | null>): Params | null {
  const spec = LAYERS.get(layer.type);
  if (!spec) return null;
  const cfg = new Config(layer.config);
  const counted = spec.params(cfg, inputs, CONTEXT, layer);
  if (!counted) return null;
  // A frozen layer (`trainable=False`) keeps its weights, all non-trainable.
  const frozen = cfg.bool('trainable') === false;
  return frozen
    ? { trainable: 0, nonTrainable: counted.trainable + counted.nonTrainable }
    : counted;
}

/**
 * The last axis of an output whose rank is unknown (`Dense(32)` on such an input: 32), from the
 * first input's last axis; null where that is not known either.
 */
export function lastAxisOf(layer: LayerNode, input: Tensor | undefined): number | null {
  const spec = LAYERS.get(layer.type);
  if (!spec?.lastAxis || !input) return null;
  const inputLast = input.shape
    ? (input.shape[input.shape.length - 1] ?? null)
    : (input.lastDim ?? null);
  return spec.lastAxis(new Config(layer.config), inputLast);
}

/**
 * The input shapes a count is made from: a tensor of unknown rank whose last axis is known
 * counts as (None, last) for the layers whose count needs only that axis.
 */
export function countedShapes(layer: LayerNode, inputs: readonly Tensor[]): Array<Shape | null> {
  const spec = LAYERS.get(layer.type);
  const lastOnly = spec?.countsLastAxis?.(new Config(layer.config)) ?? false;
  return inputs.map(
    (t) => t.shape ?? (lastOnly && t.lastDim !== undefined ? [null, t.lastDim] : null),
  );
}

/**
 * A layer's weights as the summary counts them: from its first application, or the totals of the
 * model it stands for; null where they are unknown (the one count the summary and hover share).
 */
export function layerParams(layer: LayerNode): Params | null {
  return layerParamsWithin(layer, new Set());
}

/** A model's total weights (each layer once), or null where any of them is unknown. */
export function modelParams(model: ModelNode): Params | null {
  return modelParamsWithin(model, new Set());
}

function layerParamsWithin(layer: LayerNode, seen: Set<ModelNode>): Params | null {
  if (layer.model) {
    return modelParamsWithin(layer.model, seen);
  }
  const call = layer.calls[0];
  return call ? paramsOf(layer, countedShapes(layer, call.inputs)) : null;
}

function modelParamsWithin(model: ModelNode, seen: Set<ModelNode>): Params | null {
  if (model.opaque || seen.has(model)) return null;
  seen.add(model);
  let trainable = 0;
  let nonTrainable = 0;
  for (const layer of model.layers) {
    // A layer of a subclassed model that its call never reached has no weights yet.
    if (unbuiltSublayer(model, layer)) continue;
    const p = layerParamsWithin(layer, seen);
    if (!p) return null;
    trainable += p.trainable;
    nonTrainable += p.nonTrainable;
  }
  seen.delete(model);
  // `encoder.trainable = False` freezes every weight of the model.
  return model.frozen
    ? { trainable: 0, nonTrainable: trainable + nonTrainable }
    : { trainable, nonTrainable };
}

/** True for a layer a subclassed model holds but its `call` never applies (Keras: `0 (unbuilt)`). */
export function unbuiltSublayer(model: ModelNode, layer: LayerNode): boolean {
  return model.kind === 'subclassed' && model.subclass !== undefined && layer.calls.length === 0;
}

const CONTEXT: LayerContext = { output: outputOf, params: paramsOf };
