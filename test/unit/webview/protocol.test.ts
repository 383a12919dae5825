/** The renderer's and the dashboard's messages are validated on receipt, on both sides. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseFromDashboard,
  parseFromRenderer,
  parseToDashboard,
  parseToRenderer,
} from '../../../webview/protocol';

const PROGRESS = {
  type: 'progress',
  runId: 'x1-1',
  reset: false,
  epochs: 3,
  batchesPerEpoch: 10,
  batches: [{ epoch: 0, batch: 0, logs: { loss: 0.5, mae: null } }],
  epochEnds: [{ epoch: 0, logs: { loss: 0.4, val_loss: 0.45 } }],
  etaMs: null,
};

test('a progress message passes; each broken field is named', () => {
  assert.deepEqual(parseToRenderer(PROGRESS), PROGRESS);
  assert.match(parseToRenderer({ ...PROGRESS, runId: 1 }) as string, /runId/);
  assert.match(parseToRenderer({ ...PROGRESS, batches: {} }) as string, /batches should be array/);
  assert.match(
    parseToRenderer({
      ...PROGRESS,
      batches: [{ epoch: 0, batch: 1, logs: { loss: 'x' } }],
    }) as string,
    /batches\[0\]\.logs/,
  );
  assert.match(parseToRenderer({ ...PROGRESS, epochEnds: [{}] }) as string, /epochEnds\[0\]/);
  assert.match(
    parseToRenderer({ ...PROGRESS, type: 'eval' }) as string,
    /unknown message type eval/,
  );
  assert.match(parseToRenderer('progress') as string, /not an object/);
});

test('ready and stop carry a run id; anything else is refused', () => {
  assert.deepEqual(parseFromRenderer({ type: 'stop', runId: 'x1-1', extra: 1 }), {
    type: 'stop',
    runId: 'x1-1',
  });
  assert.deepEqual(parseFromRenderer({ type: 'ready', runId: 'x1-1' }), {
    type: 'ready',
    runId: 'x1-1',
  });
  assert.match(parseFromRenderer({ type: 'stop' }) as string, /runId/);
  assert.match(parseFromRenderer({ type: 'restart', runId: 'a' }) as string, /unknown/);
});

const ENTRY = {
  runId: 'x1-1',
  model: 'sine',
  description: 'GRU(32) → Dense(1)',
  params: 3393,
  status: 'done',
  startedAt: 1_700_000_000_000,
  cell: 2,
  epochs: 3,
  epochsDone: 3,
  best: { metric: 'val_loss', value: 0.1, epoch: 2 },
  epochMs: 840,
  seed: 0,
  trimmed: false,
};
const RUNS = {
  type: 'runs',
  notebooks: [{ uri: 'file:///a.ipynb', label: 'a.ipynb' }],
  notebook: 'file:///a.ipynb',
  runs: [ENTRY],
};

test('the dashboard receives runs, a loaded run and progress; each broken field is named', () => {
  assert.deepEqual(parseToDashboard(RUNS), RUNS);
  assert.deepEqual(parseToDashboard({ ...RUNS, notebook: null, runs: [] }), {
    ...RUNS,
    notebook: null,
    runs: [],
  });
  assert.deepEqual(parseToDashboard(PROGRESS), PROGRESS);
  assert.match(parseToDashboard({ ...RUNS, notebooks: [{ uri: 1 }] }) as string, /notebooks/);
  assert.match(parseToDashboard({ ...RUNS, runs: 'all' }) as string, /runs\.runs should be array/);
  assert.match(
    parseToDashboard({ ...RUNS, runs: [{ ...ENTRY, status: 'paused' }] }) as string,
    /runs\.runs\[0\]\.status/,
  );
  assert.match(
    parseToDashboard({ ...RUNS, runs: [{ ...ENTRY, best: { value: 1 } }] }) as string,
    /best/,
  );
  const run = { type: 'run', notebook: 'file:///a.ipynb', output: { runId: 'x1-1', version: 4 } };
  assert.deepEqual(parseToDashboard(run), run);
  assert.match(parseToDashboard({ ...run, output: [] }) as string, /run\.output/);
  assert.match(parseToDashboard({ ...PROGRESS, reset: 'no' }) as string, /reset/);
  assert.match(parseToDashboard({ type: 'eval' }) as string, /unknown message type eval/);
});

test('the dashboard sends Ready, Show, Load, Delete, Export, Save PNG and Stop; nothing else', () => {
  const ok = [
    { type: 'dashboardReady', notebook: null },
    { type: 'dashboardReady', notebook: 'file:///a.ipynb' },
    { type: 'show', notebook: 'file:///a.ipynb' },
    { type: 'load', runIds: ['x1-1'] },
    { type: 'delete', runIds: [] },
    { type: 'export', format: 'csv', runIds: ['x1-1', 'x2-1'] },
    { type: 'savePng', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' },
    { type: 'stop', runId: 'x1-1' },
  ];
  for (const m of ok) assert.deepEqual(parseFromDashboard({ ...m, extra: true }), m);
  assert.match(parseFromDashboard({ type: 'load', runIds: [1] }) as string, /runIds/);
  assert.match(
    parseFromDashboard({ type: 'export', format: 'xlsx', runIds: [] }) as string,
    /csv or json/,
  );
  assert.match(
    parseFromDashboard({ type: 'savePng', dataUrl: 'https://example.com/x.png' }) as string,
    /data:image\/png/,
  );
  assert.match(parseFromDashboard({ type: 'ready', runId: 'x' }) as string, /unknown/);
});
