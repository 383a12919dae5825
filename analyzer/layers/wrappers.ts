/** Bidirectional and TimeDistributed: shapes and params derived from the wrapped layer. */
import type { Shape } from '../graph';
import { ok, type LayerSpec, type Outcome } from './types';

export const Bidirectional: LayerSpec = {
  type: 'Bidirectional',
  playground: true,
  signature: ['layer', 'merge_mode', 'weights', 'backward_layer'],
  defaults: { merge_mode: 'concat' },
  wrapper: true,
  ndim: 3,
  countsLastAxis: () => true,
  output(cfg, inputs, ctx, layer) {
    if (!layer.inner) return ok(null);
    const forward = ctx.output(layer.inner, inputs);
    if ('issue' in forward) return forward;
    const [out, ...states] = forward.shapes;
    const mergeValue = cfg.get('merge_mode');
    if (mergeValue?.kind === 'none') {
      // Two outputs (forward, backward), then the states of both directions.
      return ok(
        out ?? null,
        out ? [...out] : null,
        ...states,
        ...states.map((s) => (s ? [...s] : null)),
      );
    }
    const mode = cfg.str('merge_mode');
    if (mode === null) return ok(null);
    let merged: Shape | null = out ?? null;
    if (out && mode === 'concat') {
      const last = out[out.length - 1] ?? null;
      merged = [...out.slice(0, -1), last === null ? null : last * 2];
    }
    return ok(merged, ...states, ...states.map((s) => (s ? [...s] : null)));
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
