/** Python's str() of playground values, for print() and cell results. */
import { repr, type Value } from '../analyzer/python/values';
import type { ArrayData } from './train';

/** Formats a float as Python prints it (shortest round-trip, `1.0` for integral values). */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  const s = String(v);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

/** A short description of an array: `array(shape=(800, 50, 1), mean=0.013)`. */
export function describeArray(a: ArrayData): string {
  let sum = 0;
  for (const v of a.data) sum += v;
  const mean = a.data.length ? sum / a.data.length : NaN;
  return `array(shape=(${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''}), mean=${mean.toPrecision(4)})`;
}

/** str(value) as print() shows it. */
export function pyStr(v: Value): string {
  switch (v.kind) {
    case 'str':
      return v.value;
    case 'float':
      return pyFloat(v.value);
    case 'tuple':
    case 'list':
    case 'dict':
      return pyRepr(v);
    default:
      return pyRepr(v);
  }
}

/** repr(value), recursing into containers. */
export function pyRepr(v: Value): string {
  switch (v.kind) {
    case 'float':
      return pyFloat(v.value);
    case 'tuple':
      return v.items.length === 1
        ? `(${pyRepr(v.items[0]!)},)`
        : `(${v.items.map(pyRepr).join(', ')})`;
    case 'list':
      return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'dict':
      return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
    case 'host':
      if (v.tag === 'array') return describeArray(v.payload as ArrayData);
      return `<${v.tag}>`;
    case 'model':
      return `<${v.model.kind === 'sequential' ? 'Sequential' : 'Functional'} name=${v.model.name}>`;
    case 'layer':
      return `<${v.layer.type} name=${v.layer.name}>`;
    case 'tensor':
      return `<KerasTensor shape=(${(v.tensor.shape ?? []).map((d) => d ?? 'None').join(', ')})>`;
    case 'unknown':
      return '<unknown>';
    default:
      return repr(v);
  }
}
