/**
 * The merge layers, called on a list of tensors: Concatenate, Add, Subtract, Multiply, Average,
 * Maximum, Minimum and Dot. Shapes follow Keras 3 (keras/src/layers/merging): elementwise merges
 * broadcast from the right (`Merge._compute_elemwise_op_output_shape`), Concatenate keeps the
 * first input's sizes off its axis. None has no weights.
 */
import { formatShape } from '../format';
import type { Dim, Shape } from '../graph';
import { incompatible, NO_PARAMS, ok, toDims, type LayerSpec, type Outcome } from './types';

/** Keras's elementwise result of two shapes without their batch axis; 'clash' where Keras raises. */
function broadcast(a: Dim[], b: Dim[]): Dim[] | 'clash' {
  if (a.length < b.length) return broadcast(b, a);
  const out: Dim[] = a.slice(0, a.length - b.length);
  const tail = a.slice(a.length - b.length);
  for (let k = 0; k < b.length; k++) {
    const i = tail[k]!;
    const j = b[k]!;
    // An unknown size meets anything as unknown: Keras does not take the known one.
    if (i === null || j === null) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else if (i !== j) return 'clash';
    else out.push(i);
  }
  return out;
}

/** The batch size of merged inputs: the one known size, else None; 'clash' when two differ. */
function mergedBatch(shapes: Shape[]): Dim | 'clash' {
  const known = new Set(shapes.map((s) => s[0] ?? null).filter((d) => d !== null));
  if (known.size > 1) return 'clash';
  return known.size === 1 ? [...known][0]! : null;
}

/** Output shape of an elementwise merge (Keras's `Merge.compute_output_shape`). */
function elementwiseShape(type: string, inputs: Array<Shape | null>): Outcome {
  if (inputs.length === 0 || inputs.some((s) => !s)) return ok(null);
  const shapes = inputs as Shape[];
  const batch = mergedBatch(shapes);
  let body: Dim[] | 'clash' = shapes[0]!.slice(1);
  for (const s of shapes.slice(1)) {
    if (body === 'clash') break;
    body = broadcast(body, s.slice(1));
  }
  if (body === 'clash' || batch === 'clash') {
    return incompatible(
      `${type}: inputs have incompatible shapes; got ${shapes.map(formatShape).join(' and ')}`,
    );
  }
  return ok([batch, ...body]);
}

function elementwise(type: string, playground: boolean, exactlyTwo = false): LayerSpec {
  return {
    type,
    playground,
    signature: [],
    defaults: {},
    merge: true,
    output(_cfg, inputs) {
      // Keras raises for another count; no rule reads that, so the shape is just unknown.
      if (exactlyTwo && inputs.length !== 2) return ok(null);
      return elementwiseShape(type, inputs);
    },
    params: () => NO_PARAMS,
  };
}

export const Add = elementwise('Add', true);
export const Multiply = elementwise('Multiply', true);
export const Average = elementwise('Average', true);
export const Subtract = elementwise('Subtract', false, true);
export const Maximum = elementwise('Maximum', false);
export const Minimum = elementwise('Minimum', false);

/** Two known sizes that differ (unknown sizes are checked when the model runs). */
function differ(a: Dim | undefined, b: Dim | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && a !== b;
}

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
    if (axis < 0 || axis >= rank) return ok(null);
    for (let i = 0; i < rank; i++) {
      if (i === axis) continue;
      const known = new Set(shapes.map((s) => s[i]).filter((d) => d !== null));
      if (known.size > 1) {
        return incompatible(
          `Concatenate: inputs must match on every axis except axis=${axisArg}; got ${shapes.map(formatShape).join(' and ')}`,
        );
      }
    }
    // Keras 3 takes every other axis from the first input, and the sum (or None) on the axis.
    const out: Shape = [...shapes[0]!];
    let sum: Dim = 0;
    for (const s of shapes) sum = sum === null || s[axis] === null ? null : sum + s[axis]!;
    out[axis] = sum;
    return ok(out);
  },
  params: () => NO_PARAMS,
};

/** Dot's axes for two inputs of these ranks (Keras's normalisation of an int or a pair). */
function dotAxes(axes: Dim[] | null, r1: number, r2: number): [number, number] | null {
  if (!axes || axes.some((a) => a === null)) return null;
  const pick = (a: number, rank: number) => (a < 0 ? ((a % rank) + rank) % rank : a);
  if (axes.length === 1) return [pick(axes[0]!, r1), pick(axes[0]!, r2)];
  if (axes.length === 2) return [pick(axes[0]!, r1), pick(axes[1]!, r2)];
  return null;
}

export const Dot: LayerSpec = {
  type: 'Dot',
  playground: false,
  signature: ['axes', 'normalize'],
  defaults: { normalize: false },
  merge: true,
  output(cfg, inputs) {
    if (inputs.length !== 2) return ok(null);
    const [a, b] = inputs;
    if (!a || !b) return ok(null);
    const axes = dotAxes(toDims(cfg.get('axes')), a.length, b.length);
    if (!axes || axes[0] >= a.length || axes[1] >= b.length) return ok(null);
    if (differ(a[axes[0]], b[axes[1]])) {
      return incompatible(
        `Dot: incompatible input shapes: axis values ${a[axes[0]]} (at axis ${axes[0]}) != ${b[axes[1]]} (at axis ${axes[1]})`,
      );
    }
    // Keras 3's Dot.compute_output_shape: both shapes without their axis, the second also
    // without its batch axis, joined; a rank-1 result gets a trailing 1.
    const first = a.filter((_, i) => i !== axes[0]);
    const second = b.filter((_, i) => i !== axes[1]).slice(1);
    const out = [...first, ...second];
    return ok(out.length === 1 ? [...out, 1] : out);
  },
  params: () => NO_PARAMS,
};
