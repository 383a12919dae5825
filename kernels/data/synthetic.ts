/**
 * Synthetic sequence tasks: each generator is deterministic for its seed, checks its arguments
 * (throwing DatasetError with the argument, its value and the allowed range) and returns plain
 * Float32Arrays. Samples are generated in order and the last `validation_split` fraction of
 * them becomes the validation set, as Keras' `fit(validation_split=...)` does.
 */
import { derive, Rng } from '../random';
import { CORPUS, CORPUS_VOCABULARY } from './corpus';
import {
  checkInt,
  checkNumber,
  checkSeed,
  checkSize,
  checkSplit,
  DatasetError,
  show,
  splitCounts,
} from './errors';
import type { Dataset, Tensorish } from './types';

export { DatasetError } from './errors';

export const MAX_SAMPLES = 1_000_000;
export const MAX_TIMESTEPS = 10_000;

/** Stream tags, so tasks given the same seed draw unrelated numbers. */
const STREAM = { sine: 1, adding: 2, copy: 3, parity: 4, text: 5 } as const;

export interface SineOptions {
  samples?: number;
  timesteps?: number;
  features?: number;
  horizon?: number;
  noise?: number;
  validation_split?: number;
  seed?: number;
}

export interface AddingOptions {
  samples?: number;
  timesteps?: number;
  validation_split?: number;
  seed?: number;
}

export interface CopyMemoryOptions {
  samples?: number;
  timesteps?: number;
  symbols?: number;
  memory?: number;
  validation_split?: number;
  seed?: number;
}

export interface ParityOptions {
  samples?: number;
  timesteps?: number;
  validation_split?: number;
  seed?: number;
}

export interface TextCharsOptions {
  samples?: number;
  timesteps?: number;
  validation_split?: number;
  seed?: number;
}

/** Allocates the train and val arrays and hands out per-sample views into them. */
class Builder {
  readonly train: number;
  readonly val: number;
  private readonly xs: [Float32Array, Float32Array];
  private readonly ys: [Float32Array, Float32Array];

  constructor(
    samples: number,
    split: number,
    private readonly timesteps: number,
    private readonly features: number,
  ) {
    const counts = splitCounts(samples, split);
    this.train = counts.train;
    this.val = counts.val;
    const step = timesteps * features;
    this.xs = [new Float32Array(this.train * step), new Float32Array(this.val * step)];
    this.ys = [new Float32Array(this.train), new Float32Array(this.val)];
  }

  /** Sample i's x (timesteps × features, row-major) and y (one value), zero-filled. */
  sample(i: number): { x: Float32Array; y: Float32Array } {
    const part = i < this.train ? 0 : 1;
    const j = part === 0 ? i : i - this.train;
    const step = this.timesteps * this.features;
    return {
      x: this.xs[part].subarray(j * step, (j + 1) * step),
      y: this.ys[part].subarray(j, j + 1),
    };
  }

  build(meta: Omit<Dataset, 'train' | 'val'>): Dataset {
    const t = (data: Float32Array, shape: number[]): Tensorish => ({ data, shape });
    const { timesteps: T, features: F } = this;
    return {
      ...meta,
      train: { x: t(this.xs[0], [this.train, T, F]), y: t(this.ys[0], [this.train, 1]) },
      val: { x: t(this.xs[1], [this.val, T, F]), y: t(this.ys[1], [this.val, 1]) },
    };
  }
}

function counts(b: Builder): string {
  return `${b.train} training and ${b.val} validation samples`;
}

/**
 * Next-value regression on noisy sine mixtures. Each sample (and each feature) is a sum of 1-3
 * sines with random amplitude in [0.5, 1), frequency in [1/60, 1/6) cycles per step and phase,
 * divided by the number of sines (so the clean signal lies in [-1, 1]), plus N(0, noise²) noise.
 * y is feature 0 at `horizon` steps after the window's last step, noise included.
 */
