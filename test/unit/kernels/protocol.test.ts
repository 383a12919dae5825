/** Messages are validated on receipt on both sides of the worker boundary. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseFromWorker,
  parseToWorker,
  RUN_SCHEMA_VERSION,
  type RunOutput,
} from '../../../kernels/protocol';
import { runSvg } from '../../../kernels/svg';
import { analyze } from '../../../analyzer/python/evaluate';
import { summarize } from '../../../analyzer/summary';

test('valid messages pass; malformed ones say what is wrong', () => {
  assert.deepEqual(parseToWorker({ type: 'run', execId: 'x1', code: 'x = 1' }), {
    type: 'run',
    execId: 'x1',
    code: 'x = 1',
  });
  assert.equal(parseToWorker({ type: 'run', execId: 'x1', code: 2 }), 'run.code should be string');
  assert.equal(parseToWorker({ type: 'explode' }), 'unknown message type explode');
  assert.equal(parseToWorker(null), 'message is not an object');
  assert.equal(typeof parseFromWorker({ type: 'done', execId: 'x', ok: true, ms: 3 }), 'object');
  assert.equal(
    parseFromWorker({
      type: 'failed',
      execId: 'x',
      kind: 'cell',
      message: 'm',
      line: 'one',
      column: null,
    }),
    'failed.line should be number|null',
  );
  assert.equal(
    parseFromWorker({
      type: 'progress',
      execId: 'x',
      runId: 'r',
      epochs: 1,
      batchesPerEpoch: 2,
      batches: {},
      epochEnds: [],
      etaMs: null,
      lastBatchMs: 1,
    }),
    'progress.batches should be array',
  );
});

test('a summary is checked down to its rows: the host renders them', () => {
  const summary = summarize(
    analyze(
      'import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((5, 3)), layers.GRU(4), layers.Dense(1)])',
    ).models[0]!,
  );
  const msg = { type: 'summary', execId: 'x1', summary };
  assert.deepEqual(parseFromWorker(structuredClone(msg)), msg);
  assert.equal(
    parseFromWorker({ type: 'summary', execId: 'x1', summary: 'Model: "m"' }),
    'summary.summary should be object',
  );
  const rows = summary.rows.map((r, i) => (i === 1 ? { ...r, params: '17' } : r));
  assert.equal(
    parseFromWorker({ ...msg, summary: { ...summary, rows } }),
    'summary.summary.rows[1].params should be number|null',
  );
  assert.equal(
    parseFromWorker({ ...msg, summary: { ...summary, rows: [null] } }),
    'summary.summary.rows[0] should be object',
  );
});

test('the run picture is an SVG with one polyline per loss series and the last values', () => {
  const run: RunOutput = {
    version: RUN_SCHEMA_VERSION,
    runId: 'r1',
    model: 'sequential',
    params: 4385,
    history: { loss: [0.5, 0.2, 0.1], val_loss: [0.6, 0.3, 0.25], mae: [0.4, 0.3, 0.2] },
    batchLoss: [],
    batchesPerEpoch: 10,
    epochs: 3,
    stopped: 'early-stopping',
    config: {},
    seed: 0,
  };
  const svg = runSvg(run);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 2, 'loss and val_loss');
  assert.match(svg, /val_loss 0\.25/);
  assert.match(svg, /stopped: early-stopping/);
  assert.match(svg, /<\/svg>$/);
});
