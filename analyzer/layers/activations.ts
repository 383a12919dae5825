/**
 * The activation layers: ReLU, LeakyReLU, ELU and Softmax keep the shape and have no weights;
 * PReLU learns one slope per input element, shared along `shared_axes`. Keras 3
 * (keras/src/layers/activations); tf.keras 2 counts the same (its LeakyReLU spells
 * `negative_slope` as `alpha`, which Keras 3 still accepts).
 */
import type { Shape } from '../graph';
import { asInt, asItems } from '../python/values';
import { NO_PARAMS, ok, product, trainable, type LayerSpec } from './types';

const identity = (_c: unknown, inputs: Array<Shape | null>) => ok(inputs[0] ?? null);
const keepLast = (_c: unknown, inputLast: number | null) => inputLast;

function elementwise(type: string, signature: string[], defaults: LayerSpec['defaults']) {
  const spec: LayerSpec = {
    type,
    playground: false,
    signature,
    defaults,
    output: identity,
    lastAxis: keepLast,
    params: () => NO_PARAMS,
  };
  return spec;
}

export const ReLU = elementwise('ReLU', ['max_value', 'negative_slope', 'threshold'], {
  max_value: null,
  negative_slope: { float: 0 },
  threshold: { float: 0 },
});
export const LeakyReLU = elementwise('LeakyReLU', ['negative_slope'], {});
export const ELU = elementwise('ELU', ['alpha'], { alpha: { float: 1 } });
export const Softmax = elementwise('Softmax', ['axis'], { axis: -1 });

/**
 * PReLU's `alpha` has the input's shape without the batch axis, with 1 on each of `shared_axes`
 * (axes counted from the batch axis, as Keras counts them): the product of the other sizes.
 */
export const PReLU: LayerSpec = {
  type: 'PReLU',
  playground: false,
  signature: ['alpha_initializer', 'alpha_regularizer', 'alpha_constraint', 'shared_axes'],
  defaults: { shared_axes: null },
  output: identity,
  lastAxis: keepLast,
  params(cfg, [s]) {
    if (!s) return null;
    const shared = cfg.get('shared_axes');
    let axes: number[] = [];
    if (shared && shared.kind !== 'none') {
      const items = asItems(shared) ?? [shared];
      const ints = items.map((x) => asInt(x));
      // Keras indexes the weight's shape with axis - 1: only axes 1..rank-1 mean what they say.
      if (ints.some((a) => a === null || a < 1 || a >= s.length)) return null;
      axes = ints as number[];
    }
    const dims = s.slice(1).map((d, i) => (axes.includes(i + 1) ? 1 : d));
    const n = product(dims);
    return n === null ? null : trainable(n);
  },
};
