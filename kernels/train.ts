/**
 * fit / evaluate / predict with Keras's semantics: per-batch metrics, validation, early stopping,
 * a stop flag checked between batches, NaN detection, and seeded shuffles. Synchronous: the
 * worker thread runs it while the host stays responsive.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { derive, Rng } from './random';

/** A float array with its shape (the data sets' format). */
export interface ArrayData {
  data: Float32Array;
  shape: number[];
}

export type LossName =
  | 'mse'
  | 'mae'
  | 'huber'
  | 'binary_crossentropy'
  | 'categorical_crossentropy'
  | 'sparse_categorical_crossentropy';

export type MetricName = 'accuracy' | 'mae' | 'mse';

export interface CompiledLoss {
  name: LossName;
  fromLogits: boolean;
}

export interface TrainConfig {
  optimizer: { name: string; learningRate: number };
  loss: CompiledLoss;
  metrics: MetricName[];
}

export interface EarlyStopping {
  monitor: string;
  patience: number;
  minDelta: number;
  restoreBestWeights: boolean;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  validationSplit: number;
  validationData: { x: ArrayData; y: ArrayData } | null;
  shuffle: boolean;
  earlyStopping: EarlyStopping | null;
  seed: number;
}

export interface FitHooks {
  onBatch(epoch: number, batch: number, logs: Record<string, number>, batchMs: number): void;
  /** `endMs`: the epoch's work after its last batch (validation), for the ETA. */
  onEpoch(epoch: number, logs: Record<string, number>, endMs: number): void;
  /** Polled between batches: true ends training after the current batch. */
  shouldStop(): boolean;
}

/** Why training ended early (null: it ran all epochs). */
export type StopReason = 'early-stopping' | 'user' | 'diverged' | null;

export interface FitResult {
  history: Record<string, number[]>;
  batchLoss: number[];
  batchesPerEpoch: number;
  stopped: StopReason;
  /** The last batch trained when the loss stopped being finite or the user stopped (0-based). */
  stoppedAt: { epoch: number; batch: number } | null;
  /** Wall time of each finished epoch in ms, its validation included. */
  epochMs: number[];
}

/** Keras's loss names and aliases. */
const LOSS_ALIASES: Record<string, LossName> = {
  mse: 'mse',
  mean_squared_error: 'mse',
  mae: 'mae',
  mean_absolute_error: 'mae',
  huber: 'huber',
  huber_loss: 'huber',
  binary_crossentropy: 'binary_crossentropy',
  categorical_crossentropy: 'categorical_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
};

export function lossName(name: string): LossName | null {
  return LOSS_ALIASES[name] ?? null;
}

const METRIC_ALIASES: Record<string, MetricName> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  mae: 'mae',
  mean_absolute_error: 'mae',
  mse: 'mse',
  mean_squared_error: 'mse',
};

export function metricName(name: string): MetricName | null {
  return METRIC_ALIASES[name] ?? null;
}

/** Keras's epsilon for clipping probabilities. */
const EPSILON = 1e-7;

/** Per-sample loss, averaged over the batch (Keras's default reduction). */
export function computeLoss(loss: CompiledLoss, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    switch (loss.name) {
      case 'mse':
        return tf.mean(tf.square(tf.sub(yPred, yTrue)));
      case 'mae':
        return tf.mean(tf.abs(tf.sub(yPred, yTrue)));
      case 'huber': {
        const err = tf.abs(tf.sub(yPred, yTrue));
        const quad = tf.minimum(err, 1);
        return tf.mean(tf.add(tf.mul(0.5, tf.square(quad)), tf.sub(err, quad)));
      }
      case 'binary_crossentropy': {
        if (loss.fromLogits) {
          // max(x, 0) - x*z + log(1 + exp(-|x|)): stable for any logit.
          const x = yPred;
          return tf.mean(
            tf.add(tf.sub(tf.relu(x), tf.mul(x, yTrue)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))),
          );
        }
        const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
        return tf.mean(
          tf.neg(tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))))),
        );
      }
      case 'categorical_crossentropy':
      case 'sparse_categorical_crossentropy': {
        const classes = yPred.shape[yPred.shape.length - 1]!;
        const target =
          loss.name === 'sparse_categorical_crossentropy'
            ? tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), classes).reshape(yPred.shape)
            : yTrue;
        const logProbs = loss.fromLogits
          ? tf.logSoftmax(yPred)
          : tf.log(tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), EPSILON, 1 - EPSILON));
        return tf.mean(tf.neg(tf.sum(tf.mul(target, logProbs), -1)));
      }
    }
  }) as tf.Scalar;
}

