/**
 * `rnnlab.compare(variants, x, y, validation_data=..., epochs=, batch_size=, seeds=)`: every
 * variant trained once per seed through the ordinary fit path (each run reports its start,
 * progress and result like a fit, so the dashboard records it and the renderer can stream it),
 * the trivial baseline, and the comparison output (COMPARE_MIME) with its statistics and verdict
 * (`stats.ts`), a picture (`svg.ts`) and a text table. The variants' own weights are not touched:
 * each run trains a fresh copy built from the seed, as `keras.models.clone_model` does.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ModelNode } from '../analyzer/graph';
import { formatSpread } from '../analyzer/format';
import { asItems, int, str, type Span, type Value } from '../analyzer/python/values';
import { KernelError } from './args';
import { display } from './display';
import { runFit, type FitArguments } from './fit';
import {
  COMPARE_MIME,
  COMPARE_SCHEMA_VERSION,
  type CompareOutput,
  type CompareRun,
  type CompareVariant,
  type DisplayData,
  type FromWorker,
} from './protocol';
import { derive } from './random';
import { compareVariants, METHOD, spread, type VariantResult } from './stats';
import { compareSvg } from './svg';
import { buildModel } from './tfjs/build';
import {
  computeLoss,
  makeOptimizer,
  type ArrayData,
  type CompiledLoss,
  type TrainConfig,
} from './train';
import { plural } from './outputs';

/** `rnnlab.compare`'s parameters, in positional order. */
export const COMPARE_PARAMS = [
  'variants',
  'x',
  'y',
  'validation_data',
  'epochs',
  'batch_size',
  'seeds',
] as const;

/** Seeds when `seeds=` is not given: enough to see the spread, few enough to wait for. */
export const DEFAULT_SEEDS = 3;

/** The stream of the kernel's randomness a comparison's seed selects (build, shuffles). */
const COMPARE_STREAM = 0xc0a1;

/** One variant to compare: a compiled model under its name in the `variants` dict. */
export interface ComparisonVariant {
  name: string;
  graph: ModelNode;
  config: TrainConfig;
  description: string;
  params: number | null;
}

/** What a comparison trains, read and checked. */
export interface ComparisonSpec {
  variants: ComparisonVariant[];
  x: ArrayData;
  y: ArrayData;
  validation: { x: ArrayData; y: ArrayData };
  epochs: number;
  batchSize: number;
  seeds: number[];
}

/** Who a comparison reports to, and the kernel's seed it derives every run's from. */
export interface ComparisonHost {
  execId: string;
  kernelSeed: number;
  /** A new run id (the session's counter). */
  runId(): string;
  emit(msg: FromWorker): void;
  shouldStop(): boolean;
}

/** Where a comparison was stopped by the user (0-based epoch and batch of the run). */
export interface ComparisonStop {
  variant: string;
  seed: number;
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
}

/** The seeds of `seeds=`: a count n (seeds 0 to n − 1) or a list of distinct whole numbers. */
export function seedList(v: Value | undefined, span: Span): number[] {
  if (v === undefined) return Array.from({ length: DEFAULT_SEEDS }, (_, i) => i);
  const bad = () =>
    new KernelError(
      'cell',
      `seeds must be a count (seeds=5) or a list of distinct whole numbers (seeds=[0, 1, 2]), got ${display(v)}`,
      span,
    );
  if (v.kind === 'int') {
    if (v.value < 1) throw bad();
    return Array.from({ length: v.value }, (_, i) => i);
  }
  const items = asItems(v);
  if (!items || items.length === 0 || !items.every((x) => x.kind === 'int' && x.value >= 0))
    throw bad();
  const seeds = items.map((x) => (x as { value: number }).value);
  if (new Set(seeds).size !== seeds.length) throw bad();
  return seeds;
}

// ---- the trivial baseline ---------------------------------------------------------------------

const CLASSIFICATION = new Set<CompiledLoss['name']>([
  'binary_crossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
]);
const EPSILON = 1e-7;

/**
 * The validation loss of a constant prediction, under the compiled loss: the mean of the training
 * targets (regression), or their class frequencies (classification, whose accuracy is then the
 * majority class's). `classes` is the model's output size (for sparse labels).
 */
