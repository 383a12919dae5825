/**
 * A comparison (`rnnlab.compare`) as its view draws it: the saved output read and checked, the
 * runs still training folded in from live progress (their validation loss per epoch), and the
 * aligned columns of the chart: per variant each seed's val_loss, their mean, and the band from
 * the lowest to the highest seed at each epoch.
 */
import type { CompareOutput } from '../kernels/protocol';
import type { RunProgress } from './protocol';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A saved comparison output as the view takes it; a string says why it cannot be read. */
export function readCompare(output: unknown): CompareOutput | string {
  if (!isObject(output)) return 'the comparison output is not an object';
  if (typeof output['version'] !== 'number' || output['version'] < 1)
    return 'the comparison output has no schema version';
  const variants = output['variants'];
  if (!Array.isArray(variants) || !variants.every((v) => isObject(v) && Array.isArray(v['runs'])))
    return 'the comparison output has no variants with runs';
  if (!Array.isArray(output['seeds']) || !Array.isArray(output['plan']))
    return 'the comparison output has no seeds or plan';
  if (!isObject(output['baseline'])) return 'the comparison output has no baseline';
  return output as unknown as CompareOutput;
}

/** A run of the comparison still training, as live progress tells it. */
export interface LiveRun {
  runId: string;
  /** Validation loss per finished epoch (NaN where none came). */
  valLoss: number[];
  /** The last batch reported (0-based), and the run's size. */
  at: { epoch: number; batch: number } | null;
  epochs: number;
  batchesPerEpoch: number;
  etaMs: number | null;
  /** A reset (the backlog) has arrived: the values start at the run's first epoch. */
  synced: boolean;
}

export function liveRun(runId: string, epochs: number): LiveRun {
  return {
    runId,
    valLoss: [],
    at: null,
    epochs,
    batchesPerEpoch: 1,
    etaMs: null,
    synced: false,
  };
}

/** Folds a progress message into a live run (its per-batch values are not kept: not drawn here). */
export function foldProgress(run: LiveRun, p: RunProgress): void {
  if (p.reset) {
    run.valLoss = [];
    run.synced = true;
  }
  run.epochs = p.epochs;
  run.batchesPerEpoch = Math.max(1, p.batchesPerEpoch);
  for (const e of p.epochEnds) {
    const v = e.logs['val_loss'];
    while (run.valLoss.length < e.epoch) run.valLoss.push(NaN);
    run.valLoss[e.epoch] = typeof v === 'number' ? v : NaN;
  }
  const last = p.batches.at(-1);
  if (last) run.at = { epoch: last.epoch, batch: last.batch };
  run.etaMs = p.etaMs;
}

/** One seed's validation loss per epoch of one variant: a finished run's, or a live one's. */
export interface Curve {
  variant: number;
  seed: number;
  runId: string;
  values: number[];
  live: boolean;
}

/** The curves to draw: the finished runs of each variant, then the live ones in plan order. */
export function compareCurves(o: CompareOutput, live: ReadonlyMap<string, LiveRun>): Curve[] {
  const curves: Curve[] = [];
  const finished = new Set<string>();
  o.variants.forEach((v, i) => {
    for (const r of v.runs) {
      finished.add(r.run_id);
      const values = (r.history['val_loss'] ?? []).map((x) => (typeof x === 'number' ? x : NaN));
      curves.push({ variant: i, seed: r.seed, runId: r.run_id, values, live: false });
    }
  });
  for (const p of o.plan) {
    const run = live.get(p.run_id);
    const variant = o.variants.findIndex((v) => v.name === p.variant);
    if (!run || finished.has(p.run_id) || variant < 0 || !run.valLoss.length) continue;
    curves.push({ variant, seed: p.seed, runId: p.run_id, values: run.valLoss, live: true });
  }
  return curves;
}

/** What one column of the chart is: a seed's line (a finished run or a live one), or a variant's mean or band edge. */
export interface CompareSeries {
  kind: 'seed' | 'live' | 'mean' | 'low' | 'high';
  variant: number;
  label: string;
}

export interface CompareChartData {
  series: CompareSeries[];
  /** Aligned columns: x (epoch, from 1), then one column per series. */
  columns: Array<Array<number | null>>;
}

/**
 * The chart's columns: per variant (in order) its seeds' lines, then the band's upper and lower
 * edges (the highest and the lowest seed at each epoch), then the mean over the seeds that have a
 * value at that epoch. The band and the mean are of the finished runs (a run still training would
 * move them at every epoch), or of the live ones while a variant has none finished. Non-finite
 * values (and values ≤ 0 on a log scale) are gaps.
 */
export function compareChartData(
  o: CompareOutput,
  curves: readonly Curve[],
  log = false,
): CompareChartData {
  const epochs = Math.max(o.epochs, 1, ...curves.map((c) => c.values.length));
  const xs = Array.from({ length: epochs }, (_, e) => e + 1);
  const ok = (v: number | undefined): v is number =>
    v !== undefined && Number.isFinite(v) && (!log || v > 0);
  const series: CompareSeries[] = [];
  const columns: Array<Array<number | null>> = [xs];
  o.variants.forEach((v, i) => {
    const mine = curves.filter((c) => c.variant === i);
    if (!mine.length) return;
    for (const c of mine) {
      series.push({
        kind: c.live ? 'live' : 'seed',
        variant: i,
        label: `${v.name} seed ${c.seed}${c.live ? ' (training)' : ''}`,
      });
      columns.push(xs.map((_, e) => (ok(c.values[e]) ? c.values[e] : null)));
    }
    const done = mine.filter((c) => !c.live);
    const summarised = done.length ? done : mine;
    const at = (e: number) => summarised.map((c) => c.values[e]).filter(ok);
    const stat = (f: (vs: number[]) => number) =>
      xs.map((_, e) => {
        const vs = at(e);
        return vs.length ? f(vs) : null;
      });
    series.push({ kind: 'high', variant: i, label: `${v.name} highest seed` });
    columns.push(stat((vs) => Math.max(...vs)));
    series.push({ kind: 'low', variant: i, label: `${v.name} lowest seed` });
    columns.push(stat((vs) => Math.min(...vs)));
    series.push({ kind: 'mean', variant: i, label: `${v.name} mean` });
    columns.push(stat((vs) => vs.reduce((a, b) => a + b, 0) / vs.length));
  });
  return { series, columns };
}
