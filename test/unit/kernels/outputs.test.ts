/** A running cell's outputs: streams, summaries as tables, throttled progress, errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COMPARE_MIME,
  RUN_MIME,
  RUN_SCHEMA_VERSION,
  type CompareOutput,
  type Failed,
  type Progress,
  type RunStart,
} from '../../../kernels/protocol';
import { STDOUT_MIME } from '../../../notebook/nbformat';
import {
  CellOutputs,
  errorValue,
  formatDuration,
  OpQueue,
  progressState,
  progressText,
  summaryHtml,
  type OutputOp,
} from '../../../kernels/outputs';
import { analyze } from '../../../analyzer/python/evaluate';
import { formatSummary, summarize } from '../../../analyzer/summary';

const MODEL_SUMMARY = summarize(
  analyze(`import keras
from keras import layers
model = keras.Sequential([
    keras.Input(shape=(50, 1)),
    layers.LSTM(32, return_sequences=True),
    layers.GRU(16),
    layers.Dense(1),
], name="a<b")
`).models[0]!,
);
/** The text `model.summary()` prints. */
const SUMMARY = `${formatSummary(MODEL_SUMMARY)}\n`;

const START: RunStart = {
  type: 'runStart',
  execId: 'x1',
  runId: 'x1-1',
  model: 'sine',
  description: 'GRU(32, dropout=0.2) → Dense(1)',
  params: 4385,
  epochs: 8,
  batchesPerEpoch: 25,
  samples: 800,
  validationSamples: 200,
  config: {},
};

function progress(epoch: number, batch: number, loss: number, etaMs: number | null): Progress {
  return {
    type: 'progress',
    execId: 'x1',
    runId: 'x1-1',
    epochs: 8,
    batchesPerEpoch: 25,
    batches: [{ epoch, batch, logs: { loss, mae: loss / 2 } }],
    epochEnds:
      batch === 0 && epoch > 0 ? [{ epoch: epoch - 1, logs: { loss, val_loss: loss } }] : [],
    etaMs,
    lastBatchMs: 5,
  };
}

const failed = (line: number | null, column: number | null = null): Failed => ({
  type: 'failed',
  execId: 'x1',
  kind: 'cell',
  message: "name 'x_tran' is not defined",
  line,
  column,
});

