/** How the kernel's values print (print(), cell results): the analyzer's formatter, plus arrays. */
import { formatShape, pyStr, type ReprOptions } from '../analyzer/format';
import type { Value } from '../analyzer/python/values';
import type { ArrayData } from './train';

/** A short description of an array: `array(shape=(800, 50, 1), mean=0.013)`. */
export function describeArray(a: ArrayData): string {
  let sum = 0;
  for (const v of a.data) sum += v;
  const mean = a.data.length ? sum / a.data.length : NaN;
  return `array(shape=${formatShape(a.shape)}, mean=${mean.toPrecision(4)})`;
}

const KERNEL_VALUES: ReprOptions = {
  host: (tag, payload) => (tag === 'array' ? describeArray(payload as ArrayData) : undefined),
  unknown: '<unknown>',
};

/** str(value) as the playground's print() shows it. */
export function display(v: Value): string {
  return pyStr(v, KERNEL_VALUES);
}
