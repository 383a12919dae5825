/** Concatenate, Add, Multiply, Average: layers called on a list of tensors. */
import { formatShape } from '../format';
import type { Dim, Shape } from '../graph';
import { incompatible, NO_PARAMS, ok, type LayerSpec } from './types';

/** Merges two dims that must agree; unknown meets known gives the known one. */
function agree(a: Dim, b: Dim): Dim | 'clash' {
  if (a === null) return b;
  if (b === null) return a;
  return a === b ? a : 'clash';
}

function elementwise(type: string): LayerSpec {
  return {
    type,
    playground: true,
    signature: [],
    defaults: {},
    merge: true,
    output(_cfg, inputs) {
      if (inputs.length === 0 || inputs.some((s) => !s)) return ok(null);
      const shapes = inputs as Shape[];
      const rank = shapes[0]!.length;
      if (shapes.some((s) => s.length !== rank)) return ok(null);
      const out: Shape = [];
      for (let i = 0; i < rank; i++) {
        let d: Dim = null;
        for (const s of shapes) {
          const next = agree(d, s[i] ?? null);
          if (next === 'clash') {
            return incompatible(
              `${type}: inputs must have the same shape; got ${shapes.map(formatShape).join(' and ')}`,
            );
          }
          d = next;
        }
        out.push(d);
      }
      return ok(out);
    },
    params: () => NO_PARAMS,
  };
}

export const Add = elementwise('Add');
export const Multiply = elementwise('Multiply');
export const Average = elementwise('Average');

export const Concatenate: LayerSpec = {
  type: 'Concatenate',
  playground: true,
  signature: ['axis'],
  defaults: { axis: -1 },
  merge: true,
  output(cfg, inputs) {
    const axisArg = cfg.int('axis');
    if (inputs.length === 0 || inputs.some((s) => !s) || axisArg === null) return ok(null);
    const shapes = inputs as Shape[];
    const rank = shapes[0]!.length;
    if (shapes.some((s) => s.length !== rank)) {
      return incompatible('Concatenate: all inputs must have the same rank');
    }
    const axis = axisArg < 0 ? rank + axisArg : axisArg;
    const out: Shape = [];
    for (let i = 0; i < rank; i++) {
      if (i === axis) {
        let sum: Dim = 0;
        for (const s of shapes) sum = sum === null || s[i] === null ? null : sum + (s[i] as number);
        out.push(sum);
        continue;
      }
      let d: Dim = null;
      for (const s of shapes) {
        const next = agree(d, s[i] ?? null);
        if (next === 'clash') {
          return incompatible(
            `Concatenate: inputs must match on every axis except axis=${axisArg}`,
          );
        }
        d = next;
      }
      out.push(d);
    }
    return ok(out);
  },
  params: () => NO_PARAMS,
};