test('the summary table is HTML with theme colours, escaped', () => {
  const html = summaryHtml(MODEL_SUMMARY);
  assert.match(html, /var\(--vscode-editor-foreground\)/);
  assert.match(html, /var\(--vscode-descriptionForeground\)/);
  assert.match(html, /Model: <strong>a&#60;b<\/strong>/);
  assert.match(
    html,
    /<th>Layer \(type\)<\/th><th>Output Shape<\/th><th class="rnnlab-num">Param #<\/th>/,
  );
  assert.match(
    html,
    /<tr><td><code>lstm<\/code> <span class="rnnlab-type">\(LSTM\)<\/span><\/td><td><code>\(None, 50, 32\)<\/code><\/td><td class="rnnlab-num">4,352<\/td><\/tr>/,
  );
  assert.match(html, /Total params: <strong>6,769<\/strong> \(26\.44 KB\)/);
  assert.ok(!html.includes('a<b'));
});

test('a summary whose input size is unknown shows ? for the counts, in the table and the totals', () => {
  const unbuilt = summarize(
    analyze(
      'import keras\nfrom keras import layers\nm = keras.Sequential([layers.LSTM(8), layers.Dense(1)])',
    ).models[0]!,
  );
  const html = summaryHtml(unbuilt);
  assert.match(html, /<td><code>\?<\/code><\/td><td class="rnnlab-num">\?<\/td><\/tr>/);
  assert.match(html, /Total params: <strong>\?<\/strong> \(an input size is unknown\)<br>/);
  const [op] = new CellOutputs().onSummary(unbuilt);
  assert.match(
    (op as Extract<OutputOp, { op: 'append' }>).items[1]!.value,
    /lstm \(LSTM\) +│ \? +│ +\? │[\s\S]*Total params: \? \(an input size is unknown\)/,
  );
});

test('the HTML summary gives the same reason as the text for an unknown total (a custom layer)', () => {
  const custom = summarize(
    analyze(`import keras
from keras import layers

class Attention(layers.Layer):
    def call(self, x):
        return x

inp = keras.Input(shape=(20, 4))
x = layers.LSTM(8, return_sequences=True)(inp)
x = Attention()(x)
out = layers.Dense(1)(x)
model = keras.Model(inp, out)
`).models[0]!,
  );
  const html = summaryHtml(custom);
  assert.match(html, /<td class="rnnlab-num">\? \(not modelled\)<\/td>/);
  const reason = /Total params: \? \((.+)\)$/m.exec(formatSummary(custom))?.[1];
  assert.ok(reason && !reason.includes('input size'), `the reason names the layer: ${reason}`);
  assert.ok(html.includes(`Total params: <strong>?</strong> (${reason})<br>`), html);
});

test('prints accumulate in one stdout output; a summary becomes an HTML + text output', () => {
  const o = new CellOutputs();
  const a = o.onStream('(800, 50, 1)\n');
  assert.deepEqual(a, [
    {
      op: 'append',
      id: 1,
      items: [{ mime: STDOUT_MIME, value: '(800, 50, 1)\n' }],
      metadata: { outputType: 'stream' },
    },
  ]);
  assert.deepEqual(o.onStream('done\n'), [
    { op: 'replace', id: 1, items: [{ mime: STDOUT_MIME, value: '(800, 50, 1)\ndone\n' }] },
  ]);
  const [summary] = o.onSummary(MODEL_SUMMARY);
  assert.equal(summary!.op, 'append');
  const items = (summary as Extract<OutputOp, { op: 'append' }>).items;
  assert.deepEqual(
    items.map((i) => i.mime),
    ['text/html', 'text/plain'],
  );
  assert.equal(items[1]!.value, SUMMARY.trimEnd());
  // Text after the summary starts a new stream output, below it.
  assert.deepEqual(
    o.onStream('after\n').map((op) => [op.op, op.id]),
    [['append', 3]],
  );
});

test('a fit appends one run output at its start (the live stub), never redrawn, replaced by the run', () => {
  const o = new CellOutputs();
  const [start] = o.onRunStart(START);
  assert.equal(start!.op, 'append');
  const items = (start as Extract<OutputOp, { op: 'append' }>).items;
  assert.deepEqual(
    items.map((i) => i.mime),
    [RUN_MIME, 'text/plain'],
  );
  const stub = JSON.parse(items[0]!.value) as Record<string, unknown>;
  assert.equal(stub['status'], 'running');
  assert.equal(stub['runId'], START.runId);
  assert.equal(stub['version'], RUN_SCHEMA_VERSION);
  assert.equal(stub['description'], START.description);
  assert.match(items[1]!.value, /^sine: epoch 1\/8/);
  // Live progress goes to the renderer by messaging: no output operation for it.
  assert.deepEqual(o.onProgress(progress(0, 3, 0.5, 9000)), []);
  assert.deepEqual(o.onProgress(progress(1, 0, 0.3, 70_000)), []);
  // Progress of another run (a stale message) is ignored.
  assert.deepEqual(o.onProgress({ ...progress(1, 1, 0.2, 1), runId: 'other' }), []);
  const run = { version: 1, runId: 'x1-1' };
  const done = o.onDisplay({
    'text/plain': 'sine: 8 epochs',
    'image/svg+xml': '<svg/>',
    [RUN_MIME]: run,
  });
  assert.deepEqual(done, [
    {
      op: 'replace',
      id: 1,
      items: [
        { mime: RUN_MIME, value: JSON.stringify(run) },
        { mime: 'image/svg+xml', value: '<svg/>' },
        { mime: 'text/plain', value: 'sine: 8 epochs' },
      ],
    },
  ]);
  assert.deepEqual(o.onEnd({ type: 'done' }), []);
});

test('a display without a fit in flight is a new output', () => {
  const o = new CellOutputs();
  const ops = o.onDisplay({ [RUN_MIME]: {}, 'text/plain': 'x' });
  assert.equal(ops[0]!.op, 'append');
});

test('a fit cut short (the worker died) says so in its run output', () => {
  const o = new CellOutputs();
  o.onRunStart(START);
  o.onProgress(progress(0, 7, 0.4, 8000));
  const ops = o.onEnd({ ...failed(null), kind: 'memory', message: 'the kernel ran out of memory' });
  assert.equal(ops.length, 2);
  assert.equal(ops[0]!.op, 'replace');
  const items = (ops[0] as Extract<OutputOp, { op: 'replace' }>).items;
  assert.equal((JSON.parse(items[0]!.value) as { status: string }).status, 'lost');
  assert.match(items[1]!.value, /batch 8\/25/);
  assert.match(items[1]!.value, /\(the fit ended before its results were reported\)$/);
  assert.deepEqual(ops[1], {
    op: 'error',
    id: 2,
    error: { name: 'memory', message: 'the kernel ran out of memory' },
  });
});

test('a failure names the line (and column) in its message and its stack', () => {
  assert.deepEqual(errorValue(failed(3, 7), 2), {
    name: 'cell',
    message: "line 3, column 7: name 'x_tran' is not defined",
    stack: "cell: line 3, column 7: name 'x_tran' is not defined\n    at cell 2, line 3",
  });
  assert.deepEqual(errorValue(failed(4)), {
    name: 'cell',
    message: "line 4: name 'x_tran' is not defined",
    stack: "cell: line 4: name 'x_tran' is not defined\n    at line 4",
  });
  const o = new CellOutputs();
  o.onStream('x\n');
  const [err] = o.onEnd(failed(3, 1), 2);
  assert.equal(err!.op, 'error');
  assert.equal(err!.id, 2);
});

test('an interrupt is a KeyboardInterrupt error, as in Jupyter, after the partial run', () => {
  const interrupted: Failed = {
    type: 'failed',
    execId: 'x1',
    kind: 'interrupted',
    message: 'stopped at epoch 3/10, batch 12/25; the weights trained so far are kept',
    line: 2,
    column: 1,
  };
  const o = new CellOutputs();
  o.onRunStart(START);
  o.onDisplay({ [RUN_MIME]: {}, 'text/plain': 'sine: 2 epochs' });
  const ops = o.onEnd(interrupted, 4);
  assert.equal(ops.length, 1, 'the run replaced its progress: only the error is added');
  assert.deepEqual(ops[0], {
    op: 'error',
    id: 2,
    error: {
      name: 'KeyboardInterrupt',
      message:
        'line 2, column 1: stopped at epoch 3/10, batch 12/25; the weights trained so far are kept',
      stack:
        'KeyboardInterrupt: line 2, column 1: stopped at epoch 3/10, batch 12/25; the weights trained so far are kept\n    at cell 4, line 2',
    },
  });
});

test('durations read like an ETA', () => {
  assert.equal(formatDuration(null), '--');
  assert.equal(formatDuration(Infinity), '--');
  assert.equal(formatDuration(400), '0s');
  assert.equal(formatDuration(59_400), '59s');
  assert.equal(formatDuration(61_000), '1m 01s');
  assert.equal(formatDuration(3_600_000 + 120_000), '1h 02m');
  const state = progressState(START);
  assert.equal(progressText(state), 'sine: epoch 1/8  batch 0/25  [--------------------]  ETA --');
});

test('the op queue drops replaces that a later replace of the same output supersedes', () => {
  const q = new OpQueue();
  const rep = (id: number, v: string): OutputOp => ({
    op: 'replace',
    id,
    items: [{ mime: 'text/plain', value: v }],
  });
  q.push([
    { op: 'append', id: 1, items: [], metadata: { outputType: 'stream' } },
    rep(1, 'a'),
    rep(2, 'x'),
    rep(1, 'ab'),
    { op: 'error', id: 3, error: { name: 'cell', message: 'm' } },
    rep(1, 'abc'),
  ]);
  const seen: string[] = [];
  for (let op = q.shift(); op; op = q.shift())
    seen.push(op.op === 'replace' ? `${op.id}:${op.items[0]!.value}` : `${op.op}:${op.id}`);
  assert.deepEqual(seen, ['append:1', '2:x', 'error:3', '1:abc']);
  assert.equal(q.size, 0);
});

test('a comparison is one output: appended at its start, replaced as runs finish, its runs hidden', () => {
  const o = new CellOutputs();
  const stub = {
    version: 1,
    status: 'running',
    plan: [
      { variant: 'a', seed: 0, run_id: 'x1-1' },
      { variant: 'b', seed: 0, run_id: 'x1-2' },
    ],
  } as unknown as CompareOutput;
  const data = (c: CompareOutput) => ({ [COMPARE_MIME]: c, 'text/plain': c.status });
  const [append] = o.onDisplay(data(stub));
  assert.equal(append!.op, 'append');
  const id = append!.id;
  // A run of the comparison: no output of its own at its start, its progress or its end.
  assert.deepEqual(o.onRunStart({ ...START, runId: 'x1-1' }), []);
  assert.deepEqual(o.onProgress({ ...progress(0, 3, 0.5, null), runId: 'x1-1' }), []);
  assert.deepEqual(o.onDisplay({ [RUN_MIME]: { runId: 'x1-1' }, 'text/plain': 'a' }), []);
  const [replace] = o.onDisplay(data(stub));
  assert.deepEqual(
    replace && { op: replace.op, id: replace.id },
    { op: 'replace', id },
    'a finished run replaces the comparison output',
  );
  o.onRunStart({ ...START, runId: 'x1-2' });
  const [final] = o.onDisplay(data({ ...stub, status: 'done' }));
  assert.equal(final!.op, 'replace');
  assert.equal(final!.op === 'replace' && final!.items[0]!.mime, COMPARE_MIME);
  // After it, a fit of the same cell is an ordinary run output.
  assert.equal(o.onRunStart({ ...START, runId: 'x1-3' })[0]!.op, 'append');
});

test('a comparison cut short (the worker died) is saved as lost, with what it had', () => {
  const o = new CellOutputs();
  const stub = {
    version: 1,
    status: 'running',
    plan: [{ variant: 'a', seed: 0, run_id: 'x1-1' }],
    variants: [],
  } as unknown as CompareOutput;
  o.onDisplay({ [COMPARE_MIME]: stub });
  o.onRunStart({ ...START, runId: 'x1-1' });
  const ops = o.onEnd({ ...failed(null), kind: 'restarted', message: 'the worker died' });
  const lost = ops.find((op) => op.op === 'replace');
  assert.ok(lost && lost.op === 'replace');
  assert.equal(JSON.parse(lost.items[0]!.value).status, 'lost');
  assert.equal(ops.at(-1)!.op, 'error');
});
