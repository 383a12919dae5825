/**
 * A training run as the chart sees it: read from a saved run output (any schema version) or
 * grown from live progress messages, and turned into the aligned columns a uPlot chart draws.
 */
import type { RunOutput } from '../kernels/protocol';
import { downsample } from '../analyzer/downsample';
import type { RunProgress } from './protocol';
import { smooth } from './smoothing';

export interface Run {
  runId: string;
  model: string;
  description: string;
  params: number | null;
  config: Record<string, unknown>;
  epochs: number;
  batchesPerEpoch: number;
  /** running: live progress follows; done: the saved series; lost: the fit ended unreported. */
  status: 'running' | 'done' | 'lost';
  stopped: RunOutput['stopped'];
  /** Metric name → one value per batch of the run, in order (NaN where none was reported). */
  batch: Record<string, number[]>;
  /**
   * Metric name → the 0-based batch number of each value of `batch`, for a saved series that
   * was downsampled (schema version 3); absent: value i is batch i.
   */
  steps: Record<string, number[]>;
  /** Metric name (val_* included) → one value per finished epoch. */
  epoch: Record<string, number[]>;
  /** Where a running fit is: the last batch reported (0-based), and the time left. */
  at: { epoch: number; batch: number } | null;
  etaMs: number | null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Numbers of a saved list (JSON writes NaN and infinities as null). */
const numbers = (v: unknown): number[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x : NaN)) : [];

function numberLists(v: unknown): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  if (isObject(v)) for (const [k, list] of Object.entries(v)) out[k] = numbers(list);
  return out;
}

/** A saved run output (version 1 or 2) as a Run; a string says why it cannot be read. */
export function readRun(output: unknown): Run | string {
  if (!isObject(output)) return 'the run output is not an object';
  const version = output['version'];
  if (typeof version !== 'number' || version < 1) return 'the run output has no schema version';
  if (typeof output['runId'] !== 'string' || typeof output['model'] !== 'string')
    return 'the run output has no run id or model name';
  const batch = numberLists(output['batchLogs']);
  // Version 1 saved the per-batch loss only.
  if (!batch['loss'] && Array.isArray(output['batchLoss']))
    batch['loss'] = numbers(output['batchLoss']);
  const steps: Record<string, number[]> = {};
  for (const [k, list] of Object.entries(numberLists(output['batchSteps'])))
    if (batch[k] && list.length === batch[k].length) steps[k] = list;
  const status = output['status'];
  const stopped = output['stopped'];
  return {
    runId: output['runId'],
    model: output['model'],
    description: typeof output['description'] === 'string' ? output['description'] : '',
    params: typeof output['params'] === 'number' ? output['params'] : null,
    config: isObject(output['config']) ? output['config'] : {},
    epochs: typeof output['epochs'] === 'number' ? output['epochs'] : 0,
    batchesPerEpoch:
      typeof output['batchesPerEpoch'] === 'number' && output['batchesPerEpoch'] > 0
        ? output['batchesPerEpoch']
        : 1,
    status: status === 'running' || status === 'lost' ? status : 'done',
    stopped:
      stopped === 'early-stopping' || stopped === 'user' || stopped === 'diverged' ? stopped : null,
    batch,
    steps,
    epoch: numberLists(output['history']),
    at: null,
    etaMs: null,
  };
}

/** Folds live progress into a running Run (a reset starts its series again). */
export function applyProgress(run: Run, p: RunProgress): void {
  if (p.reset) {
    run.batch = {};
    run.steps = {};
    run.epoch = {};
  }
  run.epochs = p.epochs;
  run.batchesPerEpoch = Math.max(1, p.batchesPerEpoch);
  for (const b of p.batches) {
    const step = b.epoch * run.batchesPerEpoch + b.batch;
    for (const [k, v] of Object.entries(b.logs)) {
      const list = (run.batch[k] ??= []);
      while (list.length < step) list.push(NaN);
      list[step] = typeof v === 'number' ? v : NaN;
    }
    run.at = { epoch: b.epoch, batch: b.batch };
  }
  for (const e of p.epochEnds) {
    for (const [k, v] of Object.entries(e.logs)) {
      const list = (run.epoch[k] ??= []);
      while (list.length < e.epoch) list.push(NaN);
      list[e.epoch] = typeof v === 'number' ? v : NaN;
    }
  }
  run.etaMs = p.etaMs;
}