export function sine(options: SineOptions = {}): Dataset {
  const samples = checkInt('samples', options.samples ?? 1000, 1, MAX_SAMPLES);
  const timesteps = checkInt('timesteps', options.timesteps ?? 50, 2, MAX_TIMESTEPS);
  const features = checkInt('features', options.features ?? 1, 1, 64);
  const horizon = checkInt('horizon', options.horizon ?? 1, 1, MAX_TIMESTEPS);
  const noise = checkNumber('noise', options.noise ?? 0.05, 0, 10);
  const split = checkSplit(options.validation_split ?? 0.2);
  const seed = checkSeed(options.seed ?? 0);
  checkSize(samples, timesteps, features, 'use fewer samples, timesteps or features');

  const b = new Builder(samples, split, timesteps, features);
  // Per sample: each feature's sines first, then the noise, so changing timesteps, horizon or
  // noise keeps the same underlying waves (and sample i does not depend on the others).
  const waves = Array.from({ length: features }, () => ({
    k: 1,
    amp: [0, 0, 0],
    omega: [0, 0, 0],
    phase: [0, 0, 0],
  }));
  const clean = (f: number, t: number): number => {
    const w = waves[f]!;
    let v = 0;
    for (let j = 0; j < w.k; j++) v += w.amp[j]! * Math.sin(w.omega[j]! * t + w.phase[j]!);
    return v / w.k;
  };
  for (let i = 0; i < samples; i++) {
    const { x, y } = b.sample(i);
    const rng = new Rng(derive(seed, STREAM.sine, i));
    for (const w of waves) {
      w.k = 1 + rng.int(3);
      for (let j = 0; j < w.k; j++) {
        w.amp[j] = rng.uniform(0.5, 1);
        w.omega[j] = 2 * Math.PI * rng.uniform(1 / 60, 1 / 6);
        w.phase[j] = rng.uniform(0, 2 * Math.PI);
      }
    }
    for (let f = 0; f < features; f++) {
      for (let t = 0; t < timesteps; t++) x[t * features + f] = clean(f, t) + noise * rng.normal();
    }
    y[0] = clean(0, timesteps - 1 + horizon) + noise * rng.normal();
  }
  const others = features > 1 ? `; features 1-${features - 1} are other, independent mixtures` : '';
  return b.build({
    name: 'sine',
    task: 'regression',
    description:
      `Noisy sine windows: x (samples, ${timesteps}, ${features}); each feature is a sum of 1-3 ` +
      `sines with random frequency, amplitude and phase per sample, scaled into [-1, 1], plus ` +
      `Gaussian noise (sd ${noise}). y (samples, 1) is feature 0, ${horizon} step(s) after the ` +
      `window ends${others}. The target carries the same noise, so the best possible MSE is ` +
      `about ${+(noise * noise).toPrecision(3)}. ${counts(b)}.`,
  });
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997): channel 0 holds uniform values in [0, 1),
 * channel 1 marks exactly two steps, one in each half; y is the sum of the two marked values.
 */
export function adding_problem(options: AddingOptions = {}): Dataset {
  const samples = checkInt('samples', options.samples ?? 1000, 1, MAX_SAMPLES);
  const timesteps = checkInt('timesteps', options.timesteps ?? 50, 2, MAX_TIMESTEPS);
  const split = checkSplit(options.validation_split ?? 0.2);
  const seed = checkSeed(options.seed ?? 0);
  checkSize(samples, timesteps, 2, 'use fewer samples or timesteps');

  const b = new Builder(samples, split, timesteps, 2);
  const half = Math.floor(timesteps / 2);
  for (let i = 0; i < samples; i++) {
    const { x, y } = b.sample(i);
    const rng = new Rng(derive(seed, STREAM.adding, i));
    for (let t = 0; t < timesteps; t++) x[2 * t] = rng.next();
    const first = rng.int(half);
    const second = half + rng.int(timesteps - half);
    x[2 * first + 1] = 1;
    x[2 * second + 1] = 1;
    // Sum of the stored float32 values, so y matches x exactly.
    y[0] = x[2 * first]! + x[2 * second]!;
  }
  return b.build({
    name: 'adding_problem',
    task: 'regression',
    description:
      `The adding problem: x (samples, ${timesteps}, 2); channel 0 is uniform noise in [0, 1), ` +
      `channel 1 is 1 at exactly two steps (one in each half of the sequence) and 0 elsewhere. ` +
      `y (samples, 1) is the sum of the two marked values. Always predicting 1.0 gives an MSE of ` +
      `about 0.167; a model that beats it clearly is really using memory. ${counts(b)}.`,
  });
}

