/**
 * Values of the static evaluator. Anything the evaluator cannot know is `unknown`:
 * it is remembered, never thrown.
 */
import type { LayerNode, ModelNode, Tensor } from '../graph';

/** A half-open range of UTF-16 offsets into the analysed text. */
export interface Span {
  from: number;
  to: number;
}

/** A user function: its body was analysed once with parameters bound to their defaults. */
export interface FunctionValue {
  name: string;
  returns: Value;
  /** A method bound to its instance (`self.encode`, `super().__init__`): where it was found. */
  bound?: { fn: FunctionValue; self: Value; owner: ClassValue };
}

/**
 * Where an unknown value came from, when the evaluator knows: the code it was reached by (`label`,
 * as written: `encoder`, `tf.concat`, `model.layers[2]`) and why it cannot be followed, so that a
 * summary can say why a total is unknown instead of guessing.
 */
export interface Unknowable {
  label: string;
  reason: string;
  /** Where the label is written, when the value stands at one place (an item of a list). */
  span?: Span;
}

/** A class defined in the analysed text; `layer` when it subclasses a Keras layer or model. */
export interface ClassValue {
  name: string;
  base: 'layer' | 'model' | null;
  /** What its body defines (methods as functions, class attributes); absent: not followed. */
  members?: Map<string, Value>;
  /** The classes of the text it derives from, in order (where inherited members come from). */
  parents?: ClassValue[];
}

/** An instance of a class of the text that is neither a Keras layer nor a model. */
export interface ObjectValue {
  cls: ClassValue;
  /** Its attributes (`self.units = 64`), in the order they were first assigned. */
  attrs: Map<string, Value>;
}

/** An optimizer object such as `keras.optimizers.Adam(learning_rate=1e-3)`. */
export interface OptimizerValue {
  name: string;
  learningRate: Value;
  learningRateSpan: Span | null;
  span: Span;
}

export type Value =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'tuple'; items: Value[] }
  | { kind: 'list'; items: Value[] }
  | { kind: 'dict'; entries: Array<[Value, Value]> }
  /** An imported module or symbol, by its qualified name (`tensorflow.keras.layers.LSTM`). */
  | { kind: 'ref'; path: string }
  | { kind: 'layer'; layer: LayerNode }
  | { kind: 'tensor'; tensor: Tensor }
  | { kind: 'model'; model: ModelNode }
  | { kind: 'method'; self: Value; name: string }
  | { kind: 'func'; fn: FunctionValue }
  | { kind: 'optimizer'; optimizer: OptimizerValue }
  /** A loss object such as `keras.losses.CategoricalCrossentropy(from_logits=True)`. */
  | { kind: 'loss'; name: string; fromLogits: Value }
  /** A runtime value of the playground (data arrays, a training history): opaque to the analyzer. */
  | { kind: 'host'; tag: string; payload: unknown }
  /** A class defined in the text. */
  | { kind: 'class'; cls: ClassValue }
  /** An instance of a plain class of the text (Keras subclasses are layers and models). */
  | { kind: 'object'; obj: ObjectValue }
  /** A slice in a subscript (`x[:, -1]`), its bounds as written (None where omitted). */
  | { kind: 'slice'; start: Value; stop: Value; step: Value }
  | { kind: 'unknown'; origin?: Unknowable };

export const UNKNOWN: Value = { kind: 'unknown' };
export const NONE: Value = { kind: 'none' };

/** An unknown value that remembers what it was reached by and why it cannot be followed. */
export function unknownFrom(label: string, reason: string): Value {
  return { kind: 'unknown', origin: { label, reason } };
}

/** The origin of an unknown value, if it has one. */
export function originOf(v: Value | undefined): Unknowable | null {
  return v?.kind === 'unknown' ? (v.origin ?? null) : null;
}

/** Largest magnitude an integer may reach before it becomes unknown (keeps arithmetic exact and cheap). */
export const INT_LIMIT = Number.MAX_SAFE_INTEGER;
/** Longest string or sequence the evaluator builds; beyond it the value is unknown. */
export const SEQUENCE_LIMIT = 10_000;