/** A metric's value on one batch (means over the batch). */
export function computeMetric(
  metric: MetricName,
  loss: CompiledLoss,
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
): number {
  return tf
    .tidy(() => {
      switch (metric) {
        case 'mae':
          return tf.mean(tf.abs(tf.sub(yPred, yTrue)));
        case 'mse':
          return tf.mean(tf.square(tf.sub(yPred, yTrue)));
        case 'accuracy': {
          // Keras picks the accuracy that fits the loss.
          if (loss.name === 'sparse_categorical_crossentropy') {
            const pred = tf.argMax(yPred, -1);
            return tf.mean(
              tf.cast(tf.equal(pred, tf.cast(tf.reshape(yTrue, pred.shape), 'int32')), 'float32'),
            );
          }
          if (loss.name === 'categorical_crossentropy') {
            return tf.mean(
              tf.cast(tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1)), 'float32'),
            );
          }
          const threshold = loss.fromLogits ? 0 : 0.5;
          return tf.mean(
            tf.cast(tf.equal(tf.cast(tf.greater(yPred, threshold), 'float32'), yTrue), 'float32'),
          );
        }
      }
    })
    .dataSync()[0]!;
}

/** An optimizer with Keras's defaults (Adam epsilon 1e-7, RMSprop rho 0.9, Adagrad 0.1 start). */
export function makeOptimizer(name: string, learningRate: number): tf.Optimizer {
  switch (name.toLowerCase()) {
    case 'adam':
      return tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, 0.9, 0, 1e-7);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'adagrad':
      return tf.train.adagrad(learningRate, 0.1);
    default:
      throw new Error(
        `optimizer '${name}' is not available in the playground: use adam, rmsprop, sgd or adagrad`,
      );
  }
}

/** Rows [from, to) of an array, as a tensor. */
function rows(a: ArrayData, index: Int32Array | null, from: number, to: number): tf.Tensor {
  const rowSize = a.shape.slice(1).reduce((p, d) => p * d, 1);
  const n = to - from;
  const out = new Float32Array(n * rowSize);
  for (let i = 0; i < n; i++) {
    const src = index ? index[from + i]! : from + i;
    out.set(a.data.subarray(src * rowSize, (src + 1) * rowSize), i * rowSize);
  }
  return tf.tensor(out, [n, ...a.shape.slice(1)]);
}

/** Splits off the last fraction as validation data, as Keras's validation_split does. */
function split(
  x: ArrayData,
  y: ArrayData,
  fraction: number,
): { x: ArrayData; y: ArrayData; vx: ArrayData; vy: ArrayData } {
  const n = x.shape[0]!;
  const cut = Math.floor(n * (1 - fraction));
  const slice = (a: ArrayData, from: number, to: number): ArrayData => {
    const rowSize = a.shape.slice(1).reduce((p, d) => p * d, 1);
    return {
      data: a.data.subarray(from * rowSize, to * rowSize),
      shape: [to - from, ...a.shape.slice(1)],
    };
  };
  return { x: slice(x, 0, cut), y: slice(y, 0, cut), vx: slice(x, cut, n), vy: slice(y, cut, n) };
}

/** Loss and metrics over a whole data set, in batches (no dropout). */
export function evaluate(
  model: LayersModel,
  config: TrainConfig,
  x: ArrayData,
  y: ArrayData,
  batchSize = 32,
): Record<string, number> {
  const n = x.shape[0]!;
  const sums: Record<string, number> = { loss: 0 };
  for (const m of config.metrics) sums[m] = 0;
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    tf.tidy(() => {
      const xb = rows(x, null, from, to);
      const yb = rows(y, null, from, to);
      const pred = model.apply(xb, { training: false }) as tf.Tensor;
      sums['loss']! += computeLoss(config.loss, yb, pred).dataSync()[0]! * (to - from);
      for (const m of config.metrics)
        sums[m]! += computeMetric(m, config.loss, yb, pred) * (to - from);
    });
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(sums)) out[k] = n > 0 ? v / n : NaN;
  return out;
}

/** Predictions for a whole data set, in batches. */
export function predict(model: LayersModel, x: ArrayData, batchSize = 32): ArrayData {
  const n = x.shape[0]!;
  const parts: Float32Array[] = [];
  let shape: number[] = [0];
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    tf.tidy(() => {
      const pred = model.apply(rows(x, null, from, to), { training: false }) as tf.Tensor;
      parts.push(pred.dataSync() as Float32Array);
      shape = pred.shape;
    });
  }
  const total = parts.reduce((p, a) => p + a.length, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return { data, shape: [n, ...shape.slice(1)] };
}

function snapshot(model: LayersModel): tf.Tensor[] {
  return model.getWeights().map((w) => w.clone());
}

