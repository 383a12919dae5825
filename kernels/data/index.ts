/**
 * The `rnnlab.datasets` registry: every dataset function with its Python-style parameter list,
 * so a cell interpreter can bind `datasets.sine(500, timesteps=30)` and run it.
 */
import { loadCsv, type CsvOptions } from './csv';
import { DatasetError, show } from './errors';
import {
  adding_problem,
  copy_memory,
  parity,
  sine,
  text_chars,
  type AddingOptions,
  type CopyMemoryOptions,
  type ParityOptions,
  type SineOptions,
  type TextCharsOptions,
} from './synthetic';
import type { Dataset } from './types';

export type { Dataset, Tensorish } from './types';
export { DatasetError } from './errors';
export * from './synthetic';
export * from './csv';

/** A Python argument value as the interpreter hands it over; null is Python's None. */
export type ArgValue = number | string | string[] | boolean | null;

export interface DatasetParam {
  name: string;
  /** The default (null = None); absent for required parameters. */
  default?: ArgValue;
  required?: boolean;
}

/** What the caller knows about the environment (the CSV loader reads only inside `workspace`). */
export interface CallContext {
  workspace?: string;
}

export interface DatasetSpec {
  name: string;
  /** One line for completions and hovers. */
  summary: string;
  /** In positional order. */
  params: readonly DatasetParam[];
  /** Runs with every parameter present (defaults filled in by `call`). */
  run(args: Record<string, ArgValue>, context: CallContext): Dataset;
}

const SPLIT = { name: 'validation_split', default: 0.2 } as const;
const SEED = { name: 'seed', default: 0 } as const;

/**
 * The generators check their values at run time, so any ArgValue may be passed on (a string where
 * a number belongs gets the usual "must be an integer from ... (got '10')"); None means default.
 */
function loose<T>(value: unknown): T {
  return value as T;
}

export const DATASETS: Readonly<Record<string, DatasetSpec>> = Object.freeze({
  sine: {
    name: 'sine',
    summary: 'Next-value regression on windows of noisy sums of 1-3 sine waves.',
    params: [
      { name: 'samples', default: 1000 },
      { name: 'timesteps', default: 50 },
      { name: 'features', default: 1 },
      { name: 'horizon', default: 1 },
      { name: 'noise', default: 0.05 },
      SPLIT,
      SEED,
    ],
    run: (a) => sine(loose<SineOptions>(a)),
  },
  adding_problem: {
    name: 'adding_problem',
    summary: 'Sum the two marked values of a long random sequence (regression).',
    params: [{ name: 'samples', default: 1000 }, { name: 'timesteps', default: 50 }, SPLIT, SEED],
    run: (a) => adding_problem(loose<AddingOptions>(a)),
  },
  copy_memory: {
    name: 'copy_memory',
    summary: 'Recall the symbol shown at a queried position, after a delay (multiclass).',
    params: [
      { name: 'samples', default: 1000 },
      { name: 'timesteps', default: 30 },
      { name: 'symbols', default: 8 },
      { name: 'memory', default: 5 },
      SPLIT,
      SEED,
    ],
    run: (a) => copy_memory(loose<CopyMemoryOptions>(a)),
  },
  parity: {
    name: 'parity',
    summary: 'Is the number of ones in a bit sequence odd? (binary).',
    params: [{ name: 'samples', default: 1000 }, { name: 'timesteps', default: 20 }, SPLIT, SEED],
    run: (a) => parity(loose<ParityOptions>(a)),
  },
  text_chars: {
    name: 'text_chars',
    summary: 'Next-character prediction on a small English corpus (multiclass, one-hot x).',
    params: [{ name: 'samples', default: 2000 }, { name: 'timesteps', default: 40 }, SPLIT, SEED],
    run: (a) => text_chars(loose<TextCharsOptions>(a)),
  },
  load_csv: {
    name: 'load_csv',
    summary: 'Windows of a CSV time series from the workspace (regression).',
    params: [
      { name: 'path', required: true },
      { name: 'window', required: true },
      { name: 'target', required: true },
      { name: 'horizon', default: 1 },
      { name: 'features', default: null },
      SPLIT,
    ],
    run: (a, context) =>
      loadCsv(loose<string>(a.path), loose<CsvOptions>({ ...a, workspace: context.workspace })),
  },
} satisfies Record<string, DatasetSpec>);

/** The spec for a dataset name, or a DatasetError listing the available ones. */
export function lookup(name: string): DatasetSpec {
  if (!Object.hasOwn(DATASETS, name)) {
    throw new DatasetError(
      `unknown dataset ${show(name)}; available: ${Object.keys(DATASETS).join(', ')}`,
    );
  }
  return DATASETS[name]!;
}

/** `sine(samples=1000, timesteps=50, ...)`, for hovers and messages. */
export function signature(name: string): string {
  const spec = lookup(name);
  const params = spec.params.map((p) => (p.required ? p.name : `${p.name}=${show(p.default)}`));
  return `${name}(${params.join(', ')})`;
}

/**
 * Binds Python positional and keyword arguments to parameter names, with Python's errors for
 * too many positionals or an argument given twice. Unknown keywords are left for `call`.
 */
export function bind(
  name: string,
  positional: readonly ArgValue[],
  keywords: Readonly<Record<string, ArgValue>> = {},
): Record<string, ArgValue> {
  const spec = lookup(name);
  if (positional.length > spec.params.length) {
    throw new DatasetError(
      `${name}() takes at most ${spec.params.length} positional arguments ` +
        `(${positional.length} given); signature: ${signature(name)}`,
    );
  }
  const args: Record<string, ArgValue> = {};
  positional.forEach((v, i) => (args[spec.params[i]!.name] = v));
  for (const [k, v] of Object.entries(keywords)) {
    if (Object.hasOwn(args, k)) {
      throw new DatasetError(`${name}() got multiple values for argument ${show(k)}`, k);
    }
    args[k] = v;
  }
  return args;
}

/**
 * Runs a dataset by name with keyword arguments. Unknown argument names and missing required
 * ones raise a DatasetError listing the accepted parameters; values are checked by the dataset.
 */
export function call(
  name: string,
  args: Readonly<Record<string, ArgValue>>,
  context: CallContext = {},
): Dataset {
  const spec = lookup(name);
  const accepted = spec.params.map((p) => p.name);
  for (const key of Object.keys(args)) {
    if (!accepted.includes(key)) {
      throw new DatasetError(
        `${name}() got an unexpected argument ${show(key)}; accepted arguments: ` +
          accepted.join(', '),
        key,
      );
    }
  }
  const filled: Record<string, ArgValue> = {};
  for (const p of spec.params) {
    const given = Object.hasOwn(args, p.name) ? args[p.name] : undefined;
    if (given === undefined) {
      if (p.required) {
        throw new DatasetError(
          `${name}() missing required argument ${show(p.name)}; signature: ${signature(name)}`,
          p.name,
        );
      }
      filled[p.name] = p.default ?? null;
    } else {
      filled[p.name] = given;
    }
  }
  return spec.run(filled, context);
}
