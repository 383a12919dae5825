/** Python literals: numbers and strings as the evaluator reads them. */
import { float, int, str, UNKNOWN, type Value } from './values';

/** Python number literals: ints (any base, underscores), floats; complex numbers are unknown. */
export function parseNumber(text: string): Value {
  const t = text.replace(/_/g, '').toLowerCase();
  if (t.endsWith('j')) return UNKNOWN;
  if (/^0[xob]/.test(t)) {
    const base = t[1] === 'x' ? 16 : t[1] === 'o' ? 8 : 2;
    return int(parseInt(t.slice(2), base));
  }
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return Number.isSafeInteger(n) ? int(n) : UNKNOWN;
  }
  return float(Number(t));
}

/** Python string literals (prefixes, quotes, common escapes); bytes and f-strings are unknown. */
export function parseString(text: string): Value {
  const m = /^([a-zA-Z]*)('''|"""|'|")([\s\S]*)\2$/.exec(text);
  if (!m) return UNKNOWN;
  const prefix = m[1]!.toLowerCase();
  if (prefix.includes('b') || prefix.includes('f')) return UNKNOWN;
  const body = m[3]!;
  if (prefix.includes('r')) return str(body);
  const escapes: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '0': '\0',
    '\n': '',
  };
  return str(body.replace(/\\([\s\S])/g, (all, ch: string) => escapes[ch] ?? all));
}
