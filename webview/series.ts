/**
 * A training run as the chart sees it: read from a saved run output (any schema version) or
 * grown from live progress messages, and turned into the aligned columns a uPlot chart draws.
 */
import type { RunOutput } from '../kernels/protocol';
import { Downsampler, downsampleFixed, type Points } from '../analyzer/downsample';
import { formatMs } from '../analyzer/format';
import type { RunProgress } from './protocol';
import { smooth, Smoother } from './smoothing';

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
  /** Wall time of each finished epoch in ms (schema version 4; empty before, and while live). */
  epochMs: number[];
  /** Where a running fit is: the last batch reported (0-based), and the time left. */
  at: { epoch: number; batch: number } | null;
  etaMs: number | null;
  /** How many per-batch values live progress overwrote in place (derived series start again). */
  edits?: number;
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

/** A saved run output (any version from 1) as a Run; a string says why it cannot be read. */
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
    epochMs: numbers(output['epochMs']),
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
    run.epochMs = [];
  }
  run.epochs = p.epochs;
  run.batchesPerEpoch = Math.max(1, p.batchesPerEpoch);
  for (const b of p.batches) {
    const step = b.epoch * run.batchesPerEpoch + b.batch;
    for (const [k, v] of Object.entries(b.logs)) {
      const list = (run.batch[k] ??= []);
      if (step < list.length) run.edits = (run.edits ?? 0) + 1;
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

type Table = Points & { spec: SeriesSpec };

const valid = (v: number, o: ChartOptions) => Number.isFinite(v) && (!o.log || v > 0);
const rawSpec = (metric: string): SeriesSpec => ({ kind: 'raw', label: `${metric} (batch)` });
const smoothedSpec = (metric: string): SeriesSpec => ({
  kind: 'smoothed',
  label: `${metric} (batch, smoothed)`,
});

/** The per-epoch and validation values of a metric, at x = epoch + 1. */
function epochTables(run: Run, metric: string, o: ChartOptions): Table[] {
  const tables: Table[] = [];
  for (const [key, kind] of [
    [metric, 'epoch'],
    [`val_${metric}`, 'val'],
  ] as const) {
    const values = run.epoch[key];
    if (!values || !values.length) continue;
    tables.push({
      spec: { kind, label: `${key} (epoch)` },
      xs: values.map((_, e) => e + 1),
      ys: values.map((v) => (valid(v, o) ? v : NaN)),
    });
  }
  return tables;
}

const chart = (tables: Table[]): ChartData => ({
  series: tables.map((t) => t.spec),
  columns: align(tables),
});

/** The columns of one metric's chart, computed from all of its points. */
export function chartData(run: Run, metric: string, o: ChartOptions): ChartData {
  const tables: Table[] = [];
  const perBatch = run.batch[metric];
  if (perBatch && perBatch.length) {
    const steps = run.steps[metric];
    const bpe = run.batchesPerEpoch;
    const xs = perBatch.map((_, i) => ((steps ? steps[i]! : i) + 1) / bpe);
    const raw = perBatch.map((v) => (valid(v, o) ? v : NaN));
    tables.push({ spec: rawSpec(metric), ...downsampleFixed(xs, raw, o.buckets) });
    if (o.smoothing > 0)
      tables.push({
        spec: smoothedSpec(metric),
        ...downsampleFixed(xs, smooth(raw, o.smoothing), o.buckets),
      });
  }
  return chart([...tables, ...epochTables(run, metric, o)]);
}

/** What `LiveChartData` keeps of one metric's per-batch series between frames. */
interface BatchState {
  list: number[];
  steps: number[] | undefined;
  key: string;
  edits: number;
  /** How many values of `list` went in. */
  taken: number;
  raw: Downsampler;
  smoother: Smoother | null;
  smoothed: Downsampler | null;
  restarts: number;
}

/**
 * `chartData` for a run that grows: per metric, the smoothing and the downsampling run on as
 * values arrive, so a frame's work grows with the new values only. Anything else that changes
 * (a reset of the run, other options, a value overwritten) starts the metric again, once.
 */
export class LiveChartData {
  private readonly states = new Map<string, BatchState>();

  chartData(run: Run, metric: string, o: ChartOptions): ChartData {
    const tables: Table[] = [];
    const state = this.update(run, metric, o);
    if (state) {
      tables.push({ spec: rawSpec(metric), ...state.raw.points() });
      if (state.smoothed) tables.push({ spec: smoothedSpec(metric), ...state.smoothed.points() });
    }
    return chart([...tables, ...epochTables(run, metric, o)]);
  }

  private update(run: Run, metric: string, o: ChartOptions): BatchState | null {
    const list = run.batch[metric];
    if (!list || !list.length) {
      this.states.delete(metric);
      return null;
    }
    const steps = run.steps[metric];
    const bpe = run.batchesPerEpoch;
    const key = `${bpe} ${o.smoothing} ${o.log} ${Math.max(1, Math.floor(o.buckets))}`;
    const edits = run.edits ?? 0;
    let s = this.states.get(metric);
    if (
      !s ||
      s.list !== list ||
      s.steps !== steps ||
      s.key !== key ||
      s.edits !== edits ||
      s.taken > list.length
    ) {
      const smoother = o.smoothing > 0 ? new Smoother(o.smoothing) : null;
      s = {
        list,
        steps,
        key,
        edits,
        taken: 0,
        raw: new Downsampler(o.buckets),
        smoother,
        smoothed: smoother ? new Downsampler(o.buckets) : null,
        restarts: 0,
      };
      this.states.set(metric, s);
    }
    const x = (i: number) => ((steps ? steps[i]! : i) + 1) / bpe;
    for (let i = s.taken; i < list.length; i++) {
      const v = list[i]!;
      const y = valid(v, o) ? v : NaN;
      s.raw.push(x(i), y);
      if (!s.smoother || !s.smoothed) continue;
      s.smoother.push(y);
      if (s.smoother.restarts !== s.restarts) {
        // Earlier smoothed values changed (a constant series that no longer is): once.
        s.restarts = s.smoother.restarts;
        s.smoothed = new Downsampler(o.buckets);
        for (let j = 0; j < i; j++) s.smoothed.push(x(j), s.smoother.values[j]!);
      }
      s.smoothed.push(x(i), s.smoother.values[i]!);
    }
    s.taken = list.length;
    return s;
  }
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

/** The finished epochs of a run: the longest epoch series. */
export function epochsDone(run: Run): number {
  return Math.max(0, ...Object.values(run.epoch).map((v) => v.length));
}

/** A metric's value as the views print it: 4 significant digits, `–` for none (NaN, null). */
export function formatValue(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v)
    ? '–'
    : Number(v.toPrecision(4)).toString();
}

/** A short wall time (an epoch's); one implementation, shared with the kernel's tables. */
export { formatMs };

/**
 * The per-epoch log of a run, one line per finished epoch as Keras prints it:
 * `Epoch 3/20 - 1.2s - loss: 0.1234 - mae: 0.2 - val_loss: 0.13 - val_mae: 0.21` (the time when
 * the output has it; training metrics in `metricNames` order, then their validation values).
 */
export function epochLog(run: Run): string[] {
  const names = metricNames(run);
  const keys = [
    ...names.filter((k) => run.epoch[k]),
    ...names.map((k) => `val_${k}`).filter((k) => run.epoch[k]),
  ];
  const lines: string[] = [];
  for (let e = 0; e < epochsDone(run); e++) {
    const parts = [`Epoch ${e + 1}/${Math.max(run.epochs, e + 1)}`];
    const ms = run.epochMs[e];
    if (ms !== undefined && Number.isFinite(ms)) parts.push(formatMs(ms));
    for (const k of keys) {
      const v = run.epoch[k]![e];
      // Keras prints a NaN loss as nan; an epoch without the value (a gap) says so too.
      parts.push(`${k}: ${v === undefined || !Number.isFinite(v) ? 'nan' : formatValue(v)}`);
    }
    lines.push(parts.join(' - '));
  }
  return lines;
}

/** One run drawn in the dashboard's overlay, with the name its legend shows. */
export interface OverlayRun {
  run: Run;
  label: string;
}

export interface OverlaySpec {
  runId: string;
  /** The run's metric per epoch (solid), or its validation value (dashed). */
  kind: 'epoch' | 'val';
  label: string;
}

export interface OverlayData {
  series: OverlaySpec[];
  /** Aligned columns: x (epoch, from 1), then one column per series. */
  columns: Array<Array<number | null>>;
}

/** Several runs on shared axes: per run, a metric's per-epoch values and its validation values. */
export function overlayData(
  runs: ReadonlyArray<OverlayRun>,
  metric: string,
  log: boolean,
): OverlayData {
  const tables: Array<Points & { spec: OverlaySpec }> = [];
  for (const { run, label } of runs)
    for (const t of epochTables(run, metric, { smoothing: 0, buckets: 0, log }))
      tables.push({
        xs: t.xs,
        ys: t.ys,
        spec: {
          runId: run.runId,
          kind: t.spec.kind === 'val' ? 'val' : 'epoch',
          label: `${label}: ${t.spec.kind === 'val' ? `val_${metric}` : metric}`,
        },
      });
  return { series: tables.map((t) => t.spec), columns: align(tables) };
}
