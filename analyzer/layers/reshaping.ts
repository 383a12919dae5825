/**
 * The 1-D reshaping layers on (batch, steps, features): ZeroPadding1D and Cropping1D add or take
 * away steps at both ends, UpSampling1D repeats each step. No weights. Keras 3
 * (keras/src/layers/reshaping); tf.keras 2 gives the same (its ZeroPadding1D has no
 * `data_format`).
 */
import type { Dim } from '../graph';
import { incompatible, NO_PARAMS, ok, type Config, type LayerSpec } from './types';

/** `padding=2` or `(1, 3)`: the amounts at the start and the end (`fallback` when not given). */
function ends(cfg: Config, key: string, fallback: number): [number, number] | null {
  const pair = cfg.get(key) === undefined ? [fallback, fallback] : cfg.ints(key, 2);
  return pair ? [pair[0]!, pair[1]!] : null;
}

const keepLast = (_c: unknown, inputLast: number | null) => inputLast;

export const ZeroPadding1D: LayerSpec = {
  type: 'ZeroPadding1D',
  playground: false,
  signature: ['padding', 'data_format'],
  defaults: { data_format: null },
  ndim: 3,
  output(cfg, [s]) {
    if (!s || !(cfg.isNone('data_format') || cfg.str('data_format') === 'channels_last'))
      return ok(null);
    const pad = ends(cfg, 'padding', 1);
    const steps = s[1] ?? null;
    const length = steps === null || !pad ? null : steps + pad[0] + pad[1];
    return ok([s[0] ?? null, length, s[2] ?? null]);
  },
  lastAxis: keepLast,
  params: () => NO_PARAMS,
};

export const Cropping1D: LayerSpec = {
  type: 'Cropping1D',
  playground: false,
  signature: ['cropping'],
  // cropping=(1, 1) by default (see `ends`).
  defaults: {},
  ndim: 3,
  output(cfg, [s]) {
    if (!s) return ok(null);
    const crop = ends(cfg, 'cropping', 1);
    const steps = s[1] ?? null;
    let length: Dim = null;
    if (crop && steps !== null) {
      length = steps - crop[0] - crop[1];
      if (length <= 0) {
        return incompatible(
          `Cropping1D: cropping (${crop[0]}, ${crop[1]}) must be smaller than the input length ${steps}`,
        );
      }
    }
    return ok([s[0] ?? null, length, s[2] ?? null]);
  },
  lastAxis: keepLast,
  params: () => NO_PARAMS,
};

export const UpSampling1D: LayerSpec = {
  type: 'UpSampling1D',
  playground: false,
  signature: ['size'],
  defaults: { size: 2 },
  ndim: 3,
  output(cfg, [s]) {
    if (!s) return ok(null);
    const size = cfg.int('size');
    const steps = s[1] ?? null;
    return ok([s[0] ?? null, steps === null || size === null ? null : size * steps, s[2] ?? null]);
  },
  lastAxis: keepLast,
  params: () => NO_PARAMS,
};
