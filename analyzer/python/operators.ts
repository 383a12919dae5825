/** Python's arithmetic and comparison operators on known values; bounded, never throwing. */
import {
  asItems,
  asNumber,
  bool,
  equal,
  float,
  int,
  SEQUENCE_LIMIT,
  str,
  truthy,
  UNKNOWN,
  type Value,
} from './values';

function isInt(v: Value): boolean {
  return v.kind === 'int' || v.kind === 'bool';
}

/** Python's floor modulo: the result takes the sign of the divisor. */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** `a OP b` for arithmetic operators; unknown where Python would raise or the result is unbounded. */
export function binary(op: string, a: Value, b: Value): Value {
  // Sequences: concatenation and repetition, bounded in length.
  if (op === '+') {
    if (a.kind === 'str' && b.kind === 'str') return str(a.value + b.value);
    if ((a.kind === 'tuple' || a.kind === 'list') && a.kind === b.kind) {
      const items = [...a.items, ...b.items];
      return items.length <= SEQUENCE_LIMIT ? { kind: a.kind, items } : UNKNOWN;
    }
  }
  if (op === '*') {
    const [seq, times] = isInt(b) ? [a, b] : [b, a];
    const n = asNumber(times);
    if (n !== null && isInt(times)) {
      if (seq.kind === 'str') {
        return n * seq.value.length <= SEQUENCE_LIMIT
          ? str(seq.value.repeat(Math.max(0, n)))
          : UNKNOWN;
      }
      if (seq.kind === 'tuple' || seq.kind === 'list') {
        if (n * seq.items.length > SEQUENCE_LIMIT) return UNKNOWN;
        const items: Value[] = [];
        for (let i = 0; i < n; i++) items.push(...seq.items);
        return { kind: seq.kind, items };
      }
    }
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (x === null || y === null) return UNKNOWN;
  const ints = isInt(a) && isInt(b);
  const num = (v: number) => (ints ? int(v) : float(v));
  switch (op) {
    case '+':
      return num(x + y);
    case '-':
      return num(x - y);
    case '*':
      return num(x * y);
    case '/':
      return y === 0 ? UNKNOWN : float(x / y);
    case '//':
      return y === 0 ? UNKNOWN : num(Math.floor(x / y));
    case '%':
      return y === 0 ? UNKNOWN : num(pyMod(x, y));
    case '**': {
      if (x === 0 && y < 0) return UNKNOWN;
      // Exponents large enough to overflow become unknown before anything big is computed.
      if (Math.abs(y) > 1024) return Math.abs(x) <= 1 && ints ? num(Math.pow(x, y)) : UNKNOWN;
      const r = Math.pow(x, y);
      return ints && y >= 0 ? int(r) : float(r);
    }
    case '<<':
      return ints && y >= 0 && y < 53 ? int(x * 2 ** y) : UNKNOWN;
    case '>>':
      return ints && y >= 0 ? int(Math.floor(x / 2 ** Math.min(y, 1100))) : UNKNOWN;
    case '&':
    case '|':
    case '^':
      if (!ints || Math.abs(x) > 0x7fffffff || Math.abs(y) > 0x7fffffff) return UNKNOWN;
      return int(op === '&' ? x & y : op === '|' ? x | y : x ^ y);
    default:
      return UNKNOWN;
  }
}

/** Comparison operators; unknown where either side is. */
export function compare(op: string, a: Value, b: Value): Value {
  switch (op) {
    case '==':
    case '!=': {
      const e = equal(a, b);
      return e === null ? UNKNOWN : bool(op === '==' ? e : !e);
    }
    case 'is':
    case 'is not': {
      if (a.kind === 'unknown' || b.kind === 'unknown') return UNKNOWN;
      if (a.kind !== 'none' && b.kind !== 'none') return UNKNOWN;
      const same = a.kind === b.kind;
      return bool(op === 'is' ? same : !same);
    }
    case 'in':
    case 'not in': {
      let found: boolean | null = null;
      if (b.kind === 'str' && a.kind === 'str') found = b.value.includes(a.value);
      else if (b.kind === 'dict')
        found = anyEqual(
          a,
          b.entries.map(([k]) => k),
        );
      else {
        const items = asItems(b);
        if (items) found = anyEqual(a, items);
      }
      return found === null ? UNKNOWN : bool(op === 'in' ? found : !found);
    }
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (x === null || y === null) {
    if (a.kind === 'str' && b.kind === 'str')
      return bool(orderTest(op, a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return UNKNOWN;
  }
  return bool(orderTest(op, x < y ? -1 : x > y ? 1 : 0));
}

function orderTest(op: string, c: number): boolean {
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    default:
      return c >= 0;
  }
}

function anyEqual(a: Value, items: Value[]): boolean | null {
  let unknown = false;
  for (const item of items) {
    const e = equal(a, item);
    if (e === true) return true;
    if (e === null) unknown = true;
  }
  return unknown ? null : false;
}

/** Unary `-`, `+`, `not`, `~`. */
export function unary(op: string, v: Value): Value {
  if (op === 'not') {
    const t = truthy(v);
    return t === null ? UNKNOWN : bool(!t);
  }
  const n = asNumber(v);
  if (n === null) return UNKNOWN;
  const isIntValue = v.kind === 'int' || v.kind === 'bool';
  if (op === '-') return isIntValue ? int(-n) : float(-n);
  if (op === '+') return isIntValue ? int(n) : float(n);
  if (op === '~') return isIntValue ? int(-n - 1) : UNKNOWN;
  return UNKNOWN;
}