/** The metrics a run has, each charted on its own: loss first, then in the order compiled. */
export function metricNames(run: Run): string[] {
  const names = new Set<string>();
  for (const k of [...Object.keys(run.batch), ...Object.keys(run.epoch)])
    names.add(k.startsWith('val_') ? k.slice(4) : k);
  return [...names].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
}

/** What one drawn series is: the faint raw per-batch line, its smoothed line, the epoch values. */
export type SeriesKind = 'raw' | 'smoothed' | 'epoch' | 'val';

export interface SeriesSpec {
  kind: SeriesKind;
  label: string;
}

export interface ChartData {
  series: SeriesSpec[];
  /** Aligned columns: x (in epochs: batch i of the run at (i + 1) / batchesPerEpoch), then y. */
  columns: Array<Array<number | null>>;
}

export interface ChartOptions {
  /** TensorBoard's smoothing weight, 0 (none) to 0.99. */
  smoothing: number;
  /** About the plot's width in pixels: the per-batch series keep two points per pixel at most. */
  buckets: number;
  /** Values ≤ 0 cannot be drawn on a log scale: they become gaps. */
  log: boolean;
}

/** The columns of one metric's chart. */
export function chartData(run: Run, metric: string, o: ChartOptions): ChartData {
  const bpe = run.batchesPerEpoch;
  const valid = (v: number) => Number.isFinite(v) && (!o.log || v > 0);
  const tables: Array<{ spec: SeriesSpec; xs: number[]; ys: number[] }> = [];
  const perBatch = run.batch[metric];
  if (perBatch && perBatch.length) {
    const steps = run.steps[metric];
    const xs = perBatch.map((_, i) => ((steps ? steps[i]! : i) + 1) / bpe);
    const raw = perBatch.map((v) => (valid(v) ? v : NaN));
    const r = downsample(xs, raw, o.buckets);
    tables.push({ spec: { kind: 'raw', label: `${metric} (batch)` }, ...r });
    if (o.smoothing > 0) {
      const s = downsample(xs, smooth(raw, o.smoothing), o.buckets);
      tables.push({ spec: { kind: 'smoothed', label: `${metric} (batch, smoothed)` }, ...s });
    }
  }
  for (const [key, kind] of [
    [metric, 'epoch'],
    [`val_${metric}`, 'val'],
  ] as const) {
    const values = run.epoch[key];
    if (!values || !values.length) continue;
    tables.push({
      spec: { kind, label: `${key} (epoch)` },
      xs: values.map((_, e) => e + 1),
      ys: values.map((v) => (valid(v) ? v : NaN)),
    });
  }
  return { series: tables.map((t) => t.spec), columns: align(tables) };
}

/** Joins series with their own x values into aligned columns: the union of x, null elsewhere. */
export function align(tables: ReadonlyArray<Points>): Array<Array<number | null>> {
  const xs = [...new Set(tables.flatMap((t) => t.xs))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns: Array<Array<number | null>> = [xs];
  for (const t of tables) {
    const col = new Array<number | null>(xs.length).fill(null);
    t.xs.forEach((x, i) => {
      const y = t.ys[i]!;
      col[index.get(x)!] = Number.isFinite(y) ? y : null;
    });
    columns.push(col);
  }
  return columns;
}

interface Points {
  xs: number[];
  ys: number[];
}

/** The finished epochs of a run: the longest epoch series. */
export function epochsDone(run: Run): number {
  return Math.max(0, ...Object.values(run.epoch).map((v) => v.length));
}