export function baseline(
  loss: CompiledLoss,
  yTrain: ArrayData,
  yVal: ArrayData,
  classes: number | null,
): CompareOutput['baseline'] {
  const n = yVal.shape[0]!;
  const classify = CLASSIFICATION.has(loss.name);
  const predicts = classify ? 'the training class frequencies' : "the training targets' mean";
  if (n === 0 || yTrain.shape[0] === 0)
    return { val_loss: null, predicts, ...(classify ? { val_accuracy: null } : {}) };
  let constant: Float32Array;
  let predShape: number[];
  let accuracy: number | null = null;
  if (loss.name === 'sparse_categorical_crossentropy') {
    const k = Math.max(classes ?? 0, 1 + Math.max(...yTrain.data, ...yVal.data));
    constant = new Float32Array(k);
    for (const label of yTrain.data) constant[label]! += 1 / yTrain.data.length;
    const majority = constant.indexOf(Math.max(...constant));
    accuracy = yVal.data.filter((l) => l === majority).length / yVal.data.length;
    const rest = yVal.shape.slice(1);
    predShape = [n, ...(rest.at(-1) === 1 ? rest.slice(0, -1) : rest), k];
  } else {
    // The mean over the training samples, position by position (a one-hot target: frequencies).
    const row = yTrain.data.length / yTrain.shape[0]!;
    constant = new Float32Array(row);
    for (let i = 0; i < yTrain.data.length; i++) constant[i % row]! += yTrain.data[i]!;
    for (let j = 0; j < row; j++) constant[j]! /= yTrain.shape[0]!;
    predShape = yVal.shape;
    if (loss.name === 'binary_crossentropy') {
      const hits = yVal.data.filter((y, i) => y === (constant[i % row]! >= 0.5 ? 1 : 0)).length;
      accuracy = hits / yVal.data.length;
    } else if (loss.name === 'categorical_crossentropy') {
      const k = yVal.shape.at(-1)!;
      const argmax = (a: ArrayLike<number>, from: number) => {
        let best = from;
        for (let c = from; c < from + k; c++) if (a[c]! > a[best]!) best = c;
        return best - from;
      };
      let hits = 0;
      for (let i = 0; i < yVal.data.length; i += k)
        if (argmax(yVal.data, i) === argmax(constant, i % row)) hits++;
      accuracy = hits / (yVal.data.length / k);
    }
  }
  if (loss.fromLogits && loss.name === 'binary_crossentropy')
    constant = constant.map((p) => {
      const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
      return Math.log(q / (1 - q));
    });
  else if (loss.fromLogits) constant = constant.map((p) => Math.log(Math.max(EPSILON, p)));
  const size = predShape.reduce((a, d) => a * d, 1);
  const pred = new Float32Array(size);
  for (let i = 0; i < size; i++) pred[i] = constant[i % constant.length]!;
  const value = tf.tidy(
    () =>
      computeLoss(
        loss,
        tf.tensor(yVal.data, yVal.shape),
        tf.tensor(pred, predShape),
      ).dataSync()[0]!,
  );
  return {
    val_loss: Number.isFinite(value) ? value : null,
    predicts,
    ...(classify ? { val_accuracy: accuracy } : {}),
  };
}

// ---- initial weights --------------------------------------------------------------------------

/** What makes two models' initial weights interchangeable: their trainable weight shapes, in order. */
const signature = (m: LayersModel) => JSON.stringify(m.trainableWeights.map((w) => w.shape));

/**
 * Gives every model the trainable weights of the first one with the same signature, so that the
 * variants of one seed start from the same point wherever their shapes allow it.
 */
export function shareInitialWeights(models: readonly LayersModel[]): void {
  const first = new Map<string, LayersModel>();
  for (const m of models) {
    const key = signature(m);
    const from = first.get(key);
    if (!from) {
      first.set(key, m);
      continue;
    }
    m.trainableWeights.forEach((w, i) => w.write(from.trainableWeights[i]!.read()));
  }
}

// ---- running ----------------------------------------------------------------------------------

/** A run of the comparison that ended (done or diverged), by variant index. */
interface Finished {
  variant: number;
  run: CompareRun;
}

