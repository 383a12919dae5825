/**
 * `model.fit(...)` in the playground: binding its arguments (the data checked against the model),
 * the training loop, and progress reporting (batch values coalesced into messages, then the
 * finished run as a display output). Compiling stays with the session, which owns the built
 * models and their optimizers.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { activationName, outputLayer, type Arg, type ModelNode } from '../analyzer/graph';
import { asItems, type Span } from '../analyzer/python/values';
import { downsample } from '../analyzer/downsample';
import { repr } from '../analyzer/format';
import { asArray, checkData, KernelError, numberArg } from './args';
import { display } from './display';
import {
  RUN_MIME,
  RUN_SCHEMA_VERSION,
  SAVED_BATCH_POINTS,
  type BatchPoint,
  type DisplayData,
  type FromWorker,
  type Progress,
  type RunOutput,
} from './protocol';
import { plural } from './outputs';
import { runSvg } from './svg';
import { fit, type ArrayData, type EarlyStopping, type FitResult, type TrainConfig } from './train';

/** Most messages per second the host receives during fit (progress is coalesced to this). */
export const PROGRESS_INTERVAL_MS = 50;

/** `Model.fit`'s parameters the playground accepts, in Keras's positional order. */
export const FIT_PARAMS = [
  'x',
  'y',
  'batch_size',
  'epochs',
  'verbose',
  'callbacks',
  'validation_split',
  'validation_data',
  'shuffle',
] as const;

/** What a fit call asks for, read and checked. */
export interface FitArguments {
  x: ArrayData;
  y: ArrayData;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  validationData: { x: ArrayData; y: ArrayData } | null;
  earlyStopping: EarlyStopping | null;
  shuffle: boolean;
}

/** Reads fit's bound arguments (epochs capped at `maxEpochs`); a KernelError names a bad one. */
export function fitArguments(
  model: ModelNode,
  args: Map<string, Arg>,
  span: Span,
  maxEpochs: number | undefined,
): FitArguments {
  const x = asArray(args.get('x')?.value, 'x', span);
  const y = asArray(args.get('y')?.value, 'y', span);
  checkData(model, x, y, span);
  let epochs = numberArg(
    args,
    'epochs',
    1,
    (n) => Number.isInteger(n) && n >= 1,
    'a whole number >= 1',
  );
  if (maxEpochs !== undefined) epochs = Math.min(epochs, maxEpochs);
  const batchSize = numberArg(
    args,
    'batch_size',
    32,
    (n) => Number.isInteger(n) && n >= 1,
    'a whole number >= 1',
  );
  const validationSplit = numberArg(
    args,
    'validation_split',
    0,
    (n) => n >= 0 && n < 1,
    'a fraction in [0, 1)',
  );
  let validationData: { x: ArrayData; y: ArrayData } | null = null;
  const vd = args.get('validation_data');
  if (vd && vd.value.kind !== 'none') {
    const items = asItems(vd.value);
    if (!items || items.length !== 2)
      throw new KernelError('cell', 'validation_data must be a pair (x_val, y_val)', vd.span);
    validationData = {
      x: asArray(items[0], 'validation_data[0]', vd.span),
      y: asArray(items[1], 'validation_data[1]', vd.span),
    };
    checkData(model, validationData.x, validationData.y, vd.span);
  }
  let earlyStopping: EarlyStopping | null = null;
  const cb = args.get('callbacks');
  for (const c of cb ? (asItems(cb.value) ?? []) : []) {
    if (c.kind === 'host' && c.tag === 'early_stopping') earlyStopping = c.payload as EarlyStopping;
    else
      throw new KernelError(
        'cell',
        `callback ${display(c)} is not available: the playground supports keras.callbacks.EarlyStopping`,
        cb!.span,
      );
  }
  const shuffleArg = args.get('shuffle');
  const shuffle = shuffleArg
    ? shuffleArg.value.kind !== 'bool' || (shuffleArg.value as { value: boolean }).value
    : true;
  return { x, y, epochs, batchSize, validationSplit, validationData, earlyStopping, shuffle };
}