/** Trains a model as Keras's fit does; synchronous, seeded, stoppable between batches. */
export function fit(
  model: LayersModel,
  optimizer: tf.Optimizer,
  config: TrainConfig,
  x: ArrayData,
  y: ArrayData,
  options: FitOptions,
  hooks: FitHooks,
): FitResult {
  let train = { x, y };
  let val: { x: ArrayData; y: ArrayData } | null = options.validationData;
  if (!val && options.validationSplit > 0) {
    const s = split(x, y, options.validationSplit);
    train = { x: s.x, y: s.y };
    val = { x: s.vx, y: s.vy };
  }
  const n = train.x.shape[0]!;
  const batches = Math.ceil(n / options.batchSize);
  const history: Record<string, number[]> = {};
  const batchLoss: number[] = [];
  const push = (k: string, v: number) => (history[k] ??= []).push(v);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const es = options.earlyStopping;
  let best = Infinity;
  let bestWeights: tf.Tensor[] | null = null;
  let wait = 0;
  let stopped: StopReason = null;
  let stoppedAt: FitResult['stoppedAt'] = null;
  const index = new Int32Array(n);
  const epochMs: number[] = [];

  epochs: for (let epoch = 0; epoch < options.epochs; epoch++) {
    const epochStarted = performance.now();
    for (let i = 0; i < n; i++) index[i] = i;
    if (options.shuffle) new Rng(derive(options.seed, 0x5eed, epoch)).shuffle(index);
    const sums: Record<string, number> = { loss: 0 };
    for (const m of config.metrics) sums[m] = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      const started = performance.now();
      const from = b * options.batchSize;
      const to = Math.min(n, from + options.batchSize);
      const logs: Record<string, number> = {};
      tf.tidy(() => {
        const xb = rows(train.x, index, from, to);
        const yb = rows(train.y, index, from, to);
        let pred: tf.Tensor | null = null;
        const cost = optimizer.minimize(
          () => {
            const out = model.apply(xb, { training: true }) as tf.Tensor;
            // The metrics need this batch's predictions after minimize() has tidied its scope.
            if (config.metrics.length) pred = tf.keep(out);
            return computeLoss(config.loss, yb, out);
          },
          true,
          vars,
        );
        logs['loss'] = cost!.dataSync()[0]!;
        if (pred) {
          for (const m of config.metrics) logs[m] = computeMetric(m, config.loss, yb, pred);
          (pred as tf.Tensor).dispose();
        }
      });
      batchLoss.push(logs['loss']!);
      if (!Number.isFinite(logs['loss'])) {
        stopped = 'diverged';
        stoppedAt = { epoch, batch: b };
        hooks.onBatch(epoch, b, logs, performance.now() - started);
        break epochs;
      }
      const size = to - from;
      seen += size;
      for (const [k, v] of Object.entries(logs)) sums[k]! += v * size;
      // Keras reports running means over the epoch so far.
      const running: Record<string, number> = {};
      for (const [k, v] of Object.entries(sums)) running[k] = v / seen;
      hooks.onBatch(epoch, b, running, performance.now() - started);
      if (hooks.shouldStop()) {
        stopped = 'user';
        stoppedAt = { epoch, batch: b };
        // A partial epoch is not an epoch of History: Keras records it only when it ends.
        break epochs;
      }
    }
    const endStarted = performance.now();
    const epochLogs: Record<string, number> = {};
    for (const [k, v] of Object.entries(sums)) epochLogs[k] = v / seen;
    if (val && val.x.shape[0]! > 0) {
      for (const [k, v] of Object.entries(
        evaluate(model, config, val.x, val.y, options.batchSize),
      )) {
        epochLogs[`val_${k}`] = v;
      }
    }
    for (const [k, v] of Object.entries(epochLogs)) push(k, v);
    epochMs.push(performance.now() - epochStarted);
    hooks.onEpoch(epoch, epochLogs, performance.now() - endStarted);
    if (es) {
      const value = epochLogs[es.monitor];
      if (value !== undefined) {
        // Accuracy-like monitors improve upwards, losses downwards.
        const sign = /acc/.test(es.monitor) ? -1 : 1;
        const score = sign * value;
        if (score < best - es.minDelta) {
          best = score;
          wait = 0;
          if (es.restoreBestWeights) {
            bestWeights?.forEach((t) => t.dispose());
            bestWeights = snapshot(model);
          }
        } else if (++wait >= es.patience) {
          // Keras stops once `patience` epochs in a row failed to improve.
          stopped = 'early-stopping';
          break;
        }
      }
    }
  }
  if (bestWeights) {
    if (stopped === 'early-stopping') model.setWeights(bestWeights);
    bestWeights.forEach((t) => t.dispose());
  }
  return { history, batchLoss, batchesPerEpoch: batches, stopped, stoppedAt, epochMs };
}
