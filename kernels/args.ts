/**
 * The arguments of the playground's model methods (fit, evaluate, predict) and callbacks: binding
 * them to a signature, reading numbers and data arrays, and checking data against the model, each
 * failure a KernelError that names the argument.
 */
import type { Arg, CallSite, ModelNode } from '../analyzer/graph';
import { asNumber, type Span, type Value } from '../analyzer/python/values';
import { formatShape } from '../analyzer/format';
import { display } from './display';
import { plural } from './outputs';
import type { Failed } from './protocol';
import type { ArrayData } from './train';

/** A failure with a kind and a place, turned into a `failed` message. */
export class KernelError extends Error {
  constructor(
    readonly kind: Failed['kind'],
    message: string,
    readonly span: Span | null,
  ) {
    super(message);
  }
}

/** A data array as a playground value. */
export const array = (a: ArrayData): Value => ({ kind: 'host', tag: 'array', payload: a });

/** The data array a value holds; a cell error naming `what` when it holds something else. */
export function asArray(v: Value | undefined, what: string, span: Span): ArrayData {
  if (v?.kind === 'host' && v.tag === 'array') return v.payload as ArrayData;
  throw new KernelError(
    'cell',
    `${what} must be a data array (from rnnlab.datasets), got ${v ? display(v) : 'nothing'}`,
    span,
  );
}

/** Binds a call's arguments to a signature (positional, then keywords). */
export function bind(site: CallSite, params: readonly string[]): Map<string, Arg> {
  const out = new Map<string, Arg>();
  site.args.forEach((a, i) => {
    const name = a.keyword ?? params[i];
    if (!name) throw new KernelError('cell', `too many positional arguments`, a.span);
    if (a.keyword && !params.includes(a.keyword)) {
      throw new KernelError(
        'cell',
        `unexpected argument '${a.keyword}' (accepted: ${params.join(', ')})`,
        a.span,
      );
    }
    out.set(name, a);
  });
  return out;
}

/** A numeric argument, `fallback` when absent; a cell error saying `rule` when `check` fails. */
export function numberArg(
  args: Map<string, Arg>,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
  rule: string,
): number {
  const a = args.get(name);
  if (!a) return fallback;
  const n = asNumber(a.value);
  if (n === null || !check(n))
    throw new KernelError('cell', `${name} must be ${rule} (got ${display(a.value)})`, a.span);
  return n;
}

/** Clear errors before TensorFlow.js would give cryptic ones. */
export function checkData(model: ModelNode, x: ArrayData, y: ArrayData | null, span: Span): void {
  const input = model.inputs[0]?.shape;
  if (input) {
    const want = input.slice(1);
    const got = x.shape.slice(1);
    const bad = want.length !== got.length || want.some((d, i) => d !== null && d !== got[i]);
    if (bad) {
      throw new KernelError(
        'data',
        `${model.name} expects inputs of shape ${formatShape([null, ...want])} but x has shape ${formatShape(x.shape)}`,
        span,
      );
    }
  }
  if (y && y.shape[0] !== x.shape[0]) {
    throw new KernelError(
      'data',
      `x has ${plural(x.shape[0]!, 'sample')} but y has ${plural(y.shape[0]!, 'sample')}: pass as many targets as inputs`,
      span,
    );
  }
}
