/** Shape inference and parameter counts for one layer application, via the layer registry. */
import type { LayerNode, Shape, Tensor } from './graph';
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

const CONTEXT: LayerContext = { output: outputOf, params: paramsOf };