/** Trains every variant for every seed; emits the comparison output as it goes and at the end. */
export function runComparison(
  spec: ComparisonSpec,
  host: ComparisonHost,
): { output: CompareOutput; stop: ComparisonStop | null } {
  const plan = spec.seeds.flatMap((seed) =>
    spec.variants.map((v) => ({ variant: v.name, seed, run_id: host.runId() })),
  );
  const first = spec.variants[0]!;
  const classes = first.graph.outputs[0]?.shape?.at(-1) ?? null;
  const base = baseline(first.config.loss, spec.y, spec.validation.y, classes);
  const finished: Finished[] = [];
  let stop: ComparisonStop | null = null;
  const output = (status: CompareOutput['status']) =>
    comparisonOutput(spec, plan, base, finished, status, stop);
  host.emit(compareDisplay(host.execId, output('running')));
  const fitArgs: FitArguments = {
    x: spec.x,
    y: spec.y,
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    validationSplit: 0,
    validationData: spec.validation,
    earlyStopping: null,
    shuffle: true,
  };
  let k = 0;
  seeds: for (const seed of spec.seeds) {
    const runSeed = derive(host.kernelSeed, COMPARE_STREAM, seed);
    // All variants of a seed are built before any trains: a variant that cannot be built fails
    // the cell before the first run, and the shapes decide which share initial weights.
    const models = spec.variants.map((v) => buildModel(v.graph, derive(runSeed, 1)));
    try {
      shareInitialWeights(models);
      for (const [i, v] of spec.variants.entries()) {
        const model = models[i]!;
        const optimizer = makeOptimizer(v.config.optimizer.name, v.config.optimizer.learningRate);
        const runId = plan[k++]!.run_id;
        try {
          const result = runFit(model, optimizer, v.config, fitArgs, {
            execId: host.execId,
            runId,
            model: `${v.name} (seed ${seed})`,
            description: v.description,
            params: v.params,
            kernelSeed: host.kernelSeed,
            seed: derive(runSeed, 2),
            emit: (msg) => host.emit(msg),
            shouldStop: () => host.shouldStop(),
          });
          if (result.stopped === 'user') {
            const at = result.stoppedAt!;
            stop = {
              variant: v.name,
              seed,
              epoch: at.epoch,
              batch: at.batch,
              batchesPerEpoch: result.batchesPerEpoch,
            };
            break seeds;
          }
          finished.push({
            variant: i,
            run: {
              seed,
              run_id: runId,
              status: result.stopped === 'diverged' ? 'diverged' : 'done',
              history: result.history,
              epoch_ms: result.epochMs.map((ms) => Math.round(ms * 10) / 10),
            },
          });
          if (finished.length < plan.length)
            host.emit(compareDisplay(host.execId, output('running')));
        } finally {
          optimizer.dispose();
        }
      }
    } finally {
      for (const m of models) m.dispose();
    }
  }
  const final = output(stop ? 'interrupted' : 'done');
  host.emit(compareDisplay(host.execId, final));
  return { output: final, stop };
}

// ---- the output -------------------------------------------------------------------------------

const lastOf = (xs: readonly number[] | undefined) => xs?.at(-1) ?? NaN;
const minOf = (xs: readonly number[] | undefined) =>
  xs && xs.length ? Math.min(...xs.map((v) => (Number.isFinite(v) ? v : Infinity))) : NaN;

/** The median of a list (NaN for none). */
function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A run's best validation loss: the lowest val_loss of its epochs (NaN when it diverged). */
export function bestValLoss(run: CompareRun): number {
  if (run.status !== 'done') return NaN;
  const best = minOf(run.history['val_loss']);
  return Number.isFinite(best) ? best : NaN;
}

