/** The contract every layer family implements: defaults, output shape, parameter count. */
import type { Dim, LayerNode, Shape, ShapeIssue } from '../graph';
import {
  asBool,
  asInt,
  asItems,
  asNumber,
  asString,
  float,
  int,
  NONE,
  str,
  bool,
  type Value,
} from '../python/values';

export interface Params {
  trainable: number;
  nonTrainable: number;
}

/** Output shapes (one per output tensor; null where unknown) or the reason the layer cannot build. */
export type Outcome = { shapes: Array<Shape | null> } | { issue: ShapeIssue };

/** Lets wrapper layers ask for the shape and params of the layer they wrap. */
export interface LayerContext {
  output(layer: LayerNode, inputs: Array<Shape | null>): Outcome;
  params(layer: LayerNode, inputs: Array<Shape | null>): Params | null;
}

/** A JavaScript literal standing for a Python default. */
export type Default = number | string | boolean | null | { float: number };

export interface LayerSpec {
  type: string;
  /** Positional parameters in Keras's order (`Dropout(rate, noise_shape, seed)`). */
  signature: string[];
  /** Keras's defaults for the config keys rules and shapes read. */
  defaults: Record<string, Default>;
  /** Required input rank (Keras's `InputSpec(ndim=...)`). */
  ndim?: number;
  /** Minimum input rank. */
  minNdim?: number;
  /** Takes a list of tensors (Concatenate, Add, ...). */
  merge?: boolean;
  /** Wraps another layer passed as its first argument (`layer=`, or an RNN's `cell=`). */
  wrapper?: boolean;
  /**
   * The call's tensor parameters in order, where the layer takes several tensors as separate
   * arguments (`MultiHeadAttention()(query, value, key)`); absent: one argument, a tensor or a list.
   */
  callInputs?: string[];
  /**
   * Call arguments the output depends on (`return_attention_scores=True`): kept in the config as
   * of the layer's latest call.
   */
  callOptions?: string[];
  /**
   * Whether the playground kernel builds this layer on TensorFlow.js (kernels/tfjs/build.ts);
   * false marks a layer the analyzer knows for shapes and lint only. Every `true` layer is built
   * against tfjs by the property test (test/unit/kernels/tfjs/fidelity.test.ts).
   */
  playground: boolean;
  output(cfg: Config, inputs: Array<Shape | null>, ctx: LayerContext, layer: LayerNode): Outcome;
  /**
   * The size of the output's last axis when the input's rank is unknown (and its last axis is
   * `inputLast`, or unknown): Dense sets it, Dropout keeps it. Absent: unknown too.
   */
  lastAxis?(cfg: Config, inputLast: number | null): number | null;
  /** True when the count depends on the input's last axis only (Dense, LSTM, Conv1D...). */
  countsLastAxis?(cfg: Config): boolean;
  params(
    cfg: Config,
    inputs: Array<Shape | null>,
    ctx: LayerContext,
    layer: LayerNode,
  ): Params | null;
}

export function defaultValue(d: Default): Value {
  if (d === null) return NONE;
  if (typeof d === 'number') return int(d);
  if (typeof d === 'string') return str(d);
  if (typeof d === 'boolean') return bool(d);
  return float(d.float);
}

/** Typed reads of a normalised layer config. */
export class Config {
  constructor(readonly values: Record<string, Value>) {}
  get(key: string): Value | undefined {
    return this.values[key];
  }
  int(key: string): number | null {
    return asInt(this.values[key]);
  }
  num(key: string): number | null {
    return asNumber(this.values[key]);
  }
  str(key: string): string | null {
    return asString(this.values[key]);
  }
  bool(key: string): boolean | null {
    const v = this.values[key];
    return v && v.kind !== 'unknown' ? asBool(v) : null;
  }
  isNone(key: string): boolean {
    return this.values[key]?.kind === 'none';
  }
  /** An int or a 1-tuple of int (`kernel_size=3` or `(3,)`). */
  int1(key: string): number | null {
    const v = this.values[key];
    const items = asItems(v);
    if (items) return items.length === 1 ? asInt(items[0]) : null;
    return asInt(v);
  }
  /** An int repeated n times or an n-tuple of ints (`kernel_size=3` or `(3, 3)`); null if unknown. */
  ints(key: string, n: number): number[] | null {
    const v = this.values[key];
    const items = asItems(v);
    if (!items) {
      const k = asInt(v);
      return k === null ? null : Array.from({ length: n }, () => k);
    }
    if (items.length !== n) return null;
    const out = items.map((x) => asInt(x));
    return out.every((x) => x !== null) ? (out as number[]) : null;
  }
  /** A tuple of dims; unknown items become None. Null when not a tuple/list. */
  dims(key: string): Dim[] | null {
    return toDims(this.values[key]);
  }
}

/** A tuple/list value as dims (unknown or None items become null), or null. */
export function toDims(v: Value | undefined): Dim[] | null {
  const items = asItems(v);
  if (!items) {
    const n = asInt(v);
    return n !== null ? [n] : null;
  }
  return items.map((x) => asInt(x));
}

export const ok = (...shapes: Array<Shape | null>): Outcome => ({ shapes });

export function ndimIssue(type: string, expected: number, found: number): Outcome {
  return {
    issue: {
      kind: 'ndim',
      message: `Input 0 of layer "${type}" is incompatible with the layer: expected ndim=${expected}, found ndim=${found}`,
      expectedRank: expected,
      foundRank: found,
    },
  };
}

export function incompatible(message: string): Outcome {
  return { issue: { kind: 'incompatible', message } };
}

/** The last axis of the first input, when known. */
export function lastDim(inputs: Array<Shape | null>): number | null {
  const s = inputs[0];
  if (!s || s.length === 0) return null;
  return s[s.length - 1] ?? null;
}

export const trainable = (n: number): Params => ({ trainable: n, nonTrainable: 0 });
export const NO_PARAMS: Params = { trainable: 0, nonTrainable: 0 };

/** Multiplies dims, null if any is unknown. */
export function product(dims: Dim[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}
