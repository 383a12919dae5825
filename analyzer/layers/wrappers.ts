/** Bidirectional and TimeDistributed: shapes and params derived from the wrapped layer. */
import type { Shape } from '../graph';
import { incompatible, ok, type LayerSpec, type Outcome } from './types';

export const Bidirectional: LayerSpec = {
  type: 'Bidirectional',
  playground: true,
  signature: ['layer', 'merge_mode', 'weights', 'backward_layer'],
  defaults: { merge_mode: 'concat' },
  wrapper: true,
  ndim: 3,
  countsLastAxis: () => true,
  /**
   * With a `backward_layer` each direction has its own width: concat gives their sum, sum/mul/ave
   * need the same width (the merge fails otherwise), None gives both outputs. That is the tensor
   * Keras computes, and tf.keras 2's traced shape; Keras 3's `compute_output_shape` doubles the
   * forward width and repeats its states whatever the backward layer (the two agree when the
   * widths do).
   */
  output(cfg, inputs, ctx, layer) {
    if (!layer.inner) return ok(null);
    const forward = ctx.output(layer.inner, inputs);
    if ('issue' in forward) return forward;
    const backward = layer.backward ? ctx.output(layer.backward, inputs) : forward;
    if ('issue' in backward) return backward;
    const [out, ...states] = forward.shapes;
    const [back, ...backStates] = backward.shapes;
    const copy = (s: Shape | null | undefined) => (s ? [...s] : null);
    const mergeValue = cfg.get('merge_mode');
    if (mergeValue?.kind === 'none') {
      // Two outputs (forward, backward), then the states of both directions.
      return ok(out ?? null, copy(back), ...states, ...backStates.map(copy));
    }
    const mode = cfg.str('merge_mode');
    if (mode === null) return ok(null);
    const width = (s: Shape | null | undefined) => (s ? (s[s.length - 1] ?? null) : null);
    let merged: Shape | null = out ?? null;
    if (out && mode === 'concat') {
      const f = width(out);
      const b = width(back);
      merged = [...out.slice(0, -1), f === null || b === null ? null : f + b];
    } else if (
      out &&
      back &&
      width(out) !== null &&
      width(back) !== null &&
      width(out) !== width(back)
    ) {
      return incompatible(
        `Bidirectional: merge_mode='${mode}' needs both directions of the same width; the forward layer gives ${width(out)} and the backward layer ${width(back)}`,
      );
    }
    return ok(merged, ...states, ...backStates.map(copy));
  },
  params(_cfg, inputs, ctx, layer) {
    if (!layer.inner) return null;
    const forward = ctx.params(layer.inner, inputs);
    // Without a backward_layer the backward copy has the same weights as the forward one.
    const backward = layer.backward ? ctx.params(layer.backward, inputs) : forward;
    if (!forward || !backward) return null;
    return {
      trainable: forward.trainable + backward.trainable,
      nonTrainable: forward.nonTrainable + backward.nonTrainable,
    };
  },
};

/** The per-timestep shape TimeDistributed hands to the wrapped layer: (batch, *rest). */
function stepShape(s: Shape | null): Shape | null {
  return s ? [s[0] ?? null, ...s.slice(2)] : null;
}

export const TimeDistributed: LayerSpec = {
  type: 'TimeDistributed',
  playground: true,
  signature: ['layer'],
  defaults: {},
  wrapper: true,
  minNdim: 3,
  output(_cfg, [s], ctx, layer): Outcome {
    if (!layer.inner || !s) return ok(null);
    const inner = ctx.output(layer.inner, [stepShape(s)]);
    if ('issue' in inner) return inner;
    const first = inner.shapes[0];
    if (!first) return ok(null);
    return ok([s[0] ?? null, s[1] ?? null, ...first.slice(1)]);
  },
  params(_cfg, [s], ctx, layer) {
    if (!layer.inner) return null;
    return ctx.params(layer.inner, [stepShape(s ?? null)]);
  },
};
