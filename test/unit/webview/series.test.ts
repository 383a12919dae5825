/**
 * Runs read from saved outputs (versions 1 to 4), grown from live progress, charted, overlaid,
 * and printed as the epoch log.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../kernels/random';
import {
  applyProgress,
  chartData,
  epochLog,
  formatMs,
  formatValue,
  LiveChartData,
  metricNames,
  overlayData,
  readRun,
  type Run,
} from '../../../webview/series';
import type { RunProgress } from '../../../webview/protocol';

const V1 = {
  version: 1,
  runId: 'x1-1',
  model: 'sine',
  params: 4385,
  history: { loss: [0.5, 0.3], val_loss: [0.6, 0.4], mae: [0.4, 0.3], val_mae: [0.5, null] },
  batchLoss: [0.9, 0.7, 0.5, 0.4],
  batchesPerEpoch: 2,
  epochs: 2,
  stopped: null,
  config: {},
  seed: 0,
};

test('a version 1 output still reads: its per-batch loss, its history (null as NaN)', () => {
  const run = readRun(V1) as Run;
  assert.equal(typeof run, 'object');
  assert.equal(run.status, 'done');
  assert.deepEqual(run.batch['loss'], [0.9, 0.7, 0.5, 0.4]);
  assert.ok(Number.isNaN(run.epoch['val_mae']![1]));
  assert.deepEqual(metricNames(run), ['loss', 'mae']);
});

test('a version 2 output has every metric per batch; a bad one says why', () => {
  const run = readRun({
    ...V1,
    version: 2,
    status: 'done',
    description: 'GRU(32) → Dense(1)',
    batchLogs: { loss: [1, 2], mae: [3, 4] },
  }) as Run;
  assert.deepEqual(run.batch['mae'], [3, 4]);
  assert.equal(run.description, 'GRU(32) → Dense(1)');
  assert.match(readRun({ runId: 'x' }) as string, /schema version/);
  assert.match(readRun(null) as string, /not an object/);
});

test('live progress grows the series in batch order; a reset starts them again', () => {
  const run = readRun({
    ...V1,
    version: 2,
    status: 'running',
    history: {},
    batchLoss: [],
    batchLogs: {},
  }) as Run;
  const p = (reset: boolean, epoch: number, batch: number, loss: number): RunProgress => ({
    type: 'progress',
    runId: 'x1-1',
    reset,
    epochs: 2,
    batchesPerEpoch: 2,
    batches: [{ epoch, batch, logs: { loss, mae: loss / 2 } }],
    epochEnds: batch === 1 ? [{ epoch, logs: { loss, val_loss: loss + 0.1 } }] : [],
    etaMs: 1000,
  });
  applyProgress(run, p(false, 0, 0, 0.8));
  applyProgress(run, p(false, 0, 1, 0.6));
  applyProgress(run, p(false, 1, 0, 0.5));
  assert.deepEqual(run.batch['loss'], [0.8, 0.6, 0.5]);
  assert.deepEqual(run.epoch['val_loss'], [0.7]);
  assert.deepEqual(run.at, { epoch: 1, batch: 0 });
  applyProgress(run, p(true, 0, 0, 0.8));
  assert.deepEqual(run.batch['loss'], [0.8]);
  assert.equal(run.epoch['val_loss'], undefined);
});

test('a chart has the faint raw batch line, its smoothed line, the epoch and validation values', () => {
  const run = readRun(V1) as Run;
  const d = chartData(run, 'loss', { smoothing: 0.6, buckets: 100, log: false });
  assert.deepEqual(
    d.series.map((s) => s.kind),
    ['raw', 'smoothed', 'epoch', 'val'],
  );
  // x in epochs: batch i at (i + 1) / batchesPerEpoch, epoch e at e + 1.
  assert.deepEqual(d.columns[0], [0.5, 1, 1.5, 2]);
  assert.deepEqual(d.columns[1], [0.9, 0.7, 0.5, 0.4]);
  assert.deepEqual(d.columns[3], [null, 0.5, null, 0.3]);
  assert.deepEqual(d.columns[4], [null, 0.6, null, 0.4]);
  const raw = chartData(run, 'loss', { smoothing: 0, buckets: 100, log: false });
  assert.equal(raw.series.length, 3, 'no smoothed line at smoothing 0');
  const mae = chartData(run, 'mae', { smoothing: 0.6, buckets: 100, log: false });
  assert.deepEqual(
    mae.series.map((s) => s.kind),
    ['epoch', 'val'],
    'version 1 has no per-batch metric',
  );
});

test('on a log scale, values ≤ 0 become gaps', () => {
  const run = readRun({ ...V1, batchLoss: [1, 0, -1, 2] }) as Run;
  const d = chartData(run, 'loss', { smoothing: 0, buckets: 100, log: true });
  assert.deepEqual(d.columns[1], [1, null, null, 2]);
});

test('a version 3 output places a downsampled per-batch series at its saved batch numbers', () => {
  const run = readRun({
    ...V1,
    version: 3,
    batchesPerEpoch: 1000,
    epochs: 100,
    history: {},
    batchLogs: { loss: [1, 9, 0.5] },
    batchSteps: { loss: [0, 41_999, 99_999], mae: [1] },
  }) as Run;
  assert.deepEqual(run.steps, { loss: [0, 41_999, 99_999] }, 'steps only for a series they match');
  const data = chartData(run, 'loss', { smoothing: 0, buckets: 500, log: false });
  assert.deepEqual(data.columns[0], [0.001, 42, 100]);
  assert.deepEqual(data.columns[1], [1, 9, 0.5]);
});

test('live chart data, grown as progress arrives, equals chartData over the same run', () => {
  const rng = new Rng(99);
  const run = readRun({ ...V1, status: 'running', history: {}, batchLoss: [] }) as Run;
  const live = new LiveChartData();
  const bpe = 50;
  let step = 0;
  for (let frame = 0; frame < 120; frame++) {
    const batches = Array.from({ length: Math.floor(rng.uniform(0, 40)) }, () => {
      const s = step++;
      const r = rng.next();
      const loss =
        step < 30 ? 1 : r < 0.05 ? NaN : r < 0.1 ? -1 : Math.exp(-s / 500) + rng.uniform(0, 0.1);
      return { epoch: Math.floor(s / bpe), batch: s % bpe, logs: { loss, mae: rng.next() } };
    });
    // A reset now and then; an overwritten batch once.
    const reset = frame === 70;
    if (reset) step = 0;
    if (frame === 90) batches.push({ epoch: 0, batch: 3, logs: { loss: 5, mae: 5 } });
    applyProgress(run, {
      type: 'progress',
      runId: run.runId,
      reset,
      epochs: 10,
      batchesPerEpoch: bpe,
      batches,
      epochEnds: [],
      etaMs: null,
    });
    const o = {
      smoothing: frame < 40 ? 0.6 : frame < 60 ? 0 : 0.95,
      buckets: frame < 100 ? 50 : 80,
      log: frame % 30 >= 20,
    };
    for (const metric of ['loss', 'mae'])
      assert.deepEqual(
        live.chartData(run, metric, o),
        chartData(run, metric, o),
        `frame ${frame}, ${metric}`,
      );
  }
  assert.ok(run.batch['loss']!.length > 2 * 80 + 2, 'enough points to downsample');
});

test('the epoch log prints one line per finished epoch as Keras does, with its time', () => {
  const run = readRun({ ...V1, version: 4, epochMs: [1234, 340] }) as Run;
  assert.deepEqual(run.epochMs, [1234, 340]);
  assert.deepEqual(epochLog(run), [
    'Epoch 1/2 - 1.2s - loss: 0.5 - mae: 0.4 - val_loss: 0.6 - val_mae: 0.5',
    'Epoch 2/2 - 340ms - loss: 0.3 - mae: 0.3 - val_loss: 0.4 - val_mae: nan',
  ]);
  // 4 significant digits; an output before version 4 has no times; a run stopped early says
  // how many epochs it was asked for.
  const old = readRun({
    ...V1,
    epochs: 20,
    history: { loss: [0.123456, 1234.5678], val_loss: [0.000123456, 0.2] },
  }) as Run;
  assert.deepEqual(epochLog(old), [
    'Epoch 1/20 - loss: 0.1235 - val_loss: 0.0001235',
    'Epoch 2/20 - loss: 1235 - val_loss: 0.2',
  ]);
  assert.deepEqual(epochLog(readRun({ ...V1, history: {} }) as Run), []);
});

test('short times and values as the views print them', () => {
  assert.equal(formatMs(12.4), '12ms');
  assert.equal(formatMs(999.4), '999ms');
  assert.equal(formatMs(9_940), '9.9s');
  assert.equal(formatMs(9_960), '10s');
  assert.equal(formatMs(65_000), '1m 05s');
  assert.equal(formatMs(null), '–');
  assert.equal(formatMs(NaN), '–');
  assert.equal(formatValue(0.000012346), '0.00001235');
  assert.equal(formatValue(null), '–');
  assert.equal(formatValue(Infinity), '–');
});

test('a reset of live progress also drops the epoch times', () => {
  const run = readRun({ ...V1, version: 4, status: 'running', epochMs: [5] }) as Run;
  applyProgress(run, {
    type: 'progress',
    runId: run.runId,
    reset: true,
    epochs: 2,
    batchesPerEpoch: 2,
    batches: [],
    epochEnds: [],
    etaMs: null,
  });
  assert.deepEqual(run.epochMs, []);
});

test('the overlay puts runs on shared epochs: per run its values, then its validation values', () => {
  const a = readRun(V1) as Run;
  const b = readRun({
    ...V1,
    runId: 'x2-1',
    epochs: 3,
    history: { loss: [0.9, 0.8, 0.7] },
  }) as Run;
  const d = overlayData(
    [
      { run: a, label: 'sine 10:00' },
      { run: b, label: 'sine 10:05' },
    ],
    'loss',
    false,
  );
  assert.deepEqual(d.series, [
    { runId: 'x1-1', kind: 'epoch', label: 'sine 10:00: loss' },
    { runId: 'x1-1', kind: 'val', label: 'sine 10:00: val_loss' },
    { runId: 'x2-1', kind: 'epoch', label: 'sine 10:05: loss' },
  ]);
  assert.deepEqual(d.columns, [
    [1, 2, 3],
    [0.5, 0.3, null],
    [0.6, 0.4, null],
    [0.9, 0.8, 0.7],
  ]);
  // A metric one run lacks draws the other's only; on a log scale values ≤ 0 are gaps.
  const mae = overlayData(
    [
      { run: a, label: 'a' },
      { run: b, label: 'b' },
    ],
    'mae',
    true,
  );
  assert.deepEqual(
    mae.series.map((s) => s.runId),
    ['x1-1', 'x1-1'],
  );
  assert.deepEqual(mae.columns[2], [0.5, null]);
  assert.deepEqual(overlayData([], 'loss', false), { series: [], columns: [[]] });
});
