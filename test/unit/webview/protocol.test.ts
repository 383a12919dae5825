/** The renderer's messages are validated on receipt, on both sides. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFromRenderer, parseToRenderer } from '../../../webview/protocol';

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