/** Batches after the first one that are measured before an ETA is shown. */
export const ETA_MIN_BATCHES = 3;
/** How many of the most recent batches the ETA averages. */
export const ETA_WINDOW = 20;

/** What the ETA is estimated from. */
export interface EtaInput {
  /**
   * Durations of the batches so far, oldest first; the estimate reads the last ETA_WINDOW after
   * the first, so a caller may drop the ones in between.
   */
  batchMs: readonly number[];
  remainingBatches: number;
  /** Duration of the last epoch's end (its validation), once one was measured. */
  epochEndMs?: number | null;
  /** Epoch ends still to come, the current epoch's included. */
  remainingEpochEnds?: number;
}

/**
 * Milliseconds left of a fit, from measured batches: the first batch never counts (it includes
 * TensorFlow.js's warm-up, several times a normal batch), the others by the mean of the most
 * recent ETA_WINDOW; null until ETA_MIN_BATCHES of them are measured. Epoch ends (validation) add
 * the last measured one each.
 */
export function estimateEtaMs(input: EtaInput): number | null {
  const measured = input.batchMs.slice(1);
  if (measured.length < ETA_MIN_BATCHES) return null;
  const recent = measured.slice(-ETA_WINDOW);
  const perBatch = recent.reduce((sum, ms) => sum + ms, 0) / recent.length;
  return (
    perBatch * input.remainingBatches + (input.epochEndMs ?? 0) * (input.remainingEpochEnds ?? 0)
  );
}

/**
 * Turns per-batch and per-epoch values into Progress messages, at most one per
 * PROGRESS_INTERVAL_MS; every batch value still arrives, in order.
 */
export class ProgressReporter {
  private batches: BatchPoint[] = [];
  private epochEnds: Progress['epochEnds'] = [];
  private lastFlush = performance.now();
  private lastBatchMs = 0;
  private done = 0;
  /** The first batch's duration and those of the last ETA_WINDOW batches, for the ETA. */
  private readonly batchMs: number[] = [];
  private epochEndMs: number | null = null;
  private epochsEnded = 0;

  constructor(
    private readonly emit: (msg: FromWorker) => void,
    private readonly run: Pick<Progress, 'execId' | 'runId' | 'epochs' | 'batchesPerEpoch'>,
  ) {}

  /** A finished batch and its running logs. */
  batch(epoch: number, batch: number, logs: Record<string, number>, ms: number): void {
    this.done++;
    this.lastBatchMs = ms;
    this.batchMs.push(ms);
    if (this.batchMs.length > ETA_WINDOW + 1) this.batchMs.splice(1, 1);
    this.batches.push({ epoch, batch, logs });
    this.flushIfDue();
  }

  /** A finished epoch, its logs (validation included) and how long its end (validation) took. */
  epoch(epoch: number, logs: Record<string, number>, endMs: number): void {
    this.epochsEnded++;
    this.epochEndMs = endMs;
    this.epochEnds.push({ epoch, logs });
    this.flushIfDue();
  }

  private flushIfDue(): void {
    if (performance.now() - this.lastFlush >= PROGRESS_INTERVAL_MS) this.flush();
  }

  /** Sends what is held back, if anything. */
  flush(): void {
    if (this.batches.length === 0 && this.epochEnds.length === 0) return;
    this.emit({
      type: 'progress',
      ...this.run,
      batches: this.batches,
      epochEnds: this.epochEnds,
      etaMs: estimateEtaMs({
        batchMs: this.batchMs,
        remainingBatches: Math.max(0, this.run.epochs * this.run.batchesPerEpoch - this.done),
        epochEndMs: this.epochEndMs,
        remainingEpochEnds: Math.max(0, this.run.epochs - this.epochsEnded),
      }),
      lastBatchMs: this.lastBatchMs,
    });
    this.batches = [];
    this.epochEnds = [];
    this.lastFlush = performance.now();
  }
}

