/** The dashboard's table rows: what the cells say, and a running run's row under live progress. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEntry } from '../../../kernels/protocol';
import {
  bestText,
  entryWithProgress,
  numberCells,
  runLabel,
  startedText,
  statusText,
} from '../../../webview/dashboard-entries';
import type { RunProgress } from '../../../webview/protocol';

const ENTRY: RunEntry = {
  runId: 'x7-1',
  model: 'lstm',
  description: 'LSTM(32) → Dense(1)',
  params: 4385,
  status: 'running',
  startedAt: new Date(2026, 0, 14, 9, 16, 25).getTime(),
  cell: 5,
  epochs: 20,
  epochsDone: 0,
  best: null,
  epochMs: null,
  seed: null,
  trimmed: false,
};

const ends = (...logs: Array<Record<string, number>>): RunProgress => ({
  type: 'progress',
  runId: 'x7-1',
  reset: false,
  epochs: 20,
  batchesPerEpoch: 10,
  batches: [],
  epochEnds: logs.map((l, epoch) => ({ epoch, logs: l })),
  etaMs: null,
});

test('live progress counts the finished epochs and keeps the best validation loss', () => {
  const p = ends({ loss: 0.5 }, { loss: 0.4, val_loss: 0.45 }, { loss: 0.3, val_loss: 0.47 });
  const e = entryWithProgress(ENTRY, p);
  assert.equal(e.epochsDone, 3);
  // The training loss until a validation value arrives; then the validation loss only.
  assert.deepEqual(e.best, { metric: 'val_loss', value: 0.45, epoch: 1 });
  assert.deepEqual(entryWithProgress(e, p), e, 'a backlog seen again changes nothing');
  assert.deepEqual(entryWithProgress(ENTRY, ends({ loss: 0.5 }, { loss: NaN })).best, {
    metric: 'loss',
    value: 0.5,
    epoch: 0,
  });
  assert.equal(ENTRY.epochsDone, 0, 'the entry given is not changed');
});

test('the cells: status with epochs, best with its 1-based epoch, numbers or a dash', () => {
  assert.equal(statusText({ ...ENTRY, epochsDone: 3 }), 'running 3/20');
  assert.equal(statusText({ ...ENTRY, status: 'done', epochsDone: 20 }), 'done');
  assert.equal(
    statusText({ ...ENTRY, status: 'done', epochsDone: 12 }),
    'done 12/20 (early stopping)',
  );
  assert.equal(statusText({ ...ENTRY, status: 'diverged', epochsDone: 4 }), 'diverged 4/20');
  assert.deepEqual(bestText(ENTRY), { value: '–', detail: '' });
  assert.deepEqual(
    bestText({ ...ENTRY, best: { metric: 'val_loss', value: 0.0123456, epoch: 6 } }),
    {
      value: '0.01235',
      detail: 'epoch 7',
    },
  );
  assert.deepEqual(bestText({ ...ENTRY, best: { metric: 'loss', value: 0.2, epoch: 0 } }), {
    value: '0.2',
    detail: 'loss, epoch 1',
  });
  assert.deepEqual(numberCells(ENTRY), { epochMs: '–', seed: '–', params: '4,385', cell: '5' });
  assert.deepEqual(numberCells({ ...ENTRY, epochMs: 843.2, seed: 0, params: null, cell: null }), {
    epochMs: '843ms',
    seed: '0',
    params: '–',
    cell: '–',
  });
});

test('a run is named by its model and start time; the year shows only when it is not this one', () => {
  assert.match(runLabel(ENTRY), /^lstm \d{1,2}:16:25/);
  const now = new Date(2026, 5, 1).getTime();
  assert.doesNotMatch(startedText(ENTRY, now), /2026/);
  assert.match(startedText(ENTRY, new Date(2027, 0, 1).getTime()), /2026/);
});