export function int(value: number): Value {
  return Number.isSafeInteger(value) && Math.abs(value) <= INT_LIMIT
    ? { kind: 'int', value }
    : UNKNOWN;
}

export function float(value: number): Value {
  return Number.isFinite(value) ? { kind: 'float', value } : UNKNOWN;
}

export function str(value: string): Value {
  return value.length <= SEQUENCE_LIMIT ? { kind: 'str', value } : UNKNOWN;
}

export function bool(value: boolean): Value {
  return { kind: 'bool', value };
}

/** The integer a value holds (bools count, as in Python), or null. */
export function asInt(v: Value | undefined): number | null {
  if (!v) return null;
  if (v.kind === 'int') return v.value;
  if (v.kind === 'bool') return v.value ? 1 : 0;
  return null;
}

/** The number a value holds, or null. */
export function asNumber(v: Value | undefined): number | null {
  if (!v) return null;
  if (v.kind === 'int' || v.kind === 'float') return v.value;
  if (v.kind === 'bool') return v.value ? 1 : 0;
  return null;
}

export function asString(v: Value | undefined): string | null {
  return v && v.kind === 'str' ? v.value : null;
}

export function asBool(v: Value | undefined): boolean | null {
  if (!v) return null;
  return truthy(v);
}

/** The items of a tuple or list, or null. */
export function asItems(v: Value | undefined): Value[] | null {
  return v && (v.kind === 'tuple' || v.kind === 'list') ? v.items : null;
}

/** Python truthiness where it is known, else null. */
export function truthy(v: Value): boolean | null {
  switch (v.kind) {
    case 'int':
    case 'float':
      return v.value !== 0;
    case 'str':
      return v.value.length > 0;
    case 'bool':
      return v.value;
    case 'none':
      return false;
    case 'tuple':
    case 'list':
      return v.items.length > 0;
    case 'dict':
      return v.entries.length > 0;
    // A Keras tensor has no truth value (Keras raises): a branch on one is unknown.
    case 'tensor':
    case 'unknown':
    case 'method':
      return null;
    default:
      return true;
  }
}

/** Deepest nesting and most comparisons `equal` makes before it says "unknown". */
const EQUAL_DEPTH = 50;
const EQUAL_BUDGET = 10_000;

/** Python equality where it is known, else null (also for values too large to compare). */
export function equal(a: Value, b: Value): boolean | null {
  return equalWithin(a, b, 0, { left: EQUAL_BUDGET });
}

function equalWithin(a: Value, b: Value, depth: number, budget: { left: number }): boolean | null {
  if (depth > EQUAL_DEPTH || budget.left-- <= 0) return null;
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null) return na === nb;
  if (a.kind === 'str' && b.kind === 'str') return a.value === b.value;
  if (a.kind === 'none' || b.kind === 'none') {
    if (a.kind === 'unknown' || b.kind === 'unknown') return null;
    return a.kind === b.kind;
  }
  if ((a.kind === 'tuple' || a.kind === 'list') && a.kind === b.kind) {
    if (a.items.length !== b.items.length) return false;
    let all: boolean | null = true;
    for (let i = 0; i < a.items.length; i++) {
      const e = equalWithin(a.items[i]!, b.items[i]!, depth + 1, budget);
      if (e === false) return false;
      if (e === null) all = null;
    }
    return all;
  }
  if (a.kind === 'unknown' || b.kind === 'unknown') return null;
  if (a.kind === 'str' || b.kind === 'str') return false;
  return null;
}

/** The items a `for` loop (or a comprehension) visits, when known. */
export function iterate(v: Value): Value[] | null {
  const items = asItems(v);
  // A copy: a body that appends to the list it loops over must not loop forever.
  if (items) return [...items];
  if (v.kind === 'str') return [...v.value].map((ch) => str(ch));
  return null;
}
