/** Shape inference and parameter counts for one layer application, via the layer registry. */
import type { LayerNode, Shape } from './graph';
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

const CONTEXT: LayerContext = { output: outputOf, params: paramsOf };