/**
 * Copy memory as a recall query. The first `memory` steps show random symbols, then blanks, and
 * the last step shows a delimiter together with a one-hot query position q in [0, memory); y is
 * the symbol shown at step q. Channels: 0..S-1 symbols, S blank, S+1 delimiter,
 * S+2..S+1+memory the query position (only set on the last step). Sparse labels in [0, S).
 */
export function copy_memory(options: CopyMemoryOptions = {}): Dataset {
  const samples = checkInt('samples', options.samples ?? 1000, 1, MAX_SAMPLES);
  const symbols = checkInt('symbols', options.symbols ?? 8, 2, 100);
  const memory = checkInt('memory', options.memory ?? 5, 1, 1000);
  const timesteps = checkInt(
    'timesteps',
    options.timesteps ?? 30,
    memory + 1,
    MAX_TIMESTEPS,
    ` (it must exceed memory=${memory}: the symbols, then the delimiter step)`,
  );
  const split = checkSplit(options.validation_split ?? 0.2);
  const seed = checkSeed(options.seed ?? 0);
  const features = symbols + 2 + memory;
  checkSize(samples, timesteps, features, 'use fewer samples, timesteps, symbols or memory');

  const b = new Builder(samples, split, timesteps, features);
  const blank = symbols;
  const delimiter = symbols + 1;
  for (let i = 0; i < samples; i++) {
    const { x, y } = b.sample(i);
    const rng = new Rng(derive(seed, STREAM.copy, i));
    const shown: number[] = [];
    for (let t = 0; t < memory; t++) {
      const s = rng.int(symbols);
      shown.push(s);
      x[t * features + s] = 1;
    }
    for (let t = memory; t < timesteps - 1; t++) x[t * features + blank] = 1;
    const last = (timesteps - 1) * features;
    const query = rng.int(memory);
    x[last + delimiter] = 1;
    x[last + symbols + 2 + query] = 1;
    y[0] = shown[query]!;
  }
  return b.build({
    name: 'copy_memory',
    task: 'multiclass',
    classes: symbols,
    description:
      `Copy memory, as a recall query: x (samples, ${timesteps}, ${features}), one-hot. The first ` +
      `${memory} steps each show one of ${symbols} random symbols (channels 0-${symbols - 1}), ` +
      `then come ${timesteps - memory - 1} blank steps (channel ${blank}), and the last step shows ` +
      `the delimiter (channel ${delimiter}) together with a query position q, one-hot in channels ` +
      `${symbols + 2}-${symbols + 1 + memory}. y (samples, 1) is the index of the symbol shown ` +
      `at step q (sparse labels, ${symbols} classes; chance accuracy ${+(1 / symbols).toFixed(3)}). ` +
      `The model must keep all ${memory} symbols through the blanks because the question comes ` +
      `last. ${counts(b)}.`,
  });
}

