/** BatchNormalization and LayerNormalization. */
import type { Shape } from '../graph';
import { ok, type Config, type LayerSpec } from './types';

const identity = (_c: unknown, inputs: Array<Shape | null>) => ok(inputs[0] ?? null);
const keepLast = (_c: unknown, inputLast: number | null) => inputLast;

/** The size of the normalised axis, when known. */
function axisSize(cfg: Config, s: Shape | null | undefined): number | null {
  const axis = cfg.int('axis');
  if (!s || axis === null) return null;
  const i = axis < 0 ? s.length + axis : axis;
  return s[i] ?? null;
}

export const BatchNormalization: LayerSpec = {
  type: 'BatchNormalization',
  playground: true,
  signature: ['axis', 'momentum', 'epsilon', 'center', 'scale'],
  defaults: {
    axis: -1,
    momentum: { float: 0.99 },
    epsilon: { float: 0.001 },
    center: true,
    scale: true,
  },
  output: identity,
  lastAxis: keepLast,
  countsLastAxis: (cfg) => cfg.int('axis') === -1,
  // gamma and beta train; moving mean and variance do not.
  params(cfg, [s]) {
    const c = axisSize(cfg, s);
    const center = cfg.bool('center');
    const scale = cfg.bool('scale');
    if (c === null || center === null || scale === null) return null;
    return { trainable: c * (Number(center) + Number(scale)), nonTrainable: 2 * c };
  },
};

export const LayerNormalization: LayerSpec = {
  type: 'LayerNormalization',
  playground: true,
  signature: ['axis', 'epsilon', 'center', 'scale'],
  defaults: { axis: -1, epsilon: { float: 0.001 }, center: true, scale: true },
  output: identity,
  lastAxis: keepLast,
  countsLastAxis: (cfg) => cfg.int('axis') === -1,
  params(cfg, [s]) {
    const c = axisSize(cfg, s);
    const center = cfg.bool('center');
    const scale = cfg.bool('scale');
    if (c === null || center === null || scale === null) return null;
    return { trainable: c * (Number(center) + Number(scale)), nonTrainable: 0 };
  },
};
