/** Python's builtin functions the evaluator knows, on known values; anything else is unknown. */
import { MAX_UNROLL } from './limits';
import { asInt, asItems, bool, float, int, str, truthy, UNKNOWN, type Value } from './values';

/** Builtin names a lookup resolves when no scope defines them. */
export const BUILTINS: ReadonlySet<string> = new Set([
  'len',
  'range',
  'int',
  'float',
  'str',
  'bool',
  'min',
  'max',
  'abs',
  'round',
  'tuple',
  'list',
  'print',
  'enumerate',
  'dict',
  'zip',
]);

/** Python's builtin functions and types the evaluator does not model (unknown, never undefined). */
export const PYTHON_BUILTINS: ReadonlySet<string> = new Set([
  'all',
  'any',
  'ascii',
  'bin',
  'breakpoint',
  'bytearray',
  'bytes',
  'callable',
  'chr',
  'classmethod',
  'compile',
  'complex',
  'delattr',
  'dir',
  'divmod',
  'eval',
  'exec',
  'filter',
  'format',
  'frozenset',
  'getattr',
  'globals',
  'hasattr',
  'hash',
  'help',
  'hex',
  'id',
  'input',
  'isinstance',
  'issubclass',
  'iter',
  'locals',
  'map',
  'memoryview',
  'next',
  'object',
  'oct',
  'open',
  'ord',
  'pow',
  'property',
  'repr',
  'reversed',
  'set',
  'setattr',
  'slice',
  'sorted',
  'staticmethod',
  'sum',
  'super',
  'type',
  'vars',
  '__import__',
]);

/** A builtin's result from its argument values in call order (keywords are not told apart). */
export function callBuiltin(name: string, a: readonly Value[]): Value {
  const first = a[0];
  switch (name) {
    case 'len': {
      if (!first) return UNKNOWN;
      if (first.kind === 'str') return int(first.value.length);
      const items = asItems(first);
      if (items) return int(items.length);
      if (first.kind === 'dict') return int(first.entries.length);
      return UNKNOWN;
    }
    case 'range': {
      const n = a.map((x) => asInt(x));
      if (n.length === 0 || n.length > 3 || n.some((x) => x === null)) return UNKNOWN;
      const [start, stop, step] =
        n.length === 1 ? [0, n[0]!, 1] : [n[0]!, n[1]!, n.length === 3 ? n[2]! : 1];
      if (step === 0) return UNKNOWN;
      const count = Math.max(0, Math.ceil((stop - start) / step));
      if (count > MAX_UNROLL) return UNKNOWN;
      return {
        kind: 'list',
        items: Array.from({ length: count }, (_, i) => int(start + i * step)),
      };
    }
    case 'zip': {
      const lists = a.map((x) => asItems(x));
      if (lists.length === 0 || lists.some((l) => l === null)) return UNKNOWN;
      const n = Math.min(...lists.map((l) => l!.length));
      return {
        kind: 'list',
        items: Array.from({ length: n }, (_, i) => ({
          kind: 'tuple' as const,
          items: lists.map((l) => l![i]!),
        })),
      };
    }
    case 'enumerate': {
      const items = first ? asItems(first) : null;
      if (!items) return UNKNOWN;
      return {
        kind: 'list',
        items: items.map((v, i) => ({ kind: 'tuple', items: [int(i), v] })),
      };
    }
    case 'int': {
      if (!first) return int(0);
      if (first.kind === 'float') return int(Math.trunc(first.value));
      if (first.kind === 'str' && /^\s*[-+]?\d+\s*$/.test(first.value))
        return int(parseInt(first.value, 10));
      const n = asInt(first);
      return n === null ? UNKNOWN : int(n);
    }
    case 'float': {
      if (!first) return float(0);
      if (first.kind === 'str') {
        const f = Number(first.value);
        return first.value.trim() && !Number.isNaN(f) ? float(f) : UNKNOWN;
      }
      return first.kind === 'int' || first.kind === 'float' ? float(first.value) : UNKNOWN;
    }
    case 'bool': {
      const t = first ? truthy(first) : false;
      return t === null ? UNKNOWN : bool(t);
    }
    case 'abs':
      return first?.kind === 'int'
        ? int(Math.abs(first.value))
        : first?.kind === 'float'
          ? float(Math.abs(first.value))
          : UNKNOWN;
    case 'round': {
      if (!first || (first.kind !== 'int' && first.kind !== 'float')) return UNKNOWN;
      if (a.length > 1) return UNKNOWN;
      // Python rounds half to even.
      const r = Math.round(first.value);
      const even = Math.abs(first.value % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
      return int(even);
    }
    case 'min':
    case 'max': {
      const list = a.length === 1 ? asItems(first) : a;
      if (!list || list.length === 0) return UNKNOWN;
      let best: Value | null = null;
      for (const v of list) {
        if (v.kind !== 'int' && v.kind !== 'float') return UNKNOWN;
        if (
          !best ||
          (name === 'min'
            ? v.value < (best as { value: number }).value
            : v.value > (best as { value: number }).value)
        )
          best = v;
      }
      return best ?? UNKNOWN;
    }
    case 'tuple':
    case 'list': {
      if (!first) return { kind: name, items: [] };
      const items = first.kind === 'str' ? [...first.value].map((c) => str(c)) : asItems(first);
      // A new list: changing it must not change the one it was made from.
      return items ? { kind: name, items: [...items] } : UNKNOWN;
    }
    case 'str':
      if (first?.kind === 'str') return first;
      if (first?.kind === 'int') return str(String(first.value));
      return UNKNOWN;
    default:
      return UNKNOWN;
  }
}