/** Who a fit reports to, and the names and seeds it runs under. */
export interface FitRun {
  execId: string;
  runId: string;
  model: string;
  /** The one-line description of the model (describeModel). */
  description: string;
  params: number | null;
  /** The kernel's seed, saved with the run. */
  kernelSeed: number;
  /** The seed of this fit's shuffles and dropout masks. */
  seed: number;
  emit(msg: FromWorker): void;
  shouldStop(): boolean;
}

/** Trains a compiled model once: announces the run, reports its progress, then shows its result. */
export function runFit(
  model: LayersModel,
  optimizer: tf.Optimizer,
  config: TrainConfig,
  a: FitArguments,
  run: FitRun,
): FitResult {
  const trainSamples =
    a.validationData || a.validationSplit === 0
      ? a.x.shape[0]!
      : Math.floor(a.x.shape[0]! * (1 - a.validationSplit));
  const batchesPerEpoch = Math.ceil(trainSamples / a.batchSize);
  const runConfig = {
    epochs: a.epochs,
    batch_size: a.batchSize,
    validation_split: a.validationSplit,
    optimizer: config.optimizer,
    loss: config.loss,
    metrics: config.metrics,
    shuffle: a.shuffle,
  };
  run.emit({
    type: 'runStart',
    execId: run.execId,
    runId: run.runId,
    model: run.model,
    description: run.description,
    params: run.params,
    epochs: a.epochs,
    batchesPerEpoch,
    samples: trainSamples,
    validationSamples: a.validationData
      ? a.validationData.x.shape[0]!
      : a.x.shape[0]! - trainSamples,
    config: runConfig,
  });
  const progress = new ProgressReporter(run.emit, {
    execId: run.execId,
    runId: run.runId,
    epochs: a.epochs,
    batchesPerEpoch,
  });
  // Every per-batch value, for the renderer's per-batch curves of each metric.
  const batchLogs: Record<string, number[]> = {};
  const result = fit(
    model,
    optimizer,
    config,
    a.x,
    a.y,
    {
      epochs: a.epochs,
      batchSize: a.batchSize,
      validationSplit: a.validationSplit,
      validationData: a.validationData,
      shuffle: a.shuffle,
      earlyStopping: a.earlyStopping,
      seed: run.seed,
    },
    {
      onBatch: (epoch, batch, logs, ms) => {
        for (const [k, v] of Object.entries(logs)) (batchLogs[k] ??= []).push(v);
        progress.batch(epoch, batch, logs, ms);
      },
      onEpoch: (epoch, logs, endMs) => progress.epoch(epoch, logs, endMs),
      shouldStop: () => run.shouldStop(),
    },
  );
  progress.flush();
  run.emit(runDisplay(run, a.epochs, runConfig, result, batchLogs));
  return result;
}

/**
 * One per-batch series as saved: as it is up to `bound` values, else min/max-downsampled to at
 * most `bound` (spikes, the first and the last batch kept) with the batch number of each value.
 */
export function boundSeries(
  values: number[],
  bound = SAVED_BATCH_POINTS,
): { values: number[]; steps?: number[] } {
  if (values.length <= bound) return { values };
  const steps = Array.from({ length: values.length }, (_, i) => i);
  // downsample keeps two points a bucket and both ends: 2 * buckets + 2 ≤ bound.
  const out = downsample(steps, values, Math.floor((bound - 2) / 2));
  return { values: out.ys, steps: out.xs };
}

