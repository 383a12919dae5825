/** A comparison as its view draws it: read, grown from live progress, and charted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareChartData,
  compareCurves,
  foldProgress,
  liveRun,
  readCompare,
} from '../../../webview/compare-data';
import type { CompareOutput } from '../../../kernels/protocol';
import type { RunProgress } from '../../../webview/protocol';

const spread = { mean: null, std: null, n: 0 };
const run = (seed: number, runId: string, valLoss: number[]) => ({
  seed,
  run_id: runId,
  status: 'done' as const,
  history: { loss: valLoss.map((v) => v - 0.01), val_loss: valLoss },
  epoch_ms: valLoss.map(() => 100),
});

const OUTPUT: CompareOutput = {
  version: 1,
  status: 'running',
  seeds: [0, 1],
  epochs: 3,
  batch_size: 32,
  loss: 'mse',
  baseline: { val_loss: 0.5, predicts: "the training targets' mean" },
  variants: [
    {
      name: 'a',
      model: 'a',
      description: 'GRU(4) → Dense(1)',
      params: 89,
      runs: [run(0, 'x-1', [0.4, 0.3, 0.2]), run(1, 'x-3', [0.5, 0.2, 0.1])],
      best_val_loss: spread,
      final_val_loss: spread,
      gap: spread,
      epoch_ms: spread,
    },
    {
      name: 'b',
      model: 'b',
      description: 'GRU(5) → Dense(1)',
      params: 126,
      runs: [run(0, 'x-2', [0.45, 0.35, 0.3])],
      best_val_loss: spread,
      final_val_loss: spread,
      gap: spread,
      epoch_ms: spread,
    },
  ],
  plan: [
    { variant: 'a', seed: 0, run_id: 'x-1' },
    { variant: 'b', seed: 0, run_id: 'x-2' },
    { variant: 'a', seed: 1, run_id: 'x-3' },
    { variant: 'b', seed: 1, run_id: 'x-4' },
  ],
  comparisons: [],
  best: null,
  verdict: '',
  method: '',
  stopped: null,
};

const progress = (epoch: number, valLoss: number | null, reset = false): RunProgress => ({
  type: 'progress',
  runId: 'x-4',
  reset,
  epochs: 3,
  batchesPerEpoch: 2,
  batches: [{ epoch, batch: 1, logs: { loss: 0.4 } }],
  epochEnds: valLoss === null ? [] : [{ epoch, logs: { loss: 0.4, val_loss: valLoss } }],
  etaMs: 1000,
});

test('a saved comparison is read; what is not one says why', () => {
  assert.equal(readCompare(JSON.parse(JSON.stringify(OUTPUT))).constructor, Object);
  assert.match(String(readCompare(null)), /not an object/);
  assert.match(String(readCompare({ version: 1, variants: [{}] })), /no variants with runs/);
  assert.match(String(readCompare({ ...OUTPUT, plan: undefined })), /no seeds or plan/);
});

test('a live run keeps its validation loss per epoch and where it is; a reset starts it again', () => {
  const live = liveRun('x-4', 3);
  foldProgress(live, progress(0, null));
  assert.deepEqual(live.valLoss, []);
  assert.deepEqual(live.at, { epoch: 0, batch: 1 });
  assert.equal(live.synced, false);
  foldProgress(live, progress(1, 0.3));
  assert.ok(Number.isNaN(live.valLoss[0]!), 'an epoch not seen is a gap');
  assert.equal(live.valLoss[1], 0.3);
  foldProgress(live, progress(0, 0.42, true));
  assert.deepEqual(live.valLoss, [0.42]);
  assert.equal(live.synced, true);
});

test('curves: the finished runs, then the live ones in plan order; finished ids win', () => {
  const live = new Map([
    ['x-4', { ...liveRun('x-4', 3), valLoss: [0.6] }],
    ['x-3', { ...liveRun('x-3', 3), valLoss: [9] }],
  ]);
  const curves = compareCurves(OUTPUT, live);
  assert.deepEqual(
    curves.map((c) => [c.variant, c.seed, c.live]),
    [
      [0, 0, false],
      [0, 1, false],
      [1, 0, false],
      [1, 1, true],
    ],
  );
  assert.deepEqual(curves[1]!.values, [0.5, 0.2, 0.1], 'the saved values, not the live ones');
});

test('the chart: per variant its seeds, the band from lowest to highest, then the mean (of finished runs)', () => {
  const live = new Map([['x-4', { ...liveRun('x-4', 3), valLoss: [0.55] }]]);
  const data = compareChartData(OUTPUT, compareCurves(OUTPUT, live));
  assert.deepEqual(
    data.series.map((s) => `${s.variant}:${s.kind}`),
    [
      '0:seed',
      '0:seed',
      '0:high',
      '0:low',
      '0:mean',
      '1:seed',
      '1:live',
      '1:high',
      '1:low',
      '1:mean',
    ],
  );
  assert.deepEqual(data.columns[0], [1, 2, 3]);
  const col = (i: number) => data.columns[i + 1]!;
  assert.deepEqual(col(2), [0.5, 0.3, 0.2], 'highest seed of a');
  assert.deepEqual(col(3), [0.4, 0.2, 0.1], 'lowest seed of a');
  assert.deepEqual(
    col(4).map((v) => Number(v!.toFixed(6))),
    [0.45, 0.25, 0.15],
    'mean of a',
  );
  // b: seed 1 is training (at epoch 1); the band and mean are of its finished run alone.
  assert.deepEqual(col(6), [0.55, null, null]);
  assert.deepEqual(
    col(9).map((v) => (v === null ? null : Number(v.toFixed(6)))),
    [0.45, 0.35, 0.3],
  );
  // On a log scale, values ≤ 0 are gaps.
  const zero = {
    ...OUTPUT,
    variants: [{ ...OUTPUT.variants[0]!, runs: [run(0, 'x-1', [0.4, 0, 0.2])] }],
  };
  const log = compareChartData(zero, compareCurves(zero, new Map()), true);
  assert.deepEqual(log.columns[1], [0.4, null, 0.2]);
});
