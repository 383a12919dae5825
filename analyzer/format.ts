/**
 * The one formatter for Python values and for shapes, as Python and Keras print them. Every surface
 * (lint messages, hovers, summaries, the kernel's print(), the webview) formats through here, so
 * that `0.5`, `(None, 50, 64)` and `'relu'` read the same everywhere. Pure.
 */
import type { Value } from './python/values';

/** A shape: known sizes, and null for a size only known at run time (None). */
export type Dims = readonly (number | null)[];

/** A shape as Keras prints it: `(None, 50, 64)`, `(None,)` for rank 1, `?` when unknown. */
export function formatShape(shape: Dims | null | undefined): string {
  if (!shape) return '?';
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** The shapes of a call's outputs: one shape, or Keras's list for several. */
export function formatShapes(shapes: ReadonlyArray<Dims | null>): string {
  if (shapes.length === 1) return formatShape(shapes[0]);
  return `[${shapes.map(formatShape).join(', ')}]`;
}

/** A float as Python prints it: shortest round trip, `1.0` for integral values, `1e-05`, `nan`. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const size = Math.abs(v);
  // Python switches to exponent notation below 1e-4 and from 1e16 on (JavaScript at 1e-7, 1e21).
  if (size !== 0 && (size < 1e-4 || size >= 1e16))
    return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  if (Number.isInteger(v)) return v.toFixed(1);
  return String(v);
}

export interface ReprOptions {
  /** How values that only the kernel holds (arrays, data sets) print; `<tag>` otherwise. */
  host?: (tag: string, payload: unknown) => string | undefined;
  /** What a value the analyzer cannot know prints as (default `?`). */
  unknown?: string;
}

/** Python's repr(value): `0.5`, `'relu'`, `(None, 1, 64)`, `<LSTM name=lstm>`. */
export function repr(v: Value, options: ReprOptions = {}): string {
  const r = (x: Value) => repr(x, options);
  switch (v.kind) {
    case 'int':
      return String(v.value);
    case 'float':
      return pyFloat(v.value);
    case 'str':
      return `'${v.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple':
      return v.items.length === 1 ? `(${r(v.items[0]!)},)` : `(${v.items.map(r).join(', ')})`;
    case 'list':
      return `[${v.items.map(r).join(', ')}]`;
    case 'dict':
      return `{${v.entries.map(([k, x]) => `${r(k)}: ${r(x)}`).join(', ')}}`;
    case 'ref':
      return v.path;
    case 'host':
      return options.host?.(v.tag, v.payload) ?? `<${v.tag}>`;
    case 'model':
      return `<${v.model.kind === 'sequential' ? 'Sequential' : v.model.kind === 'functional' ? 'Functional' : v.model.path} name=${v.model.name}>`;
    case 'layer':
      return `<${v.layer.type} name=${v.layer.name}>`;
    case 'class':
      return `<class '__main__.${v.cls.name}'>`;
    case 'tensor':
      return `<KerasTensor shape=${formatShape(v.tensor.shape ?? [])}>`;
    default:
      return options.unknown ?? '?';
  }
}

/** Python's str(value), as print() shows it: strings bare, everything else as its repr. */
export function pyStr(v: Value, options: ReprOptions = {}): string {
  return v.kind === 'str' ? v.value : repr(v, options);
}

/** A duration as an ETA reads: `59s`, `1m 01s`, `1h 02m`; `--` when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '--';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** A short wall time (an epoch's): `340ms`, `2.4s`, then as `formatDuration` (`1m 05s`). */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 9950) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration(ms);
}

/**
 * A mean ± standard deviation over seeds as the comparison's table prints it: `0.1234 ± 0.0012`
 * (4 and 2 significant digits), `340ms ± 12ms` for times; the mean alone when the deviation is 0
 * or unknown, `–` without a mean.
 */
export function formatSpread(
  s: { mean: number | null; std: number | null },
  unit: 'value' | 'ms' = 'value',
): string {
  if (s.mean === null || !Number.isFinite(s.mean)) return '–';
  const mean = unit === 'ms' ? formatMs(s.mean) : String(Number(s.mean.toPrecision(4)));
  // A deviation at rounding level (identical values) is none.
  if (s.std === null || !(s.std > Math.abs(s.mean) * 1e-9)) return mean;
  const std = unit === 'ms' ? formatMs(s.std) : String(Number(s.std.toPrecision(2)));
  return `${mean} ± ${std}`;
}