/** The saved per-batch fields of a run: every series bounded (boundSeries). */
export function boundedBatches(
  batchLoss: number[],
  batchLogs: Record<string, number[]>,
  bound = SAVED_BATCH_POINTS,
): Pick<RunOutput, 'batchLoss' | 'batchLogs' | 'batchSteps'> {
  const logs: Record<string, number[]> = {};
  const steps: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(batchLogs)) {
    const b = boundSeries(v, bound);
    logs[k] = b.values;
    if (b.steps) steps[k] = b.steps;
  }
  const loss = boundSeries(batchLoss, bound);
  if (loss.steps) steps['loss'] ??= loss.steps;
  return {
    batchLoss: loss.values,
    batchLogs: logs,
    ...(Object.keys(steps).length ? { batchSteps: steps } : {}),
  };
}

/** The finished run as a display output: the run JSON, its picture and a line of text. */
function runDisplay(
  run: FitRun,
  epochs: number,
  config: Record<string, unknown>,
  result: FitResult,
  batchLogs: Record<string, number[]>,
): DisplayData {
  const output: RunOutput = {
    version: RUN_SCHEMA_VERSION,
    runId: run.runId,
    model: run.model,
    description: run.description,
    params: run.params,
    history: result.history,
    ...boundedBatches(result.batchLoss, batchLogs),
    status: 'done',
    batchesPerEpoch: result.batchesPerEpoch,
    epochs,
    stopped: result.stopped,
    config,
    seed: run.kernelSeed,
    epochMs: result.epochMs.map((ms) => Math.round(ms * 10) / 10),
  };
  const last = Object.entries(result.history)
    .map(([k, v]) => `${k} ${v.at(-1)?.toPrecision(4)}`)
    .join(', ');
  return {
    type: 'display',
    execId: run.execId,
    data: {
      [RUN_MIME]: output,
      'image/svg+xml': runSvg(output),
      'text/plain': `${run.model}: ${plural(result.history['loss']?.length ?? 0, 'epoch')}${last ? `: ${last}` : ''}${result.stopped ? ` (stopped: ${result.stopped})` : ''}`,
    },
  };
}

/** The config keys a model description names, after the units (the dropout settings). */
const DESCRIBED = ['rate', 'dropout', 'recurrent_dropout'];

/**
 * A model in one line, for the chart's header: each layer with its size and dropout settings,
 * `GRU(32, dropout=0.2) → Dropout(0.2) → Dense(1)` (input layers left out).
 */
export function describeModel(model: ModelNode): string {
  const layer = (l: ModelNode['layers'][number]): string => {
    if (l.inner) return `${l.type}(${layer(l.inner)})`;
    const args: string[] = [];
    const units = l.config['units'] ?? l.config['filters'];
    if (units) args.push(repr(units));
    for (const key of DESCRIBED) {
      const v = l.config[key];
      if (!v || (v.kind !== 'int' && v.kind !== 'float') || v.value === 0) continue;
      args.push(key === 'rate' ? repr(v) : `${key}=${repr(v)}`);
    }
    return `${l.type}(${args.join(', ')})`;
  };
  return model.layers
    .filter((l) => l.type !== 'InputLayer')
    .map(layer)
    .join(' → ');
}

/** The most likely reason a run diverged: a loss that does not fit the output, or the rate. */
export function likelyCause(model: ModelNode, config: TrainConfig): string {
  const out = outputLayer(model);
  const dense = out?.type === 'TimeDistributed' ? out.inner : out;
  const activation = dense ? activationName(dense.config['activation']) : null;
  const probabilities = config.loss.name.includes('crossentropy') && !config.loss.fromLogits;
  if (probabilities && activation && activation !== 'softmax' && activation !== 'sigmoid') {
    return `Likely cause: ${config.loss.name} expects probabilities, but ${dense!.name} has activation '${activation}' (use softmax/sigmoid, or from_logits=True).`;
  }
  const lr = config.optimizer.learningRate;
  if (lr > 0.01)
    return `Likely cause: the learning rate ${lr} is high for ${config.optimizer.name}; try 1e-3.`;
  return 'Likely causes: inputs with NaN or very large values, or a learning rate that is too high.';
}