/** Parity: x is a sequence of random bits, y is 1 when the number of ones is odd. */
export function parity(options: ParityOptions = {}): Dataset {
  const samples = checkInt('samples', options.samples ?? 1000, 1, MAX_SAMPLES);
  const timesteps = checkInt('timesteps', options.timesteps ?? 20, 2, MAX_TIMESTEPS);
  const split = checkSplit(options.validation_split ?? 0.2);
  const seed = checkSeed(options.seed ?? 0);
  checkSize(samples, timesteps, 1, 'use fewer samples or timesteps');

  const b = new Builder(samples, split, timesteps, 1);
  for (let i = 0; i < samples; i++) {
    const { x, y } = b.sample(i);
    const rng = new Rng(derive(seed, STREAM.parity, i));
    let ones = 0;
    for (let t = 0; t < timesteps; t++) {
      const bit = rng.int(2);
      x[t] = bit;
      ones += bit;
    }
    y[0] = ones % 2;
  }
  return b.build({
    name: 'parity',
    task: 'binary',
    description:
      `Parity: x (samples, ${timesteps}, 1) is a sequence of random bits; y (samples, 1) is 1 ` +
      `when the number of ones is odd, else 0. Every bit matters, so there is no shortcut: ` +
      `chance accuracy is 50%, and longer sequences are much harder to learn. ${counts(b)}.`,
  });
}

/**
 * Next-character prediction on the project's own corpus. Windows start at random positions;
 * training windows come from the first (1 - validation_split) of the text and validation windows
 * from the held-out rest, so validation text is never seen in training.
 */
export function text_chars(options: TextCharsOptions = {}): Dataset {
  const samples = checkInt('samples', options.samples ?? 2000, 1, MAX_SAMPLES);
  const timesteps0 = options.timesteps ?? 40;
  const split = checkSplit(options.validation_split ?? 0.2);
  const seed = checkSeed(options.seed ?? 0);
  const { val } = splitCounts(samples, split);
  const length = CORPUS.length;
  // Train windows (timesteps + 1 characters with the target) lie in [0, cut), val in [cut, end).
  const cut = val > 0 ? Math.floor(length * (1 - split)) : length;
  const room = val > 0 ? Math.min(cut, length - cut) : length;
  const why =
    val > 0
      ? ` (with validation_split=${show(split)} the held-out end of the ${length}-character ` +
        `corpus has ${length - cut} characters and the training part ${cut}; each window needs ` +
        `timesteps + 1)`
      : ` (the corpus has ${length} characters; each window needs timesteps + 1)`;
  if (room < 3) {
    throw new DatasetError(
      `validation_split=${show(split)} leaves too little text for windows${why}`,
      'validation_split',
    );
  }
  const timesteps = checkInt('timesteps', timesteps0, 2, room - 1, why);
  const vocabulary = [...CORPUS_VOCABULARY];
  const V = vocabulary.length;
  checkSize(samples, timesteps, V, 'use fewer samples or timesteps');

  const index = new Map(vocabulary.map((c, i) => [c, i]));
  const codes = Array.from(CORPUS, (c) => index.get(c)!);
  const b = new Builder(samples, split, timesteps, V);
  for (let i = 0; i < samples; i++) {
    const { x, y } = b.sample(i);
    const rng = new Rng(derive(seed, STREAM.text, i));
    const [lo, hi] = i < b.train ? [0, cut] : [cut, length];
    const start = lo + rng.int(hi - lo - timesteps);
    for (let t = 0; t < timesteps; t++) x[t * V + codes[start + t]!] = 1;
    y[0] = codes[start + timesteps]!;
  }
  return b.build({
    name: 'text_chars',
    task: 'multiclass',
    classes: V,
    vocabulary,
    description:
      `Next-character prediction on a ${length}-character English corpus about rivers and ` +
      `weather (lowercase): x (samples, ${timesteps}, ${V}) is a one-hot window of characters, ` +
      `y (samples, 1) the index of the character that follows (sparse labels, ${V} classes; ` +
      `the vocabulary lists the character of each index). Windows start at random positions; ` +
      `validation windows come only from the last part of the text, which training never sees. ` +
      `${counts(b)}.`,
  });
}
