/**
 * Operations on symbolic tensors that Keras 3 lists as rows of a functional model: `x[:, -1, :]`
 * is `GetItem` (keras/src/ops/numpy.py, `compute_output_spec`): an integer index removes its
 * axis, a slice keeps it with the length Python's `range(*slice.indices(n))` gives (or None when
 * n is unknown), `None` inserts an axis of 1, `...` stands for the axes no other entry takes,
 * and the axes after the key are kept. No weights (the row shows 0). tf.keras 2 lists the same
 * operation as `tf.__operators__.getitem (SlicingOpLambda)`.
 */
import type { Dim, Shape } from '../graph';
import { asInt, asItems, type Value } from '../python/values';
import { NO_PARAMS, ok, type LayerSpec } from './types';

/** The value standing for `...` in a subscript. */
export const ELLIPSIS: Value = { kind: 'ref', path: 'builtins.Ellipsis' };

const isEllipsis = (v: Value) => v.kind === 'ref' && v.path === 'builtins.Ellipsis';

/** Python's `len(range(*slice(start, stop, step).indices(length)))`; null when a bound is unknown. */
function sliceLength(length: number, start: Value, stop: Value, step: Value): number | null {
  const bound = (v: Value): number | null | undefined => (v.kind === 'none' ? undefined : asInt(v));
  const st = bound(step) ?? 1;
  const a = bound(start);
  const b = bound(stop);
  if (st === null || st === 0 || a === null || b === null) return null;
  const clamp = (v: number | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    const i = v < 0 ? v + length : v;
    return st > 0 ? Math.min(Math.max(i, 0), length) : Math.min(Math.max(i, -1), length - 1);
  };
  const from = clamp(a, st > 0 ? 0 : length - 1);
  const to = clamp(b, st > 0 ? length : -1);
  const n = st > 0 ? Math.ceil((to - from) / st) : Math.ceil((from - to) / -st);
  return Math.max(0, n);
}

/** The shape `x[key]` has, or null where the key is not known or does not fit the shape. */
export function indexedShape(shape: Shape, key: Value): Shape | null {
  const entries = key.kind === 'tuple' ? [...key.items] : asItems(key) ? null : [key];
  if (!entries) return null;
  const ellipses = entries.filter(isEllipsis);
  if (ellipses.length > 1) return null;
  if (ellipses.length === 0) entries.push(ELLIPSIS);
  const rest: Dim[] = [...shape];
  const out: Dim[] = [];
  while (entries.length > 0) {
    const e = entries.shift()!;
    if (isEllipsis(e)) {
      const needed = entries.filter((x) => x.kind !== 'none').length;
      const consumed = rest.length - needed;
      if (consumed < 0) return null;
      out.push(...rest.splice(0, consumed));
      continue;
    }
    if (e.kind === 'none') {
      out.push(1);
      continue;
    }
    if (rest.length === 0) return null;
    const length = rest.shift()!;
    if (e.kind === 'slice') {
      if (asInt(e.step) === 0) return null;
      out.push(length === null ? null : sliceLength(length, e.start, e.stop, e.step));
      continue;
    }
    const i = asInt(e);
    if (i === null || e.kind === 'bool') return null;
    if (length !== null && (i >= length || i < -length)) return null;
  }
  return out;
}

export const GetItem: LayerSpec = {
  type: 'GetItem',
  playground: false,
  signature: [],
  defaults: {},
  output(cfg, [s]) {
    const key = cfg.get('key');
    return ok(s && key ? indexedShape(s, key) : null);
  },
  params: () => NO_PARAMS,
};

/** tf.keras 2's name for the same operation. */
export const SlicingOpLambda: LayerSpec = { ...GetItem, type: 'SlicingOpLambda' };
