/** Training progress as the host receives it: the ETA is estimated from measured batches. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import {
  boundedBatches,
  boundSeries,
  describeModel,
  ETA_MIN_BATCHES,
  ETA_WINDOW,
  estimateEtaMs,
  ProgressReporter,
} from '../../../kernels/fit';
import { SAVED_BATCH_POINTS, type FromWorker, type Progress } from '../../../kernels/protocol';

const ms = (n: number, each: number) => Array.from({ length: n }, () => each);

test('no ETA until a few batches after the first one are measured', () => {
  for (let n = 0; n <= ETA_MIN_BATCHES; n++) {
    assert.equal(
      estimateEtaMs({ batchMs: [4000, ...ms(n, 100)], remainingBatches: 50 }),
      n < ETA_MIN_BATCHES ? null : 100 * 50,
      `${n} batches after the first`,
    );
  }
  assert.equal(estimateEtaMs({ batchMs: [], remainingBatches: 50 }), null);
});

test('the first batch (tfjs warm-up) does not count: the reported 42 s for an 11 s fit', () => {
  // 100 batches: the first takes 3.8 s (kernels compile), the others 100 ms each.
  const batchMs = [3800, ...ms(ETA_MIN_BATCHES, 100)];
  const remaining = 100 - batchMs.length;
  const eta = estimateEtaMs({ batchMs, remainingBatches: remaining });
  assert.equal(eta, 100 * remaining);
  // What extrapolating from everything so far said: four times too long.
  const naive = (batchMs.reduce((a, b) => a + b, 0) / batchMs.length) * remaining;
  assert.ok(naive > 9 * eta!, `${naive} vs ${eta}`);
});

test('the ETA follows the recent batches (a window), not the whole fit', () => {
  const batchMs = [1000, ...ms(50, 100), ...ms(ETA_WINDOW, 200)];
  assert.equal(estimateEtaMs({ batchMs, remainingBatches: 10 }), 200 * 10);
  const mixed = [1000, ...ms(50, 100), ...ms(5, 200)];
  const mean = ((ETA_WINDOW - 5) * 100 + 5 * 200) / ETA_WINDOW;
  assert.equal(estimateEtaMs({ batchMs: mixed, remainingBatches: 10 }), mean * 10);
});

test('the end of an epoch (validation) counts once one was measured; nothing left is 0', () => {
  const batchMs = [900, ...ms(10, 50)];
  assert.equal(
    estimateEtaMs({ batchMs, remainingBatches: 20, epochEndMs: 300, remainingEpochEnds: 3 }),
    50 * 20 + 300 * 3,
  );
  assert.equal(
    estimateEtaMs({ batchMs, remainingBatches: 0, epochEndMs: 300, remainingEpochEnds: 0 }),
    0,
  );
});

test('progress messages carry the ETA of the measured batches, none before there are enough', () => {
  const sent: FromWorker[] = [];
  const reporter = new ProgressReporter((m) => sent.push(m), {
    execId: 'x1',
    runId: 'x1-1',
    epochs: 2,
    batchesPerEpoch: 10,
  });
  const eta = () => (sent.at(-1) as Progress).etaMs;
  reporter.batch(0, 0, { loss: 1 }, 4000);
  reporter.flush();
  assert.equal(eta(), null, 'one batch, the warm-up: no ETA');
  for (let b = 1; b <= ETA_MIN_BATCHES; b++) reporter.batch(0, b, { loss: 1 }, 100);
  reporter.flush();
  const left = 20 - (ETA_MIN_BATCHES + 1);
  assert.equal(eta(), 100 * left);
  for (let b = ETA_MIN_BATCHES + 1; b < 10; b++) reporter.batch(0, b, { loss: 1 }, 100);
  reporter.epoch(0, { loss: 1, val_loss: 1 }, 500);
  reporter.flush();
  assert.equal(eta(), 100 * 10 + 500, 'ten batches and one epoch end to go');
});

test("a model's one-line description names its layers, sizes and dropout settings", () => {
  const graph = analyze(`
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([
    keras.Input(shape=(50, 1)),
    layers.GRU(32, return_sequences=True, recurrent_dropout=0.2),
    layers.Dropout(0.3),
    layers.Bidirectional(layers.LSTM(16, dropout=0.1)),
    layers.Dense(1),
])
`);
  assert.equal(
    describeModel(graph.models[0]!),
    'GRU(32, recurrent_dropout=0.2) → Dropout(0.3) → Bidirectional(LSTM(16, dropout=0.1)) → Dense(1)',
  );
});

test('a saved run keeps at most SAVED_BATCH_POINTS values a per-batch series: 100k batches keep spikes and both ends', () => {
  const n = 100_000;
  const loss = Array.from({ length: n }, (_, i) => 1 / (1 + i / 1000) + 0.01 * Math.sin(i));
  loss[54_321] = 9; // a spike
  const mae = loss.map((v) => v / 2);
  mae[12_345] = -3; // a dip, in another metric
  const saved = boundedBatches(loss, { loss, mae });
  assert.equal(SAVED_BATCH_POINTS, 10_000);
  for (const [name, values] of Object.entries(saved.batchLogs!)) {
    const steps = saved.batchSteps![name]!;
    assert.ok(values.length <= SAVED_BATCH_POINTS, `${name}: ${values.length} points`);
    assert.equal(steps.length, values.length, `${name}: one batch number a value`);
    assert.equal(steps[0], 0);
    assert.equal(steps.at(-1), n - 1);
    assert.equal(values.at(-1), (name === 'loss' ? loss : mae)[n - 1]);
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i]! > steps[i - 1]!, 'in order');
  }
  const at = (name: string, step: number) =>
    saved.batchLogs![name]![saved.batchSteps![name]!.indexOf(step)];
  assert.equal(at('loss', 54_321), 9, 'the spike is kept');
  assert.equal(at('mae', 12_345), -3, 'the dip is kept');
  assert.ok(saved.batchLoss.length <= SAVED_BATCH_POINTS);
  // The saved output stays small: about 10k numbers a metric.
  assert.ok(JSON.stringify(saved).length < 1_000_000, `${JSON.stringify(saved).length} chars`);
});

test('a run of at most SAVED_BATCH_POINTS batches is saved as it is, with no batch numbers', () => {
  const loss = [0.5, 0.4, 0.3];
  const saved = boundedBatches(loss, { loss });
  assert.deepEqual(saved, { batchLoss: loss, batchLogs: { loss } });
  assert.deepEqual(boundSeries([1, 2, 3, 4, 5], 4).steps?.length, 4);
});