/** The comparison output of the runs finished so far; statistics and verdict once it ended. */
export function comparisonOutput(
  spec: ComparisonSpec,
  plan: CompareOutput['plan'],
  base: CompareOutput['baseline'],
  finished: readonly Finished[],
  status: CompareOutput['status'],
  stop: ComparisonStop | null,
): CompareOutput {
  const variants: CompareVariant[] = spec.variants.map((v, i) => {
    const runs = finished.filter((f) => f.variant === i).map((f) => f.run);
    const done = runs.filter((r) => r.status === 'done');
    return {
      name: v.name,
      model: v.graph.name,
      description: v.description,
      params: v.params,
      runs,
      best_val_loss: spread(done.map(bestValLoss)),
      final_val_loss: spread(done.map((r) => lastOf(r.history['val_loss']))),
      gap: spread(done.map((r) => lastOf(r.history['val_loss']) - lastOf(r.history['loss']))),
      // The median epoch of each run: the first epochs include TensorFlow.js's warm-up.
      epoch_ms: spread(done.map((r) => median(r.epoch_ms))),
    };
  });
  let comparisons: CompareOutput['comparisons'] = [];
  let verdict = '';
  let best: string | null = null;
  if (status !== 'running') {
    const results: VariantResult[] = variants.map((v) => ({
      name: v.name,
      bySeed: new Map(v.runs.map((r) => [r.seed, bestValLoss(r)])),
    }));
    const c = compareVariants(results, base);
    comparisons = c.pairs;
    best = c.best;
    const diverged = finished.filter((f) => f.run.status === 'diverged');
    const notes: string[] = [];
    if (stop)
      notes.push(
        `Interrupted during \`${stop.variant}\` seed ${stop.seed}: ${plural(finished.length, 'run')} of ${plan.length} finished, and the verdict is on those.`,
      );
    if (diverged.length)
      notes.push(
        `${plural(diverged.length, 'run')} diverged (${diverged.map((f) => `\`${spec.variants[f.variant]!.name}\` seed ${f.run.seed}`).join(', ')}) and ${diverged.length === 1 ? 'is' : 'are'} left out.`,
      );
    verdict = [...notes, c.verdict].join(' ');
  }
  return {
    version: COMPARE_SCHEMA_VERSION,
    status,
    seeds: spec.seeds,
    epochs: spec.epochs,
    batch_size: spec.batchSize,
    loss: spec.variants[0]!.config.loss.name,
    baseline: base,
    variants,
    plan,
    comparisons,
    best,
    verdict,
    method: METHOD,
    stopped: stop
      ? `stopped by the user during ${stop.variant} seed ${stop.seed}, epoch ${stop.epoch + 1}/${spec.epochs}, batch ${stop.batch + 1}/${stop.batchesPerEpoch}`
      : null,
  };
}

/** The comparison as a text table (the terminal's, and the notebook's plain-text view). */
export function compareText(o: CompareOutput): string {
  const head = [
    'variant',
    'params',
    'best val_loss',
    'final val_loss',
    'gap (val − train)',
    'time/epoch',
    'runs',
  ];
  const rows = o.variants.map((v) => [
    v.name,
    v.params === null ? '?' : v.params.toLocaleString('en-US'),
    formatSpread(v.best_val_loss),
    formatSpread(v.final_val_loss),
    formatSpread(v.gap),
    formatSpread(v.epoch_ms, 'ms'),
    `${v.runs.length}/${o.seeds.length}`,
  ]);
  const b = o.baseline;
  rows.push([
    'baseline',
    '–',
    b.val_loss === null ? '–' : Number(b.val_loss.toPrecision(4)).toString(),
    '',
    '',
    '',
    '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const title =
    o.status === 'running'
      ? `Comparing ${plural(o.variants.length, 'variant')} × ${plural(o.seeds.length, 'seed')} × ${plural(o.epochs, 'epoch')}: ${plural(
          o.variants.reduce((n, v) => n + v.runs.length, 0),
          'run',
        )} of ${o.plan.length} finished`
      : `Comparison of ${plural(o.variants.length, 'variant')} × ${plural(o.seeds.length, 'seed')} (${o.seeds.join(', ')}) × ${plural(o.epochs, 'epoch')}, loss ${o.loss}${o.status === 'interrupted' ? ' (interrupted)' : ''}${o.status === 'lost' ? ' (ended without its results)' : ''}`;
  const out = [title, line(head), ...rows.map(line)];
  out.push(
    `baseline: the validation loss of predicting ${b.predicts}${b.val_accuracy != null ? ` (val_accuracy ${Number(b.val_accuracy.toPrecision(3))})` : ''}`,
  );
  if (o.verdict) out.push('', o.verdict);
  return out.join('\n');
}

/** The comparison as a display output: the JSON, its picture and the text table. */
export function compareDisplay(execId: string, o: CompareOutput): DisplayData {
  return {
    type: 'display',
    execId,
    data: { [COMPARE_MIME]: o, 'image/svg+xml': compareSvg(o), 'text/plain': compareText(o) },
  };
}

/**
 * What `rnnlab.compare(...)` returns: per variant, the seeds of its finished runs and each one's
 * best and final val_loss (nan for a run that diverged).
 */
export function compareValue(o: CompareOutput): Value {
  const floats = (xs: number[]): Value => ({
    kind: 'list',
    items: xs.map((value) => ({ kind: 'float', value })),
  });
  return {
    kind: 'dict',
    entries: o.variants.map((v) => [
      str(v.name),
      {
        kind: 'dict',
        entries: [
          [str('seeds'), { kind: 'list', items: v.runs.map((r) => int(r.seed)) }],
          [str('best_val_loss'), floats(v.runs.map(bestValLoss))],
          [str('final_val_loss'), floats(v.runs.map((r) => lastOf(r.history['val_loss'])))],
        ],
      },
    ]),
  };
}
