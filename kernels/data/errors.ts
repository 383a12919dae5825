/** The error every dataset function throws for bad arguments or bad files, plus the checks. */
import { repr } from '../../analyzer/format';
import { NONE, type Value } from '../../analyzer/python/values';

/** A user-facing problem with a dataset call: the message says what to change. */
export class DatasetError extends Error {
  /** The argument at fault, when there is one (`timesteps`, `path`, ...). */
  readonly argument: string | undefined;

  constructor(message: string, argument?: string) {
    super(message);
    this.name = 'DatasetError';
    this.argument = argument;
  }
}

/** A JavaScript argument as the Python value it came from. */
function asValue(value: unknown): Value {
  if (value === null || value === undefined) return NONE;
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { kind: 'int', value } : { kind: 'float', value };
  // Long strings (a CSV path, a pasted text) are cut: the message must stay one readable line.
  if (typeof value === 'string')
    return { kind: 'str', value: value.length > 60 ? `${value.slice(0, 57)}...` : value };
  if (Array.isArray(value)) return { kind: 'list', items: value.map(asValue) };
  return { kind: 'ref', path: String(value) };
}

/** A value the way Python would print it (`'abc'`, `True`, `None`, `[1, 2]`). */
export function show(value: unknown): string {
  return repr(asValue(value));
}

/** An integer in [lo, hi]; `why` is appended to explain a bound that depends on other arguments. */
export function checkInt(name: string, value: unknown, lo: number, hi: number, why = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new DatasetError(
      `${name} must be an integer from ${lo} to ${hi} (got ${show(value)})${why}`,
      name,
    );
  }
  return value;
}

/** A finite number in [lo, hi]. */
export function checkNumber(name: string, value: unknown, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    throw new DatasetError(
      `${name} must be a number from ${lo} to ${hi} (got ${show(value)})`,
      name,
    );
  }
  return value;
}

/** `validation_split`: a number in [0, 1). */
export function checkSplit(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new DatasetError(
      `validation_split must be a number from 0 up to but not including 1 (got ${show(value)})`,
      'validation_split',
    );
  }
  return value;
}

/** A seed like NumPy's: an integer from 0 to 2**32 - 1. */
export function checkSeed(value: unknown): number {
  return checkInt('seed', value, 0, 0xffffffff);
}

/** A non-empty string. */
export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new DatasetError(`${name} must be a non-empty string (got ${show(value)})`, name);
  }
  return value;
}

/**
 * Training / validation counts like Keras' `validation_split`: the first
 * floor(samples * (1 - split)) samples train, the rest validate. At least one must train.
 */
export function splitCounts(samples: number, split: number): { train: number; val: number } {
  // The epsilon absorbs float error: 10 * (1 - 0.9) is 0.9999999999999998, which should be 1.
  const train = Math.floor(samples * (1 - split) + 1e-7);
  if (train < 1) {
    throw new DatasetError(
      `validation_split=${show(split)} leaves no training samples out of ${samples}; ` +
        'use more samples or a smaller validation_split',
      'validation_split',
    );
  }
  return { train, val: samples - train };
}

/** Largest x a dataset may hold, in values (float32: 4 bytes each). */
export const MAX_VALUES = 25_000_000;

/** Refuses datasets whose x would exceed MAX_VALUES. */
export function checkSize(samples: number, timesteps: number, features: number, hint: string) {
  const values = samples * timesteps * features;
  if (values > MAX_VALUES) {
    throw new DatasetError(
      `x would hold ${samples} × ${timesteps} × ${features} = ${values} values, above the limit of ` +
        `${MAX_VALUES} (${(MAX_VALUES * 4) / 1e6} MB); ${hint}`,
    );
  }
}
